package billing

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// methods are offered in this order; insurance is what an insurer pays.
var methods = []core.PaymentMethod{core.PaymentCash, core.PaymentCard, core.PaymentInsurance, core.PaymentTransfer}

// Pay takes a payment on an invoice, or with refund set gives money back
// from one of its payments. It opens on the invoice of the route, or, from
// the schedule, on the patient's open invoice for the visit.
//
// At the desk (a login that reads no invoice: reception) it shows no
// invoice, line or balance: it takes the amount, the method, the
// reference and, when the patient shows one, the invoice's number, for the
// patient and visit of the route, and billing puts the payment on the
// invoice.
type Pay struct {
	ui.Base
	port   Port
	refund bool
	desk   bool
	route  ui.Route
	view   core.InvoiceView
	name   string
	none   bool
	ready  bool
	// choice is the method (paying) or the payment refunded (refunding).
	choice         int
	amount, detail ui.Field
	number         ui.Field // at the desk: the invoice number the patient shows
	focus          int      // 0 amount or payment choice, then the next rows
	saving         bool
	edited         bool
	done           *core.Payment
	err            string
}

// NewPay opens the payment form.
func NewPay(c *ui.Shared, p Port, r ui.Route) *Pay {
	return &Pay{Base: ui.NewBase(c), port: p, route: r, amount: ui.NewField(16, "20.00"), detail: ui.NewField(32, "card slip or reference"),
		number: ui.NewField(32, "optional: number on the invoice"),
		desk:   !c.Can(core.ActRead, core.KindInvoice)}
}

// NewRefund opens the refund form.
func NewRefund(c *ui.Shared, p Port, r ui.Route) *Pay {
	s := NewPay(c, p, r)
	s.refund, s.detail, s.desk = true, ui.NewField(32, "why is it given back?"), false
	return s
}

// Init loads the invoice.
func (s *Pay) Init() tea.Cmd {
	if s.desk {
		return deskCmd(s.port, s.ID(), s.route.PatientID)
	}
	return invoiceCmd(s.port, s.ID(), s.route.Invoice, s.route.PatientID, s.route.Appt)
}

// Title names the screen.
func (s *Pay) Title() string {
	if s.refund {
		return "Refund"
	}
	return "Take payment"
}

// Busy is set while loading or saving.
func (s *Pay) Busy() bool { return !s.ready || s.saving }

// Capturing is set while a text field has focus.
func (s *Pay) Capturing() bool { return s.done == nil && s.ready && !s.none && s.textRow(s.focus) }

// Dirty is set once something was typed and not saved.
func (s *Pay) Dirty() bool { return s.edited && s.done == nil }

// textRow reports whether form row i is typed (not a choice).
func (s *Pay) textRow(i int) bool {
	if s.refund || s.desk && i == 3 {
		return i != 0
	}
	return i != 1
}

// refundable are the invoice's payments that may be refunded.
func (s *Pay) refundable() []core.Payment {
	var out []core.Payment
	for _, p := range s.view.Payments {
		if !p.IsRefund() {
			out = append(out, p)
		}
	}
	return out
}

// Update handles the form's keys and the results of load and save.
func (s *Pay) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case invoiceMsg:
		s.ready, s.none, s.view = true, msg.none, msg.view
		s.name = msg.names[s.route.PatientID]
		if msg.view.Invoice.PatientID != "" {
			s.name = msg.names[msg.view.Invoice.PatientID]
		}
		s.err = s.S.Describe(msg.err)
		s.prefill()
	case paidMsg:
		s.saving = false
		if msg.err != nil {
			s.err = s.S.Describe(msg.err)
			return nil
		}
		s.done, s.view = &msg.payment, msg.view
		s.S.Wrote()
	case tea.KeyMsg:
		if s.saving {
			return nil
		}
		return s.key(msg)
	}
	return nil
}

// prefill puts what is owed (or what the chosen payment holds) in the
// amount field.
func (s *Pay) prefill() {
	switch {
	case s.refund:
		if ps := s.refundable(); s.choice < len(ps) {
			s.amount.SetValue(amountText(ps[s.choice].Amount))
		}
	case s.view.Account.Balance.Minor > 0:
		s.amount.SetValue(amountText(s.view.Account.Balance))
	}
}

// amountText is m without its currency code, as typed: "20.00".
func amountText(m core.Money) string {
	t, _, _ := strings.Cut(m.String(), " ")
	return t
}

func (s *Pay) key(k tea.KeyMsg) tea.Cmd {
	keys := s.S.Keys
	if key.Matches(k, keys.Back) || s.done != nil && key.Matches(k, keys.Open) {
		if s.done != nil {
			return s.S.Go(ui.Route{Nav: ui.NavBack, Flash: s.doneText()})
		}
		return s.S.Back()
	}
	if s.none && s.invoices() && key.Matches(k, keyNew) {
		return s.S.Go(ui.Route{Nav: ui.NavReplace, Page: ui.PageInvoice, PatientID: s.route.PatientID, Appt: s.route.Appt})
	}
	if s.done != nil || s.none || !s.ready || s.view.Invoice.ID == "" && !s.desk {
		return nil
	}
	s.err = ""
	rows := 3
	if s.desk {
		rows = 4
	}
	switch {
	case key.Matches(k, keys.Submit):
		return s.save()
	case key.Matches(k, keys.NextField):
		s.focus = (s.focus + 1) % rows
	case key.Matches(k, keys.PrevField):
		s.focus = (s.focus + rows - 1) % rows
	case !s.textRow(s.focus) && key.Matches(k, keys.Left, keys.Right):
		s.turn(key.Matches(k, keys.Right))
	case s.focus == s.amountRow():
		s.edited = s.amount.Update(k) || s.edited
	case s.desk && s.focus == 3:
		s.edited = s.number.Update(k) || s.edited
	default:
		s.edited = s.detail.Update(k) || s.edited
	}
	return nil
}

// amountRow is the form row of the amount.
func (s *Pay) amountRow() int {
	if s.refund {
		return 1
	}
	return 0
}

// turn moves the choice row one step.
func (s *Pay) turn(right bool) {
	n := len(methods)
	if s.refund {
		n = len(s.refundable())
	}
	if n == 0 {
		return
	}
	d := n - 1
	if right {
		d = 1
	}
	s.choice = (s.choice + d) % n
	if s.refund {
		s.prefill()
	}
}

// save takes the payment or refund.
func (s *Pay) save() tea.Cmd {
	currency := s.view.Invoice.Currency
	if s.desk {
		currency = s.port.Currency()
	}
	amt, err := core.ParseAmount(s.amount.Value(), currency)
	if err != nil {
		s.err = "Amount: " + s.S.Describe(err)
		return nil
	}
	s.saving = true
	if s.refund {
		ps := s.refundable()
		if s.choice >= len(ps) {
			s.saving, s.err = false, "There is no payment on this invoice to refund."
			return nil
		}
		return refundCmd(s.port, s.ID(), ps[s.choice].ID, amt, s.detail.Value())
	}
	p := core.Payment{InvoiceID: s.view.Invoice.ID, Amount: amt, Method: methods[s.choice], Reference: s.detail.Value()}
	if s.desk {
		p = core.Payment{PatientID: s.route.PatientID, AppointmentID: s.route.Appt, InvoiceNumber: s.number.Value(), Amount: amt, Method: methods[s.choice], Reference: s.detail.Value()}
	}
	return payCmd(s.port, s.ID(), p)
}

// doneText is the note the screen below shows after the payment.
func (s *Pay) doneText() string {
	if s.done.IsRefund() {
		return fmt.Sprintf("Refunded %s to %s.", s.done.Amount.Neg(), s.name)
	}
	return fmt.Sprintf("Took %s %s from %s.", s.done.Amount, s.done.Method, s.name)
}

// View draws the invoice over the form, or the receipt once taken.
func (s *Pay) View() string {
	st := s.S.Styles
	switch {
	case !s.ready:
		return "\n  " + s.S.Spinner() + " Loading the invoice…"
	case s.none && s.invoices():
		return st.Bold.Render(s.name) + "\n\n  " + st.Subtle.Render("Nothing owed: no open invoice for this patient. Press n to invoice the visit.")
	case s.none:
		return st.Bold.Render(s.name) + "\n\n  " + st.Subtle.Render("Nothing owed: no open invoice for this patient. Billing issues invoices.")
	case s.view.Invoice.ID == "" && !s.desk:
		return st.Error.Render(s.err)
	}
	v := s.view
	lines := []string{
		st.Bold.Render(fmt.Sprintf("%s  invoice %s  (%s)", s.name, ui.Text(ui.OrDash(v.Invoice.Number)), statusWord(v.Account.Status))),
		"  " + money(v.Account), "",
	}
	if s.desk {
		lines = []string{
			st.Bold.Render(ui.Text(s.name) + "  payment at the desk"),
			"  " + st.Subtle.Render("Billing puts this on the visit's invoice; the desk sees no balance."), "",
		}
	}
	if s.done != nil {
		return strings.Join(append(lines, s.receipt()...), "\n")
	}
	lines = append(lines, s.form()...)
	switch {
	case s.saving:
		lines = append(lines, "", s.S.Spinner()+" Saving…")
	case s.err != "":
		lines = append(lines, "", st.Error.Render(s.err))
	}
	return strings.Join(lines, "\n")
}

// form is the three rows of the form.
func (s *Pay) form() []string {
	st := s.S.Styles
	if s.refund {
		ps := s.refundable()
		choice := st.Subtle.Render("no payment to refund")
		if s.choice < len(ps) {
			choice = "< " + paymentRow(ps[s.choice], s.S.Zone()) + " >"
		}
		return []string{
			ui.RowLine(st, "Payment", choice, s.focus == 0),
			ui.FormRow(st, "Amount", s.amount.View(st, s.focus == 1), s.focus == 1),
			ui.FormRow(st, "Reason", s.detail.View(st, s.focus == 2), s.focus == 2),
		}
	}
	var ms []string
	for i, m := range methods {
		w := string(m)
		if i == s.choice {
			w = st.Selected.Render("[" + w + "]")
		}
		ms = append(ms, w)
	}
	rows := []string{
		ui.FormRow(st, "Amount", s.amount.View(st, s.focus == 0), s.focus == 0),
		ui.RowLine(st, "Method", strings.Join(ms, " "), s.focus == 1),
		ui.FormRow(st, "Reference", s.detail.View(st, s.focus == 2), s.focus == 2),
	}
	if s.desk {
		rows = append(rows, ui.FormRow(st, "Invoice no.", s.number.View(st, s.focus == 3), s.focus == 3))
	}
	return rows
}

// receipt is what the screen shows once the money changed hands.
func (s *Pay) receipt() []string {
	st := s.S.Styles
	p := s.done
	word := "Payment taken"
	if p.IsRefund() {
		word = "Refund given"
	}
	out := []string{
		st.OK.Render(fmt.Sprintf("%s: %s %s", word, p.Amount, p.Method)),
		"  Receipt   " + string(p.ID),
		"  When      " + s.S.When(p.ReceivedAt),
		"  Taken by  " + ui.Text(p.ReceivedBy),
	}
	if p.Reference != "" {
		out = append(out, "  Reference "+ui.Text(p.Reference))
	}
	if p.AtDesk() {
		return append(out, "", st.Subtle.Render("Sealed to billing, which puts it on the invoice; the desk cannot read it back. enter or esc goes back."))
	}
	return append(out, "", st.Subtle.Render("clinic receipt "+string(p.ID)+" --out FILE prints it; enter or esc goes back."))
}

// ShortHelp is the form's keys.
func (s *Pay) ShortHelp() []key.Binding {
	k := s.S.Keys
	if s.none && s.invoices() {
		return []key.Binding{keyNew, k.Back}
	}
	if s.done != nil || s.none {
		return []key.Binding{k.Back}
	}
	choice := keyMethod
	if s.refund {
		choice = ui.WithHelp(keyMethod, "←/→", "payment")
	}
	return []key.Binding{ui.WithHelp(k.Submit, "enter", "save"), k.NextField, choice, k.Back}
}

// FullHelp lists every key of the form.
func (s *Pay) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

// invoices reports whether this user may create invoices, so the form can
// offer one when nothing is owed.
func (s *Pay) invoices() bool { return s.S.Can(core.ActCreate, core.KindInvoice) }
