package core

import (
	"strings"
	"testing"
	"time"
)

func sampleDraft(tb testing.TB) *NoteDraft {
	tb.Helper()
	return &NoteDraft{Meta: sampleMeta(40), PatientID: sampleID(1), Author: "dr.lee", Subjective: "Cough for 5 days.\nNo fever.", Plan: "Fluids."}
}

func TestNoteDraftValidate(t *testing.T) {
	assertValid(t, sampleDraft(t))
	empty := sampleDraft(t)
	empty.Subjective, empty.Plan = "", ""
	assertValid(t, empty)
	if !empty.Empty() || sampleDraft(t).Empty() {
		t.Fatal("Empty is wrong")
	}
	runInvalid(t, sampleDraft, []invalidCase[*NoteDraft]{
		{"no patient", func(d *NoteDraft) { d.PatientID = "" }, []string{"patient"}},
		{"no author", func(d *NoteDraft) { d.Author = "" }, []string{"author"}},
		{"bad appointment", func(d *NoteDraft) { d.AppointmentID = "x" }, []string{"appointment"}},
		{"long plan", func(d *NoteDraft) { d.Plan = strings.Repeat("x", 20001) }, []string{"plan"}},
		{"escape in objective", func(d *NoteDraft) { d.Objective = "BP \x1b]52;c;aGk=\x07 120/80" }, []string{"objective"}},
	})
}

func TestNoteDraftSigned(t *testing.T) {
	d := sampleDraft(t)
	at := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	n := d.Signed(at)
	if n.ID != SignedNoteID(d) || n.ID == d.ID || n.Subjective != d.Subjective || !n.SignedAt.Equal(at) || !n.CreatedAt.Equal(at) || n.Author != d.Author {
		t.Fatalf("signed %+v", n)
	}
	if err := n.Validate(); err != nil {
		t.Fatal(err)
	}
	if again := d.Signed(at.Add(time.Hour)); again.ID != n.ID {
		t.Fatalf("the same text signed later is note %s, not %s", again.ID, n.ID)
	}
	other := *d
	other.Plan += " and review"
	if o := other.Signed(at); o.ID == n.ID {
		t.Fatal("another text signed from the same draft has the same note ID")
	}
}
