package deskapp

import (
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"medisecure/core"
	"medisecure/store"
)

// ErrNoLocalFiles is returned when a screen served over SSH asks for a
// file: the path would be read on the clinic host, not the user's machine.
var ErrNoLocalFiles = core.NewError(core.ClassValidation, "deskapp: files cannot be attached over ssh; attach them with clinic message send on your own workstation")

// ReadAttachment reads a file the user typed the path of, for a message:
// its bare name, its type (from the extension, else its first bytes) and
// its bytes, refusing what is not a file or too big before reading it.
func (s tuiSession) ReadAttachment(path string) (core.File, error) {
	if !s.files {
		return core.File{}, ErrNoLocalFiles
	}
	path = strings.TrimSpace(path)
	info, err := os.Stat(path)
	if err != nil || !info.Mode().IsRegular() {
		return core.File{}, fmt.Errorf("%w: cannot read %s: not a file here", core.ErrInvalid, path)
	}
	if info.Size() > core.MaxAttachmentBytes {
		return core.File{}, &core.ValidationError{Kind: core.KindAttachment, Fields: []core.FieldError{{
			Field: "file", Message: fmt.Sprintf("%s is %.1f MiB; a message takes files of at most 2 MiB", filepath.Base(path), float64(info.Size())/(1<<20)),
		}}}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return core.File{}, fmt.Errorf("%w: cannot read %s", core.ErrInvalid, path)
	}
	t := mime.TypeByExtension(strings.ToLower(filepath.Ext(path)))
	if t == "" {
		t = http.DetectContentType(data)
	}
	t, _, _ = strings.Cut(t, ";")
	return core.File{Name: filepath.Base(path), MIMEType: strings.TrimSpace(t), Data: data}, nil
}

// ErrNoLocalSave is returned when a screen served over SSH asks to save a
// message's files: the folder would be on the clinic host.
var ErrNoLocalSave = core.NewError(core.ClassValidation, "deskapp: files cannot be saved over ssh; save them with clinic message read --save-attachments on your own workstation")

// ErrSaveFile is returned when a message's file cannot be written where the
// user asked: the folder is missing or not writable, or a file of that name
// is there already (nothing is ever written over).
var ErrSaveFile = core.NewError(core.ClassValidation, "deskapp: cannot save the file")

// SaveAttachments opens one of the user's messages with its files (as
// reading it does, so a recipient's receipt is written) and saves them into
// dir, returning the paths written.
func (s tuiSession) SaveAttachments(id core.ID, dir string) ([]string, error) {
	if !s.files {
		return nil, ErrNoLocalSave
	}
	_, files, err := s.ReadMessage(id)
	if err != nil {
		return nil, err
	}
	return SaveFiles(strings.TrimSpace(dir), files)
}

// SaveFiles writes each file into dir under its own (validated, bare)
// name, never over an existing file, readable by the user only. It stops at
// the first file it cannot write and returns the paths written so far.
func SaveFiles(dir string, files []store.OpenedFile) ([]string, error) {
	if dir == "" {
		dir = "."
	}
	var paths []string
	for _, f := range files {
		p := filepath.Join(dir, f.FileName)
		out, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return paths, fmt.Errorf("%w: %s already exists; choose another folder", ErrSaveFile, p)
		}
		if err != nil {
			return paths, fmt.Errorf("%w: cannot write into %s", ErrSaveFile, dir)
		}
		_, werr := out.Write(f.Data)
		if cerr := out.Close(); werr != nil || cerr != nil {
			os.Remove(p)
			return paths, fmt.Errorf("%w: cannot write %s", ErrSaveFile, p)
		}
		paths = append(paths, p)
	}
	return paths, nil
}
