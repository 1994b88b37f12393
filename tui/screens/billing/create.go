package billing

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// The new invoice's own keys.
var (
	keyMore  = key.NewBinding(key.WithKeys("+", "=", "right"), key.WithHelp("+", "more"))
	keyLess  = key.NewBinding(key.WithKeys("-", "left"), key.WithHelp("-", "less"))
	keyIssue = key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "issue"))
	keyNew   = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new invoice"))
)

// Invoice makes a new invoice for a patient from the fee schedule: a
// quantity per fee, the visit's fee already counted when it bills a
// completed appointment (core.SuggestItems). Enter saves a draft, i
// saves and issues it.
type Invoice struct {
	ui.Base
	port    Port
	route   ui.Route
	name    string
	fees    []core.Fee
	qty     []int
	sel     int
	ready   bool
	saving  bool
	edited  bool
	err     string
	visitOf string
}

// feesMsg carries the fee schedule and the quantities the visit suggests.
type feesMsg struct {
	ui.Envelope
	fees  []core.Fee
	qty   []int
	visit string
	names map[core.ID]string
	err   error
}

// createdMsg is the result of saving the invoice.
type createdMsg struct {
	ui.Envelope
	inv core.Invoice
	err error
}

// NewInvoice opens the form for r.PatientID, for the visit r.Appt when set.
func NewInvoice(c *ui.Shared, p Port, r ui.Route) *Invoice {
	return &Invoice{Base: ui.NewBase(c), port: p, route: r}
}

// Init loads the fee schedule.
func (s *Invoice) Init() tea.Cmd {
	return feesCmd(s.port, s.ID(), s.route.PatientID, s.route.Appt, s.S.Zone())
}

// Title names the screen.
func (s *Invoice) Title() string { return "New invoice" }

// Busy is set while loading or saving.
func (s *Invoice) Busy() bool { return !s.ready || s.saving }

// Dirty is set once a quantity was changed and not saved.
func (s *Invoice) Dirty() bool { return s.edited }

// Update handles the keys, the fee schedule and the save.
func (s *Invoice) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case feesMsg:
		s.ready, s.err = true, s.S.Describe(msg.err)
		s.fees, s.qty, s.name, s.visitOf = msg.fees, msg.qty, msg.names[s.route.PatientID], msg.visit
	case createdMsg:
		s.saving = false
		if msg.err != nil {
			s.err = s.S.Describe(msg.err)
			return nil
		}
		s.edited = false
		what := "Draft invoice saved"
		if msg.inv.Number != "" {
			what = "Invoice " + msg.inv.Number + " issued"
		}
		return s.S.Go(ui.Route{Nav: ui.NavBack, Flash: what + "."})
	case tea.KeyMsg:
		s.err = ""
		return s.key(msg)
	}
	return nil
}

func (s *Invoice) key(k tea.KeyMsg) tea.Cmd {
	keys := s.S.Keys
	switch {
	case key.Matches(k, keys.Back):
		return s.S.Back()
	case !s.ready || s.saving || len(s.fees) == 0:
	case key.Matches(k, keys.Up):
		s.sel = max(0, s.sel-1)
	case key.Matches(k, keys.Down):
		s.sel = min(len(s.fees)-1, s.sel+1)
	case key.Matches(k, keyMore):
		s.qty[s.sel], s.edited = min(s.qty[s.sel]+1, 999), true
	case key.Matches(k, keyLess):
		s.qty[s.sel], s.edited = max(s.qty[s.sel]-1, 0), true
	case key.Matches(k, keys.Open), key.Matches(k, keyIssue):
		inv := core.Invoice{PatientID: s.route.PatientID, AppointmentID: s.route.Appt}
		for i, f := range s.fees {
			if s.qty[i] > 0 {
				inv.Items = append(inv.Items, f.Item(s.qty[i]))
			}
		}
		if len(inv.Items) == 0 {
			s.err = "Count at least one service with +."
			return nil
		}
		s.saving = true
		return createInvoiceCmd(s.port, s.ID(), inv, key.Matches(k, keyIssue))
	}
	return nil
}

// View lists the fee schedule with the counted quantities and the total.
func (s *Invoice) View() string {
	st := s.S.Styles
	if !s.ready {
		return "\n  " + s.S.Spinner() + " Loading the fee schedule…"
	}
	lines := []string{st.Bold.Render("New invoice for " + s.name)}
	if s.visitOf != "" {
		lines = append(lines, st.Subtle.Render("For the visit of "+ui.Text(s.visitOf)+": its fee is counted."))
	}
	lines = append(lines, "")
	if len(s.fees) == 0 {
		lines = append(lines, "  "+st.Subtle.Render("The fee schedule is empty: add fees with clinic fee add."))
	}
	start, end := ui.Window(len(s.fees), s.sel, max(1, s.Height-len(lines)-3))
	var items []core.InvoiceItem
	for i, f := range s.fees {
		if s.qty[i] > 0 {
			items = append(items, f.Item(s.qty[i]))
		}
	}
	for i := start; i < end; i++ {
		f := s.fees[i]
		q := "  -"
		if s.qty[i] > 0 {
			q = fmt.Sprintf("%3d", s.qty[i])
		}
		row := ui.Truncate(fmt.Sprintf("  %s  %-10s %-30s %14s  %s", q, ui.Text(f.Code), ui.Text(f.Description), f.Price, f.Tax), s.Width)
		if i == s.sel {
			row = st.Selected.Render(row)
		}
		lines = append(lines, row)
	}
	if total, err := (&core.Invoice{Items: items, Currency: s.currency()}).Total(); err == nil && len(items) > 0 {
		word := "lines"
		if len(items) == 1 {
			word = "line"
		}
		lines = append(lines, "", st.Bold.Render(fmt.Sprintf("  %d %s, total %s", len(items), word, total)))
	}
	if s.err != "" {
		lines = append(lines, st.Error.Render(s.err))
	}
	return strings.Join(lines, "\n")
}

// currency is the fee schedule's.
func (s *Invoice) currency() string {
	if len(s.fees) > 0 {
		return s.fees[0].Price.Currency
	}
	return ""
}

// ShortHelp is the form's main keys.
func (s *Invoice) ShortHelp() []key.Binding {
	k := s.S.Keys
	return []key.Binding{keyMore, keyLess, ui.WithHelp(k.Open, "enter", "draft"), keyIssue, k.Back}
}

// FullHelp lists every key of the form.
func (s *Invoice) FullHelp() [][]key.Binding {
	k := s.S.Keys
	return [][]key.Binding{{k.Up, k.Down, keyMore, keyLess}, {ui.WithHelp(k.Open, "enter", "draft"), keyIssue, k.Back}}
}

// feesCmd loads the fee schedule, the patient's name and, for a visit,
// the quantities it suggests.
func feesCmd(s Port, to int, patient, appt core.ID, zone *time.Location) tea.Cmd {
	return func() tea.Msg {
		m := feesMsg{Envelope: ui.Envelope{To: to}, names: namesOf(s, []core.InvoiceView{{Invoice: core.Invoice{PatientID: patient}}})}
		if m.fees, m.err = s.Fees(); m.err != nil {
			return m
		}
		m.qty = make([]int, len(m.fees))
		if appt == "" {
			return m
		}
		a, err := s.Appointment(appt)
		if err != nil {
			m.err = err
			return m
		}
		m.visit = fmt.Sprintf("%s, %d min", a.Start.In(zone).Format("2 Jan 15:04"), a.Minutes)
		for _, it := range core.SuggestItems(a, m.fees) {
			for i, f := range m.fees {
				if f.Code == it.Code {
					m.qty[i] += it.Quantity
				}
			}
		}
		return m
	}
}

func createInvoiceCmd(s Port, to int, inv core.Invoice, issue bool) tea.Cmd {
	return func() tea.Msg {
		made, err := s.CreateInvoice(inv)
		if err == nil && issue {
			made, err = s.IssueInvoice(made.ID)
		}
		return createdMsg{Envelope: ui.Envelope{To: to}, inv: made, err: err}
	}
}
