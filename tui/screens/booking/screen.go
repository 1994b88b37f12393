package booking

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// bookArgs is what the booking form starts from. With move set it
// reschedules that appointment instead of booking a new one.
type bookArgs struct {
	patient core.Patient
	doctor  string
	day     core.Date
	move    *core.Appointment
}

// The rows of the booking form.
const (
	rowDoctor = iota
	rowWhen
	rowLength
	rowRoom
	rowReason
	bookRows
)

// Screen books or moves an appointment. Every change to the doctor,
// time, length or room checks the slot in a Cmd, so a clash shows before
// saving, with the next free slot one key away.
type Screen struct {
	ui.Base
	port   Port
	args   bookArgs
	doc    int
	inputs [bookRows]ui.Field // rowDoctor is unused: the doctor is a choice
	edited [bookRows]bool
	// typed is set once the user changed anything, so quitting asks.
	typed bool
	focus int

	start    time.Time
	parseErr string

	seq     int   // the last slot check asked
	checked bool  // the check for seq has answered
	check   error // its answer
	clash   *core.ClashError
	panel   bool // the clash and its offer have focus: t takes it

	saving bool
	err    string
}

// New opens the form for r.Patient with r.Doctor on r.Day; with r.Move it
// moves that appointment instead.
func New(c *ui.Shared, p Port, r ui.Route) *Screen {
	args := bookArgs{patient: r.Patient, doctor: r.Doctor, day: r.Day, move: r.Move}
	if args.doctor == "" && c.Who.Role == core.RoleDoctor {
		args.doctor = c.Who.User // a doctor books for themself first
	}
	s := &Screen{Base: ui.NewBase(c), port: p, args: args, focus: rowWhen}
	s.inputs[rowWhen] = ui.NewField(24, "e.g. 9:30, tomorrow 14:00")
	s.inputs[rowLength] = ui.NewField(5, "")
	s.inputs[rowRoom] = ui.NewField(10, "")
	s.inputs[rowReason] = ui.NewField(40, "optional")
	if args.day != "" && args.day != c.Today() {
		s.inputs[rowWhen].SetValue(string(args.day) + " ")
	}
	if m := args.move; m != nil {
		s.args.doctor = m.Doctor
		s.inputs[rowLength].SetValue(strconv.Itoa(m.Minutes))
		s.inputs[rowRoom].SetValue(m.Room)
		s.edited[rowLength], s.edited[rowRoom] = true, true
	}
	s.pickDoctor()
	return s
}

// Init loads the doctors when the schedule has not yet.
func (s *Screen) Init() tea.Cmd {
	if s.S.Doctors == nil {
		return ui.LoadDoctors(s.port, s.ID())
	}
	return nil
}

// Title names the screen.
func (s *Screen) Title() string {
	if s.args.move != nil {
		return "Move appointment"
	}
	return "Book appointment"
}

// Busy is set while checking or saving.
func (s *Screen) Busy() bool { return s.saving || (s.seq > 0 && !s.checked) }

// Capturing is set while a text field has focus.
func (s *Screen) Capturing() bool { return !s.panel && s.focus != rowDoctor }

// Dirty is set once something was typed and the booking not yet saved.
func (s *Screen) Dirty() bool { return s.typed }

// pickDoctor selects the doctor asked for and fills in their defaults.
func (s *Screen) pickDoctor() {
	for i, d := range s.S.Doctors {
		if d.Name == s.args.doctor {
			s.doc = i
		}
	}
	s.fillDefaults()
}

// doctor is the selected doctor's login name.
func (s *Screen) doctor() string {
	if s.doc < len(s.S.Doctors) {
		return s.S.Doctors[s.doc].Name
	}
	return s.args.doctor
}

// fillDefaults sets the length and room from the doctor's schedule, unless
// the user typed them.
func (s *Screen) fillDefaults() {
	d := s.doctor()
	if !s.edited[rowLength] {
		s.inputs[rowLength].SetValue(strconv.Itoa(s.S.SlotMinutes(d)))
	}
	if !s.edited[rowRoom] {
		s.inputs[rowRoom].SetValue(s.S.DefaultRoom(d))
	}
}

// appt is the appointment the form describes.
func (s *Screen) appt() core.Appointment {
	mins, _ := strconv.Atoi(strings.TrimSpace(s.inputs[rowLength].Value()))
	a := core.Appointment{
		PatientID: s.args.patient.ID,
		Doctor:    s.doctor(),
		Start:     s.start.UTC(),
		Minutes:   mins,
		Room:      strings.TrimSpace(s.inputs[rowRoom].Value()),
		Reason:    strings.TrimSpace(s.inputs[rowReason].Value()),
		Status:    core.ApptBooked,
	}
	if m := s.args.move; m != nil {
		a.ID, a.Status, a.Reason = m.ID, m.Status, m.Reason
	}
	return a
}

// problem is what stops the form from being checked, or "".
func (s *Screen) problem() string {
	if s.parseErr != "" {
		return s.parseErr
	}
	a := s.appt()
	if a.Minutes < 5 || a.Minutes > 480 {
		return "Length must be between 5 and 480 minutes."
	}
	if a.Start.Before(s.S.Now()) {
		return "That time is in the past."
	}
	return ""
}

// recheck reads the time and asks whether the slot is free.
func (s *Screen) recheck() tea.Cmd {
	s.start, s.parseErr = time.Time{}, ""
	text := strings.TrimSpace(s.inputs[rowWhen].Value())
	t, err := parseWhen(text, s.S.Now(), s.S.Zone())
	switch {
	case text == "":
		s.parseErr = "Type when."
	case err != nil:
		s.parseErr = core.Sentence(err.Error())
	default:
		s.start = t
	}
	s.seq++
	s.checked, s.check, s.clash = false, nil, nil
	if s.problem() != "" {
		s.checked = true
		return nil
	}
	return checkSlotCmd(s.port, s.ID(), s.seq, s.appt(), false)
}

// Update handles the form's keys and the answers of checks and saves.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case ui.DoctorsMsg:
		if msg.Err == nil {
			s.S.Keep(msg)
			s.pickDoctor()
		}
		return nil
	case checkMsg:
		return s.onCheck(msg)
	case bookedMsg:
		return s.onBooked(msg)
	case tea.KeyMsg:
		if s.saving {
			return nil
		}
		if s.panel {
			return s.panelKey(msg)
		}
		return s.key(msg)
	}
	return nil
}

func (s *Screen) onCheck(msg checkMsg) tea.Cmd {
	if msg.seq != s.seq {
		return nil // the form changed since
	}
	s.checked, s.check = true, msg.err
	s.clash = nil
	errors.As(msg.err, &s.clash)
	if !msg.submit {
		return nil
	}
	switch {
	case s.clash != nil:
		s.panel = true
	case msg.err != nil:
		s.err = s.S.Describe(msg.err)
	default:
		return s.save()
	}
	return nil
}

func (s *Screen) onBooked(msg bookedMsg) tea.Cmd {
	s.saving = false
	if msg.err != nil {
		if errors.As(msg.err, &s.clash) {
			s.checked, s.check, s.panel = true, msg.err, true
			return nil
		}
		s.err = s.S.Describe(msg.err)
		return nil
	}
	a := msg.appt
	s.typed = false
	verb := "Booked"
	if s.args.move != nil {
		verb = "Moved"
	}
	flash := fmt.Sprintf("%s %s with %s, %s.", verb, ui.Text(s.args.patient.Name), s.S.DoctorLabel(a.Doctor), s.S.When(a.Start))
	s.S.Wrote()
	return s.S.Go(ui.Route{Nav: ui.NavHome, Flash: flash, Day: core.DateOf(a.Start, s.S.Zone()), Appt: a.ID})
}

func (s *Screen) key(k tea.KeyMsg) tea.Cmd {
	keys := s.S.Keys
	s.err = ""
	switch {
	case key.Matches(k, keys.Back):
		return s.S.Back()
	case key.Matches(k, keys.Submit):
		return s.submit()
	case key.Matches(k, keys.TakeNow):
		return s.take()
	case key.Matches(k, keys.NextField):
		s.focus = s.nextRow(1)
	case key.Matches(k, keys.PrevField):
		s.focus = s.nextRow(-1)
	case s.focus == rowDoctor:
		return s.doctorKey(k)
	default:
		if s.inputs[s.focus].Update(k) {
			s.edited[s.focus], s.typed = true, true
			if s.focus != rowReason {
				return s.recheck()
			}
		}
	}
	return nil
}

// nextRow is the row d steps from the focus, skipping what a move cannot
// change (the doctor and the reason).
func (s *Screen) nextRow(d int) int {
	r := s.focus
	for {
		r = (r + d + bookRows) % bookRows
		if s.args.move == nil || (r != rowDoctor && r != rowReason) {
			return r
		}
	}
}

// doctorKey changes the doctor with left and right.
func (s *Screen) doctorKey(k tea.KeyMsg) tea.Cmd {
	keys := s.S.Keys
	n := len(s.S.Doctors)
	switch {
	case n == 0:
		return nil
	case key.Matches(k, keys.Left):
		s.doc = (s.doc + n - 1) % n
	case key.Matches(k, keys.Right):
		s.doc = (s.doc + 1) % n
	default:
		return nil
	}
	s.fillDefaults()
	return s.recheck()
}

// submit saves when the slot is known free, shows the clash when it is
// known taken, and otherwise checks first.
func (s *Screen) submit() tea.Cmd {
	if s.seq == 0 {
		s.recheck()
	}
	if p := s.problem(); p != "" {
		s.err = p
		return nil
	}
	switch {
	case s.checked && s.clash != nil:
		s.panel = true
		return nil
	case s.checked && s.check == nil:
		return s.save()
	}
	s.seq++
	s.checked = false
	return checkSlotCmd(s.port, s.ID(), s.seq, s.appt(), true)
}

// save books or moves.
func (s *Screen) save() tea.Cmd {
	s.saving, s.panel = true, false
	return bookCmd(s.port, s.ID(), s.appt())
}

// panelKey takes the offered slot, or goes back to editing.
func (s *Screen) panelKey(k tea.KeyMsg) tea.Cmd {
	keys := s.S.Keys
	switch {
	case key.Matches(k, keys.Back):
		s.panel = false
	case key.Matches(k, keys.TakeNext):
		return s.take()
	}
	return nil
}

// take books the next free slot the clash offered.
func (s *Screen) take() tea.Cmd {
	if s.clash == nil || !s.clash.HasNext {
		return nil
	}
	s.inputs[rowWhen].SetValue(s.clash.Next.In(s.S.Zone()).Format("2006-01-02 15:04"))
	check := s.recheck()
	return tea.Batch(check, s.save())
}
