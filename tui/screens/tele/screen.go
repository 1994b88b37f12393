package tele

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// The screen's keys.
var (
	keyBook  = key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "book video visit"))
	keyStart = key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "start"))
	keyEnd   = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "end"))
)

// Screen is one appointment's video consultation.
type Screen struct {
	ui.Base
	port       Port
	apptID     core.ID
	appt       core.Appointment
	ts         core.Telesession
	has, ready bool
	busy       bool
	err        string
}

// New opens the video consultation of appointment r.Appt.
func New(c *ui.Shared, p Port, r ui.Route) *Screen {
	return &Screen{Base: ui.NewBase(c), port: p, apptID: r.Appt}
}

// Init loads the appointment and its session.
func (s *Screen) Init() tea.Cmd {
	s.busy = true
	return loadCmd(s.port, s.ID(), s.apptID)
}

// Title names the screen.
func (s *Screen) Title() string { return "Video consultation" }

// Busy is set while loading or acting.
func (s *Screen) Busy() bool { return s.busy }

// Update handles the keys and the answers.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		s.busy, s.ready = false, true
		s.err = s.S.Describe(msg.err)
		s.appt, s.ts, s.has = msg.appt, msg.ts, msg.has
	case doneMsg:
		s.busy = false
		if msg.err != nil {
			s.err = s.S.Describe(msg.err)
			return nil
		}
		s.ts, s.has = msg.ts, true
		s.S.Wrote()
	case tea.KeyMsg:
		if s.busy {
			return nil
		}
		s.err = ""
		return s.key(msg)
	}
	return nil
}

func (s *Screen) key(k tea.KeyMsg) tea.Cmd {
	p := s.port
	switch {
	case key.Matches(k, s.S.Keys.Back):
		return s.S.Back()
	case key.Matches(k, keyBook) && !s.has && s.appt.ID != "":
		s.busy = true
		return actCmd(s.ID(), func() (core.Telesession, error) { return p.BookTelesession(s.appt.ID) })
	case key.Matches(k, keyStart) && s.has:
		s.busy = true
		id := s.ts.ID
		return actCmd(s.ID(), func() (core.Telesession, error) { return p.StartTelesession(id) })
	case key.Matches(k, keyEnd) && s.has:
		s.busy = true
		id := s.ts.ID
		return actCmd(s.ID(), func() (core.Telesession, error) { return p.EndTelesession(id) })
	}
	return nil
}

// View is the appointment, the session and what can be done.
func (s *Screen) View() string {
	st := s.S.Styles
	if !s.ready {
		return "\n  " + s.S.Spinner() + " Loading…"
	}
	w := max(1, s.Width)
	lines := []string{st.Bold.Render("Video consultation")}
	if s.appt.ID != "" {
		lines = append(lines, ui.Truncate(fmt.Sprintf("Appointment  %s with %s, %d min", s.S.When(s.appt.Start), s.S.DoctorLabel(s.appt.Doctor), s.appt.Minutes), w))
	}
	lines = append(lines, "")
	switch {
	case !s.has:
		lines = append(lines, "No video session yet. b books one: the patient must have agreed to telemedicine;",
			"the join link goes to them by SMS or e-mail where they agreed.")
	default:
		ts := s.ts
		lines = append(lines, ui.Truncate("Status       "+string(ts.Status), w), ui.Truncate("Join link    "+ui.Text(ts.JoinURL), w))
		if !ts.StartedAt.IsZero() {
			lines = append(lines, "Started      "+s.S.Clock(ts.StartedAt))
		}
		if !ts.EndedAt.IsZero() {
			lines = append(lines, "Ended        "+s.S.Clock(ts.EndedAt)+", lasted "+ts.Duration().Round(time.Second).String())
		}
	}
	switch {
	case s.busy:
		lines = append(lines, "", s.S.Spinner()+" Working…")
	case s.err != "":
		lines = append(lines, "", st.Error.Render(ui.Truncate(s.err, w)))
	}
	for i, l := range lines {
		lines[i] = ui.Truncate(l, w)
	}
	return strings.Join(lines, "\n")
}

// ShortHelp offers what the session's state allows.
func (s *Screen) ShortHelp() []key.Binding {
	back := ui.WithHelp(s.S.Keys.Back, "esc", "back")
	switch {
	case !s.has:
		return []key.Binding{keyBook, back}
	case s.ts.Status == core.TelesessionScheduled:
		return []key.Binding{keyStart, back}
	case s.ts.Status == core.TelesessionLive:
		return []key.Binding{keyEnd, back}
	}
	return []key.Binding{back}
}

// FullHelp lists every key of the screen.
func (s *Screen) FullHelp() [][]key.Binding {
	return [][]key.Binding{{keyBook, keyStart, keyEnd, ui.WithHelp(s.S.Keys.Back, "esc", "back")}}
}
