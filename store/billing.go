package store

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"medisecure/core"
)

// Billing: the fee schedule and invoices (payments and refunds are in
// payments.go).
//
// Money is append-only: a payment is never edited, a refund is a new,
// negative payment naming the one it gives back from, and every figure (an
// invoice's paid and balance, its paid status, a patient's balance) is
// worked out from the records by core.InvoiceAccount when it is read,
// never stored as a merged number.
//
// Index entries in bucketSchedule, like the appointments' (index.go):
//
//	'P' ‖ invoice ID (12) ‖ payment ID (12)          the payments of an invoice
//	'I' ‖ keyed hash of the patient (8) ‖ invoice ID  the invoices of a patient

// Invoice numbers are the issuing workstation's series and its next number
// in that series: "<device ID>-000042". The counters live in bucketMeta,
// under the device ID (a copied store that becomes a new device starts its
// own series at 1), and move in the transaction that issues (or cancels),
// so a number is used exactly when the invoice is, and no two workstations
// share a series; docs/billing.md says why.
var (
	metaInvoiceSeq = []byte("invoice_seq/")
	metaCreditSeq  = []byte("credit_seq/")
)

// Errors of billing.
var (
	// ErrNotIssued is returned when money is taken on, or a claim made
	// from, an invoice that is a draft or cancelled.
	ErrNotIssued = core.NewError(core.ClassValidation, "store: invoice is not issued")
	// ErrHasPayments is returned when cancelling an invoice that still
	// holds money: refund it first.
	ErrHasPayments = core.NewError(core.ClassValidation, "store: invoice holds payments; refund them before cancelling")
	// ErrRefund is returned when a refund gives back more than its payment
	// still holds, or refunds a refund.
	ErrRefund = core.NewError(core.ClassValidation, "store: refund not possible")
	// ErrNotCompleted is returned when invoicing an appointment that has
	// not been completed.
	ErrNotCompleted = core.NewError(core.ClassValidation, "store: appointment is not completed")
)

// defaultCurrency is the clinic's currency when the organisation names none.
const defaultCurrency = "EUR"

// paymentTermDays is how long an issued invoice gives the patient to pay.
const paymentTermDays = 30

// Currency is the clinic's ISO 4217 currency; every fee, invoice and
// payment is in it.
func (db *DB) Currency() string {
	if db.org.Currency != "" {
		return db.org.Currency
	}
	return defaultCurrency
}

// Currency is the clinic's currency, as DB.Currency.
func (s *Session) Currency() string { return s.db.Currency() }

// InvoiceSeries is this workstation's invoice number series: its device ID
// in capitals.
func (db *DB) InvoiceSeries() string { return strings.ToUpper(db.dev.ID) }

// SetFee adds a fee to the schedule or, when its code is there already,
// changes its description, price and tax. The code is kept in capitals and
// decides the fee's ID, so the same code added on two offline desks is one
// fee after sync.
func (s *Session) SetFee(f core.Fee) (core.Fee, error) {
	f.Code = core.NormalizeFeeCode(f.Code)
	f.ID = core.FeeID(f.Code)
	if f.Price.Currency == "" {
		f.Price.Currency = s.db.Currency()
	}
	err := s.update(func(t *txn) error {
		var old core.Fee
		switch err := t.get(f.ID, &old); {
		case errors.Is(err, ErrNotFound):
			f.CreatedAt = time.Time{}
			return t.create(&f)
		case err != nil:
			return err
		}
		f.Meta = old.Meta
		return t.save(&f)
	})
	return f, err
}

// Fee returns the fee with a code, or ErrNotFound.
func (s *Session) Fee(code string) (core.Fee, error) {
	var f core.Fee
	if err := s.authorize(core.ActRead, core.KindFee); err != nil {
		return f, err
	}
	err := s.view(func(t *txn) error {
		if err := t.get(core.FeeID(code), &f); err != nil {
			return fmt.Errorf("%w: no fee with code %q; see clinic fee list", ErrNotFound, core.NormalizeFeeCode(code))
		}
		return nil
	})
	return f, err
}

// Fees lists the fee schedule by code.
func (s *Session) Fees() ([]core.Fee, error) {
	if err := s.authorize(core.ActRead, core.KindFee); err != nil {
		return nil, err
	}
	var out []core.Fee
	err := s.view(func(t *txn) error {
		return t.each(core.KindFee, func(rec *core.Record) error {
			if rec.Deleted() {
				return nil
			}
			var f core.Fee
			if err := rec.Decode(&f); err != nil {
				return err
			}
			out = append(out, f)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, err
}

// CreateInvoice saves a draft invoice in the clinic's currency. With an
// appointment it must be that patient's, and completed (ErrNotCompleted).
func (s *Session) CreateInvoice(inv core.Invoice) (core.Invoice, error) {
	inv.Status, inv.Number, inv.IssuedAt, inv.CreditNote = core.InvoiceDraft, "", time.Time{}, ""
	if inv.Currency == "" {
		inv.Currency = s.db.Currency()
	}
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActCreate, core.KindInvoice); err != nil {
			return err
		}
		var p core.Patient
		if err := t.get(inv.PatientID, &p); err != nil {
			return &core.ValidationError{Kind: core.KindInvoice, Fields: []core.FieldError{{Field: "patient", Message: fmt.Sprintf("%s is not a registered patient", inv.PatientID)}}}
		}
		if inv.AppointmentID != "" {
			var a core.Appointment
			if err := t.get(inv.AppointmentID, &a); err != nil {
				return err
			}
			if a.PatientID != inv.PatientID {
				return &core.ValidationError{Kind: core.KindInvoice, Fields: []core.FieldError{{Field: "appointment", Message: "is another patient's"}}}
			}
			if a.Status != core.ApptCompleted {
				return fmt.Errorf("%w: the visit is %s; complete it before invoicing it", ErrNotCompleted, a.Status)
			}
		}
		return t.create(&inv)
	})
	return inv, err
}

// IssueInvoice issues a draft: it takes the next number of this
// workstation's series in the same transaction, so a number is never
// skipped or used twice, and sets the issue time and the due date.
func (s *Session) IssueInvoice(id core.ID) (core.Invoice, error) {
	var inv core.Invoice
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActUpdate, core.KindInvoice); err != nil {
			return err
		}
		if err := t.get(id, &inv); err != nil {
			return err
		}
		if err := inv.Status.CheckTransition(core.InvoiceIssued); err != nil {
			return err
		}
		n, err := t.nextNumber(metaInvoiceSeq)
		if err != nil {
			return err
		}
		inv.Status, inv.IssuedAt, inv.Desk = core.InvoiceIssued, t.now, t.s.db.dev.ID
		inv.Number = fmt.Sprintf("%s-%06d", t.s.db.InvoiceSeries(), n)
		if inv.DueDate == "" {
			inv.DueDate = core.DateOf(t.now, t.s.db.zone).AddDays(paymentTermDays)
		}
		return t.save(&inv)
	})
	return inv, err
}

// CancelInvoice cancels an issued invoice that holds no money with a credit
// note, numbered in this workstation's credit note series; the invoice
// stays, with its number, marked cancelled. An invoice with payments left
// on it is refused with ErrHasPayments.
func (s *Session) CancelInvoice(id core.ID, reason string) (core.Invoice, error) {
	var inv core.Invoice
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActUpdate, core.KindInvoice); err != nil {
			return err
		}
		v, err := t.invoiceView(id)
		if err != nil {
			return err
		}
		inv = v.Invoice
		if v.Account.Paid.Minor != 0 {
			return fmt.Errorf("%w: %s paid", ErrHasPayments, v.Account.Paid)
		}
		if err := v.Account.Status.CheckTransition(core.InvoiceCancelled); err != nil {
			return err
		}
		if strings.TrimSpace(reason) == "" {
			return &core.ValidationError{Kind: core.KindInvoice, Fields: []core.FieldError{{Field: "reason", Message: "is required to cancel an invoice"}}}
		}
		n, err := t.nextNumber(metaCreditSeq)
		if err != nil {
			return err
		}
		inv.Status, inv.CancelledAt, inv.CancelReason = core.InvoiceCancelled, t.now, reason
		inv.CreditNote = fmt.Sprintf("CN-%s-%06d", t.s.db.InvoiceSeries(), n)
		return t.save(&inv)
	})
	return inv, err
}

// nextNumber takes this device's next number of a counter in bucketMeta.
func (t *txn) nextNumber(counter []byte) (uint64, error) {
	meta := t.tx.Bucket(bucketMeta)
	key := append(append([]byte{}, counter...), t.s.db.dev.ID...)
	var n uint64
	if v := meta.Get(key); len(v) == 8 {
		n = be64(v)
	}
	n++
	return n, meta.Put(key, u64(n))
}

// Invoice returns one invoice with its payments and account.
func (s *Session) Invoice(id core.ID) (core.InvoiceView, error) {
	var v core.InvoiceView
	if err := s.authorize(core.ActRead, core.KindInvoice); err != nil {
		return v, err
	}
	err := s.view(func(t *txn) (err error) {
		v, err = t.invoiceView(id)
		return err
	})
	return v, err
}

// invoiceView loads an invoice, its payments and its account.
func (t *txn) invoiceView(id core.ID) (core.InvoiceView, error) {
	var v core.InvoiceView
	if err := t.get(id, &v.Invoice); err != nil {
		return v, err
	}
	if v.Invoice.ID != id {
		// Only a later change of the invoice has arrived by sync, not the
		// one that created it: it is not here yet.
		return v, fmt.Errorf("%w: invoice %s has not arrived in full", ErrNotFound, id)
	}
	ps, err := t.paymentsOf(id)
	if err != nil {
		return v, err
	}
	desk, err := t.deskPaymentsFor(&v.Invoice)
	if err != nil {
		return v, err
	}
	if len(desk) > 0 {
		ps = append(ps, desk...)
		sortPayments(ps)
	}
	v.Payments = ps
	v.Account, err = core.InvoiceAccount(&v.Invoice, ps)
	return v, err
}

// Invoices lists invoices with their accounts, newest first.
func (s *Session) Invoices(f core.InvoiceFilter) ([]core.InvoiceView, error) {
	if err := s.authorize(core.ActRead, core.KindInvoice); err != nil {
		return nil, err
	}
	var out []core.InvoiceView
	err := s.view(func(t *txn) error {
		ids, err := t.invoiceIDs(f.Patient)
		if err != nil {
			return err
		}
		for _, id := range ids {
			v, err := t.invoiceView(id)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if f.Unpaid && !v.Account.Open() || f.Status != "" && v.Account.Status != f.Status {
				continue
			}
			out = append(out, v)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Invoice, out[j].Invoice
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.After(b.CreatedAt)
		}
		return a.ID > b.ID
	})
	return out, err
}

// invoiceIDs lists the invoices of a patient, or every invoice when
// patient is "".
func (t *txn) invoiceIDs(patient core.ID) ([]core.ID, error) {
	var ids []core.ID
	if patient == "" {
		err := t.tx.Bucket(bucketRecords).Bucket([]byte(core.KindInvoice)).ForEach(func(k, _ []byte) error {
			ids = append(ids, core.ID(hex.EncodeToString(k)))
			return nil
		})
		return ids, err
	}
	prefix := append([]byte{classInvoice}, t.owner(classInvoice, string(patient))...)
	c := t.tx.Bucket(bucketSchedule).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) == len(prefix)+12 {
			ids = append(ids, core.ID(hex.EncodeToString(k[len(prefix):])))
		}
	}
	return ids, nil
}

// Account is a patient's account. Viewing it is logged in the access log.
func (s *Session) Account(patient core.ID) (core.PatientAccount, error) {
	a := core.PatientAccount{PatientID: patient, Balance: core.Money{Currency: s.db.Currency()}}
	vs, err := s.Invoices(core.InvoiceFilter{Patient: patient})
	if err != nil {
		return a, err
	}
	a.Invoices = vs
	for _, v := range vs {
		if v.Account.Balance.Currency == a.Balance.Currency {
			a.Balance.Minor += v.Account.Balance.Minor
		}
	}
	err = s.update(func(t *txn) error {
		var p core.Patient
		if err := t.get(patient, &p); err != nil {
			return err
		}
		if a.AtDesk, err = t.unplacedDeskPayments(patient); err != nil {
			return err
		}
		for _, d := range a.AtDesk {
			if d.Amount.Currency == a.Balance.Currency {
				a.Balance.Minor -= d.Amount.Minor
			}
		}
		return t.logAccess(patient, core.AccessView, "account")
	})
	return a, err
}

// Ageing lists the invoices still owed on day today, oldest first, each in
// its band by days since issue.
func (s *Session) Ageing(today core.Date) ([]core.AgeingLine, error) {
	vs, err := s.Invoices(core.InvoiceFilter{Unpaid: true})
	if err != nil {
		return nil, err
	}
	out := make([]core.AgeingLine, 0, len(vs))
	end, _ := today.Time(time.UTC)
	for _, v := range vs {
		issued := core.DateOf(v.Invoice.IssuedAt, s.db.zone)
		start, _ := issued.Time(time.UTC)
		out = append(out, core.AgeingLine{Band: core.AgeOf(issued, today), Days: int(end.Sub(start).Hours() / 24), Invoice: v})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Days > out[j].Days })
	return out, nil
}

// indexInvoice files an invoice under its patient and marks it for the
// overpayment check.
func (t *txn) indexInvoice(inv *core.Invoice) error {
	if inv.ID == "" {
		return nil // a later change arrived before the creating one
	}
	t.billed(inv.ID)
	if t.hasDeskPayments(inv.PatientID) {
		// The invoice may take a desk payment from another one.
		if err := t.billedPatient(inv.PatientID); err != nil {
			return err
		}
	}
	key := append(append([]byte{classInvoice}, t.owner(classInvoice, string(inv.PatientID))...), inv.ID.Bytes()...)
	return t.tx.Bucket(bucketSchedule).Put(key, nil)
}

// billed marks an invoice whose payments or status changed in this
// transaction.
func (t *txn) billed(id core.ID) {
	if t.invoices == nil {
		t.invoices = map[core.ID]bool{}
	}
	t.invoices[id] = true
}

// checkInvoices raises the "paid twice over" conflict for every invoice
// this transaction touched whose payments now add up to more than it is
// owed, and resolves it for one that no longer is. Like the appointment
// conflicts it is derived: a zero stamp and fields that depend only on the
// invoice and its payments, so every replica finds the same one.
func (t *txn) checkInvoices() error {
	ids := make([]core.ID, 0, len(t.invoices))
	for id := range t.invoices {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		v, err := t.invoiceView(id)
		if errors.Is(err, ErrNotFound) {
			continue // a payment synced before its invoice: checked when it comes
		}
		if err != nil {
			return err
		}
		if err := t.invoiceConflict(v); err != nil {
			return err
		}
	}
	return nil
}

// invoiceConflict writes the conflict of one invoice as it now stands.
func (t *txn) invoiceConflict(v core.InvoiceView) error {
	var (
		ids  []core.ID
		last time.Time
	)
	for _, p := range v.Payments {
		if !p.IsRefund() {
			ids = append(ids, p.ID)
		}
		if p.ReceivedAt.After(last) {
			last = p.ReceivedAt
		}
	}
	c := core.NewInvoiceConflict(v.Invoice.ID, ids, last)
	if !v.Account.Overpaid() {
		rec, err := t.load(core.KindConflict, c.ID)
		if err != nil || !rec.Exists() || rec.Deleted() {
			return err
		}
		if err := rec.Decode(c); err != nil {
			return err
		}
		c.Status, c.Deleted = core.ConflictResolved, true
	}
	fields, err := core.FieldsOf(c)
	if err != nil {
		return err
	}
	rec := core.NewRecord(core.KindConflict, c.ID)
	rec.Apply(&core.Change{Fields: fields, Device: "merge"})
	return t.put(rec)
}

// InvoiceConflicts lists the open "paid twice over" conflicts, oldest
// first.
func (s *Session) InvoiceConflicts() ([]core.Conflict, error) {
	all, err := s.Conflicts()
	var out []core.Conflict
	for _, c := range all {
		if c.On == core.ConflictOnInvoice {
			out = append(out, c)
		}
	}
	return out, err
}

// migrateBilling (v4) brings a store written before billing up to date: a
// records bucket for every kind (the fee schedule is new), and every
// invoice and payment indexed.
func migrateBilling(t *txn) error {
	records := t.tx.Bucket(bucketRecords)
	for _, k := range core.Kinds {
		if _, err := records.CreateBucketIfNotExists([]byte(k)); err != nil {
			return fmt.Errorf("store: creating bucket %s: %w", k, err)
		}
	}
	return t.reindexAll(core.KindInvoice, core.KindPayment)
}
