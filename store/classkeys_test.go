package store

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// unclass turns a fixture's store into the key layout before schema 9, as
// today's code cannot write it: clinical and billing records and outbox
// changes under the store key, no class keys. Migration tests that fake an
// older schema call it first.
func unclass(t testing.TB, f *fixture) {
	t.Helper()
	must(t, f.db.bolt.Update(func(tx *bolt.Tx) error {
		tn := &txn{tx: tx, s: f.admin, keys: f.db.keys}
		for kind := range classOfKind {
			b := kindBucket(tx, kind)
			var ids [][]byte
			b.ForEach(func(k, _ []byte) error { ids = append(ids, append([]byte(nil), k...)); return nil })
			for _, k := range ids {
				rec, err := tn.load(kind, core.ID(hex.EncodeToString(k)))
				if err != nil {
					return err
				}
				bucket, key := recordKey(kind, rec.ID)
				if err := b.Put(k, f.db.keys.store.seal(bucket, key, encodeRecord(rec))); err != nil {
					return err
				}
			}
		}
		out := tx.Bucket(bucketOutbox)
		var keys [][]byte
		out.ForEach(func(k, _ []byte) error { keys = append(keys, append([]byte(nil), k...)); return nil })
		for _, k := range keys {
			plain, err := f.db.keys.store.open(bucketOutbox, k, out.Get(k))
			must(t, err)
			var c core.Change
			must(t, json.Unmarshal(plain, &c))
			open, err := tn.openOwn(&c)
			if err != nil {
				return err
			}
			if err := out.Put(k, f.db.keys.store.seal(bucketOutbox, k, mustJSON(open))); err != nil {
				return err
			}
		}
		return tx.DeleteBucket(bucketClassKeys)
	}))
}

// Secrets a clinic writes that only some roles may read.
const (
	secretNote  = "suspected pancreatitis after binge"
	secretDrug  = "metformin"
	secretTemp  = "39.7"
	secretPrice = "4711"
	// secretLine is an invoice line's description, and secretPaid what
	// the desk took on it; neither is in the fee schedule, which every
	// role reads.
	secretLine = "wound care after the dog bite"
	secretPaid = "2468"
)

// billingSecrets are what a reception login must not read.
var billingSecrets = []string{secretPrice, secretLine, secretPaid}

// clinicWithSecrets is a fixture with a billing user, and a patient with a
// note, an allergy, vitals, a prescription and an issued invoice, each
// carrying one of the secrets above; it returns the invoice's number.
func clinicWithSecrets(t *testing.T) (*fixture, string) {
	t.Helper()
	f := newFixture(t)
	must(t, f.admin.AddUser(core.User{Name: "bill", Role: core.RoleBilling}, "billing-pass"))
	p := f.patient(t, "Ann Smith", "1990-01-02", "")
	f.inCare(t, p.ID)
	must(t, f.doctor.Add(&core.Note{PatientID: p.ID, Author: "drwho", Subjective: secretNote}))
	_, err := f.doctor.AddAllergy(core.Allergy{PatientID: p.ID, Substance: "penicillin", Severity: core.SeveritySevere})
	must(t, err)
	_, err = f.doctor.AddVitals(p.ID, f.clock.now(), []core.Reading{{Metric: core.MetricTemperatureC, Value: 39.7}})
	must(t, err)
	_, err = f.doctor.Prescribe(core.Prescription{PatientID: p.ID, Medications: []core.PrescribedDrug{{Drug: secretDrug, Dose: "500 mg", Route: core.RouteOral, Frequency: "twice a day", Quantity: 60}}}, "")
	must(t, err)
	bill, err := f.db.Login("bill", "billing-pass")
	must(t, err)
	_, err = bill.SetFee(core.Fee{Code: "CONS", Description: "Consultation", Price: core.Money{Minor: 3000}})
	must(t, err)
	line := core.InvoiceItem{Description: secretLine, Quantity: 1, UnitPrice: core.Money{Minor: 4711, Currency: "EUR"}}
	inv, err := bill.CreateInvoice(core.Invoice{PatientID: p.ID, Items: []core.InvoiceItem{line}})
	must(t, err)
	inv, err = bill.IssueInvoice(inv.ID)
	must(t, err)
	_, err = f.desk.Pay(core.Payment{PatientID: p.ID, InvoiceNumber: inv.Number, Amount: core.Money{Minor: 2468}, Method: core.PaymentCash})
	must(t, err)
	return f, inv.Number
}

// unsealAll opens every value of the store file with everything one login
// unlocks in a fresh process (the store key, the org keys, the class keys
// and the user's own X25519 key), including the fields of sealed changes,
// and returns what opened, with the raw values.
func unsealAll(t *testing.T, f *fixture, user, pass string) [][]byte {
	t.Helper()
	f.close(t)
	db, err := Open(f.path, Options{Now: f.clock.now, KDF: testKDF})
	must(t, err)
	defer db.Close()
	s, err := db.Login(user, pass)
	must(t, err)
	sealers := []*sealer{db.keys.store}
	for _, c := range sealClasses {
		if k := db.keys.classes.get(c); k != nil {
			sealers = append(sealers, k.records)
		}
	}
	if org, err := newSealer(db.keys.orgKey); err == nil {
		sealers = append(sealers, org)
	}
	var out [][]byte
	tn := &txn{s: s, keys: db.keys}
	opened := func(plain []byte) {
		out = append(out, plain)
		var c core.Change
		if json.Unmarshal(plain, &c) == nil && c.Kind != "" {
			if u := tn.unsealRemote(&c); u.plain != nil {
				out = append(out, mustJSON(u.plain))
			}
		}
		var q Quarantined
		if json.Unmarshal(plain, &q) == nil && q.Change != nil {
			if u := tn.openKept(q.Change); u.plain != nil {
				out = append(out, mustJSON(u.plain))
			}
		}
	}
	var walk func(tx *bolt.Tx, b *bolt.Bucket, path string)
	walk = func(tx *bolt.Tx, b *bolt.Bucket, path string) {
		b.ForEach(func(k, v []byte) error {
			if v == nil {
				walk(tx, b.Bucket(k), path+"/"+string(k))
				return nil
			}
			out = append(out, append([]byte(nil), v...))
			for _, sl := range sealers {
				if plain, err := sl.open([]byte(path), k, v); err == nil {
					opened(plain)
				}
			}
			if plain, ok := s.keys.openSealed(v); ok {
				opened(plain)
			}
			return nil
		})
	}
	must(t, db.bolt.View(func(tx *bolt.Tx) error {
		tn.tx = tx
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			walk(tx, b, string(name))
			return nil
		})
	}))
	return out
}

// revealed lists the secrets found in what opened.
func revealed(values [][]byte, secrets ...string) []string {
	var out []string
	for _, s := range secrets {
		for _, v := range values {
			if bytes.Contains(v, []byte(s)) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// With everything a reception login unlocks, every value of the store
// file that opens holds no clinical text, drug or vital, and no invoice
// line, price or payment (issue 9: reception held the billing key, for the
// desk to take payments); a billing login reads the invoice and the desk's
// payment but nothing clinical; a doctor's login (the control that the
// walk finds what is there) reads the clinical secrets.
func TestWhatEachLoginUnlocksAtRest(t *testing.T) {
	f, _ := clinicWithSecrets(t)
	clinical := []string{secretNote, secretDrug, secretTemp}
	if got := revealed(unsealAll(t, f, "drwho", "doctor-pass"), clinical...); len(got) != len(clinical) {
		t.Fatalf("the doctor's keys open only %v of the clinical secrets: the walk proves nothing", got)
	}
	if got := revealed(unsealAll(t, f, "desk", "desk-pass"), append(clinical, billingSecrets...)...); len(got) != 0 {
		t.Errorf("a reception login reveals %v", got)
	}
	bill := unsealAll(t, f, "bill", "billing-pass")
	if got := revealed(bill, clinical...); len(got) != 0 {
		t.Errorf("a billing login reveals %v", got)
	}
	if got := revealed(bill, billingSecrets...); len(got) != len(billingSecrets) {
		t.Errorf("a billing login reads only %v of the invoice and the desk's payment", got)
	}
}

// A store made by main before class keys (schemas 8 and 9) moves to them
// at its first unlock, whoever logs in: afterwards a reception login opens
// no note anywhere in the file, the outbox included, and the doctor still
// reads it.
func TestUpgradeSealsClinicalRecordsUnderTheClassKey(t *testing.T) {
	for _, v := range []int{8, 9} {
		t.Run(filepath.Base(fixturePath(v)), func(t *testing.T) {
			raw, err := os.ReadFile(fixturePath(v))
			must(t, err)
			path := filepath.Join(t.TempDir(), "clinic.db")
			must(t, os.WriteFile(path, raw, 0o600))
			f := &fixture{path: path, clock: &testClock{t: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)}}
			if got := revealed([][]byte{raw}, fixtureNote); len(got) != 0 {
				t.Fatal("the fixture holds the note in clear")
			}
			db, err := Open(path, Options{Now: f.clock.now, KDF: testKDF})
			must(t, err)
			_, err = db.Login("desk", "desk-pass")
			must(t, err)
			must(t, db.Close())
			if got := revealed(unsealAll(t, f, "desk", "desk-pass"), fixtureNote); len(got) != 0 {
				t.Errorf("after the upgrade a reception login still opens the note")
			}
			if got := revealed(unsealAll(t, f, "drwho", "doctor-pass"), fixtureNote); len(got) != 1 {
				t.Errorf("after the upgrade the doctor's login does not open the note")
			}
		})
	}
}

// A doctor's login holds no billing key: the issued invoice's number
// opens for billing, never for the doctor.
func TestDoctorLoginOpensNoInvoice(t *testing.T) {
	f, number := clinicWithSecrets(t)
	if got := revealed(unsealAll(t, f, "bill", "billing-pass"), number); len(got) != 1 {
		t.Fatalf("billing does not read invoice %s: the test proves nothing", number)
	}
	if got := revealed(unsealAll(t, f, "drwho", "doctor-pass"), number); len(got) != 0 {
		t.Errorf("a doctor's login opens invoice %s", number)
	}
}

// A role change grants and takes back the class keys: the receptionist
// made a nurse opens the note at their next login, the doctor made a
// receptionist no longer does.
func TestRoleChangeGrantsAndRevokesClassKeys(t *testing.T) {
	f, _ := clinicWithSecrets(t)
	must(t, f.admin.SetRole("desk", core.RoleNurse))
	must(t, f.admin.SetRole("drwho", core.RoleReception))
	if got := revealed(unsealAll(t, f, "desk", "desk-pass"), secretNote); len(got) != 1 {
		t.Error("the receptionist made a nurse does not open the note")
	}
	if got := revealed(unsealAll(t, f, "drwho", "doctor-pass"), secretNote); len(got) != 0 {
		t.Error("the doctor made a receptionist still opens the note")
	}
}
