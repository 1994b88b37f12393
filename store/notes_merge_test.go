package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"medisecure/core"
)

// notesBase makes a store with the fixture's users and one patient in the
// doctor's care, and returns its bytes and the patient.
func notesBase(t *testing.T) ([]byte, *testClock, core.ID) {
	t.Helper()
	f := newFixture(t)
	p := f.patient(t, "Ben de la Cruz", "1970-02-03", "555-0101")
	f.inCare(t, p.ID)
	f.close(t)
	raw, err := os.ReadFile(f.path)
	must(t, err)
	return raw, f.clock, p.ID
}

// charting is one workstation where the doctor writes notes: the replica,
// the doctor's session, and what it has written or seen.
type charting struct {
	r      *peer
	doctor *Session
	// drafts are drafts this replica knows of, signed or not.
	drafts []core.ID
	// written is every signed note and addendum written here, by ID, as
	// its text.
	written map[core.ID]string
}

// noteParts are the SOAP texts generated notes are made of.
var noteParts = []string{"", "cough for 3 days", "BP 128/82, chest clear", "viral URTI", "fluids, review in 1 week", "Schmerzen seit gestern\nkein Fieber"}

// noteText is a signed note's content as the property compares it.
func noteText(n core.Note) string {
	return strings.Join([]string{string(n.PatientID), n.Author, n.Subjective, n.Objective, n.Assessment, n.Plan}, "|")
}

// step draws and runs one operation of the doctor on c's replica: a new
// draft, an edit of a known draft, signing one (also one written on the
// other workstation), or an addendum to a signed note.
func (c *charting) step(t *rapid.T, patient core.ID, label string) {
	part := func(what string) string { return rapid.SampledFrom(noteParts).Draw(t, label+" "+what) }
	op := rapid.IntRange(0, 3).Draw(t, label+" op")
	switch {
	case op == 0 || len(c.drafts) == 0:
		d, err := c.doctor.SaveDraft(core.NoteDraft{PatientID: patient, Subjective: part("S"), Plan: part("P")})
		if err != nil {
			t.Fatalf("%s: new draft: %v", label, err)
		}
		c.drafts = append(c.drafts, d.ID)
	case op == 1:
		d, err := c.doctor.Draft(rapid.SampledFrom(c.drafts).Draw(t, label+" draft"))
		if errors.Is(err, ErrNotFound) {
			return // signed meanwhile
		}
		if err != nil {
			t.Fatalf("%s: read draft: %v", label, err)
		}
		d.Objective, d.Assessment = part("O"), part("A")
		if _, err := c.doctor.SaveDraft(d); err != nil {
			t.Fatalf("%s: edit draft: %v", label, err)
		}
	case op == 2:
		n, err := c.doctor.SignNote(rapid.SampledFrom(c.drafts).Draw(t, label+" sign"))
		switch {
		case errors.Is(err, ErrNotFound), errors.Is(err, ErrEmptyNote), errors.Is(err, ErrAppendOnly):
		case err != nil:
			t.Fatalf("%s: sign: %v", label, err)
		default:
			c.written[n.ID] = noteText(n)
		}
	default:
		ch, err := c.doctor.Chart(patient, "merge property")
		if err != nil {
			t.Fatalf("%s: chart: %v", label, err)
		}
		if len(ch.Notes) == 0 {
			return
		}
		n := rapid.SampledFrom(ch.Notes).Draw(t, label+" note")
		a, err := c.doctor.AddAddendum(n.ID, "addendum: "+part("text")+"x")
		if err != nil {
			t.Fatalf("%s: addendum: %v", label, err)
		}
		c.written[a.ID] = "addendum " + string(a.NoteID) + "|" + a.Text
	}
}

// notesView is what a replica's chart shows of the notes: every signed
// note and addendum, as text, in order.
func notesView(t rapid.TB, s *Session, patient core.ID) (map[core.ID]string, string) {
	t.Helper()
	ch, err := s.Chart(patient, "merge property")
	if err != nil {
		t.Fatalf("chart: %v", err)
	}
	got := map[core.ID]string{}
	var lines []string
	for _, n := range ch.Notes {
		got[n.ID] = noteText(n)
		lines = append(lines, fmt.Sprintf("note %s %s %s", n.ID, n.SignedAt.Format(time.RFC3339Nano), noteText(n)))
	}
	for _, a := range ch.Addenda {
		got[a.ID] = "addendum " + string(a.NoteID) + "|" + a.Text
		lines = append(lines, fmt.Sprintf("addendum %s %s %s", a.ID, a.NoteID, a.Text))
	}
	sort.Strings(lines)
	return got, strings.Join(lines, "\n")
}

// The doctor writes, edits and signs notes and adds addenda on two
// offline workstations, also signing on one a draft begun on the other;
// the changes reach each other and a third replica in any order, some
// twice, in batches. Every replica then shows the same notes and addenda,
// and every note signed and addendum written anywhere is there with the
// text it was signed with: none lost, none rewritten.
func TestNotesConvergeWhateverTheOrder(t *testing.T) {
	fewChecks(t, 30)
	raw, clk, patient := notesBase(t)
	dir := t.TempDir()
	n := 0
	rapid.Check(t, func(t *rapid.T) {
		n++
		var cs []*charting
		for _, name := range []string{"A", "B", "C"} {
			r := openPeer(t, name, filepath.Join(dir, fmt.Sprintf("%s%d.db", name, n)), raw, clk)
			defer r.close(t)
			doc, err := r.db.Login("drwho", "doctor-pass")
			if err != nil {
				t.Fatal(err)
			}
			cs = append(cs, &charting{r: r, doctor: doc, written: map[core.ID]string{}})
		}
		a, b, c := cs[0], cs[1], cs[2]
		for round := 1; round <= 2; round++ {
			for _, w := range []*charting{a, b} {
				for i := range rapid.IntRange(0, 8).Draw(t, fmt.Sprintf("round %d %s ops", round, w.r.name)) {
					clk.t = clk.t.Add(time.Duration(rapid.IntRange(0, 2).Draw(t, "tick")) * time.Millisecond)
					w.step(t, patient, fmt.Sprintf("round %d %s op %d", round, w.r.name, i))
				}
			}
			deliver(t, b.r, a.r.outbox(t, 0), fmt.Sprintf("round %d A→B", round))
			deliver(t, a.r, b.r.outbox(t, 0), fmt.Sprintf("round %d B→A", round))
			a.drafts = append(a.drafts, b.drafts...)
			b.drafts = append([]core.ID(nil), a.drafts...)
		}
		deliver(t, c.r, append(a.r.outbox(t, 0), b.r.outbox(t, 0)...), "A+B→C")
		ga, va := notesView(t, a.doctor, patient)
		for _, w := range []*charting{b, c} {
			if _, v := notesView(t, w.doctor, patient); v != va {
				t.Fatalf("%s shows other notes than A:\n%s\nA:\n%s", w.r.name, v, va)
			}
		}
		for _, w := range []*charting{a, b} {
			for id, text := range w.written {
				if ga[id] != text {
					t.Fatalf("%s wrote %s as %q; after sync it reads %q", w.r.name, id, text, ga[id])
				}
			}
		}
		sameExport(t, a.r, b.r)
		sameExport(t, a.r, c.r)
	})
}

// A draft synced to two workstations is finished differently on each and
// signed on both while offline. Both signed notes survive the merge on
// both, each with its own text; the same text signed twice is one note.
func TestDraftSignedOnTwoWorkstations(t *testing.T) {
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
	same, err := docA.SaveDraft(core.NoteDraft{PatientID: patient, Subjective: "follow-up"})
	must(t, err)
	b.apply(t, a.outbox(t, 0))
	seqA, seqB := a.lastSeq(t), b.lastSeq(t)
	for i, w := range []*Session{docA, docB} {
		mine, err := w.Draft(d.ID)
		must(t, err)
		mine.Plan = []string{"fluids", "amoxicillin 500 mg"}[i]
		_, err = w.SaveDraft(mine)
		must(t, err)
		clk.t = clk.t.Add(time.Millisecond)
		_, err = w.SignNote(d.ID)
		must(t, err)
		_, err = w.SignNote(same.ID)
		must(t, err)
	}
	a.apply(t, b.outbox(t, seqB))
	b.apply(t, a.outbox(t, seqA))
	for _, s := range []*Session{docA, docB} {
		ch, err := s.Chart(patient, "test")
		must(t, err)
		var plans []string
		for _, n := range ch.Notes {
			plans = append(plans, n.Subjective+": "+n.Plan)
		}
		sort.Strings(plans)
		if got := strings.Join(plans, "; "); got != "cough: amoxicillin 500 mg; cough: fluids; follow-up: " {
			t.Fatalf("notes after the merge: %s", got)
		}
	}
	sameExport(t, a, b)
}
