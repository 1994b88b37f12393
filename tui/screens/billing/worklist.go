package billing

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// Worklist is billing's home: the invoices paid twice over first (two
// desks took money offline; refund the excess), then every invoice with
// money still owed, oldest first.
type Worklist struct {
	ui.Base
	port      Port
	rows      []core.InvoiceView
	over      int // the first over rows are the overpaid ones
	names     map[core.ID]string
	claims    map[core.ClaimStatus]int
	sel       int
	loading   bool
	ready     bool
	err       string
	flash     string
	owedTotal core.Money
}

// NewWorklist opens the worklist.
func NewWorklist(c *ui.Shared, p Port, r ui.Route) *Worklist {
	return &Worklist{Base: ui.NewBase(c), port: p, flash: r.Flash}
}

// Init loads the worklist.
func (s *Worklist) Init() tea.Cmd { return s.Refresh() }

// Refresh reloads it.
func (s *Worklist) Refresh() tea.Cmd {
	s.loading = true
	return worklistCmd(s.port, s.ID(), s.S.Can(core.ActRead, core.KindClaim))
}

// Resume shows the worklist again with a note.
func (s *Worklist) Resume(r ui.Route) tea.Cmd {
	s.flash = r.Flash
	return s.Refresh()
}

// Title names the screen.
func (s *Worklist) Title() string { return "Billing" }

// Busy is set while loading.
func (s *Worklist) Busy() bool { return s.loading }

// Update handles the keys and the worklist's load.
func (s *Worklist) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case worklistMsg:
		s.loading, s.ready = false, true
		s.err = s.S.Describe(msg.err)
		if msg.err == nil {
			unpaid := append([]core.InvoiceView(nil), msg.unpaid...)
			// Oldest first: what has waited longest is chased first.
			for i, j := 0, len(unpaid)-1; i < j; i, j = i+1, j-1 {
				unpaid[i], unpaid[j] = unpaid[j], unpaid[i]
			}
			s.rows, s.over, s.names, s.claims = append(msg.conflicts, unpaid...), len(msg.conflicts), msg.names, msg.claims
			s.sel = min(s.sel, max(0, len(s.rows)-1))
			s.owedTotal = core.Money{}
			for _, v := range unpaid {
				s.owedTotal, _ = s.owedTotal.Add(v.Account.Balance)
			}
		}
	case creditMsg:
		s.loading = false
		switch {
		case msg.err != nil:
			s.err = s.S.Describe(msg.err)
		case msg.to == "":
			s.err = "No other invoice of this patient owes anything: refund the excess with f."
		default:
			s.flash = fmt.Sprintf("Moved %s of credit to invoice %s.", msg.in.Amount, msg.to)
			return s.Refresh()
		}
	case tea.KeyMsg:
		s.err, s.flash = "", ""
		return s.key(msg)
	}
	return nil
}

func (s *Worklist) key(k tea.KeyMsg) tea.Cmd {
	keys := s.S.Keys
	switch {
	case key.Matches(k, keys.Up):
		s.sel = max(0, s.sel-1)
	case key.Matches(k, keys.Down):
		s.sel = min(max(0, len(s.rows)-1), s.sel+1)
	case key.Matches(k, keys.Refresh):
		return s.Refresh()
	case key.Matches(k, keyDayEnd):
		return s.S.Push(ui.PageDayEnd, ui.Route{Day: s.S.Today()})
	case key.Matches(k, keyClaims) && s.S.Can(core.ActRead, core.KindClaim):
		return s.S.Push(ui.PageClaims, ui.Route{})
	case key.Matches(k, keys.Search):
		return s.S.Push(ui.PageSearch, ui.Route{})
	case key.Matches(k, keyCredit) && s.sel < s.over:
		v := s.rows[s.sel]
		s.loading = true
		return creditCmd(s.port, s.ID(), v.Invoice.ID, v.Invoice.PatientID)
	case key.Matches(k, keys.Open), key.Matches(k, keys.Pay), key.Matches(k, keyRefund):
		if s.sel >= len(s.rows) {
			return nil
		}
		v := s.rows[s.sel]
		switch {
		case key.Matches(k, keys.Open):
			return s.S.Push(ui.PageAccount, ui.Route{PatientID: v.Invoice.PatientID})
		case key.Matches(k, keys.Pay):
			return s.S.Push(ui.PagePay, ui.Route{Invoice: v.Invoice.ID})
		}
		return s.S.Push(ui.PageRefund, ui.Route{Invoice: v.Invoice.ID})
	}
	return nil
}

// View lists the overpaid invoices over the unpaid ones.
func (s *Worklist) View() string {
	st := s.S.Styles
	if !s.ready {
		return "\n  " + s.S.Spinner() + " Loading the worklist…"
	}
	unpaid := len(s.rows) - s.over
	head := fmt.Sprintf("Unpaid invoices (%d)", unpaid)
	if unpaid > 0 {
		head += "   owed " + s.owedTotal.String()
	}
	lines := []string{st.Bold.Render(head)}
	if s.claims != nil {
		var parts []string
		for _, c := range []core.ClaimStatus{core.ClaimDraft, core.ClaimSubmitted, core.ClaimAccepted, core.ClaimRejected, core.ClaimPaid} {
			parts = append(parts, fmt.Sprintf("%d %s", s.claims[c], c))
		}
		lines = append(lines, "Claims: "+strings.Join(parts, " · "))
	}
	if s.over > 0 {
		lines = append(lines, st.Warning.Render(fmt.Sprintf("! %d paid twice over (two desks, offline): f refunds, m moves the credit", s.over)))
	}
	if len(s.rows) == 0 {
		lines = append(lines, "", "  "+st.Subtle.Render("Nothing owed: every issued invoice is paid."))
	}
	avail := max(1, s.Height-len(lines)-2)
	start, end := ui.Window(len(s.rows), s.sel, avail)
	today := s.S.Today()
	for i := start; i < end; i++ {
		v := s.rows[i]
		mark := "  "
		if i < s.over {
			mark = "! "
		}
		row := mark + invoiceRow(v, s.names[v.Invoice.PatientID], s.Width-2, today, s.S.Zone())
		if i == s.sel {
			row = st.Selected.Render(row)
		}
		lines = append(lines, row)
	}
	switch {
	case s.err != "":
		lines = append(lines, st.Error.Render(s.err))
	case s.flash != "":
		lines = append(lines, st.OK.Render(ui.Text(s.flash)))
	}
	return strings.Join(lines, "\n")
}

// ShortHelp is the worklist's main keys.
func (s *Worklist) ShortHelp() []key.Binding {
	k := s.S.Keys
	return []key.Binding{ui.WithHelp(k.Open, "enter", "account"), k.Pay, keyRefund, keyDayEnd}
}

// FullHelp lists every key of the worklist.
func (s *Worklist) FullHelp() [][]key.Binding {
	k := s.S.Keys
	return [][]key.Binding{{k.Up, k.Down, k.Refresh, k.Search}, {ui.WithHelp(k.Open, "enter", "account"), k.Pay, keyRefund, keyCredit, keyDayEnd, keyClaims}}
}
