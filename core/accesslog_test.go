package core

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// sampleChain builds a correctly linked access log of n entries.
func sampleChain(tb testing.TB, n int) []AccessEntry {
	tb.Helper()
	entries := make([]AccessEntry, n)
	prev := make([]byte, AccessHashSize)
	actions := []string{AccessView, AccessSearch, AccessExport, AccessBreakGlass}
	for i := range entries {
		e := AccessEntry{
			Seq: uint64(i + 1), At: sampleAt.Add(time.Duration(i) * time.Second), User: "dr.lee", Role: RoleDoctor,
			PatientID: sampleID(1), Action: actions[i%len(actions)], Reason: "follow-up", Prev: prev,
		}
		entries[i] = e
		prev = e.Hash()
	}
	return entries
}

func TestAccessEntryValidate(t *testing.T) {
	for _, e := range sampleChain(t, 4) {
		if err := e.Validate(); err != nil {
			t.Errorf("valid %s entry rejected: %v", e.Action, err)
		}
	}
	t.Run("search without a patient", func(t *testing.T) {
		e := sampleChain(t, 2)[1]
		e.PatientID = ""
		if err := e.Validate(); err != nil {
			t.Error(err)
		}
	})
	tests := []struct {
		name   string
		mutate func(*AccessEntry)
		fields []string
	}{
		{"no seq", func(e *AccessEntry) { e.Seq = 0 }, []string{"seq"}},
		{"no time", func(e *AccessEntry) { e.At = time.Time{} }, []string{"at"}},
		{"no user", func(e *AccessEntry) { e.User = "" }, []string{"user"}},
		{"bad role", func(e *AccessEntry) { e.Role = "janitor" }, []string{"role"}},
		{"view without patient", func(e *AccessEntry) { e.PatientID = "" }, []string{"patient"}},
		{"malformed patient", func(e *AccessEntry) { e.PatientID = "p1" }, []string{"patient"}},
		{"bad action", func(e *AccessEntry) { e.Action = "print" }, []string{"action"}},
		{"break glass without reason", func(e *AccessEntry) { e.Action, e.Reason = AccessBreakGlass, "" }, []string{"reason"}},
		{"long reason", func(e *AccessEntry) { e.Reason = strings.Repeat("x", 501) }, []string{"reason"}},
		{"short prev", func(e *AccessEntry) { e.Prev = e.Prev[:31] }, []string{"prev"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := sampleChain(t, 1)[0]
			tc.mutate(&e)
			assertFields(t, e.Validate(), tc.fields...)
		})
	}
}

func TestAccessEntryHash(t *testing.T) {
	base := sampleChain(t, 1)[0]
	h := base.Hash()
	if len(h) != AccessHashSize {
		t.Fatalf("hash is %d bytes", len(h))
	}
	if !bytes.Equal(h, base.Hash()) {
		t.Fatal("hash is not deterministic")
	}
	t.Run("zone does not matter", func(t *testing.T) {
		e := base
		e.At = e.At.In(time.FixedZone("UTC+2", 2*3600))
		if !bytes.Equal(e.Hash(), h) {
			t.Error("the same instant in another zone hashes differently")
		}
	})
	changes := map[string]func(*AccessEntry){
		"seq":         func(e *AccessEntry) { e.Seq++ },
		"at":          func(e *AccessEntry) { e.At = e.At.Add(time.Nanosecond) },
		"user":        func(e *AccessEntry) { e.User = "dr.lea" },
		"role":        func(e *AccessEntry) { e.Role = RoleNurse },
		"patient":     func(e *AccessEntry) { e.PatientID = sampleID(2) },
		"action":      func(e *AccessEntry) { e.Action = AccessExport },
		"reason":      func(e *AccessEntry) { e.Reason += "." },
		"prev":        func(e *AccessEntry) { e.Prev = slices.Clone(e.Prev); e.Prev[31] = 1 },
		"user↔role":   func(e *AccessEntry) { e.User, e.Role = "dr.leed", "octor" },
		"reason↔prev": func(e *AccessEntry) { e.Reason, e.Prev = e.Reason+"\x00", e.Prev[1:] },
	}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			e := base
			change(&e)
			if bytes.Equal(e.Hash(), h) {
				t.Error("a different entry hashes the same")
			}
		})
	}
}

func TestVerifyChain(t *testing.T) {
	tests := []struct {
		name    string
		tamper  func([]AccessEntry) []AccessEntry
		wantBad int
		wantMsg string
	}{
		{"intact", func(es []AccessEntry) []AccessEntry { return es }, -1, ""},
		{"empty", func([]AccessEntry) []AccessEntry { return nil }, -1, ""},
		{"edited reason", func(es []AccessEntry) []AccessEntry { es[2].Reason = "curiosity"; return es }, 3, "link"},
		{"edited user of the first", func(es []AccessEntry) []AccessEntry { es[0].User = "nurse.kim"; return es }, 1, "link"},
		{"edited time", func(es []AccessEntry) []AccessEntry { es[3].At = es[3].At.Add(-time.Hour); return es }, 4, "link"},
		{"edited link", func(es []AccessEntry) []AccessEntry { es[2].Prev = make([]byte, AccessHashSize); return es }, 2, "link"},
		{"first not linked to zeros", func(es []AccessEntry) []AccessEntry { es[0].Prev = nil; return es }, 0, "link"},
		{"deleted entry", func(es []AccessEntry) []AccessEntry { return slices.Delete(es, 2, 3) }, 2, "sequence"},
		{"deleted first", func(es []AccessEntry) []AccessEntry { return es[1:] }, 0, "sequence"},
		{"reordered", func(es []AccessEntry) []AccessEntry { es[1], es[2] = es[2], es[1]; return es }, 1, "sequence"},
		{"renumbered after a deletion", func(es []AccessEntry) []AccessEntry {
			es = slices.Delete(es, 2, 3)
			for i := range es {
				es[i].Seq = uint64(i + 1)
			}
			return es
		}, 2, "link"},
		{"rebuilt from the edit on", func(es []AccessEntry) []AccessEntry {
			// A forger who rehashes the rest still breaks the first link
			// after the edited entry unless they rewrite it too.
			es[1].Reason = "curiosity"
			es[3].Prev = es[2].Hash()
			return es
		}, 2, "link"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			entries := tc.tamper(sampleChain(t, 6))
			bad, err := VerifyChain(entries)
			if bad != tc.wantBad {
				t.Errorf("bad index = %d, want %d (%v)", bad, tc.wantBad, err)
			}
			if tc.wantBad < 0 {
				if err != nil {
					t.Errorf("intact chain refused: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrChainBroken) {
				t.Fatalf("got %v, want ErrChainBroken", err)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("message %q does not say %q", err, tc.wantMsg)
			}
		})
	}
}
