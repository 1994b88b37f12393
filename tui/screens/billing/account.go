package billing

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// Account is one patient's account: every invoice with what it was paid
// and still owes, the selected one's payments, and the patient's balance.
type Account struct {
	ui.Base
	port    Port
	patient core.ID
	acct    core.PatientAccount
	name    string
	sel     int
	loading bool
	ready   bool
	err     string
	flash   string
}

// NewAccount opens r.PatientID's account.
func NewAccount(c *ui.Shared, p Port, r ui.Route) *Account {
	return &Account{Base: ui.NewBase(c), port: p, patient: r.PatientID}
}

// Init loads the account.
func (s *Account) Init() tea.Cmd { return s.Refresh() }

// Refresh reloads it, after a payment for instance.
func (s *Account) Refresh() tea.Cmd {
	s.loading = true
	return accountCmd(s.port, s.ID(), s.patient)
}

// Resume shows the account again, reloaded, with the note of the screen
// that closed (a new invoice, a payment).
func (s *Account) Resume(r ui.Route) tea.Cmd {
	s.flash = r.Flash
	return s.Refresh()
}

// Title names the screen.
func (s *Account) Title() string { return "Account" }

// Busy is set while loading.
func (s *Account) Busy() bool { return s.loading }

// Update handles the keys and the account's load.
func (s *Account) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case accountMsg:
		s.loading, s.ready = false, true
		s.err = s.S.Describe(msg.err)
		if msg.err == nil {
			s.acct, s.name = msg.acct, msg.names[s.patient]
			s.sel = min(s.sel, max(0, len(s.acct.Invoices)-1))
		}
	case tea.KeyMsg:
		s.err, s.flash = "", ""
		return s.key(msg)
	}
	return nil
}

func (s *Account) key(k tea.KeyMsg) tea.Cmd {
	keys := s.S.Keys
	switch {
	case key.Matches(k, keys.Back):
		return s.S.Back()
	case key.Matches(k, keys.Up):
		s.sel = max(0, s.sel-1)
	case key.Matches(k, keys.Down):
		s.sel = min(max(0, len(s.acct.Invoices)-1), s.sel+1)
	case key.Matches(k, keys.Refresh):
		return s.Refresh()
	case key.Matches(k, keyNew) && s.S.Can(core.ActCreate, core.KindInvoice):
		return s.S.Push(ui.PageInvoice, ui.Route{PatientID: s.patient})
	case key.Matches(k, keys.Pay), key.Matches(k, keyRefund):
		if s.sel >= len(s.acct.Invoices) {
			return nil
		}
		page := ui.PagePay
		if key.Matches(k, keyRefund) {
			page = ui.PageRefund
		}
		return s.S.Push(page, ui.Route{Invoice: s.acct.Invoices[s.sel].Invoice.ID})
	}
	return nil
}

// View lists the invoices over the selected one's payments.
func (s *Account) View() string {
	st := s.S.Styles
	if !s.ready {
		return "\n  " + s.S.Spinner() + " Loading the account…"
	}
	if s.err != "" && s.acct.PatientID == "" {
		return st.Error.Render(s.err)
	}
	word, owed := "owes", s.acct.Balance
	if owed.Minor < 0 {
		word, owed = "is in credit by", owed.Neg()
	}
	lines := []string{st.Bold.Render(fmt.Sprintf("%s %s %s", s.name, word, owed)), ""}
	if len(s.acct.Invoices) == 0 {
		lines = append(lines, "  "+st.Subtle.Render("No invoices yet."))
	}
	for _, p := range s.acct.AtDesk {
		// Taken at the desk for an invoice or visit not here (yet).
		lines = append(lines, "  "+st.Subtle.Render("taken at the desk, on no invoice yet: ")+paymentRow(p, s.S.Zone()))
	}
	today := s.S.Today()
	start, end := ui.Window(len(s.acct.Invoices), s.sel, max(1, s.Height/2-2))
	for i := start; i < end; i++ {
		v := s.acct.Invoices[i]
		row := "  " + invoiceRow(v, ui.Text(s.when(v)), s.Width-2, today, s.S.Zone())
		if i == s.sel {
			row = st.Selected.Render(row)
		}
		lines = append(lines, row)
	}
	if s.sel < len(s.acct.Invoices) {
		v := s.acct.Invoices[s.sel]
		lines = append(lines, "", st.Bold.Render("Invoice "+ui.Text(ui.OrDash(v.Invoice.Number))), "  "+money(v.Account))
		for _, it := range v.Invoice.Items {
			lines = append(lines, fmt.Sprintf("  %d x %s  %s", it.Quantity, ui.Text(it.Description), it.UnitPrice))
		}
		if len(v.Payments) == 0 {
			lines = append(lines, "  "+st.Subtle.Render("No payments yet."))
		}
		for _, p := range v.Payments {
			lines = append(lines, "  "+paymentRow(p, s.S.Zone()))
		}
	}
	switch {
	case s.err != "":
		lines = append(lines, st.Error.Render(s.err))
	case s.flash != "":
		lines = append(lines, st.OK.Render(ui.Text(s.flash)))
	}
	return strings.Join(lines, "\n")
}

// when is the column in place of the patient: the day it was issued.
func (s *Account) when(v core.InvoiceView) string {
	if v.Invoice.IssuedAt.IsZero() {
		return "draft"
	}
	return "issued " + v.Invoice.IssuedAt.In(s.S.Zone()).Format("2 Jan 2006")
}

// ShortHelp is the account's keys; n only for those who may invoice.
func (s *Account) ShortHelp() []key.Binding {
	k := s.S.Keys
	if s.S.Can(core.ActCreate, core.KindInvoice) {
		return []key.Binding{k.Pay, keyRefund, keyNew, k.Back}
	}
	return []key.Binding{k.Pay, keyRefund, k.Back}
}

// FullHelp lists every key of the account.
func (s *Account) FullHelp() [][]key.Binding {
	k := s.S.Keys
	more := []key.Binding{k.Pay, keyRefund}
	if s.S.Can(core.ActCreate, core.KindInvoice) {
		more = append(more, keyNew)
	}
	return [][]key.Binding{{k.Up, k.Down, k.Refresh, k.Back}, more}
}
