package client_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
	"medisecure/store"
	"medisecure/sync/envelope"
)

// Clinical secrets the server's file must not reveal to a reception login.
var clinicalSecrets = []string{"suspected pancreatitis after binge", "metformin", "39.7"}

// With everything a reception login unlocks (the key of every epoch that
// seals batches, mixed with its device's share), every batch in the
// server's bbolt file opens, a note's change is among them, and no opened
// change holds note text, a drug or a vital in clear: those travel sealed
// under the clinical key.
func TestReceptionKeysOpenNoClinicalInTheServerFile(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 2)
	online(t, srv, wss)
	a, b := wss[0], wss[1]
	doc := doctorOf(t, a)
	p, err := a.desk.AddPatient(core.Patient{Name: "Ann Example", DOB: "1970-05-05"})
	must(t, err)
	must(t, doc.Add(&core.Note{PatientID: p.ID, Author: doctor, Subjective: clinicalSecrets[0]}))
	_, err = doc.Prescribe(core.Prescription{PatientID: p.ID, Medications: []core.PrescribedDrug{{Drug: clinicalSecrets[1], Dose: "500 mg", Route: core.RouteOral, Frequency: "twice a day", Quantity: 60}}}, "")
	must(t, err)
	_, err = doc.AddVitals(p.ID, time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC), []core.Reading{{Metric: core.MetricTemperatureC, Value: 39.7}})
	must(t, err)
	a.sync()
	b.sync()
	if notes, err := doctorOf(t, b).Notes(p.ID); err != nil || len(notes) != 1 {
		t.Fatalf("the other workstation's doctor reads %v (%v): the test proves nothing", notes, err)
	}
	devs, err := a.client.Devices(context.Background())
	must(t, err)
	pubs := map[string]ed25519.PublicKey{}
	for _, d := range devs {
		pubs[d.ID] = d.PublicKey
	}
	deskAlone(t, b)
	desk := b.desk
	keys := func(epoch uint32) ([]byte, bool) {
		k, err := desk.OrgKey(int(epoch))
		return k, err == nil
	}
	srv.halt()
	opened, kinds := serverChanges(t, srv.path, keys, pubs, desk, clinicalSecrets)
	if notes := kinds[core.KindNote]; opened == 0 || notes == 0 {
		t.Fatalf("the reception keys opened %d batches holding %d note changes: the test proves nothing", opened, notes)
	}
}

// serverChanges opens every batch in a server's bbolt file with keys, and
// every change in it with what the login as holds (its sealed fields
// too, when the login's keys open them), and fails the test when what
// opened shows one of the secrets. It returns how many batches opened and
// how many changes of each kind they held.
func serverChanges(t *testing.T, path string, keys func(uint32) ([]byte, bool), pubs map[string]ed25519.PublicKey, as *store.Session, secrets []string) (int, map[core.Kind]int) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	must(t, err)
	defer db.Close()
	opened, kinds := 0, map[core.Kind]int{}
	var walk func(b *bolt.Bucket)
	walk = func(b *bolt.Bucket) {
		b.ForEach(func(k, v []byte) error {
			if v == nil {
				walk(b.Bucket(k))
				return nil
			}
			at := bytes.Index(v, []byte("MSB"))
			if at < 0 {
				return nil
			}
			batch, err := envelope.Unmarshal(v[at:])
			if err != nil {
				return nil
			}
			payload, err := envelope.OpenPayload(batch, keys, pubs[batch.Device])
			if err != nil {
				return nil
			}
			opened++
			var opened []core.Change
			for _, c := range payload.Changes {
				kinds[c.Kind]++
				if o, ok := as.OpenChange(c); ok {
					opened = append(opened, o)
				}
			}
			plain, _ := json.Marshal([]any{payload, opened})
			for _, s := range secrets {
				if bytes.Contains(plain, []byte(s)) {
					t.Errorf("a batch on the server opens under the reception keys to %q", s)
				}
			}
			return nil
		})
	}
	must(t, db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(_ []byte, b *bolt.Bucket) error { walk(b); return nil })
	}))
	return opened, kinds
}
