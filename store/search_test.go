package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	"medisecure/core"
)

// searchPatients registers the patients the search tests look for.
type searchPatients struct {
	zoe, ann, anna, joanna, berta core.Patient
}

func registerSearchPatients(t testing.TB, f *fixture) searchPatients {
	t.Helper()
	return searchPatients{
		zoe:    f.patient(t, "Zoë Łukasiewicz", "1984-03-27", "+48 601 555 013"),
		ann:    f.patient(t, "Ann Smith", "1990-01-02", "555-0101"),
		anna:   f.patient(t, "Anna Berg", "1990-01-15", ""),
		joanna: f.patient(t, "Joanna Kowalska", "1975-06-30", "0171 2345678"),
		berta:  f.patient(t, "Berta Ann Olsen", "1966-12-01", ""),
	}
}

// ids lists the patients' IDs in order.
func ids(ps ...core.Patient) []core.ID {
	out := make([]core.ID, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

// names lists the patients' names in order, for messages.
func names(ps []core.Patient) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func TestFindPatients(t *testing.T) {
	f := newFixture(t)
	p := registerSearchPatients(t, f)
	for _, tc := range []struct {
		query string
		want  []core.Patient
		bug   string
	}{
		{query: "zoe", want: []core.Patient{p.zoe}},
		{query: "ZOË", want: []core.Patient{p.zoe}},
		{query: "lukasiewicz", want: []core.Patient{p.zoe}},
		{query: "ŁUKASIEWICZ", want: []core.Patient{p.zoe}},
		{query: "kasie", want: []core.Patient{p.zoe}},
		{query: "owals", want: []core.Patient{p.joanna}},
		{query: "601 555 013", want: []core.Patient{p.zoe}},
		{query: "601-555-013", want: []core.Patient{p.zoe}},
		{query: "+48 601 555 013", want: []core.Patient{p.zoe}},
		{query: "(0171) 234-5678", want: []core.Patient{p.joanna}},
		{query: "5550101", want: []core.Patient{p.ann}},
		{query: "555 0101", want: []core.Patient{p.ann}},
		{query: "1984-03-27", want: []core.Patient{p.zoe}},
		{query: "1984-03", want: []core.Patient{p.zoe}},
		{query: "1990-01", want: []core.Patient{p.ann, p.anna}},
		{query: "1984-3-27", want: []core.Patient{p.zoe}},
		{query: "ann smith", want: []core.Patient{p.ann}},
		{query: "smith ann", want: []core.Patient{p.ann}},
		{query: "  ANN   smith ", want: []core.Patient{p.ann}},
		{query: "ann 1990", want: []core.Patient{p.ann, p.anna}},
		{query: "ann 1990-01-15", want: []core.Patient{p.anna}},
		// Names starting with the word first, then a later name word
		// starting with it, then the word inside a name.
		{query: "ann", want: []core.Patient{p.ann, p.anna, p.berta, p.joanna}},
		{query: "nobody", want: nil},
		{query: "zoe nobody", want: nil},
		{query: "", want: nil},
		{query: "   ", want: nil},
		{query: "|", want: nil},
	} {
		t.Run(tc.query, func(t *testing.T) {
			if tc.bug != "" {
				t.Skip(tc.bug)
			}
			got, err := f.desk.FindPatients(tc.query, 10)
			if err != nil {
				t.Fatal(err)
			}
			if !equalIDs(ids(got...), ids(tc.want...)) {
				t.Errorf("found %q, want %q", names(got), names(tc.want))
			}
		})
	}
	t.Run("limit", func(t *testing.T) {
		got, err := f.desk.FindPatients("ann", 2)
		if err != nil || !equalIDs(ids(got...), ids(p.ann, p.anna)) {
			t.Errorf("limit 2: %q %v", names(got), err)
		}
	})
}

func TestRankingSeesALaterWordStart(t *testing.T) {
	f := newFixture(t)
	joanna := f.patient(t, "Joanna Kowalska", "1975-06-30", "")
	susanna := f.patient(t, "Susanna Annersen", "1971-02-03", "")
	got, err := f.desk.FindPatients("ann", 10)
	if err != nil || !equalIDs(ids(got...), ids(susanna, joanna)) {
		t.Errorf("find ann = %q %v, want the word start (Annersen) first", names(got), err)
	}
}

// equalIDs compares two lists of IDs in order.
func equalIDs(a, b []core.ID) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFindPatientsWithALongQuery(t *testing.T) {
	f := newFixture(t)
	f.patient(t, "Ann Smith", "1990-01-02", "")
	if got, err := f.desk.FindPatients(strings.Repeat("smith ", 100), 10); err != nil || len(got) != 1 {
		t.Errorf("long query: %v %v", names(got), err)
	}
}

func TestDeletedPatientsDisappear(t *testing.T) {
	f := newFixture(t)
	p := registerSearchPatients(t, f)
	must(t, f.desk.Delete(core.KindPatient, p.ann.ID))
	check := func(t *testing.T) {
		t.Helper()
		if got, err := f.desk.FindPatients("ann", 10); err != nil || !sameIDs(ids(got...), ids(p.anna, p.berta, p.joanna)) {
			t.Errorf("find ann after deleting Ann Smith: %q %v", names(got), err)
		}
		if got, err := f.desk.FindPatients("555-0101", 10); err != nil || len(got) != 0 {
			t.Errorf("find by the deleted patient's phone: %q %v", names(got), err)
		}
		if _, err := f.desk.Patient(p.ann.ID, ""); !errors.Is(err, ErrNotFound) {
			t.Errorf("open the deleted patient: %v, want ErrNotFound", err)
		}
		if got, err := f.desk.LikelyDuplicates("Ann Smith", "1990-01-02"); err != nil || len(got) != 0 {
			t.Errorf("duplicates of the deleted patient: %q %v", names(got), err)
		}
		if got, err := f.desk.PatientNames([]core.ID{p.ann.ID, p.zoe.ID}); err != nil || len(got) != 1 || got[p.zoe.ID] == "" {
			t.Errorf("names with a deleted patient: %v %v", got, err)
		}
		if n := f.desk.PatientCount(); n != 4 {
			t.Errorf("count = %d, want 4", n)
		}
	}
	check(t)
	if err := f.desk.Delete(core.KindPatient, p.ann.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting twice: %v, want ErrNotFound", err)
	}
	f.reopen(t)
	t.Run("after reopening", check)
}

func TestLikelyDuplicates(t *testing.T) {
	f := newFixture(t)
	zoe := f.patient(t, "Zoë Łukasiewicz", "1984-03-27", "")
	again := f.patient(t, "ZOE LUKASIEWICZ", "1984-03-27", "555 0101")
	f.patient(t, "Zoë Łukasiewicz", "1985-01-01", "")
	f.patient(t, "Zoë Łukasiewicz-Nowak", "1984-03-27", "")
	f.patient(t, "Zoë", "1984-03-27", "")
	for _, tc := range []struct {
		name string
		dob  core.Date
		want []core.ID
	}{
		{"Zoë Łukasiewicz", "1984-03-27", []core.ID{zoe.ID, again.ID}},
		{"zoe lukasiewicz", "1984-03-27", []core.ID{zoe.ID, again.ID}},
		{"  Zoe   Łukasiewicz ", "1984-03-27", []core.ID{zoe.ID, again.ID}},
		{"Zoe Lukasiewicz", "1984-03-28", nil},
		{"Zoe Luk", "1984-03-27", nil},
		{"Ann Smith", "1984-03-27", nil},
	} {
		t.Run(tc.name+" "+string(tc.dob), func(t *testing.T) {
			got, err := f.desk.LikelyDuplicates(tc.name, tc.dob)
			if err != nil {
				t.Fatal(err)
			}
			if !sameIDs(ids(got...), tc.want) {
				t.Errorf("duplicates = %q, want %v", names(got), tc.want)
			}
		})
	}
}

// sameIDs compares two lists of IDs as sets.
func sameIDs(a, b []core.ID) bool {
	if len(a) != len(b) {
		return false
	}
	in := map[core.ID]bool{}
	for _, id := range a {
		in[id] = true
	}
	for _, id := range b {
		if !in[id] {
			return false
		}
	}
	return true
}

func TestPatientNames(t *testing.T) {
	f := newFixture(t)
	zoe := f.patient(t, "Zoë Łukasiewicz", "1984-03-27", "")
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	got, err := f.desk.PatientNames([]core.ID{zoe.ID, ann.ID, fakeID(1), "not an id"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[zoe.ID] != "Zoë Łukasiewicz" || got[ann.ID] != "Ann Smith" {
		t.Errorf("names = %v", got)
	}
	f.reopen(t)
	if got, err := f.desk.PatientNames([]core.ID{zoe.ID}); err != nil || got[zoe.ID] != "Zoë Łukasiewicz" {
		t.Errorf("names after reopening = %v %v", got, err)
	}
}

// auditLen is the number of access-log entries.
func auditLen(t testing.TB, f *fixture) int {
	t.Helper()
	entries, err := f.admin.AuditList("")
	if err != nil {
		t.Fatalf("audit list: %v", err)
	}
	return len(entries)
}

func TestReadsOfPatientsAreLogged(t *testing.T) {
	f := newFixture(t)
	p := registerSearchPatients(t, f)
	for _, tc := range []struct {
		name string
		read func() error
		// want are the patients the new entries name, in order; "" for
		// a search that found nobody.
		want   []core.ID
		action string
	}{
		{
			name:   "a patient opened",
			read:   func() error { _, err := f.desk.Patient(p.zoe.ID, "check-in"); return err },
			want:   []core.ID{p.zoe.ID},
			action: core.AccessView,
		},
		{
			name:   "a search finding one",
			read:   func() error { _, err := f.desk.FindPatients("zoe", 10); return err },
			want:   []core.ID{p.zoe.ID},
			action: core.AccessSearch,
		},
		{
			// One entry per patient shown, so the log answers who saw
			// whom (patients.go logSearch).
			name:   "a search finding two",
			read:   func() error { _, err := f.desk.FindPatients("1990-01", 10); return err },
			want:   []core.ID{p.ann.ID, p.anna.ID},
			action: core.AccessSearch,
		},
		{
			name:   "a search finding nobody",
			read:   func() error { _, err := f.desk.FindPatients("nobody", 10); return err },
			want:   []core.ID{""},
			action: core.AccessSearch,
		},
		{
			name:   "a duplicate check",
			read:   func() error { _, err := f.desk.LikelyDuplicates("Ann Smith", "1990-01-02"); return err },
			want:   []core.ID{p.ann.ID},
			action: core.AccessSearch,
		},
		{
			name:   "names for a list",
			read:   func() error { _, err := f.desk.PatientNames([]core.ID{p.ann.ID, p.zoe.ID}); return err },
			want:   []core.ID{""},
			action: core.AccessSearch,
		},
		{
			name: "an audit review",
			read: func() error { _, err := f.admin.AuditList(""); return err },
			want: nil,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := auditLen(t, f)
			f.clock.t = f.clock.t.Add(time.Minute)
			must(t, tc.read())
			entries, err := f.admin.AuditList("")
			must(t, err)
			added := entries[before:]
			if len(added) != len(tc.want) {
				t.Fatalf("%d entries added, want %d: %+v", len(added), len(tc.want), added)
			}
			for i, e := range added {
				if e.PatientID != tc.want[i] || e.Action != tc.action || e.User == "" || !e.At.Equal(f.clock.t) {
					t.Errorf("entry %d = %+v, want patient %q action %s at %v", i, e, tc.want[i], tc.action, f.clock.t)
				}
			}
		})
	}
	if _, err := f.admin.AuditVerify(); err != nil {
		t.Errorf("verify after the reads: %v", err)
	}
	zoeOnly, err := f.admin.AuditList(p.zoe.ID)
	if err != nil || len(zoeOnly) != 2 {
		t.Errorf("entries about Zoë = %d (%v), want 2", len(zoeOnly), err)
	}
}

func TestAccessIsLoggedUnderThePatientsOwnID(t *testing.T) {
	f := newFixture(t)
	zoe := f.patient(t, "Zoë Łukasiewicz", "1984-03-27", "")
	upper := core.ID(strings.ToUpper(string(zoe.ID)))
	_, err := f.desk.Patient(upper, "curious")
	if errors.Is(err, ErrNotFound) {
		return // refusing a non-canonical ID is as good
	}
	must(t, err)
	entries, err := f.admin.AuditList(zoe.ID)
	must(t, err)
	if len(entries) != 1 {
		t.Errorf("opening %s by %s left %d entries under her ID, want 1", zoe.ID, upper, len(entries))
	}
}

func TestSearchIgnoresSpacesAndPunctuation(t *testing.T) {
	f := newFixture(t)
	obrien := f.patient(t, "Seán O'Brien", "1975-06-15", "")
	cruz := f.patient(t, "Maria de la Cruz", "1988-09-09", "")
	plain := f.patient(t, "Liam OBrien", "1991-01-01", "")
	mueller := f.patient(t, "Eva Müller-Lüdenscheidt", "1970-02-02", "")
	f.patient(t, "Bria Orient", "1980-01-01", "") // holds "o", "bri" but not "obri"
	for _, tc := range []struct {
		query string
		want  []core.Patient
	}{
		{"obrien", []core.Patient{plain, obrien}},
		{"o'brien", []core.Patient{plain, obrien}},
		{"O’Brien", []core.Patient{plain, obrien}},
		{"delacruz", []core.Patient{cruz}},
		{"de la cruz", []core.Patient{cruz}},
		{"DeLaCruz", []core.Patient{cruz}},
		{"mariadelac", []core.Patient{cruz}},
		{"mullerludenscheidt", []core.Patient{mueller}},
		{"muller-lud", []core.Patient{mueller}},
		{"sean obrien", []core.Patient{obrien}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			got, err := f.desk.FindPatients(tc.query, 10)
			must(t, err)
			gotIDs, want := ids(got...), ids(tc.want...)
			if len(gotIDs) != len(want) {
				t.Fatalf("found %v, want %v", names(got), names(tc.want))
			}
			seen := map[core.ID]bool{}
			for _, id := range gotIDs {
				seen[id] = true
			}
			for i, id := range want {
				if !seen[id] {
					t.Errorf("missing %s in %v", tc.want[i].Name, names(got))
				}
			}
		})
	}
}

func TestSearchReadsTheClinicsDateForm(t *testing.T) {
	f := newFixture(t) // a Europe/Berlin clinic
	p := registerSearchPatients(t, f)
	for _, q := range []string{"27.03.1984", "1984-03-27", "zoe 27.3.1984"} {
		got, err := f.desk.FindPatients(q, 5)
		must(t, err)
		if len(got) != 1 || got[0].ID != p.zoe.ID {
			t.Errorf("%q found %v, want Zoë", q, names(got))
		}
	}
}
