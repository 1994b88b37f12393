package store

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"pgregory.net/rapid"

	"medisecure/core"
)

// peer is one copy of an organisation's store, open, with the admin and
// the receptionist logged in.
type peer struct {
	name  string
	db    *DB
	admin *Session
	desk  *Session
}

// baseStore makes a store with the fixture's users and schedule and no
// patients, and returns its bytes: copies of it are replicas of one org.
func baseStore(t testing.TB) ([]byte, *testClock) {
	t.Helper()
	f := newFixture(t)
	f.close(t)
	raw, err := os.ReadFile(f.path)
	if err != nil {
		t.Fatal(err)
	}
	return raw, f.clock
}

// openPeer writes raw to path and opens it as a peer. It takes rapid.TB so that
// property tests can use it; the caller closes the replica.
// replicas opens a peer of the same base store (baseStore) for each name,
// each in a file of its own, closed when the test ends, and returns them
// in order with the clock they share.
func replicas(t *testing.T, names ...string) ([]*peer, *testClock) {
	t.Helper()
	raw, clk := baseStore(t)
	dir := t.TempDir()
	ps := make([]*peer, len(names))
	for i, n := range names {
		ps[i] = openPeer(t, n, filepath.Join(dir, fmt.Sprintf("%d.db", i)), raw, clk)
	}
	t.Cleanup(func() {
		for _, p := range ps {
			p.close(t)
		}
	})
	return ps, clk
}

func openPeer(t rapid.TB, name, path string, raw []byte, clk *testClock) *peer {
	t.Helper()
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path, Options{Now: clk.now, KDF: testKDF, NoSync: true})
	if err != nil {
		t.Fatalf("open replica %s: %v", name, err)
	}
	r := &peer{name: name, db: db}
	if r.admin, err = db.Login("admin", "admin-pass"); err != nil {
		t.Fatalf("admin login on %s: %v", name, err)
	}
	if r.desk, err = db.Login("desk", "desk-pass"); err != nil {
		t.Fatalf("desk login on %s: %v", name, err)
	}
	return r
}

// close runs bbolt's consistency check and closes the replica.
func (r *peer) close(t rapid.TB) {
	t.Helper()
	// The access log's committer writes in the background; bbolt's check
	// beside a writer races with it.
	if err := r.db.closeAccess(); err != nil {
		t.Errorf("closing the access log of %s: %v", r.name, err)
	}
	err := r.db.bolt.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	})
	if err != nil {
		t.Errorf("consistency check of %s: %v", r.name, err)
	}
	r.db.Close()
}

// twoPeers opens two copies of one store, closed on cleanup.
func twoPeers(t *testing.T) (a, b *peer, clk *testClock) {
	t.Helper()
	raw, clk := baseStore(t)
	dir := t.TempDir()
	a = openPeer(t, "A", filepath.Join(dir, "a.db"), raw, clk)
	b = openPeer(t, "B", filepath.Join(dir, "b.db"), raw, clk)
	t.Cleanup(func() { a.close(t); b.close(t) })
	return a, b, clk
}

// outbox returns every local change of r after seq.
func (r *peer) outbox(t rapid.TB, after uint64) []core.Change {
	t.Helper()
	out, err := r.desk.Outbox(after, 1<<20)
	if err != nil {
		t.Fatalf("outbox of %s: %v", r.name, err)
	}
	return out
}

// apply merges changes into r.
func (r *peer) apply(t rapid.TB, changes []core.Change) ApplyResult {
	t.Helper()
	res, err := r.desk.ApplyRemote(changes, 0)
	if err != nil {
		t.Fatalf("apply %d changes on %s: %v", len(changes), r.name, err)
	}
	return res
}

// export is the admin's export of r.
func (r *peer) export(t rapid.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := r.admin.Export(&buf); err != nil {
		t.Fatalf("export of %s: %v", r.name, err)
	}
	return buf.Bytes()
}

// lastSeq is r's newest local change.
func (r *peer) lastSeq(t rapid.TB) uint64 {
	t.Helper()
	return r.state(t).LastSeq
}

// state is r's sync state.
func (r *peer) state(t rapid.TB) Status {
	t.Helper()
	st, err := r.desk.SyncState()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// sameExport fails unless both replicas export the same bytes.
func sameExport(t rapid.TB, a, b *peer) {
	t.Helper()
	ea, eb := a.export(t), b.export(t)
	if bytes.Equal(ea, eb) {
		return
	}
	la, lb := strings.Split(string(ea), "\n"), strings.Split(string(eb), "\n")
	for i := 0; i < max(len(la), len(lb)); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			t.Fatalf("exports differ at line %d:\n%s: %s\n%s: %s", i+1, a.name, x, b.name, y)
		}
	}
}

// fewChecks lowers rapid's default number of checks for a slow property,
// unless -rapid.checks was given.
func fewChecks(t *testing.T, n int) {
	t.Helper()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "rapid.checks" })
	if given {
		return
	}
	old := flag.Lookup("rapid.checks").Value.String()
	must(t, flag.Set("rapid.checks", strconv.Itoa(n)))
	t.Cleanup(func() { must(t, flag.Set("rapid.checks", old)) })
}

// mergeNames are patient names for generated operations.
var mergeNames = []string{"Zoë Łukasiewicz", "Ann Smith", "Bob Jones", "Ørjan Dæhlie"}

// mergeStatuses are the targets of generated status changes.
var mergeStatuses = []core.AppointmentStatus{core.ApptCheckedIn, core.ApptInProgress, core.ApptCompleted, core.ApptCancelled, core.ApptNoShow}

// merging is what a generated operation needs: a replica and the records it
// knows about.
type merging struct {
	r *peer
	// monday is the first day appointments are booked on.
	monday   time.Time
	patients []core.ID
	appts    []core.ID
}

// expected reports whether err is a refusal a person could run into
// (a clash, an invalid edit, a deleted record) rather than a failure.
func expected(err error) bool {
	return err == nil || errors.Is(err, core.ErrClash) || errors.Is(err, core.ErrInvalid) ||
		errors.Is(err, core.ErrTransition) || errors.Is(err, ErrNotFound)
}

// step draws and runs one operation on m's replica.
func (m *merging) step(t *rapid.T, label string) {
	day := func() time.Time {
		d := rapid.IntRange(0, 1).Draw(t, label+" day")
		slot := rapid.IntRange(0, 5).Draw(t, label+" slot")
		return m.monday.AddDate(0, 0, d).Add(time.Duration(slot) * 15 * time.Minute)
	}
	pick := func(ids []core.ID, what string) core.ID {
		return ids[rapid.IntRange(0, len(ids)-1).Draw(t, label+" "+what)]
	}
	op := rapid.IntRange(0, 5).Draw(t, label+" op")
	switch {
	case op == 0 || len(m.patients) == 0:
		p, err := m.r.desk.AddPatient(core.Patient{
			Name:  rapid.SampledFrom(mergeNames).Draw(t, label+" name"),
			DOB:   core.Date(fmt.Sprintf("19%02d-0%d-1%d", rapid.IntRange(40, 99).Draw(t, label+" year"), rapid.IntRange(1, 9).Draw(t, label+" month"), rapid.IntRange(0, 9).Draw(t, label+" dom"))),
			Phone: rapid.SampledFrom([]string{"", "555 0101", "+48 601 555 013"}).Draw(t, label+" phone"),
		})
		if err != nil {
			t.Fatalf("%s: add patient: %v", label, err)
		}
		m.patients = append(m.patients, p.ID)
	case op == 1:
		id := pick(m.patients, "patient")
		p, err := m.r.desk.Patient(id, "")
		if err == nil {
			p.Phone = rapid.SampledFrom([]string{"", "555 0199", "+44 20 7946 0000"}).Draw(t, label+" new phone")
			_, err = m.r.desk.UpdatePatient(p)
		}
		if !expected(err) {
			t.Fatalf("%s: update patient: %v", label, err)
		}
	case op == 2:
		if err := m.r.desk.Delete(core.KindPatient, pick(m.patients, "patient")); !expected(err) {
			t.Fatalf("%s: delete patient: %v", label, err)
		}
	case op == 3 || len(m.appts) == 0:
		a, err := m.r.desk.Book(core.Appointment{
			PatientID: pick(m.patients, "patient"), Doctor: "drwho", Start: day(),
			Minutes: rapid.SampledFrom([]int{15, 30}).Draw(t, label+" minutes"),
			Room:    rapid.SampledFrom([]string{"", "Room 1"}).Draw(t, label+" room"),
		})
		if !expected(err) {
			t.Fatalf("%s: book: %v", label, err)
		}
		if err == nil {
			m.appts = append(m.appts, a.ID)
		}
	case op == 4:
		to := rapid.SampledFrom(mergeStatuses).Draw(t, label+" status")
		if _, err := m.r.desk.SetStatus(pick(m.appts, "appointment"), to, "generated"); !expected(err) {
			t.Fatalf("%s: status %s: %v", label, to, err)
		}
	default:
		if _, err := m.r.desk.Move(pick(m.appts, "appointment"), day(), 15, ""); !expected(err) {
			t.Fatalf("%s: move: %v", label, err)
		}
	}
}

// deliver applies changes to r in an order rapid picks, some twice, in
// one to three batches.
func deliver(t *rapid.T, r *peer, changes []core.Change, label string) {
	all := append([]core.Change(nil), changes...)
	if len(changes) > 0 {
		for _, i := range rapid.SliceOfN(rapid.IntRange(0, len(changes)-1), 0, 5).Draw(t, label+" repeats") {
			all = append(all, changes[i])
		}
	}
	all = rapid.Permutation(all).Draw(t, label+" order")
	cuts := rapid.SliceOfN(rapid.IntRange(0, len(all)), 0, 2).Draw(t, label+" cuts")
	start := 0
	for _, c := range append(cuts, len(all)) {
		if c < start {
			continue
		}
		r.apply(t, all[start:c])
		start = c
	}
}

func TestReplicasConvergeWhateverTheOrder(t *testing.T) {
	fewChecks(t, 25)
	raw, clk := baseStore(t)
	dir := t.TempDir()
	monday := at(t, "2026-11-30 09:00")
	n := 0
	rapid.Check(t, func(t *rapid.T) {
		n++
		a := &merging{r: openPeer(t, "A", filepath.Join(dir, fmt.Sprintf("a%d.db", n)), raw, clk), monday: monday}
		b := &merging{r: openPeer(t, "B", filepath.Join(dir, fmt.Sprintf("b%d.db", n)), raw, clk), monday: monday}
		defer a.r.close(t)
		defer b.r.close(t)
		// Two rounds: each side works offline, then they exchange
		// everything they have ever written. In the second round both
		// sides edit records the other created.
		for round := 1; round <= 2; round++ {
			for _, m := range []*merging{a, b} {
				ops := rapid.IntRange(0, 10).Draw(t, fmt.Sprintf("round %d %s ops", round, m.r.name))
				for i := range ops {
					clk.t = clk.t.Add(time.Duration(rapid.IntRange(0, 2).Draw(t, "tick")) * time.Millisecond)
					m.step(t, fmt.Sprintf("round %d %s op %d", round, m.r.name, i))
				}
			}
			deliver(t, b.r, a.r.outbox(t, 0), fmt.Sprintf("round %d A→B", round))
			deliver(t, a.r, b.r.outbox(t, 0), fmt.Sprintf("round %d B→A", round))
			sameExport(t, a.r, b.r)
			a.patients = append(a.patients, b.patients...)
			b.patients = append([]core.ID(nil), a.patients...)
			a.appts = append(a.appts, b.appts...)
			b.appts = append([]core.ID(nil), a.appts...)
		}
		ca, err := a.r.desk.Conflicts()
		if err != nil {
			t.Fatal(err)
		}
		cb, err := b.r.desk.Conflicts()
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ca) != fmt.Sprint(cb) {
			t.Fatalf("open conflicts differ:\nA: %v\nB: %v", ca, cb)
		}
	})
}

func TestApplyRemoteIsIdempotent(t *testing.T) {
	a, b, _ := twoPeers(t)
	// The copied store already holds the schedule's change; count after it.
	seq := a.lastSeq(t)
	p, err := a.desk.AddPatient(core.Patient{Name: "Ann Smith", DOB: "1990-01-02", Phone: "555 0101"})
	must(t, err)
	p.Phone = "555 0199"
	_, err = a.desk.UpdatePatient(p)
	must(t, err)
	_, err = a.desk.Book(core.Appointment{PatientID: p.ID, Doctor: "drwho", Start: at(t, "2026-11-27 09:00"), Minutes: 15})
	must(t, err)
	out := a.outbox(t, seq)
	if len(out) != 3 {
		t.Fatalf("outbox holds %d changes, want 3", len(out))
	}
	before := b.lastSeq(t)
	if res := b.apply(t, out); res.Applied != 3 {
		t.Errorf("first apply: Applied = %d, want 3", res.Applied)
	}
	if res := b.apply(t, out); res.Applied != 0 {
		t.Errorf("second apply: Applied = %d, want 0", res.Applied)
	}
	if res := b.apply(t, []core.Change{out[2], out[0], out[1], out[0]}); res.Applied != 0 {
		t.Errorf("reordered apply: Applied = %d, want 0", res.Applied)
	}
	if after := b.lastSeq(t); after != before {
		t.Errorf("applying remote changes queued local ones: seq %d → %d", before, after)
	}
	sameExport(t, a, b)
	got, err := b.desk.FindPatients("555-0199", 5)
	if err != nil || len(got) != 1 || got[0].ID != p.ID {
		t.Errorf("the merged patient is not found by its new phone: %v %v", got, err)
	}
}

func TestApplyRemoteQuarantinesBadChanges(t *testing.T) {
	a, b, _ := twoPeers(t)
	p, err := a.desk.AddPatient(core.Patient{Name: "Ann Smith", DOB: "1990-01-02"})
	must(t, err)
	good := a.outbox(t, 0)[1]
	if good.ID != p.ID {
		t.Fatalf("outbox[1] is %s %s, want the patient", good.Kind, good.ID)
	}
	conflict := core.NewConflict("doctor", fakeID(1), fakeID(2), 0)
	fields, err := core.FieldsOf(conflict)
	must(t, err)
	for _, tc := range []struct {
		name string
		bad  core.Change
	}{
		{"a conflict", core.Change{Kind: core.KindConflict, ID: conflict.ID, Fields: fields, Device: "d1", Seq: 1, HLC: good.HLC}},
		{"an unknown kind", core.Change{Kind: "ghost", ID: fakeID(3), Fields: fields, Device: "d1", Seq: 1, HLC: good.HLC}},
		{"a malformed ID", core.Change{Kind: core.KindPatient, ID: "nope", Fields: good.Fields, Device: "d1", Seq: 1, HLC: good.HLC}},
		{"no device", core.Change{Kind: core.KindPatient, ID: fakeID(4), Fields: good.Fields, Seq: 1, HLC: good.HLC}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The good change rides in the same batch: the bad one is
			// quarantined, the good one merged.
			before := b.state(t).Quarantined
			res, err := b.desk.ApplyRemote([]core.Change{good, tc.bad}, 0)
			if err != nil || res.Quarantined != 1 {
				t.Fatalf("quarantined %d: %v; want the bad change quarantined", res.Quarantined, err)
			}
			if after := b.state(t).Quarantined; after != before+1 {
				t.Errorf("the store counts %d quarantined, want %d", after, before+1)
			}
			if _, err := b.desk.Patient(p.ID, ""); err != nil {
				t.Errorf("the good change beside a refused one was not applied: %v", err)
			}
			if cs, err := b.desk.Conflicts(); err != nil || len(cs) != 0 {
				t.Errorf("conflicts after a refused batch: %v %v", cs, err)
			}
		})
	}
}

func TestDoubleBookingBecomesOneConflictOnBothSides(t *testing.T) {
	a, b, clk := twoPeers(t)
	nine := at(t, "2026-11-27 09:00")
	p1, err := a.desk.AddPatient(core.Patient{Name: "Ann Smith", DOB: "1990-01-02"})
	must(t, err)
	x, err := a.desk.Book(core.Appointment{PatientID: p1.ID, Doctor: "drwho", Start: nine, Minutes: 15})
	must(t, err)
	clk.t = clk.t.Add(time.Second)
	p2, err := b.desk.AddPatient(core.Patient{Name: "Bob Jones", DOB: "1980-05-06"})
	must(t, err)
	y, err := b.desk.Book(core.Appointment{PatientID: p2.ID, Doctor: "drwho", Start: nine, Minutes: 15})
	must(t, err)

	fromA, fromB := a.outbox(t, 0), b.outbox(t, 0)
	if res := b.apply(t, fromA); res.Conflicts != 1 {
		t.Errorf("B after A's changes: %d open conflicts, want 1", res.Conflicts)
	}
	if res := a.apply(t, fromB); res.Conflicts != 1 {
		t.Errorf("A after B's changes: %d open conflicts, want 1", res.Conflicts)
	}
	var conflict core.Conflict
	for _, r := range []*peer{a, b} {
		cs, err := r.desk.Conflicts()
		must(t, err)
		if len(cs) != 1 {
			t.Fatalf("%s has %d open conflicts, want 1: %+v", r.name, len(cs), cs)
		}
		c := cs[0]
		pair := map[core.ID]bool{c.Appointments[0]: true, c.Appointments[1]: true}
		if !pair[x.ID] || !pair[y.ID] || c.On != "doctor" || c.Status != core.ConflictOpen {
			t.Errorf("%s's conflict = %+v, want doctor between %s and %s", r.name, c, x.ID, y.ID)
		}
		if conflict.ID != "" && c.ID != conflict.ID {
			t.Errorf("conflict IDs differ: %s and %s", conflict.ID, c.ID)
		}
		conflict = c
		day, err := r.desk.Appointments("2026-11-27", "drwho")
		must(t, err)
		if len(day) != 2 || day[0].Status != core.ApptBooked || day[1].Status != core.ApptBooked {
			t.Errorf("%s keeps %+v, want both appointments booked", r.name, day)
		}
	}
	sameExport(t, a, b)

	if err := a.desk.ResolveConflict(conflict.ID, p1.ID, time.Time{}); !errors.Is(err, ErrNotInConflict) {
		t.Errorf("keeping an appointment outside the conflict: %v", err)
	}
	if err := a.admin.ResolveConflict(conflict.ID, x.ID, time.Time{}); !errors.Is(err, core.ErrDenied) {
		t.Errorf("admin resolving a conflict: %v, want ErrDenied", err)
	}
	seq := a.lastSeq(t)
	must(t, a.desk.ResolveConflict(conflict.ID, x.ID, time.Time{}))
	if err := a.desk.ResolveConflict(conflict.ID, x.ID, time.Time{}); err == nil {
		t.Error("resolving a resolved conflict again was accepted")
	}
	resolution := a.outbox(t, seq)
	if len(resolution) != 1 || resolution[0].ID != y.ID {
		t.Fatalf("the resolution queued %+v, want one change to %s", resolution, y.ID)
	}
	b.apply(t, resolution)
	for _, r := range []*peer{a, b} {
		if cs, err := r.desk.Conflicts(); err != nil || len(cs) != 0 {
			t.Errorf("%s still has conflicts %+v %v", r.name, cs, err)
		}
		kept, err := r.desk.Appointment(x.ID)
		must(t, err)
		gone, err := r.desk.Appointment(y.ID)
		must(t, err)
		if kept.Status != core.ApptBooked {
			t.Errorf("%s: the kept appointment is %s", r.name, kept.Status)
		}
		if gone.Status != core.ApptCancelled || !strings.Contains(gone.StatusReason, conflict.ID.Short()) {
			t.Errorf("%s: the other appointment is %s (%q), want cancelled naming the conflict", r.name, gone.Status, gone.StatusReason)
		}
	}
	sameExport(t, a, b)
	// B's copy of the resolution goes nowhere: B wrote nothing new.
	if got := b.outbox(t, 0); len(got) != len(fromB) {
		t.Errorf("B's outbox grew from %d to %d by merging", len(fromB), len(got))
	}
}
