package store

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/nacl/box"

	"medisecure/core"
)

// Payments taken at the desk. Reception reads no billing record (the
// permission table gives it no read on invoices, payments or claims), so it
// holds no billing key, and a reception passphrase with the store file
// reveals no invoice line or amount. It still takes money at the desk: a
// desk payment is write-only. Its change is sealed, before it leaves the
// transaction, to public keys of the billing class, which opens only for
// billing (and admins):
//
//   - in the outbox and in sync, in the write-only form ('w', changeseal.go):
//     an anonymous nacl box to the organisation's write-only key of the
//     billing class and the epoch, derived from the organisation's billing
//     key; its public half is in the signed directory entry of every user
//     whose role writes billing records without reading them (pubName);
//   - on the desk's own store, in the pending bucket, sealed to the store's
//     public billing key (pending.go), merged at the next billing login of
//     this workstation like any change that waited for a key.
//
// The desk therefore cannot read back what it wrote, and cannot check a
// payment against what is owed (that would tell it the balance): a desk
// payment names the patient, the amount, the method and either the number
// of the invoice the patient shows or the visit it pays for. Where billing
// reads it, the store puts it on that invoice, worked out every time it is
// read like every figure of billing: the invoice with that number, or the
// visit's issued invoice (the first issued, when there are several). One
// that matches no invoice here yet is the patient's credit, listed on their
// account. Paid twice over is found where billing merges, as for two desks
// offline (billing.go, checkInvoices), and goes to a person.
//
// Index entries in bucketSchedule:
//
//	'A' ‖ keyed hash of the patient (8) ‖ payment ID   a patient's desk payments

// writeOnlyKey is an organisation's write-only key pair of a class and
// epoch.
type writeOnlyKey struct {
	pub, priv [32]byte
}

// writeOnlyKeys derives the write-only key pair from the organisation's
// class key of an epoch, as the root derives it (classKeyFromRoot).
func writeOnlyKeys(raw []byte) (*writeOnlyKey, error) {
	k := &writeOnlyKey{}
	copy(k.priv[:], derive(raw, "medisecure org class write-only box v1"))
	pub, err := curve25519.X25519(k.priv[:], curve25519.Basepoint)
	if err != nil {
		return nil, fmt.Errorf("store: deriving a write-only key: %w", err)
	}
	copy(k.pub[:], pub)
	return k, nil
}

// writesOnly reports whether this transaction's login writes records of
// kind k that it may not read: then write seals them to the class's public
// keys instead of merging them here.
func (t *txn) writesOnly(k core.Kind) bool {
	c := classOf(k)
	return c != sealDesk && !t.beforeClasses && t.keys.classes.get(c) == nil && roleWritesOnly(t.s.user.Role, c)
}

// writeOnly keeps a local change of a class this login does not read: in
// the pending bucket, sealed to the store's public class key, until a
// holder's login here merges it, and in the outbox in the write-only form.
func (t *txn) writeOnly(c *core.Change) error {
	kept, err := t.sealWriteOnly(c)
	if err != nil {
		return err
	}
	if err := t.pend(c); err != nil {
		return err
	}
	key := u64(c.Seq)
	outbox := t.tx.Bucket(bucketOutbox)
	outbox.FillPercent = appendFill
	return outbox.Put(key, t.keys.store.seal(bucketOutbox, key, mustJSON(kept)))
}

// orgClassPub is the organisation's write-only public key of a class and
// epoch: derived by a login holding the class, or read from the user's
// signed directory entry; nil when neither has it (an admin has not
// logged in since the upgrade that made it).
func (s *Session) orgClassPub(epoch int, c sealClass) *[32]byte {
	if raw := s.orgClassRaw(epoch, c); raw != nil {
		if k, err := writeOnlyKeys(raw); err == nil {
			return &k.pub
		}
	}
	if s.entry == nil {
		return nil
	}
	v := s.dir().ClassGrants[pubName(epoch, c)]
	if len(v) != 32 {
		return nil
	}
	var pub [32]byte
	copy(pub[:], v)
	return &pub
}

// orgClassRaw is the organisation's class key of an epoch before it is
// mixed with the device share, as this process opened it; nil when it did
// not, or when this device holds no share of the epoch.
func (s *Session) orgClassRaw(epoch int, c sealClass) []byte {
	if s.orgClassKey(epoch, c) == nil {
		return nil
	}
	return s.db.keys.classes.org(rawName(grantName(epoch, c)))
}

// writeOnlyAD is what a write-only envelope's plaintext starts with: the
// digest of the change's associated data, so it cannot be moved to another
// change.
func writeOnlyAD(c *core.Change, f sealedFields) []byte {
	sum := sha256.Sum256(changeAD(c, f.header()))
	return sum[:]
}

// sealWriteOnly seals a change's fields in the write-only form under the
// current epoch.
func (t *txn) sealWriteOnly(c *core.Change) (core.Change, error) {
	class, epoch := classOf(c.Kind), t.currentEpoch()
	pub := t.s.orgClassPub(epoch, class)
	if pub == nil {
		return *c, fmt.Errorf("%w: this workstation has no public %s key of key epoch %d yet; an admin's login (here or, after a sync, anywhere) publishes it", ErrSealed, class, epoch)
	}
	plain, err := json.Marshal(c.Fields)
	if err != nil {
		return *c, fmt.Errorf("store: sealing a change: %w", err)
	}
	f := sealedFields{form: formWrite, class: class, epoch: uint32(epoch)}
	msg := append(writeOnlyAD(c, f), plain...)
	if f.body, err = box.SealAnonymous(nil, msg, pub, rand.Reader); err != nil {
		return *c, fmt.Errorf("store: sealing a change: %w", err)
	}
	return withEnvelope(*c, f), nil
}

// openWriteOnly opens a change in the write-only form, or says it waits
// for a holder's login (or why it is refused).
func (t *txn) openWriteOnly(c *core.Change, f sealedFields) unsealed {
	raw := t.s.orgClassRaw(int(f.epoch), f.class)
	if raw == nil || t.keys.classes.get(f.class) == nil {
		return unsealed{wait: true}
	}
	k, err := writeOnlyKeys(raw)
	if err != nil {
		return unsealed{why: err.Error()}
	}
	plain, ok := box.OpenAnonymous(nil, f.body, &k.pub, &k.priv)
	if !ok || len(plain) < sha256.Size || !hmac.Equal(plain[:sha256.Size], writeOnlyAD(c, f)) {
		return unsealed{why: fmt.Sprintf("tampered: its write-only fields do not open under the %s key of epoch %d", f.class, f.epoch)}
	}
	fields, err := decodeFields(plain[sha256.Size:])
	if err != nil {
		return unsealed{why: "malformed: " + err.Error()}
	}
	out := *c
	out.Fields = fields
	return unsealed{plain: &out}
}

// payAtDesk takes a payment as a login that reads no invoice: it names the
// patient, the amount, the method and the invoice's number or the visit,
// and is checked only against what the desk may read (the patient, the
// visit). Billing puts it on its invoice (deskPaymentsFor).
func (s *Session) payAtDesk(p core.Payment) (core.Payment, error) {
	if p.InvoiceID != "" {
		// Naming the invoice by ID would need reading it.
		return p, s.authorize(core.ActRead, core.KindInvoice)
	}
	p.InvoiceNumber = strings.ToUpper(strings.TrimSpace(p.InvoiceNumber))
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActCreate, core.KindPayment); err != nil {
			return err
		}
		var pt core.Patient
		if err := t.get(p.PatientID, &pt); err != nil {
			return &core.ValidationError{Kind: core.KindPayment, Fields: []core.FieldError{{Field: "patient", Message: fmt.Sprintf("%s is not a registered patient", p.PatientID)}}}
		}
		if p.AppointmentID != "" {
			var a core.Appointment
			if err := t.get(p.AppointmentID, &a); err != nil {
				return &core.ValidationError{Kind: core.KindPayment, Fields: []core.FieldError{{Field: "visit", Message: fmt.Sprintf("%s is not an appointment", p.AppointmentID)}}}
			}
			if a.PatientID != p.PatientID {
				return &core.ValidationError{Kind: core.KindPayment, Fields: []core.FieldError{{Field: "visit", Message: "is another patient's"}}}
			}
		}
		if p.Amount.Currency == "" {
			p.Amount.Currency = s.db.Currency()
		}
		if err := checkTaken(&p); err != nil {
			return err
		}
		p.ID, p.ReceivedAt, p.ReceivedBy, p.Desk, p.CreatedAt = "", t.now, s.user.Name, s.db.dev.ID, time.Time{}
		return t.create(&p)
	})
	return p, err
}

// checkTaken checks what a payment taken from a patient must say,
// whoever takes it.
func checkTaken(p *core.Payment) error {
	switch {
	case p.Method == core.PaymentCredit:
		return &core.ValidationError{Kind: core.KindPayment, Fields: []core.FieldError{{Field: "method", Message: "credit is not taken at a desk: it is moved from an overpaid invoice (clinic credit apply)"}}}
	case p.Method == core.PaymentCard && strings.TrimSpace(p.Reference) == "":
		return &core.ValidationError{Kind: core.KindPayment, Fields: []core.FieldError{{Field: "reference", Message: "is required for a card payment (the slip number)"}}}
	case p.Amount.Minor <= 0:
		return &core.ValidationError{Kind: core.KindPayment, Fields: []core.FieldError{{Field: "amount", Message: "must be more than zero"}}}
	}
	return nil
}

// deskPrefix is the index prefix of a patient's desk payments.
func (t *txn) deskPrefix(patient core.ID) []byte {
	return append([]byte{classDeskPayment}, t.owner(classDeskPayment, string(patient))...)
}

// indexDeskPayment files a desk payment under its patient and marks the
// patient's invoices for the overpayment check.
func (t *txn) indexDeskPayment(p *core.Payment) error {
	if err := t.billedPatient(p.PatientID); err != nil {
		return err
	}
	return t.tx.Bucket(bucketSchedule).Put(append(t.deskPrefix(p.PatientID), p.ID.Bytes()...), nil)
}

// billedPatient marks every invoice of a patient who has desk payments for
// the overpayment check: a desk payment, or an invoice it may now name,
// can move one onto another invoice.
func (t *txn) billedPatient(patient core.ID) error {
	ids, err := t.invoiceIDs(patient)
	for _, id := range ids {
		t.billed(id)
	}
	return err
}

// hasDeskPayments reports whether a patient has any desk payment here.
func (t *txn) hasDeskPayments(patient core.ID) bool {
	prefix := t.deskPrefix(patient)
	k, _ := t.tx.Bucket(bucketSchedule).Cursor().Seek(prefix)
	return k != nil && bytes.HasPrefix(k, prefix)
}

// deskPaymentsOf loads a patient's desk payments.
func (t *txn) deskPaymentsOf(patient core.ID) ([]core.Payment, error) {
	prefix := t.deskPrefix(patient)
	var out []core.Payment
	c := t.tx.Bucket(bucketSchedule).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		var p core.Payment
		if err := t.get(core.ID(hex.EncodeToString(k[len(prefix):])), &p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// invoicesOf loads the invoices of a patient that have arrived in full.
func (t *txn) invoicesOf(patient core.ID) ([]core.Invoice, error) {
	ids, err := t.invoiceIDs(patient)
	if err != nil {
		return nil, err
	}
	out := make([]core.Invoice, 0, len(ids))
	for _, id := range ids {
		var inv core.Invoice
		switch err := t.get(id, &inv); {
		case err == nil && inv.ID == id:
			out = append(out, inv)
		case err != nil && !errors.Is(err, ErrNotFound):
			return nil, err
		}
	}
	return out, nil
}

// deskTarget is the invoice a desk payment is on, among the patient's
// invoices invs: the one with the number it names, or else the first issued
// invoice of the visit it names; "" when none is here (yet).
func deskTarget(p *core.Payment, invs []core.Invoice) core.ID {
	if p.InvoiceNumber != "" {
		for _, inv := range invs {
			if inv.Number != "" && strings.EqualFold(inv.Number, p.InvoiceNumber) {
				return inv.ID
			}
		}
		return ""
	}
	var best *core.Invoice
	for i := range invs {
		inv := &invs[i]
		if p.AppointmentID == "" || inv.AppointmentID != p.AppointmentID || inv.Status != core.InvoiceIssued {
			continue
		}
		if best == nil || inv.IssuedAt.Before(best.IssuedAt) || inv.IssuedAt.Equal(best.IssuedAt) && inv.ID < best.ID {
			best = inv
		}
	}
	if best == nil {
		return ""
	}
	return best.ID
}

// deskPaymentsFor are the desk payments that are on an invoice, each with
// the invoice's ID filled in.
func (t *txn) deskPaymentsFor(inv *core.Invoice) ([]core.Payment, error) {
	if !t.hasDeskPayments(inv.PatientID) {
		return nil, nil
	}
	ps, err := t.deskPaymentsOf(inv.PatientID)
	if err != nil {
		return nil, err
	}
	invs, err := t.invoicesOf(inv.PatientID)
	if err != nil {
		return nil, err
	}
	var out []core.Payment
	for _, p := range ps {
		if deskTarget(&p, invs) == inv.ID {
			p.InvoiceID = inv.ID
			out = append(out, p)
		}
	}
	return out, nil
}

// placeDeskPayment fills in the invoice a desk payment is on, or returns
// ErrNotIssued when it is on none here yet.
func (t *txn) placeDeskPayment(p *core.Payment) error {
	if !p.AtDesk() {
		return nil
	}
	invs, err := t.invoicesOf(p.PatientID)
	if err != nil {
		return err
	}
	if p.InvoiceID = deskTarget(p, invs); p.InvoiceID == "" {
		return fmt.Errorf("%w: payment %s was taken at the desk for %s and is on no invoice here yet", ErrNotIssued, p.ID, deskRef(p))
	}
	return nil
}

// deskRef says what a desk payment names.
func deskRef(p *core.Payment) string {
	if p.InvoiceNumber != "" {
		return "invoice " + p.InvoiceNumber
	}
	return "visit " + string(p.AppointmentID)
}

// unplacedDeskPayments are a patient's desk payments on no invoice here,
// oldest first.
func (t *txn) unplacedDeskPayments(patient core.ID) ([]core.Payment, error) {
	if !t.hasDeskPayments(patient) {
		return nil, nil
	}
	ps, err := t.deskPaymentsOf(patient)
	if err != nil {
		return nil, err
	}
	invs, err := t.invoicesOf(patient)
	if err != nil {
		return nil, err
	}
	var out []core.Payment
	for _, p := range ps {
		if deskTarget(&p, invs) == "" {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ReceivedAt.Before(out[j].ReceivedAt) })
	return out, nil
}
