package store

import "testing"

// OutboxCount counts the changes Outbox would return within a range of
// sequences, and skips a sequence reserved without a change.
func TestOutboxCount(t *testing.T) {
	f := newFixture(t)
	before, err := f.admin.SyncState()
	must(t, err)
	f.patient(t, "Ann Smith", "1990-01-02", "")
	reserved, err := f.admin.ReserveSeq()
	must(t, err)
	f.patient(t, "Bob Jones", "1980-03-04", "")
	st, err := f.admin.SyncState()
	must(t, err)
	all, err := f.admin.Outbox(0, 1<<20)
	must(t, err)
	for _, r := range []struct{ after, last uint64 }{
		{0, st.LastSeq}, {0, reserved}, {reserved - 1, reserved}, {reserved, st.LastSeq}, {before.LastSeq, st.LastSeq}, {st.LastSeq, st.LastSeq + 5}, {0, 0},
	} {
		want := 0
		for _, c := range all {
			if c.Seq > r.after && c.Seq <= r.last {
				want++
			}
		}
		got, err := f.admin.OutboxCount(r.after, r.last)
		must(t, err)
		if got != want {
			t.Errorf("OutboxCount(%d, %d) = %d, want %d", r.after, r.last, got, want)
		}
	}
	if got, _ := f.admin.OutboxCount(reserved-1, reserved); got != 0 {
		t.Errorf("a reserved sequence counts as %d changes", got)
	}
	must(t, f.admin.Ack(reserved))
	got, err := f.admin.OutboxCount(0, st.LastSeq)
	must(t, err)
	want := 0
	for _, c := range all {
		if c.Seq > reserved {
			want++
		}
	}
	if got != want || got == 0 {
		t.Errorf("after acknowledging %d: %d changes counted, want %d", reserved, got, want)
	}
}
