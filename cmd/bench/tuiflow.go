package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"medisecure/tui"
)

// scheduleTimeout bounds the wait for the first schedule; a large store's
// first load is slow, but not this slow.
const scheduleTimeout = 2 * time.Minute

// tuiFirstSchedule logs user in through the TUI's own model on a w×h
// screen and returns the model and its first View that shows the day
// schedule: the way from the login form to a rendered day that a person
// at the desk sees. It draws in colour (TrueColor), the dearer case.
func tuiFirstSchedule(b tui.Backend, user, pass string, now func() time.Time, w, h int) (tea.Model, string, error) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	r.SetHasDarkBackground(true)
	d := newDriver(tui.New(b, tui.Options{Now: now, Renderer: r}))
	defer d.stop()
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	d.typeText(user)
	d.send(tea.KeyMsg{Type: tea.KeyEnter})
	d.typeText(pass)
	d.send(tea.KeyMsg{Type: tea.KeyEnter})
	// Every layout of the day, list or columns, shows the waiting room;
	// the login form and the loading screen do not.
	v, err := d.waitView(func(v string) bool { return strings.Contains(v, "Waiting room") }, scheduleTimeout)
	return d.m, v, err
}

// driver runs a Bubble Tea model without a terminal, as a program does:
// each Cmd in its own goroutine, each message back through Update in the
// order it arrives, on the driver's goroutine only.
type driver struct {
	m    tea.Model
	msgs chan tea.Msg
	done chan struct{}
}

func newDriver(m tea.Model) *driver {
	d := &driver{m: m, msgs: make(chan tea.Msg), done: make(chan struct{})}
	d.run(m.Init())
	return d
}

// stop lets the Cmds still running (ticks, the spinner) end without a
// reader.
func (d *driver) stop() { close(d.done) }

// run starts a Cmd.
func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		select {
		case d.msgs <- msg:
		case <-d.done:
		}
	}()
}

// send gives a message to Update and starts the Cmd it returns.
func (d *driver) send(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil, tea.QuitMsg:
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
	default:
		m, cmd := d.m.Update(msg)
		d.m = m
		d.run(cmd)
	}
}

// typeText presses the keys that type s.
func (d *driver) typeText(s string) {
	for _, r := range s {
		d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// waitView handles messages as they come until the view satisfies ok.
func (d *driver) waitView(ok func(string) bool, timeout time.Duration) (string, error) {
	deadline := time.After(timeout)
	for {
		v := d.m.View()
		if ok(v) {
			return v, nil
		}
		select {
		case msg := <-d.msgs:
			d.send(msg)
		case <-deadline:
			return v, fmt.Errorf("no schedule after %v; the screen shows:\n%s", timeout, v)
		}
	}
}
