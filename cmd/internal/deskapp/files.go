package deskapp

import (
	"fmt"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"medisecure/core"
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
