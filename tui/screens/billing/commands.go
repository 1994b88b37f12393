package billing

import (
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// worklistMsg carries the unpaid invoices, the overpaid ones and names.
type worklistMsg struct {
	ui.Envelope
	unpaid    []core.InvoiceView
	conflicts []core.InvoiceView
	names     map[core.ID]string
	claims    map[core.ClaimStatus]int
	err       error
}

// accountMsg carries a patient's account.
type accountMsg struct {
	ui.Envelope
	acct  core.PatientAccount
	names map[core.ID]string
	err   error
}

// invoiceMsg carries the invoice a payment or refund is for; none is set
// when the patient owes nothing.
type invoiceMsg struct {
	ui.Envelope
	view  core.InvoiceView
	none  bool
	names map[core.ID]string
	err   error
}

// paidMsg is the result of a payment or refund, with the invoice after it.
type paidMsg struct {
	ui.Envelope
	payment core.Payment
	view    core.InvoiceView
	err     error
}

// dayEndMsg carries a day's cash-up.
type dayEndMsg struct {
	ui.Envelope
	seq    int
	cashUp core.CashUp
	err    error
}

// namesOf looks up the patients of the invoices, in one call.
func namesOf(s Port, vs []core.InvoiceView) map[core.ID]string {
	var ids []core.ID
	seen := map[core.ID]bool{}
	for _, v := range vs {
		if id := v.Invoice.PatientID; !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	names, err := s.PatientNames(ids)
	out := map[core.ID]string{}
	for _, id := range ids {
		n := names[id]
		if err != nil || n == "" {
			n = id.Short()
		}
		out[id] = ui.Text(n)
	}
	return out
}

// worklistCmd loads every invoice and splits off the overpaid ones (an
// invoice is overpaid exactly when the store holds its "paid twice over"
// conflict) from those still owed; with claims set, it counts the claims
// by status.
func worklistCmd(s Port, to int, claims bool) tea.Cmd {
	return func() tea.Msg {
		env := ui.Envelope{To: to}
		all, err := s.Invoices(core.InvoiceFilter{})
		if err != nil {
			return worklistMsg{Envelope: env, err: err}
		}
		m := worklistMsg{Envelope: env}
		for _, v := range all {
			switch {
			case v.Account.Overpaid():
				m.conflicts = append(m.conflicts, v)
			case v.Account.Open():
				m.unpaid = append(m.unpaid, v)
			}
		}
		if claims {
			cls, err := s.Claims("")
			if err != nil {
				return worklistMsg{Envelope: env, err: err}
			}
			m.claims = map[core.ClaimStatus]int{}
			for _, c := range cls {
				m.claims[c.Status]++
			}
		}
		m.names = namesOf(s, append(append([]core.InvoiceView(nil), m.unpaid...), m.conflicts...))
		return m
	}
}

func accountCmd(s Port, to int, patient core.ID) tea.Cmd {
	return func() tea.Msg {
		a, err := s.Account(patient)
		if err != nil {
			return accountMsg{Envelope: ui.Envelope{To: to}, err: err}
		}
		return accountMsg{Envelope: ui.Envelope{To: to}, acct: a, names: namesOf(s, a.Invoices)}
	}
}

// invoiceCmd loads the invoice to take money on: the one asked for, or the
// patient's open invoice for the visit appt (else their oldest open one).
func invoiceCmd(s Port, to int, invoice, patient, appt core.ID) tea.Cmd {
	return func() tea.Msg {
		env := ui.Envelope{To: to}
		if invoice != "" {
			v, err := s.Invoice(invoice)
			return invoiceMsg{Envelope: env, view: v, names: namesOf(s, []core.InvoiceView{v}), err: err}
		}
		a, err := s.Account(patient)
		if err != nil {
			return invoiceMsg{Envelope: env, err: err}
		}
		var pick *core.InvoiceView
		for i := range a.Invoices {
			v := &a.Invoices[i]
			if !v.Account.Open() {
				continue
			}
			if pick == nil || v.Invoice.AppointmentID == appt && appt != "" || pick.Invoice.AppointmentID != appt && v.Invoice.CreatedAt.Before(pick.Invoice.CreatedAt) {
				pick = v
			}
		}
		if pick == nil {
			return invoiceMsg{Envelope: env, none: true, names: namesOf(s, []core.InvoiceView{{Invoice: core.Invoice{PatientID: patient}}})}
		}
		return invoiceMsg{Envelope: env, view: *pick, names: namesOf(s, []core.InvoiceView{*pick})}
	}
}

// deskCmd loads what the desk's payment form shows: the patient's name
// (the desk reads no invoice).
func deskCmd(s Port, to int, patient core.ID) tea.Cmd {
	return func() tea.Msg {
		return invoiceMsg{Envelope: ui.Envelope{To: to}, names: namesOf(s, []core.InvoiceView{{Invoice: core.Invoice{PatientID: patient}}})}
	}
}

func payCmd(s Port, to int, p core.Payment) tea.Cmd {
	return func() tea.Msg {
		got, err := s.Pay(p)
		return afterPayment(s, to, got, err)
	}
}

func refundCmd(s Port, to int, payment core.ID, amount core.Money, reason string) tea.Cmd {
	return func() tea.Msg {
		got, err := s.Refund(payment, amount, reason)
		return afterPayment(s, to, got, err)
	}
}

// afterPayment reloads the invoice a payment or refund changed.
func afterPayment(s Port, to int, p core.Payment, err error) tea.Msg {
	if err != nil {
		return paidMsg{Envelope: ui.Envelope{To: to}, err: err}
	}
	if p.AtDesk() {
		return paidMsg{Envelope: ui.Envelope{To: to}, payment: p} // sealed to billing: not read back
	}
	v, err := s.Invoice(p.InvoiceID)
	return paidMsg{Envelope: ui.Envelope{To: to}, payment: p, view: v, err: err}
}

func dayEndCmd(s Port, to, seq int, day core.Date) tea.Cmd {
	return func() tea.Msg {
		c, err := s.DayEnd(day)
		return dayEndMsg{Envelope: ui.Envelope{To: to}, seq: seq, cashUp: c, err: err}
	}
}

// creditMsg is the result of moving an overpaid invoice's credit: to is
// the number of the invoice it paid, "" when the patient had none owing.
type creditMsg struct {
	ui.Envelope
	in  core.Payment
	to  string
	err error
}

// creditCmd moves the credit of invoice from to the patient's oldest other
// invoice that still owes, as much as fits.
func creditCmd(s Port, to int, from, patient core.ID) tea.Cmd {
	return func() tea.Msg {
		env := ui.Envelope{To: to}
		a, err := s.Account(patient)
		if err != nil {
			return creditMsg{Envelope: env, err: err}
		}
		var pick *core.InvoiceView
		for i := range a.Invoices {
			v := &a.Invoices[i]
			if v.Invoice.ID != from && v.Account.Open() && (pick == nil || v.Invoice.CreatedAt.Before(pick.Invoice.CreatedAt)) {
				pick = v
			}
		}
		if pick == nil {
			return creditMsg{Envelope: env}
		}
		_, in, err := s.ApplyCredit(from, pick.Invoice.ID, core.Money{})
		return creditMsg{Envelope: env, in: in, to: ui.Text(ui.OrDash(pick.Invoice.Number)), err: err}
	}
}
