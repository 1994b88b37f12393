package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	"medisecure/core"
)

// One change a receiver refuses is quarantined; the rest of the batch, and
// every later one, merges.
func TestRefusedChangeIsQuarantinedNotBlocking(t *testing.T) {
	a, b, _ := twoPeers(t)
	p, err := a.desk.AddPatient(core.Patient{Name: "Ann Smith", DOB: "1990-01-02"})
	must(t, err)
	changes := a.outbox(t, 0)
	forged := changes[len(changes)-1]
	forged.Author, forged.Seq = "mallory", forged.Seq+1
	forged.ID = fakeID(7)
	res, err := b.desk.ApplyRemote(append(changes, forged), 3)
	if err != nil || res.Quarantined != 1 {
		t.Fatalf("apply: quarantined %d, %v; want 1 quarantined, no error", res.Quarantined, err)
	}
	if _, err := b.desk.Patient(p.ID, ""); err != nil {
		t.Fatalf("the good changes beside the refused one: %v", err)
	}
	if st := b.state(t); st.Quarantined != 1 || st.Cursor != 3 {
		t.Fatalf("state: %d quarantined, cursor %d; want 1 and 3", st.Quarantined, st.Cursor)
	}
	q, err := b.admin.Quarantine()
	if err != nil || len(q) != 1 || q[0].Change == nil || q[0].Change.ID != forged.ID || !strings.Contains(q[0].Reason, `"mallory" is not in the directory`) {
		t.Fatalf("Quarantine: %+v, %v", q, err)
	}
	if _, err := b.desk.Quarantine(); !errors.Is(err, core.ErrDenied) {
		t.Fatalf("reception lists the quarantine: %v", err)
	}
	if _, err := b.admin.Patient(forged.ID, ""); err == nil {
		t.Fatal("the quarantined change was applied")
	}
	// Later pulls are not blocked, and trying again does not let it in.
	_, err = a.desk.AddPatient(core.Patient{Name: "Bob Jones", DOB: "1980-05-06"})
	must(t, err)
	b.apply(t, a.outbox(t, uint64(len(changes))))
	if rel, err := b.desk.ReleaseQuarantine(); err != nil || rel.Applied != 0 || b.state(t).Quarantined != 1 {
		t.Fatalf("release: %+v, %v", rel, err)
	}
}

// A change stamped far ahead of the receiver's clock (a workstation whose
// clock runs in 2099) is quarantined with what is wrong, does not drag the
// receiver's clock, and cannot override a later edit; within the bound a
// change merges.
func TestRemoteClockAheadIsQuarantined(t *testing.T) {
	a, b, clk := twoPeers(t)
	p, err := a.desk.AddPatient(core.Patient{Name: "Ann Smith", DOB: "1990-01-02"})
	must(t, err)
	b.apply(t, a.outbox(t, 0))
	n := uint64(len(a.outbox(t, 0)))
	p.Phone = "555-2099"
	_, err = a.desk.UpdatePatient(p)
	must(t, err)
	future := a.outbox(t, n)
	in2099 := core.MakeHLC(time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), 0)
	for i := range future {
		future[i].HLC = in2099
		future[i].Sign(a.desk.keys.sign, future[i].Prev) // signed as stamped: only the clock is wrong
	}
	res := b.apply(t, future)
	if res.Quarantined != len(future) || res.Applied != 0 {
		t.Fatalf("a change from 2099: applied %d, quarantined %d", res.Applied, res.Quarantined)
	}
	if last := b.db.clock.Last(); last.WallMS() > clk.t.UnixMilli()+1000 {
		t.Fatalf("the receiver's clock moved to %v", last)
	}
	q, err := b.admin.Quarantine()
	if err != nil || len(q) == 0 || !strings.Contains(q[0].Reason, "the clock of device "+a.db.DeviceID()+" is ") || !strings.Contains(q[0].Reason, "ahead") {
		t.Fatalf("Quarantine: %+v, %v", q, err)
	}
	// A later edit here stands.
	clk.t = clk.t.Add(time.Minute)
	mine, err := b.desk.Patient(p.ID, "")
	must(t, err)
	mine.Phone = "555-0100"
	_, err = b.desk.UpdatePatient(mine)
	must(t, err)
	if got, err := b.desk.Patient(p.ID, ""); err != nil || got.Phone != "555-0100" {
		t.Fatalf("the later edit: %+v, %v", got, err)
	}
	// Five minutes ahead is within the bound.
	p.Phone = "555-0105"
	_, err = a.desk.UpdatePatient(p)
	must(t, err)
	soon := a.outbox(t, n+uint64(len(future)))
	for i := range soon {
		soon[i].HLC = core.MakeHLC(clk.t.Add(5*time.Minute).UnixMilli(), uint16(i))
		soon[i].Sign(a.desk.keys.sign, soon[i].Prev)
	}
	if res := b.apply(t, soon); res.Quarantined != 0 || res.Applied == 0 {
		t.Fatalf("a change 5 minutes ahead: applied %d, quarantined %d", res.Applied, res.Quarantined)
	}
}
