package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
)

// The inbox was read-only: nothing could be written or answered in the
// TUI, and nothing searched. c writes a message to a role with a file
// from a typed path; r answers the open message with "Re: " to its
// sender; / keeps the messages that hold the typed words.
func TestComposeReplySearch(t *testing.T) {
	h := newHarness(t, 120, 40)
	seedInbox(h.b)
	h.b.files = map[string]core.File{"/scans/gloves.pdf": {Name: "gloves.pdf", MIMEType: "application/pdf", Data: []byte("%PDF-1.4")}}
	h.login("okafor")
	h.keys("M c")
	h.mustSee("New message", "To", "Attach")
	h.typ("role:doctor")
	h.keys("tab")
	h.typ("Gloves")
	h.keys("tab")
	h.typ("Two boxes in room 1")
	h.keys("tab")
	h.typ("/scans/missing.pdf")
	h.keys("enter")
	h.mustSee("cannot read /scans/missing.pdf")
	if len(h.b.msgs) != 3 {
		t.Fatalf("a message went out with a file that could not be read")
	}
	for range "/scans/missing.pdf" {
		h.keys("backspace")
	}
	h.typ("/scans/gloves.pdf")
	h.keys("enter")
	h.mustSee("Messages (4, 2 unread)", "to lindqvist")
	sent := h.b.msgs[3]
	if sent.Subject != "Gloves" || len(sent.To) != 1 || sent.To[0] != "lindqvist" || len(sent.Attachments) != 1 || sent.Attachments[0].FileName != "gloves.pdf" {
		t.Fatalf("sent %+v", sent)
	}

	h.keys("j enter r")
	h.mustSee("Reply", "Re: Lab results")
	h.typ("Called her at 11")
	h.send(tea.KeyMsg{Type: tea.KeyCtrlS})
	reply := h.b.msgs[4]
	if reply.To[0] != "ana" || !strings.HasPrefix(reply.Subject, "Re: Lab results") || reply.ReplyTo != fakeID(903) || reply.Body != "Called her at 11" {
		t.Fatalf("reply %+v", reply)
	}

	h.keys("esc / r o t a enter")
	h.mustSee("1 found", "Rota for Friday")
	if v := h.view(); strings.Contains(v, "Gloves") {
		t.Errorf("the search kept a message without the words:\n%s", v)
	}
	h.keys("esc")
	h.mustSee("Gloves", "Rota for Friday")
}
