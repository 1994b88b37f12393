package refills

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// row is one pending request with what the doctor decides on.
type row struct {
	refill  core.Refill
	patient string
	drug    string
}

// listMsg carries the pending requests.
type listMsg struct {
	ui.Envelope
	rows []row
	err  error
}

// decidedMsg is the result of a decision.
type decidedMsg struct {
	ui.Envelope
	done string
	err  error
}

// Keys of the worklist.
var (
	keyApprove = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "approve"))
	keyDeny    = key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "deny"))
)

// Screen is the list of pending refill requests.
type Screen struct {
	ui.Base
	port    Port
	rows    []row
	sel     int
	loading bool
	err     string
	flash   string
	// denying is set while the reason for a denial is typed.
	denying bool
	reason  ui.Field
}

// New opens the worklist.
func New(c *ui.Shared, p Port, _ ui.Route) *Screen {
	return &Screen{Base: ui.NewBase(c), port: p, reason: ui.NewField(50, "why, e.g. book a review first")}
}

// Init loads the requests.
func (s *Screen) Init() tea.Cmd { return s.load() }

// Refresh reloads when shown again.
func (s *Screen) Refresh() tea.Cmd { return s.load() }

func (s *Screen) load() tea.Cmd {
	s.loading = true
	p, to := s.port, s.ID()
	return func() tea.Msg {
		list, err := p.Refills(true)
		if err != nil {
			return listMsg{Envelope: ui.Envelope{To: to}, err: err}
		}
		ids := make([]core.ID, len(list))
		for i, r := range list {
			ids[i] = r.PatientID
		}
		names, _ := p.PatientNames(ids)
		rows := make([]row, len(list))
		for i, r := range list {
			rows[i] = row{refill: r, patient: names[r.PatientID], drug: "?"}
			if rx, err := p.Prescription(r.PrescriptionID); err == nil && r.DrugIndex < len(rx.Medications) {
				d := rx.Medications[r.DrugIndex]
				rows[i].drug = fmt.Sprintf("%s %s %s (refills %d/%d)", d.Drug, d.Dose, d.Frequency, d.RefillsUsed, d.RefillsAllowed)
			}
		}
		return listMsg{Envelope: ui.Envelope{To: to}, rows: rows}
	}
}

// Title names the screen.
func (s *Screen) Title() string { return "Refill requests" }

// Busy is set while the list loads.
func (s *Screen) Busy() bool { return s.loading }

// Capturing is set while a denial's reason is typed.
func (s *Screen) Capturing() bool { return s.denying }

// Update handles results and keys.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case listMsg:
		s.loading = false
		s.rows, s.err = msg.rows, s.S.Describe(msg.err)
		s.sel = min(s.sel, max(0, len(s.rows)-1))
	case decidedMsg:
		if msg.err != nil {
			s.err = s.S.Describe(msg.err)
			return nil
		}
		s.flash, s.err, s.denying = msg.done, "", false
		s.S.Wrote()
		return s.load()
	case tea.KeyMsg:
		return s.key(msg)
	}
	return nil
}

// key moves, decides, or types the denial's reason.
func (s *Screen) key(k tea.KeyMsg) tea.Cmd {
	keys := s.S.Keys
	if s.denying {
		switch {
		case key.Matches(k, keys.Back):
			s.denying = false
		case k.String() == "enter":
			return s.decide(false, strings.TrimSpace(s.reason.Value()))
		default:
			s.reason.Update(k)
		}
		return nil
	}
	s.flash = ""
	switch {
	case key.Matches(k, keys.Back):
		return s.S.Back()
	case key.Matches(k, keys.Up):
		s.sel = max(0, s.sel-1)
	case key.Matches(k, keys.Down):
		s.sel = min(max(0, len(s.rows)-1), s.sel+1)
	case key.Matches(k, keys.Refresh):
		return s.load()
	case len(s.rows) == 0:
	case key.Matches(k, keyApprove):
		return s.decide(true, "")
	case key.Matches(k, keyDeny):
		s.denying = true
		s.reason.SetValue("")
	case key.Matches(k, keys.Open):
		return s.S.Push(ui.PageChart, ui.Route{PatientID: s.rows[s.sel].refill.PatientID})
	}
	return nil
}

// decide approves or denies the selected request.
func (s *Screen) decide(approve bool, note string) tea.Cmd {
	r := s.rows[s.sel]
	p, to := s.port, s.ID()
	done := "Approved: " + ui.Text(r.drug) + " for " + ui.Text(r.patient) + "."
	if !approve {
		done = "Denied: " + ui.Text(r.drug) + " for " + ui.Text(r.patient) + "."
	}
	return func() tea.Msg {
		_, err := p.DecideRefill(r.refill.ID, approve, note)
		return decidedMsg{Envelope: ui.Envelope{To: to}, done: done, err: err}
	}
}

// View draws the requests, the selected one marked.
func (s *Screen) View() string {
	st := s.S.Styles
	lines := []string{st.Title.Render("Refill requests waiting for a decision"), ""}
	switch {
	case s.loading && len(s.rows) == 0:
		lines = append(lines, s.S.Spinner()+" Loading…")
	case len(s.rows) == 0 && s.err == "":
		lines = append(lines, st.Subtle.Render("No refill requests are waiting."))
	}
	start, end := ui.Window(len(s.rows), s.sel, max(1, s.Height-6))
	for i := start; i < end; i++ {
		r := s.rows[i]
		mark := "  "
		if i == s.sel {
			mark = "> "
		}
		lines = append(lines, mark+s.S.When(r.refill.CreatedAt)+"  "+ui.PadRight(ui.Text(r.patient), 22)+"  "+ui.Text(r.drug)+st.Subtle.Render("  asked by "+ui.Text(r.refill.RequestedBy)))
	}
	lines = append(lines, "")
	switch {
	case s.denying:
		lines = append(lines, ui.FormRow(st, "Deny: reason", s.reason.View(st, true), true))
		if s.err != "" {
			lines = append(lines, st.Error.Render(s.err))
		}
	case s.err != "":
		lines = append(lines, st.Error.Render(s.err))
	case s.flash != "":
		lines = append(lines, st.OK.Render(s.flash))
	}
	return ui.Fit(strings.Join(lines, "\n"), max(1, s.Width), max(1, s.Height))
}

// ShortHelp is the worklist's keys.
func (s *Screen) ShortHelp() []key.Binding {
	k := s.S.Keys
	if s.denying {
		return []key.Binding{ui.WithHelp(k.Submit, "enter", "deny"), ui.WithHelp(k.Back, "esc", "keep")}
	}
	return []key.Binding{ui.WithHelp(k.Down, "j/k", "move"), keyApprove, keyDeny, ui.WithHelp(k.Open, "enter", "chart"), k.Back}
}

// FullHelp is the short help and refresh.
func (s *Screen) FullHelp() [][]key.Binding {
	return [][]key.Binding{s.ShortHelp(), {s.S.Keys.Refresh}}
}
