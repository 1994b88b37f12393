package store

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"medisecure/core"
)

// draftTexts lists the SOAP text of the drafts and notes a chart shows.
func draftTexts(t *testing.T, s *Session, patient core.ID) (drafts, notes string) {
	t.Helper()
	ch, err := s.Chart(patient, "test")
	must(t, err)
	var ds, ns []string
	for _, d := range ch.Drafts {
		ds = append(ds, strings.Join([]string{d.Subjective, d.Objective, d.Assessment, d.Plan}, "|"))
	}
	for _, n := range ch.Notes {
		ns = append(ns, strings.Join([]string{n.Subjective, n.Objective, n.Assessment, n.Plan}, "|"))
	}
	sort.Strings(ds)
	sort.Strings(ns)
	return strings.Join(ds, "; "), strings.Join(ns, "; ")
}

// Workstation A signs a draft while B, offline, goes on editing it: once
// before the signing (an older clock) and once after. After the sync both
// show A's signed note and the draft again with B's text, which B can
// sign as a second note; then no draft is left. Nothing B typed is lost.
func TestDraftEditedOfflineAfterItWasSignedElsewhere(t *testing.T) {
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
	d, err := docA.SaveDraft(core.NoteDraft{PatientID: patient, Subjective: "cough"})
	must(t, err)
	b.apply(t, a.outbox(t, 0))
	seqA, seqB := a.lastSeq(t), b.lastSeq(t)

	mine, err := docB.Draft(d.ID)
	must(t, err)
	mine.Objective = "chest clear"
	mine, err = docB.SaveDraft(mine)
	must(t, err)
	clk.t = clk.t.Add(time.Millisecond)
	_, err = docA.SignNote(d.ID)
	must(t, err)
	clk.t = clk.t.Add(time.Millisecond)
	mine.Plan = "amoxicillin 500 mg"
	_, err = docB.SaveDraft(mine)
	must(t, err)

	a.apply(t, b.outbox(t, seqB))
	b.apply(t, a.outbox(t, seqA))
	for _, s := range []*Session{docA, docB} {
		drafts, notes := draftTexts(t, s, patient)
		if drafts != "cough|chest clear||amoxicillin 500 mg" || notes != "cough|||" {
			t.Fatalf("after the sync: drafts %q, notes %q; want B's edits back as a draft beside A's note", drafts, notes)
		}
		if _, err := s.Draft(d.ID); err != nil {
			t.Fatalf("the draft edited after its signing: %v", err)
		}
	}
	sameExport(t, a, b)

	seqA, seqB = a.lastSeq(t), b.lastSeq(t)
	clk.t = clk.t.Add(time.Millisecond)
	_, err = docB.SignNote(d.ID)
	must(t, err)
	a.apply(t, b.outbox(t, seqB))
	b.apply(t, a.outbox(t, seqA))
	for _, s := range []*Session{docA, docB} {
		drafts, notes := draftTexts(t, s, patient)
		if drafts != "" || notes != "cough|chest clear||amoxicillin 500 mg; cough|||" {
			t.Fatalf("after signing the edits: drafts %q, notes %q", drafts, notes)
		}
	}
	sameExport(t, a, b)
}

// A draft finished in different parts on two workstations and signed on
// both keeps both notes and comes back as no draft: every part typed is
// in one of the notes signed from it.
func TestDraftSignedInPartsOnTwoWorkstationsLeavesNoDraft(t *testing.T) {
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
	d, err := docA.SaveDraft(core.NoteDraft{PatientID: patient, Subjective: "cough"})
	must(t, err)
	b.apply(t, a.outbox(t, 0))
	seqA, seqB := a.lastSeq(t), b.lastSeq(t)
	mineA, err := docA.Draft(d.ID)
	must(t, err)
	mineA.Plan = "fluids"
	_, err = docA.SaveDraft(mineA)
	must(t, err)
	mineB, err := docB.Draft(d.ID)
	must(t, err)
	mineB.Objective = "chest clear"
	_, err = docB.SaveDraft(mineB)
	must(t, err)
	clk.t = clk.t.Add(time.Millisecond)
	for _, s := range []*Session{docA, docB} {
		_, err = s.SignNote(d.ID)
		must(t, err)
	}
	a.apply(t, b.outbox(t, seqB))
	b.apply(t, a.outbox(t, seqA))
	for _, s := range []*Session{docA, docB} {
		drafts, notes := draftTexts(t, s, patient)
		if drafts != "" || notes != "cough|chest clear||; cough|||fluids" {
			t.Fatalf("after the sync: drafts %q, notes %q", drafts, notes)
		}
	}
	sameExport(t, a, b)
}
