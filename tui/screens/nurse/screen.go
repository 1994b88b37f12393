package nurse

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// list is one of the two lists the screen moves in.
type list int

// The lists: today's visits, then the refill requests.
const (
	listVisits list = iota
	listRefills
)

// visit is one of today's appointments with its patient's name.
type visit struct {
	appt    core.Appointment
	patient string
}

// request is a refill request waiting for a doctor, in words.
type request struct {
	refill  core.Refill
	patient string
	drug    string
}

// dayMsg carries today's visits and the waiting refill requests.
type dayMsg struct {
	ui.Envelope
	seq      int
	visits   []visit
	requests []request
	err      error
}

// Keys of the nurse's day.
var (
	keySwitch = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "visits/refills"))
	keyChart  = key.NewBinding(key.WithKeys("enter", "v"), key.WithHelp("enter/v", "chart"))
)

// Screen is the nurse's day.
type Screen struct {
	ui.Base
	port     Port
	day      core.Date
	visits   []visit
	requests []request
	focus    list
	sel      [2]int
	seq      int
	loading  bool
	loaded   bool
	err      string
	flash    string
}

// New opens today's list.
func New(c *ui.Shared, p Port, _ ui.Route) *Screen {
	return &Screen{Base: ui.NewBase(c), port: p}
}

// Init loads the day, and the doctors' names when no screen has yet.
func (s *Screen) Init() tea.Cmd {
	if s.S.Doctors == nil {
		return tea.Batch(ui.LoadDoctors(s.port, s.ID()), s.load())
	}
	return s.load()
}

// Refresh reloads when shown again and on the root's timer, so patients
// checked in at the desk appear.
func (s *Screen) Refresh() tea.Cmd { return s.load() }

// Resume shows the note a closed screen left, and reloads.
func (s *Screen) Resume(r ui.Route) tea.Cmd {
	s.flash = r.Flash
	return s.load()
}

// load reads today's visits and the pending refill requests.
func (s *Screen) load() tea.Cmd {
	s.loading = true
	s.seq++
	s.day = s.S.Today()
	p, to, seq, day := s.port, s.ID(), s.seq, s.day
	return func() tea.Msg {
		msg := dayMsg{Envelope: ui.Envelope{To: to}, seq: seq}
		appts, err := p.Appointments(day, "")
		if err != nil {
			msg.err = err
			return msg
		}
		refills, err := p.Refills(true)
		if err != nil {
			msg.err = err
			return msg
		}
		var ids []core.ID
		for _, a := range appts {
			ids = append(ids, a.PatientID)
		}
		for _, r := range refills {
			ids = append(ids, r.PatientID)
		}
		names := map[core.ID]string{}
		if len(ids) > 0 {
			names, _ = p.PatientNames(ids)
		}
		name := func(id core.ID) string {
			if n := names[id]; n != "" {
				return ui.Text(n)
			}
			return string(id.Short())
		}
		for _, a := range appts {
			if a.Status == core.ApptCancelled {
				continue
			}
			msg.visits = append(msg.visits, visit{appt: ui.SafeAppointment(a), patient: name(a.PatientID)})
		}
		for _, r := range refills {
			req := request{refill: r, patient: name(r.PatientID), drug: "?"}
			if rx, err := p.Prescription(r.PrescriptionID); err == nil && r.DrugIndex < len(rx.Medications) {
				d := rx.Medications[r.DrugIndex]
				req.drug = ui.Text(fmt.Sprintf("%s %s %s", d.Drug, d.Dose, d.Frequency))
			}
			msg.requests = append(msg.requests, req)
		}
		sortVisits(msg.visits)
		return msg
	}
}

// Title names the screen.
func (s *Screen) Title() string { return "Nurse's day" }

// Busy is set while the day loads the first time.
func (s *Screen) Busy() bool { return s.loading && !s.loaded }

// Update handles the day's answer and keys.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case ui.DoctorsMsg:
		s.S.Keep(msg)
	case dayMsg:
		if msg.seq != s.seq {
			return nil
		}
		s.loading = false
		if msg.err != nil {
			s.err = s.S.Describe(msg.err)
			return nil
		}
		s.loaded, s.err = true, ""
		s.visits, s.requests = msg.visits, msg.requests
		s.sel[listVisits] = min(s.sel[listVisits], max(0, len(s.visits)-1))
		s.sel[listRefills] = min(s.sel[listRefills], max(0, len(s.requests)-1))
	case tea.KeyMsg:
		return s.key(msg)
	}
	return nil
}

// key moves in the lists, switches between them, or opens a chart.
func (s *Screen) key(k tea.KeyMsg) tea.Cmd {
	keys := s.S.Keys
	s.flash = ""
	n := s.count(s.focus)
	switch {
	case key.Matches(k, keySwitch):
		s.focus = 1 - s.focus
	case key.Matches(k, keys.Up):
		s.sel[s.focus] = max(0, s.sel[s.focus]-1)
	case key.Matches(k, keys.Down):
		s.sel[s.focus] = min(max(0, n-1), s.sel[s.focus]+1)
	case key.Matches(k, keys.Refresh):
		return s.load()
	case key.Matches(k, keyChart) && n > 0:
		if s.focus == listVisits {
			v := s.visits[s.sel[listVisits]]
			return s.S.Push(ui.PageChart, ui.Route{PatientID: v.appt.PatientID, Appt: v.appt.ID})
		}
		return s.S.Push(ui.PageChart, ui.Route{PatientID: s.requests[s.sel[listRefills]].refill.PatientID})
	}
	return nil
}

// count is the number of rows in list l.
func (s *Screen) count(l list) int {
	if l == listVisits {
		return len(s.visits)
	}
	return len(s.requests)
}

// ShortHelp is the day's keys.
func (s *Screen) ShortHelp() []key.Binding {
	k := s.S.Keys
	return []key.Binding{ui.WithHelp(k.Down, "j/k", "move"), keySwitch, keyChart, k.Refresh}
}

// FullHelp is the short help.
func (s *Screen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
