package schedule

import (
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"

	"medisecure/tui/ui"
)

// keyVideo opens the selected appointment's video consultation.
var keyVideo = key.NewBinding(key.WithKeys("V"), key.WithHelp("V", "video visit"))

// key handles the schedule's keys: moving around, then opening other
// screens, then acting on the selected appointment.
func (s *Screen) key(k tea.KeyMsg) tea.Cmd {
	if cmd, ok := s.navKey(k); ok {
		return cmd
	}
	keys := s.S.Keys
	switch {
	case key.Matches(k, keys.Search):
		return s.S.Push(ui.PageSearch, ui.Route{})
	case key.Matches(k, keys.NewPatient):
		return s.S.Push(ui.PageRegister, ui.Route{})
	case key.Matches(k, keys.Book):
		return s.S.Push(ui.PageSearch, ui.Route{Pick: true, Doctor: s.doctor(), Day: s.day})
	case key.Matches(k, keys.Conflicts):
		return s.S.Push(ui.PageConflicts, ui.Route{})
	case key.Matches(k, keys.Open):
		return s.open()
	case key.Matches(k, keys.Chart) && s.S.Can(core.ActRead, core.KindProblem):
		return s.chart()
	case key.Matches(k, keys.CheckIn):
		return s.act(core.ApptCheckedIn)
	case key.Matches(k, keys.Start):
		return s.act(core.ApptInProgress)
	case key.Matches(k, keys.Complete):
		return s.act(core.ApptCompleted)
	case key.Matches(k, keys.NoShow):
		return s.act(core.ApptNoShow)
	case key.Matches(k, keys.Cancel):
		return s.askReason()
	case key.Matches(k, keys.Move):
		return s.move()
	case key.Matches(k, keys.Pay):
		return s.pay()
	case key.Matches(k, keys.Undo):
		return s.askUndo()
	case key.Matches(k, keyVideo) && s.S.Can(core.ActUpdate, core.KindTelesession):
		if a, ok := s.selected(); ok {
			return s.S.Push(ui.PageTele, ui.Route{Appt: a.ID})
		}
	}
	return nil
}

// navKey moves between appointments, doctors, days and weeks.
func (s *Screen) navKey(k tea.KeyMsg) (tea.Cmd, bool) {
	keys := s.S.Keys
	step := 1
	if s.week {
		step = 7
	}
	switch {
	case key.Matches(k, keys.Up):
		s.moveSel(-1)
	case key.Matches(k, keys.Down):
		s.moveSel(1)
	case key.Matches(k, keys.Left):
		return s.moveDoctor(-1), true
	case key.Matches(k, keys.Right):
		return s.moveDoctor(1), true
	case key.Matches(k, keys.PrevDay):
		return s.goDay(s.day.AddDays(-step)), true
	case key.Matches(k, keys.NextDay):
		return s.goDay(s.day.AddDays(step)), true
	case key.Matches(k, keys.Today):
		return s.goDay(s.S.Today()), true
	case key.Matches(k, keys.Week):
		s.week = !s.week
		s.weekSel = (weekday(s.day) + 6) % 7
		return s.load(), true
	case key.Matches(k, keys.Refresh):
		return s.Refresh(), true
	case key.Matches(k, keys.Back) && s.week:
		s.week = false
		return s.load(), true
	default:
		return nil, false
	}
	return nil, true
}

func (s *Screen) moveSel(d int) {
	if s.week {
		s.weekSel = min(6, max(0, s.weekSel+d))
		return
	}
	s.sel = min(max(0, len(s.column(s.doctor()))-1), max(0, s.sel+d))
}

func (s *Screen) moveDoctor(d int) tea.Cmd {
	if len(s.S.Doctors) == 0 {
		return nil
	}
	at, hadSel := s.selected()
	s.doc = min(len(s.S.Doctors)-1, max(0, s.doc+d))
	s.followDoctor()
	if s.week {
		return s.load()
	}
	if hadSel {
		s.selectNear(at.Start)
	} else {
		s.sel = 0
	}
	return nil
}

func (s *Screen) goDay(d core.Date) tea.Cmd {
	s.day, s.sel = d, 0
	return s.load()
}

// open shows the selected appointment's patient, or in the week the
// selected day.
func (s *Screen) open() tea.Cmd {
	if s.week {
		s.week, s.day, s.sel = false, s.weekOf.AddDays(s.weekSel), 0
		return s.load()
	}
	a, ok := s.selected()
	if !ok {
		return nil
	}
	return s.S.Push(ui.PagePatient, ui.Route{PatientID: a.PatientID})
}

// chart opens the chart of the selected appointment's patient, the
// appointment named in the access log.
func (s *Screen) chart() tea.Cmd {
	a, ok := s.selected()
	if !ok || s.week {
		return nil
	}
	return s.S.Push(ui.PageChart, ui.Route{PatientID: a.PatientID, Appt: a.ID})
}

// act moves the selected appointment to status to. A step the status
// machine forbids is explained without asking the store.
func (s *Screen) act(to core.AppointmentStatus) tea.Cmd {
	a, ok := s.selected()
	if !ok {
		s.err = "Select an appointment first."
		return nil
	}
	if err := a.Status.CheckTransition(to); err != nil {
		s.err = s.S.Describe(err)
		return nil
	}
	// The same day guards the store enforces, said before asking it: no
	// check-in, start or completion on another day, no no-show before the
	// start.
	if err := core.CheckStatusTime(a, to, s.S.Now(), s.S.Zone()); err != nil {
		s.err = s.S.Describe(err)
		return nil
	}
	return setStatusCmd(s.port, s.ID(), a, to, "")
}

// askReason opens the prompt for a reason to cancel.
func (s *Screen) askReason() tea.Cmd {
	a, ok := s.selected()
	if !ok {
		s.err = "Select an appointment first."
		return nil
	}
	if err := a.Status.CheckTransition(core.ApptCancelled); err != nil {
		s.err = s.S.Describe(err)
		return nil
	}
	s.asking = &change{appt: a, from: a.Status, to: core.ApptCancelled}
	s.reason = ui.NewField(36, "why is it cancelled?")
	return nil
}

// askUndo opens the prompt for the reason to undo the last status change,
// which the store logs with the correction.
func (s *Screen) askUndo() tea.Cmd {
	if s.last == nil {
		s.err = "Nothing to undo: no status was changed here since the last undo."
		return nil
	}
	back, _ := core.UndoOf(s.last.from, s.last.to)
	s.asking = &change{appt: s.last.appt, from: s.last.to, to: back}
	s.reason = ui.NewField(28, "")
	s.reason.SetValue("pressed by mistake")
	return nil
}

// move opens the booking form to reschedule the selected appointment.
func (s *Screen) move() tea.Cmd {
	a, ok := s.selected()
	if !ok {
		s.err = "Select an appointment first."
		return nil
	}
	if !core.Movable(a.Status) {
		s.err = "Only a booked appointment can be moved; undo a check-in first (u) to move it."
		return nil
	}
	p := core.Patient{Meta: core.Meta{ID: a.PatientID}, Name: s.name(a.PatientID)}
	return s.S.Push(ui.PageBook, ui.Route{Patient: p, Doctor: a.Doctor, Day: s.day, Move: &a})
}

// pay opens the payment form for the selected visit once it is
// completed: the patient's open invoice for it, or their oldest one.
func (s *Screen) pay() tea.Cmd {
	a, ok := s.selected()
	if !ok {
		s.err = "Select an appointment first."
		return nil
	}
	if a.Status != core.ApptCompleted {
		s.err = "Take payment once the visit is completed (d)."
		return nil
	}
	return s.S.Push(ui.PagePay, ui.Route{PatientID: a.PatientID, Appt: a.ID})
}

// weekday is d's day of the week.
func weekday(d core.Date) int {
	t, err := d.Time(time.UTC)
	if err != nil {
		return 0
	}
	return int(t.Weekday())
}
