package store

import (
	"errors"
	"testing"

	"medisecure/core"
)

func TestDraftSignAddendum(t *testing.T) {
	f := newFixture(t)
	nurse := f.nurse(t)
	must(t, f.admin.AddUser(core.User{Name: "drlee", Role: core.RoleDoctor}, "lee-pass"))
	lee, err := f.db.Login("drlee", "lee-pass")
	must(t, err)
	p := f.patient(t, "Ben de la Cruz", "1970-02-03", "555-0101")
	f.inCare(t, p.ID)

	d, err := f.doctor.SaveDraft(core.NoteDraft{PatientID: p.ID, Subjective: "Cough"})
	must(t, err)
	if d.ID == "" || d.Author != "drwho" {
		t.Fatalf("draft %+v", d)
	}
	if _, err := nurse.SaveDraft(core.NoteDraft{PatientID: p.ID, Subjective: "x"}); !errors.Is(err, core.ErrDenied) {
		t.Fatalf("nurse draft: %v, want ErrDenied", err)
	}
	if _, err := lee.SignNote(d.ID); !errors.Is(err, ErrNotAuthor) {
		t.Fatalf("another doctor signs: %v, want ErrNotAuthor", err)
	}
	if _, err := lee.SaveDraft(core.NoteDraft{Meta: core.Meta{ID: d.ID}, PatientID: p.ID, Subjective: "mine now"}); !errors.Is(err, ErrNotAuthor) {
		t.Fatalf("another doctor edits: %v, want ErrNotAuthor", err)
	}

	// The draft survives a restart, and only its author sees it.
	f.reopen(t)
	if lee, err = f.db.Login("drlee", "lee-pass"); err != nil {
		t.Fatal(err)
	}
	c, err := f.doctor.Chart(p.ID, "test")
	must(t, err)
	if len(c.Drafts) != 1 || c.Drafts[0].Subjective != "Cough" || len(c.Notes) != 0 {
		t.Fatalf("after reopen: drafts %+v notes %+v", c.Drafts, c.Notes)
	}
	d = c.Drafts[0]
	d.Subjective, d.Plan = "Cough for 5 days", "Fluids"
	_, err = f.doctor.SaveDraft(d)
	must(t, err)

	n, err := f.doctor.SignNote(d.ID)
	must(t, err)
	if n.ID != core.SignedNoteID(&d) || n.SignedAt.IsZero() || n.Plan != "Fluids" {
		t.Fatalf("signed %+v", n)
	}
	if _, err := f.doctor.SignNote(d.ID); !errors.Is(err, ErrAppendOnly) {
		t.Fatalf("sign twice: %v, want ErrAppendOnly", err)
	}
	if _, err := f.doctor.SaveDraft(core.NoteDraft{Meta: core.Meta{ID: d.ID}, PatientID: p.ID, Subjective: "edited"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("edit after signing: %v, want ErrNotFound", err)
	}
	if err := f.doctor.Save(&n); !errors.Is(err, ErrAppendOnly) {
		t.Fatalf("save a signed note: %v, want ErrAppendOnly", err)
	}
	add, err := f.doctor.AddAddendum(n.ID, "Correction: 6 days.")
	must(t, err)
	if add.PatientID != p.ID || add.NoteID != n.ID {
		t.Fatalf("addendum %+v", add)
	}
	if _, err := f.doctor.AddAddendum(core.ID("0190aa000000000000000999"), "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("addendum to nothing: %v, want ErrNotFound", err)
	}
	_, err = lee.BreakGlass(p.ID, "covering for drwho today")
	must(t, err)
	c, err = lee.Chart(p.ID, "test")
	must(t, err)
	if len(c.Drafts) != 0 || len(c.Notes) != 1 || len(c.AddendaOf(n.ID)) != 1 || c.Notes[0].Subjective != "Cough for 5 days" {
		t.Fatalf("chart after signing: drafts %d notes %+v addenda %+v", len(c.Drafts), c.Notes, c.Addenda)
	}
	other, err := f.doctor.SaveDraft(core.NoteDraft{PatientID: p.ID})
	must(t, err)
	if _, err := f.doctor.SignNote(other.ID); !errors.Is(err, ErrEmptyNote) {
		t.Fatalf("sign empty: %v, want ErrEmptyNote", err)
	}
	if _, err := f.doctor.AddAddendum(other.ID, "x"); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("addendum to a draft: %v, want ErrInvalid", err)
	}
	if _, err := f.desk.Chart(p.ID, "x"); !errors.Is(err, core.ErrDenied) {
		t.Fatalf("reception reads notes: %v", err)
	}
}
