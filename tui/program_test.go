package tui

import (
	"bytes"
	"io"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"
)

// TestProgram runs the real Bubble Tea program (real ticks, real Cmd
// goroutines) on the fake clinic: log in, find a patient, quit.
func TestProgram(t *testing.T) {
	b := newFakeBackend()
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	tm := teatest.NewTestModel(t, New(b, Options{Now: b.clock.Now, Renderer: r, DemoHint: demoHint}),
		teatest.WithInitialTermSize(80, 24))
	waitFor := func(text string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(out []byte) bool { return bytes.Contains(out, []byte(text)) },
			teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	}
	waitFor("Passphrase: demo")
	tm.Type("ana")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Type("demo")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor("Waiting room (2)")
	tm.Type("/zoe")
	waitFor("1990-05-14")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m := tm.FinalModel(t).(*model)
	if p := m.c.Who; p.User != "ana" {
		t.Fatalf("logged in as %+v", p)
	}
}
