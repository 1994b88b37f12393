package core

import (
	"testing"
	"time"
)

// A draft is signed in the notes signed from it when each part written
// reads the same in one of them; a part edited elsewhere, or notes of
// another draft, leave it unsigned.
func TestDraftSignedIn(t *testing.T) {
	d := NoteDraft{Meta: Meta{ID: "0123456789abcdef01234567"}, Subjective: "cough", Plan: "fluids"}
	n := d.Signed(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))
	other := n
	other.DraftID = "76543210fedcba9876543210"
	other.ID = "76543210fedcba9876543299"
	split := n
	split.ID, split.Plan = "0123456789abcdef01234599", ""
	for _, tc := range []struct {
		name  string
		plan  string
		notes []Note
		want  bool
	}{
		{"as signed", "fluids", []Note{n}, true},
		{"a part edited after", "fluids, review in a week", []Note{n}, false},
		{"nothing signed", "fluids", nil, false},
		{"another draft's note", "fluids", []Note{other}, false},
		{"parts in two notes", "amoxicillin", []Note{split, func() Note {
			m := n
			m.ID, m.Subjective, m.Plan = "0123456789abcdef01234598", "", "amoxicillin"
			return m
		}()}, true},
		{"a signed note under the draft's own ID", "fluids", []Note{func() Note { m := n; m.ID, m.DraftID = d.ID, ""; return m }()}, true},
	} {
		e := d
		e.Plan = tc.plan
		if got := e.SignedIn(tc.notes); got != tc.want {
			t.Errorf("%s: SignedIn = %v, want %v", tc.name, got, tc.want)
		}
	}
}
