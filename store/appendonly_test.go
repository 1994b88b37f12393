package store

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"medisecure/core"
)

// forge writes, as s's user and signed by s's workstation, a change that
// creates again the record e already names, with e's fields: what a
// tampered workstation sends to rewrite an append-only record.
func forge(t *testing.T, s *Session, e core.Entity) {
	t.Helper()
	fields, err := core.FieldsOf(e)
	must(t, err)
	must(t, s.update(func(t *txn) error { return t.write(e.Kind(), e.Base().ID, fields) }))
}

// A signed note and a vital reach workstation B; then a second version
// of each, created again under the same ID by a permitted, signing
// author, arrives in a batch with a new draft. B quarantines both
// forgeries, keeps the originals and merges the draft; trying again
// changes nothing.
func TestSecondVersionOfAnAppendOnlyRecordIsQuarantined(t *testing.T) {
	raw, clk, patient := notesBase(t)
	dir := t.TempDir()
	a := openPeer(t, "A", filepath.Join(dir, "a.db"), raw, clk)
	defer a.close(t)
	b := openPeer(t, "B", filepath.Join(dir, "b.db"), raw, clk)
	defer b.close(t)
	docA, err := a.db.Login("drwho", "doctor-pass")
	must(t, err)
	docB, err := b.db.Login("drwho", "doctor-pass")
	must(t, err)
	d, err := docA.SaveDraft(core.NoteDraft{PatientID: patient, Plan: "fluids"})
	must(t, err)
	n, err := docA.SignNote(d.ID)
	must(t, err)
	vs, err := docA.AddVitals(patient, clk.t, []core.Reading{{Metric: core.MetricHeartRate, Value: 72}})
	must(t, err)
	b.apply(t, a.outbox(t, 0))
	seq := a.lastSeq(t)

	clk.t = clk.t.Add(time.Minute)
	forged := n
	forged.Plan = "no follow-up needed"
	forge(t, docA, &forged)
	fv := vs[0]
	fv.Value = 140
	forge(t, docA, &fv)
	other, err := docA.SaveDraft(core.NoteDraft{PatientID: patient, Plan: "review in a week"})
	must(t, err)

	batch := a.outbox(t, seq)
	res := b.apply(t, batch)
	if res.Quarantined != 2 {
		t.Fatalf("quarantined %d of %d changes, want the two second versions", res.Quarantined, len(batch))
	}
	ch, err := docB.Chart(patient, "test")
	must(t, err)
	if len(ch.Notes) != 1 || ch.Notes[0].Plan != "fluids" {
		t.Fatalf("notes after the forgery: %+v; want the note as signed", ch.Notes)
	}
	if len(ch.Vitals) != 1 || ch.Vitals[0].Value != 72 {
		t.Fatalf("vitals after the forgery: %+v; want the pulse as taken", ch.Vitals)
	}
	if _, err := docB.Draft(other.ID); err != nil {
		t.Fatalf("the draft beside the forgeries was not merged: %v", err)
	}
	q, err := b.admin.Quarantine()
	must(t, err)
	var why []string
	for _, e := range q {
		why = append(why, e.Reason)
	}
	if len(q) != 2 || !strings.Contains(why[0], "append-only") {
		t.Fatalf("quarantine: %q", why)
	}
	if rel, err := b.desk.ReleaseQuarantine(); err != nil || rel.Applied != 0 || b.state(t).Quarantined != 2 {
		t.Fatalf("release: %+v %v; the forgeries must stay aside", rel, err)
	}
	if res := b.apply(t, batch); res.Quarantined != 2 || res.Applied != 0 {
		t.Fatalf("the batch again: %+v", res)
	}
}

// Creating an append-only record again on the workstation itself is
// refused with ErrAppendOnly.
func TestLocalSecondVersionOfANoteIsRefused(t *testing.T) {
	raw, clk, patient := notesBase(t)
	a := openPeer(t, "A", filepath.Join(t.TempDir(), "a.db"), raw, clk)
	defer a.close(t)
	doc, err := a.db.Login("drwho", "doctor-pass")
	must(t, err)
	d, err := doc.SaveDraft(core.NoteDraft{PatientID: patient, Plan: "fluids"})
	must(t, err)
	n, err := doc.SignNote(d.ID)
	must(t, err)
	n.Plan = "rewritten"
	err = doc.update(func(t *txn) error { return t.create(&n) })
	if !errors.Is(err, ErrAppendOnly) {
		t.Fatalf("creating the note again: %v, want ErrAppendOnly", err)
	}
}
