package tui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
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

// bookScreen books or moves an appointment. Every change to the doctor,
// time, length or room checks the slot in a Cmd, so a clash shows before
// saving, with the next free slot one key away.
type bookScreen struct {
	base
	args   bookArgs
	doc    int
	inputs [bookRows]field // rowDoctor is unused: the doctor is a choice
	edited [bookRows]bool
	focus  int

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

func newBook(c *workspace, args bookArgs) *bookScreen {
	s := &bookScreen{base: newBase(c), args: args, focus: rowWhen}
	s.inputs[rowWhen] = newField(24, "e.g. 9:30, tomorrow 14:00")
	s.inputs[rowLength] = newField(5, "")
	s.inputs[rowRoom] = newField(10, "")
	s.inputs[rowReason] = newField(40, "optional")
	if args.day != "" && args.day != c.today() {
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
func (s *bookScreen) Init() tea.Cmd {
	if s.c.doctors == nil {
		return loadDoctorsCmd(s.c.sess, s.id)
	}
	return nil
}

// Title names the screen.
func (s *bookScreen) Title() string {
	if s.args.move != nil {
		return "Move appointment"
	}
	return "Book appointment"
}

// Busy is set while checking or saving.
func (s *bookScreen) Busy() bool { return s.saving || (s.seq > 0 && !s.checked) }

// Capturing is set while a text field has focus.
func (s *bookScreen) Capturing() bool { return !s.panel && s.focus != rowDoctor }

// pickDoctor selects the doctor asked for and fills in their defaults.
func (s *bookScreen) pickDoctor() {
	for i, d := range s.c.doctors {
		if d.Name == s.args.doctor {
			s.doc = i
		}
	}
	s.fillDefaults()
}

// doctor is the selected doctor's login name.
func (s *bookScreen) doctor() string {
	if s.doc < len(s.c.doctors) {
		return s.c.doctors[s.doc].Name
	}
	return s.args.doctor
}

// fillDefaults sets the length and room from the doctor's schedule, unless
// the user typed them.
func (s *bookScreen) fillDefaults() {
	d := s.doctor()
	if !s.edited[rowLength] {
		s.inputs[rowLength].SetValue(strconv.Itoa(s.c.slotMinutes(d)))
	}
	if !s.edited[rowRoom] {
		s.inputs[rowRoom].SetValue(s.c.defaultRoom(d))
	}
}

// appt is the appointment the form describes.
func (s *bookScreen) appt() core.Appointment {
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
func (s *bookScreen) problem() string {
	if s.parseErr != "" {
		return s.parseErr
	}
	a := s.appt()
	if a.Minutes < 5 || a.Minutes > 480 {
		return "Length must be between 5 and 480 minutes."
	}
	if a.Start.Before(s.c.now()) {
		return "That time is in the past."
	}
	return ""
}

// recheck reads the time and asks whether the slot is free.
func (s *bookScreen) recheck() tea.Cmd {
	s.start, s.parseErr = time.Time{}, ""
	text := strings.TrimSpace(s.inputs[rowWhen].Value())
	t, err := parseWhen(text, s.c.now(), s.c.zone())
	switch {
	case text == "":
		s.parseErr = "Type when."
	case err != nil:
		s.parseErr = sentence(err.Error())
	default:
		s.start = t
	}
	s.seq++
	s.checked, s.check, s.clash = false, nil, nil
	if s.problem() != "" {
		s.checked = true
		return nil
	}
	return checkSlotCmd(s.c.sess, s.id, s.seq, s.appt(), false)
}

// Update handles the form's keys and the answers of checks and saves.
func (s *bookScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case doctorsMsg:
		if msg.err == nil {
			s.c.doctors, s.c.scheds = msg.doctors, msg.scheds
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

func (s *bookScreen) onCheck(msg checkMsg) tea.Cmd {
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
		s.err = describe(msg.err)
	default:
		return s.save()
	}
	return nil
}

func (s *bookScreen) onBooked(msg bookedMsg) tea.Cmd {
	s.saving = false
	if msg.err != nil {
		if errors.As(msg.err, &s.clash) {
			s.checked, s.check, s.panel = true, msg.err, true
			return nil
		}
		s.err = describe(msg.err)
		return nil
	}
	a := msg.appt
	verb := "Booked"
	if s.args.move != nil {
		verb = "Moved"
	}
	flash := fmt.Sprintf("%s %s with %s, %s.", verb, s.args.patient.Name, s.c.doctorLabel(a.Doctor), s.c.when(a.Start))
	return s.c.done(doneNote{flash: flash, day: core.DateOf(a.Start, s.c.zone()), appt: a.ID})
}

func (s *bookScreen) key(k tea.KeyMsg) tea.Cmd {
	keys := s.c.keys
	s.err = ""
	switch {
	case key.Matches(k, keys.Back):
		return s.c.back()
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
			s.edited[s.focus] = true
			if s.focus != rowReason {
				return s.recheck()
			}
		}
	}
	return nil
}

// nextRow is the row d steps from the focus, skipping what a move cannot
// change (the doctor and the reason).
func (s *bookScreen) nextRow(d int) int {
	r := s.focus
	for {
		r = (r + d + bookRows) % bookRows
		if s.args.move == nil || (r != rowDoctor && r != rowReason) {
			return r
		}
	}
}

// doctorKey changes the doctor with left and right.
func (s *bookScreen) doctorKey(k tea.KeyMsg) tea.Cmd {
	keys := s.c.keys
	n := len(s.c.doctors)
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
func (s *bookScreen) submit() tea.Cmd {
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
	return checkSlotCmd(s.c.sess, s.id, s.seq, s.appt(), true)
}

// save books or moves.
func (s *bookScreen) save() tea.Cmd {
	s.saving, s.panel = true, false
	return bookCmd(s.c.sess, s.id, s.appt())
}

// panelKey takes the offered slot, or goes back to editing.
func (s *bookScreen) panelKey(k tea.KeyMsg) tea.Cmd {
	keys := s.c.keys
	switch {
	case key.Matches(k, keys.Back):
		s.panel = false
	case key.Matches(k, keys.TakeNext):
		return s.take()
	}
	return nil
}

// take books the next free slot the clash offered.
func (s *bookScreen) take() tea.Cmd {
	if s.clash == nil || !s.clash.HasNext {
		return nil
	}
	s.inputs[rowWhen].SetValue(s.clash.Next.In(s.c.zone()).Format("2006-01-02 15:04"))
	check := s.recheck()
	return tea.Batch(check, s.save())
}
