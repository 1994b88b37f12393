package schedules

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// Screen sets one doctor's working week. An admin picks any doctor with
// left and right on the doctor row; a doctor sets their own.
type Screen struct {
	ui.Base
	port    Port
	want    string
	doctors []core.User
	doc     int
	was     core.Schedule // the schedule loaded, whose record the save keeps
	found   bool
	inputs  [rows]ui.Field
	focus   int // -1 is the doctor row
	seq     int
	loading bool
	saving  bool
	edited  bool
	err     string
	flash   string
}

// New opens the hours of r.Doctor (the user, for a doctor; else the first
// doctor).
func New(c *ui.Shared, p Port, r ui.Route) *Screen {
	s := &Screen{Base: ui.NewBase(c), port: p, want: r.Doctor, focus: -1}
	if c.Who.Role == core.RoleDoctor {
		s.want, s.focus = c.Who.User, 0
	}
	for i := range s.inputs {
		s.inputs[i] = ui.NewField(28, hint(i))
	}
	return s
}

// Init loads the doctors, then the chosen one's hours.
func (s *Screen) Init() tea.Cmd {
	s.loading = true
	return doctorsCmd(s.port, s.ID())
}

// Title names the screen.
func (s *Screen) Title() string { return "Working hours" }

// Busy is set while loading or saving.
func (s *Screen) Busy() bool { return s.loading || s.saving }

// Capturing is set while a field has focus.
func (s *Screen) Capturing() bool { return s.focus >= 0 }

// Dirty is set once something was typed and not saved.
func (s *Screen) Dirty() bool { return s.edited }

// doctor is the chosen doctor's login name.
func (s *Screen) doctor() string {
	if s.doc < len(s.doctors) {
		return s.doctors[s.doc].Name
	}
	return s.want
}

// Update handles the form's keys and the results of loads and saves.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case doctorsMsg:
		return s.onDoctors(msg)
	case loadedMsg:
		if msg.seq == s.seq {
			s.loading, s.was, s.found, s.edited = false, msg.sched, msg.found, false
			s.fill(msg.sched)
		}
	case savedMsg:
		s.saving = false
		if msg.err != nil {
			s.err = s.errText(msg.err)
			return nil
		}
		s.was, s.found, s.edited = msg.sched, true, false
		s.flash = "Saved the working hours of " + s.S.DoctorLabel(msg.sched.Doctor) + "."
		s.S.Doctors = nil // the schedule and the booking form load them again
		s.S.Wrote()
	case tea.KeyMsg:
		if s.loading || s.saving {
			return nil
		}
		s.err, s.flash = "", ""
		return s.key(msg)
	}
	return nil
}

// onDoctors keeps the doctors this user may set hours for: a doctor only
// themself.
func (s *Screen) onDoctors(msg doctorsMsg) tea.Cmd {
	s.loading = false
	if msg.err != nil {
		s.err = s.errText(msg.err)
		return nil
	}
	s.doctors = nil
	for _, d := range msg.doctors {
		if s.S.Who.Role != core.RoleDoctor || d.Name == s.S.Who.User {
			d.DisplayName = ui.Text(d.DisplayName)
			s.doctors = append(s.doctors, d)
		}
	}
	s.doc = 0
	for i, d := range s.doctors {
		if d.Name == s.want {
			s.doc = i
		}
	}
	if len(s.doctors) == 0 {
		s.err = "No doctors yet: add one with clinic user add --role doctor."
		return nil
	}
	return s.load()
}

// load asks for the chosen doctor's hours.
func (s *Screen) load() tea.Cmd {
	s.seq++
	s.loading = true
	return loadCmd(s.port, s.ID(), s.seq, s.doctor())
}

func (s *Screen) key(k tea.KeyMsg) tea.Cmd {
	keys := s.S.Keys
	switch {
	case key.Matches(k, keys.Back):
		return s.S.Back()
	case key.Matches(k, keys.Submit):
		return s.save()
	case key.Matches(k, keys.NextField):
		s.focus = (s.focus+2)%(rows+1) - 1
	case key.Matches(k, keys.PrevField):
		s.focus = (s.focus+rows+1)%(rows+1) - 1
	case s.focus < 0:
		return s.doctorKey(k)
	default:
		if s.inputs[s.focus].Update(k) {
			s.edited = true
		}
	}
	return nil
}

// doctorKey changes the doctor with left and right, when nothing typed
// would be lost.
func (s *Screen) doctorKey(k tea.KeyMsg) tea.Cmd {
	n := len(s.doctors)
	step := 0
	switch {
	case key.Matches(k, s.S.Keys.Left):
		step = n - 1
	case key.Matches(k, s.S.Keys.Right):
		step = 1
	}
	if n < 2 || step == 0 {
		return nil
	}
	if s.edited {
		s.err = "Save (enter) or esc first: the hours typed here are not saved."
		return nil
	}
	s.doc = (s.doc + step) % n
	return s.load()
}

// save checks the form in core and saves it.
func (s *Screen) save() tea.Cmd {
	sc, err := s.schedule()
	if err != nil {
		s.err = s.errText(err)
		return nil
	}
	s.saving = true
	return saveCmd(s.port, s.ID(), sc)
}

// View draws the doctor, the week and the slot and rooms.
func (s *Screen) View() string {
	st := s.S.Styles
	doctor := "< " + s.S.DoctorLabel(s.doctor()) + " >"
	if len(s.doctors) > 0 {
		doctor = "< " + ui.Text(s.doctors[s.doc].Label()) + " >"
	}
	lines := []string{"", ui.RowLine(st, "Doctor", doctor, s.focus < 0)}
	if !s.found && !s.loading && len(s.doctors) > 0 {
		lines = append(lines, "  "+st.Warning.Render("No working hours yet: this doctor cannot be booked until they are saved."))
	}
	lines = append(lines, "")
	for i := range s.inputs {
		lines = append(lines, ui.FormRow(st, label(i), s.inputs[i].View(st, s.focus == i), s.focus == i))
		if i == rowSlot-1 {
			lines = append(lines, "")
		}
	}
	lines = append(lines, "")
	switch {
	case s.loading:
		lines = append(lines, "  "+s.S.Spinner()+" Loading…")
	case s.saving:
		lines = append(lines, "  "+s.S.Spinner()+" Saving…")
	case s.err != "":
		lines = append(lines, "  "+st.Error.Render(s.err))
	case s.flash != "":
		lines = append(lines, "  "+st.OK.Render(s.flash))
	default:
		lines = append(lines, "  "+st.Subtle.Render("Hours like 08:00-12:00, 13:00-17:00; empty is a day off."))
	}
	return strings.Join(lines, "\n")
}

// ShortHelp is the form's line of keys.
func (s *Screen) ShortHelp() []key.Binding {
	k := s.S.Keys
	out := []key.Binding{k.NextField, ui.WithHelp(k.Submit, "enter", "save")}
	if s.focus < 0 && len(s.doctors) > 1 {
		out = append(out, key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("left/right", "doctor")))
	}
	return out
}

// FullHelp lists every key of the form.
func (s *Screen) FullHelp() [][]key.Binding {
	k := s.S.Keys
	return [][]key.Binding{{k.NextField, k.PrevField, ui.WithHelp(k.Left, "left/right", "doctor"), ui.WithHelp(k.Submit, "enter", "save")}}
}
