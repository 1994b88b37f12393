package schedule

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// Screen is "today": a day's appointments, a column per doctor on
// a wide terminal or one doctor's list on a narrow one, the waiting room,
// and a doctor's week. It is always at the bottom of the stack.
type Screen struct {
	ui.Base
	port Port
	// own is set on a doctor's home screen: their own day, as a list.
	own  bool
	day  core.Date
	week bool
	doc  int // the selected doctor, an index into c.doctors
	// colStart is the first doctor column shown when not all fit.
	colStart int
	sel      int // the selected appointment of that doctor's day
	weekSel  int // the selected day of the week, Monday 0

	appts    []core.Appointment            // the day, every doctor
	byDoctor map[string][]core.Appointment // the day, by doctor
	// cells keeps the day's drawn column cells, which only a new day,
	// new names or a new width change; every frame draws a few hundred.
	cells map[core.ID]cell
	// columns keeps the unselected doctors' drawn columns likewise.
	columns  map[string]drawnColumn
	frames   frames             // the columns' borders, by width
	today    []core.Appointment // today, for the waiting room
	wait     []core.Appointment // today's checked-in patients, longest waiting first
	kept     dayCache           // days loaded since the last refresh
	weekOf   core.Date
	weekDays [7][]core.Appointment
	names    map[core.ID]string

	seq            int
	loading, ready bool
	focus          core.ID // select this appointment after the next load
	err, flash     string

	// want is the doctor to select when the doctors arrive.
	want string

	// asking is the status change waiting for its reason (a cancellation
	// or an undo); reason is typed under the day.
	asking *change
	reason ui.Field
	// last is the last status change made here, which u undoes.
	last *change
}

// New shows r.Day (today when empty) with r.Doctor selected; with r.Doctor
// the logged-in doctor, it is their own day as a list.
func New(c *ui.Shared, p Port, r ui.Route) *Screen {
	s := &Screen{Base: ui.NewBase(c), port: p, day: r.Day, names: map[core.ID]string{}, want: r.Doctor}
	if s.day == "" {
		s.day = c.Today()
	}
	s.own = r.Doctor != "" && r.Doctor == c.Who.User
	return s
}

// Init loads the doctors and the day.
func (s *Screen) Init() tea.Cmd {
	if s.S.Doctors == nil {
		return tea.Batch(ui.LoadDoctors(s.port, s.ID()), s.load())
	}
	s.selectWanted()
	return s.load()
}

// Title names the screen.
func (s *Screen) Title() string {
	if s.week {
		return "Week"
	}
	return "Schedule"
}

// Busy is set while a day or week loads.
func (s *Screen) Busy() bool { return s.loading }

// change is a status change of one appointment.
type change struct {
	appt     core.Appointment
	from, to core.AppointmentStatus
}

// Capturing is set while typing a reason.
func (s *Screen) Capturing() bool { return s.asking != nil }

// Dirty is set while a reason is half typed.
func (s *Screen) Dirty() bool { return s.asking != nil && s.reason.Value() != "" }

// Refresh reloads what is shown, forgetting the days kept.
func (s *Screen) Refresh() tea.Cmd {
	s.kept.reset()
	return s.load()
}

// Resume returns to a day after a booking, selecting the appointment.
func (s *Screen) Resume(r ui.Route) tea.Cmd {
	s.day, s.week, s.focus = r.Day, false, r.Appt
	s.flash, s.err = r.Flash, ""
	return s.Refresh()
}

// load asks for the day or the week, with the names not yet known.
func (s *Screen) load() tea.Cmd {
	known := make(map[core.ID]bool, len(s.names))
	for id := range s.names {
		known[id] = true
	}
	s.seq++
	if s.week {
		doctor := s.doctor()
		if doctor == "" {
			return nil // the week loads when the doctors arrive
		}
		s.loading = true
		s.weekOf = monday(s.day)
		return loadWeekCmd(s.port, s.ID(), s.seq, doctor, s.weekOf, known)
	}
	s.loading = true
	today := s.S.Today()
	day, dayOK := s.kept.get(s.day)
	todays, todayOK := s.kept.get(today)
	return loadDayCmd(s.port, s.ID(), s.seq, s.day, today, known, day, todays, dayOK, todayOK)
}

// doctor is the selected doctor's login name, or "" before they load.
func (s *Screen) doctor() string {
	if s.doc < len(s.S.Doctors) {
		return s.S.Doctors[s.doc].Name
	}
	return ""
}

// selectWanted selects the doctor the route asked for.
func (s *Screen) selectWanted() {
	for i, d := range s.S.Doctors {
		if d.Name == s.want {
			s.doc = i
		}
	}
}

// column is one doctor's appointments of the day.
func (s *Screen) column(doctor string) []core.Appointment { return s.byDoctor[doctor] }

// setDay keeps a loaded day, and each doctor's part of it for the
// columns, which are drawn on every frame.
func (s *Screen) setDay(appts []core.Appointment) {
	s.appts = appts
	s.cells, s.columns = nil, nil
	s.byDoctor = make(map[string][]core.Appointment)
	for _, a := range appts {
		s.byDoctor[a.Doctor] = append(s.byDoctor[a.Doctor], a)
	}
}

// selected is the appointment under the cursor.
func (s *Screen) selected() (core.Appointment, bool) {
	col := s.column(s.doctor())
	if s.week || s.sel < 0 || s.sel >= len(col) {
		return core.Appointment{}, false
	}
	return col[s.sel], true
}

// Update handles keys and the results of loads and actions.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if s.asking != nil {
			return s.reasonKey(msg)
		}
		s.flash, s.err = "", ""
		return s.key(msg)
	case ui.DoctorsMsg:
		return s.onDoctors(msg)
	case dayMsg:
		s.onDay(msg)
	case weekMsg:
		s.onWeek(msg)
	case statusMsg:
		if msg.err != nil {
			s.err = s.S.Describe(msg.err)
			return nil
		}
		s.focus = msg.appt.ID
		s.flash = fmt.Sprintf("%s %s (%s).", ui.StatusDone(msg.to), s.name(msg.appt.PatientID), s.S.Clock(msg.appt.Start))
		s.last = &change{appt: msg.appt, from: msg.from, to: msg.to}
		if _, ok := core.UndoOf(msg.from, msg.to); ok {
			s.flash += " u undoes it."
		} else {
			s.last = nil // an undo itself, or a step with no way back
		}
		s.S.Wrote()
		return s.Refresh()
	}
	return nil
}

func (s *Screen) onDoctors(msg ui.DoctorsMsg) tea.Cmd {
	if msg.Err != nil {
		s.err = s.S.Describe(msg.Err)
		return nil
	}
	s.S.Keep(msg)
	s.doc = min(s.doc, max(0, len(msg.Doctors)-1))
	s.selectWanted()
	if s.week {
		return s.load()
	}
	return nil
}

func (s *Screen) onDay(msg dayMsg) {
	if msg.seq != s.seq {
		return // a newer load is under way
	}
	s.loading = false
	if msg.err != nil {
		s.err = s.S.Describe(msg.err)
		return
	}
	first := !s.ready
	s.kept.put(msg.day, msg.appts, msg.todayDate)
	s.kept.put(msg.todayDate, msg.today, msg.day)
	s.setDay(msg.appts)
	s.today, s.ready = msg.today, true
	s.wait = checkedIn(msg.today)
	for id, n := range msg.names {
		s.names[id] = n
	}
	switch {
	case s.focus != "":
		s.selectID(s.focus)
		s.focus = ""
	case first && s.day == s.S.Today():
		s.selectUpcoming()
	default:
		s.sel = min(s.sel, max(0, len(s.column(s.doctor()))-1))
	}
}

func (s *Screen) onWeek(msg weekMsg) {
	if msg.seq != s.seq {
		return
	}
	s.loading = false
	if msg.err != nil {
		s.err = s.S.Describe(msg.err)
		return
	}
	s.weekDays, s.weekOf, s.ready = msg.days, msg.start, true
	for id, n := range msg.names {
		s.names[id] = n
	}
	s.cells, s.columns = nil, nil
}

// selectID selects an appointment, switching to its doctor.
func (s *Screen) selectID(id core.ID) {
	for _, a := range s.appts {
		if a.ID != id {
			continue
		}
		for i, d := range s.S.Doctors {
			if d.Name == a.Doctor {
				s.doc = i
			}
		}
		s.followDoctor()
		for i, b := range s.column(a.Doctor) {
			if b.ID == id {
				s.sel = i
			}
		}
	}
}

// selectUpcoming selects the selected doctor's first appointment not yet
// over and still on (not cancelled).
func (s *Screen) selectUpcoming() {
	now := s.S.Now()
	col := s.column(s.doctor())
	s.sel = max(0, len(col)-1)
	for i, a := range col {
		if a.End().After(now) && a.Status != core.ApptCancelled {
			s.sel = i
			return
		}
	}
}

// selectNear selects the selected doctor's appointment nearest to t, so
// moving between doctors keeps roughly the same time.
func (s *Screen) selectNear(t time.Time) {
	col := s.column(s.doctor())
	s.sel = 0
	for i, a := range col {
		if !a.Start.After(t) {
			s.sel = i
		}
	}
}

// name is a patient's name as loaded for the schedule.
func (s *Screen) name(id core.ID) string {
	if n := s.names[id]; n != "" {
		return n
	}
	return "patient " + id.Short()
}

// reasonKey types the reason for a cancellation or an undo, and makes the
// change on enter.
func (s *Screen) reasonKey(k tea.KeyMsg) tea.Cmd {
	switch k.Type {
	case tea.KeyEsc:
		s.asking, s.err = nil, ""
		return nil
	case tea.KeyEnter:
		reason := strings.TrimSpace(s.reason.Value())
		if reason == "" {
			s.err = "Type a reason, or esc to leave the appointment as it is."
			return nil
		}
		c := s.asking
		s.asking, s.err = nil, ""
		return setStatusCmd(s.port, s.ID(), c.appt, c.to, reason)
	}
	s.reason.Update(k)
	return nil
}

// wideHelp is the width from which the schedule's help line has room for
// more than the keys used most.
const wideHelp = 110

// ShortHelp is the one line of keys under the schedule.
func (s *Screen) ShortHelp() []key.Binding {
	k := s.S.Keys
	if s.asking != nil {
		return []key.Binding{ui.WithHelp(k.Submit, "enter", "save"), ui.WithHelp(k.Back, "esc", "leave it")}
	}
	nav := key.NewBinding(key.WithKeys("j", "k"), key.WithHelp("hjkl", "move"))
	day := key.NewBinding(key.WithKeys("[", "]"), key.WithHelp("[ ]", "day"))
	if s.week {
		day = key.NewBinding(key.WithKeys("[", "]"), key.WithHelp("[ ]", "week"))
		return []key.Binding{nav, day, ui.WithHelp(k.Open, "enter", "open day"), k.Week}
	}
	out := []key.Binding{nav, day, ui.WithHelp(k.Search, "/", "find")}
	if s.S.Can(core.ActRead, core.KindProblem) {
		out = append(out, k.Chart)
	}
	if s.S.Can(core.ActCreate, core.KindAppointment) {
		out = append(out, k.Book)
	}
	if s.S.Can(core.ActUpdate, core.KindAppointment) {
		out = append(out, k.CheckIn)
		if s.last != nil {
			out = append(out, k.Undo)
		}
		if s.Width >= wideHelp {
			out = append(out, k.Cancel)
			if a, ok := s.selected(); ok && core.Movable(a.Status) {
				out = append(out, k.Move)
			}
		}
	}
	return out
}

// FullHelp lists every key of the schedule, offering only what the role
// may do.
func (s *Screen) FullHelp() [][]key.Binding {
	k := s.S.Keys
	prev, next := k.PrevDay, k.NextDay
	if s.week {
		prev, next = ui.WithHelp(prev, "[", "week before"), ui.WithHelp(next, "]", "week after")
	}
	groups := [][]key.Binding{
		{k.Up, k.Down, k.Left, k.Right, prev, next, k.Today, k.Week},
		{k.Search, ui.WithHelp(k.Open, "enter", "open patient"), k.Conflicts, k.Refresh},
	}
	if s.S.Can(core.ActRead, core.KindProblem) {
		groups[1] = append(groups[1], k.Chart)
	}
	if s.S.Can(core.ActCreate, core.KindPatient) {
		groups[1] = append(groups[1], k.NewPatient)
	}
	if s.S.Can(core.ActCreate, core.KindAppointment) {
		groups[1] = append(groups[1], k.Book)
	}
	if s.S.Can(core.ActUpdate, core.KindAppointment) {
		groups = append(groups, []key.Binding{k.CheckIn, k.Start, k.Complete, k.NoShow, k.Cancel, k.Move, k.Undo})
	}
	if s.S.Can(core.ActCreate, core.KindPayment) {
		groups[1] = append(groups[1], k.Pay)
	}
	if s.S.Can(core.ActUpdate, core.KindTelesession) {
		groups[1] = append(groups[1], keyVideo)
	}
	return groups
}

// monday is the Monday of d's week.
func monday(d core.Date) core.Date {
	t, err := d.Time(time.UTC)
	if err != nil {
		return d
	}
	return d.AddDays(-((int(t.Weekday()) + 6) % 7))
}
