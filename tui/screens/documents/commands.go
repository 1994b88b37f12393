package documents

import (
	"fmt"
	"os"
	"path/filepath"

	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// listMsg carries the patient's documents and which of them have their
// file here and their text still to read.
type listMsg struct {
	ui.Envelope
	list    []core.Document
	unread  []core.ID
	missing map[core.ID]bool
	err     error
}

// openedMsg carries one opened document.
type openedMsg struct {
	ui.Envelope
	d   core.Document
	err error
}

// savedMsg carries a document added or reviewed.
type savedMsg struct {
	ui.Envelope
	d     core.Document
	added bool
	err   error
}

// progressMsg is a page of a document's text read; more follow on ch.
type progressMsg struct {
	ui.Envelope
	id          core.ID
	done, total int
	ch          <-chan tea.Msg
}

// textMsg ends reading a document's text.
type textMsg struct {
	ui.Envelope
	d   core.Document
	err error
}

func loadCmd(p Port, to int, patient core.ID) tea.Cmd {
	return func() tea.Msg {
		list, err := p.Documents(patient, "documents screen")
		msg := listMsg{Envelope: ui.Envelope{To: to}, list: list, missing: map[core.ID]bool{}, err: err}
		for _, d := range list {
			switch here := p.HasContent(d.ID); {
			case !here:
				msg.missing[d.ID] = true
			case d.TextState == core.TextPending:
				msg.unread = append(msg.unread, d.ID)
			}
		}
		return msg
	}
}

func openCmd(p Port, to int, id core.ID) tea.Cmd {
	return func() tea.Msg {
		d, err := p.Document(id)
		return openedMsg{Envelope: ui.Envelope{To: to}, d: d, err: err}
	}
}

func reviewCmd(p Port, to int, id core.ID) tea.Cmd {
	return func() tea.Msg {
		d, err := p.ReviewDocument(id)
		return savedMsg{Envelope: ui.Envelope{To: to}, d: d, err: err}
	}
}

// addCmd reads the file at path and adds it.
func addCmd(p Port, to int, patient core.ID, t core.DocumentType, title, path string) tea.Cmd {
	return func() tea.Msg {
		msg := savedMsg{Envelope: ui.Envelope{To: to}, added: true}
		info, err := os.Stat(path)
		switch {
		case err != nil || !info.Mode().IsRegular():
			msg.err = fmt.Errorf("%w: there is no file at %s", core.ErrInvalid, path)
			return msg
		case info.Size() > core.MaxDocumentBytes:
			msg.err = fmt.Errorf("%w: %s is %.1f MiB, more than the 50 MiB a document may be", core.ErrFileRefused, filepath.Base(path), float64(info.Size())/(1<<20))
			return msg
		}
		data, err := os.ReadFile(path)
		if err != nil {
			msg.err = fmt.Errorf("%w: %s cannot be read", core.ErrInvalid, path)
			return msg
		}
		if title == "" {
			title = filepath.Base(path)
		}
		msg.d, msg.err = p.AddDocumentFile(patient, t, title, data)
		return msg
	}
}

// readCmd reads a document's text in the background: it answers with a
// progressMsg per page and a textMsg at the end, each from the channel the
// previous one names, so the screen never waits.
func readCmd(p Port, to int, id core.ID) tea.Cmd {
	return func() tea.Msg {
		ch := make(chan tea.Msg, 64)
		go func() {
			d, err := p.ReadText(id, func(done, total int) {
				// The last place stays free for the end, so this goroutine
				// ends even when the screen has gone and reads no more;
				// a screen that is slow to read misses a page's news.
				if len(ch) < cap(ch)-1 {
					ch <- progressMsg{Envelope: ui.Envelope{To: to}, id: id, done: done, total: total}
				}
			})
			ch <- textMsg{Envelope: ui.Envelope{To: to}, d: d, err: err}
			close(ch)
		}()
		return waitFor(ch)()
	}
}

// waitFor is the next message of a text read in progress.
func waitFor(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		if pm, isProgress := msg.(progressMsg); isProgress {
			pm.ch = ch
			return pm
		}
		return msg
	}
}
