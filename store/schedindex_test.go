package store

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// errRollback undoes a test's transaction.
var errRollback = errors.New("rollback")

// scheduleEntries copies every entry of the schedule bucket.
func scheduleEntries(tx *bolt.Tx) map[string]string {
	out := map[string]string{}
	tx.Bucket(bucketSchedule).ForEach(func(k, v []byte) error {
		out[string(k)] = string(v)
		return nil
	})
	return out
}

// TestReindexingAnAppointmentLeavesWhatDeleteAndPutWould checks that
// indexAppointment, which skips the old keys it would put again with the
// same value, leaves exactly the entries of deleting every old key and
// putting every new one, whatever fields of the appointment change.
func TestReindexingAnAppointmentLeavesWhatDeleteAndPutWould(t *testing.T) {
	f := newFixture(t)
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	base := core.Appointment{Meta: core.Meta{ID: "0123456789abcdef01234567"}, PatientID: "aaaaaaaaaaaaaaaaaaaaaaaa",
		Doctor: "drwho", Start: start, Minutes: 30, Room: "R1", Status: core.ApptBooked}
	other := base
	other.ID, other.Start = "fedcba9876543210fedcba98", start.Add(time.Hour)
	changes := map[string]func(a *core.Appointment){
		"nothing":          func(a *core.Appointment) {},
		"reason only":      func(a *core.Appointment) { a.Reason = "follow-up" },
		"status frees":     func(a *core.Appointment) { a.Status = core.ApptCancelled },
		"status keeps":     func(a *core.Appointment) { a.Status = core.ApptCheckedIn },
		"deleted":          func(a *core.Appointment) { a.Deleted = true },
		"longer":           func(a *core.Appointment) { a.Minutes = 45 },
		"later same day":   func(a *core.Appointment) { a.Start = a.Start.Add(2 * time.Hour) },
		"next day":         func(a *core.Appointment) { a.Start = a.Start.Add(24 * time.Hour) },
		"no room":          func(a *core.Appointment) { a.Room = "" },
		"other room":       func(a *core.Appointment) { a.Room = "R2" },
		"other doctor":     func(a *core.Appointment) { a.Doctor = "drno" },
		"other patient":    func(a *core.Appointment) { a.PatientID = "bbbbbbbbbbbbbbbbbbbbbbbb" },
		"everything moves": func(a *core.Appointment) { a.Doctor, a.Room, a.Start = "drno", "", a.Start.Add(48*time.Hour) },
	}
	for name, change := range changes {
		for _, roomless := range []bool{false, true} {
			old := base
			if roomless {
				old.Room = ""
			}
			after := old
			change(&after)
			err := f.db.bolt.Update(func(tx *bolt.Tx) error {
				tn := &txn{tx: tx, s: f.admin, keys: f.db.keys}
				must(t, tn.indexAppointment(nil, &other))
				must(t, tn.indexAppointment(nil, &old))
				want := scheduleEntries(tx)
				for _, k := range append(tn.slotKeys(&old), tn.visitKey(&old)) {
					delete(want, string(k))
				}
				v := slotValue(&after)
				for _, k := range append(tn.slotKeys(&after), tn.visitKey(&after)) {
					want[string(k)] = string(v)
				}
				must(t, tn.indexAppointment(&old, &after))
				got := scheduleEntries(tx)
				if len(got) != len(want) {
					t.Errorf("%s (roomless %v): %d entries, want %d", name, roomless, len(got), len(want))
				}
				for k, v := range want {
					if g, ok := got[k]; !ok || !bytes.Equal([]byte(g), []byte(v)) {
						t.Errorf("%s (roomless %v): entry %x is %x (there %v), want %x", name, roomless, k, g, ok, v)
					}
				}
				return errRollback
			})
			if err != errRollback {
				t.Fatal(err)
			}
		}
	}
}

// BenchmarkReindexUpdatedAppointment files again, in one transaction, 4,000
// appointments whose merged change touched no indexed field (a reason
// edited), as a catch-up of edits does.
func BenchmarkReindexUpdatedAppointment(b *testing.B) {
	f := newFixture(b)
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	appts := make([]core.Appointment, 4000)
	for i := range appts {
		appts[i] = core.Appointment{Meta: core.Meta{ID: core.ID(fmt.Sprintf("%024x", i+1))}, PatientID: core.ID(fmt.Sprintf("%024x", i%500+1)),
			Doctor: fmt.Sprintf("dr%02d", i%64), Start: start.AddDate(0, 0, i/64/32).Add(time.Duration(i/64%32) * 15 * time.Minute), Minutes: 15, Room: fmt.Sprintf("R%d", i%16), Status: core.ApptBooked}
	}
	must(b, f.db.bolt.Update(func(tx *bolt.Tx) error {
		tn := &txn{tx: tx, s: f.admin, keys: f.db.keys}
		for i := range appts {
			must(b, tn.indexAppointment(nil, &appts[i]))
		}
		return nil
	}))
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		must(b, f.db.bolt.Update(func(tx *bolt.Tx) error {
			tn := &txn{tx: tx, s: f.admin, keys: f.db.keys}
			for i := range appts {
				after := appts[i]
				after.Reason = fmt.Sprint(n)
				must(b, tn.indexAppointment(&appts[i], &after))
			}
			return nil
		}))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(appts)), "ns/appointment")
}
