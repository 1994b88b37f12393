package client

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"medisecure/store"
)

// Status is what the client knows of its link and of the last sync, for
// the status bar. New fields keep their zero value meaning "nothing to
// report".
type Status struct {
	// Online is true when the last call reached the server, whatever the
	// server answered.
	Online bool
	// LastContact is when a call last reached the server.
	LastContact time.Time
	// LastSync is when SyncOnce last completed.
	LastSync time.Time
	// Err is the error of the last SyncOnce, nil after a success.
	Err error
	// Synced is true only when the last SyncOnce completed, the server
	// holds every local change, nothing is quarantined or missing, and
	// the clocks agree.
	Synced bool
	// State says in one line where sync stands, for a person: "synced",
	// or each thing in the way ("refused: …", "server lost 3 changes;
	// restored them", "quarantined 2 (clinic sync quarantine)", "clock
	// off by 12m0s", …). It is "" before the first SyncOnce.
	State string
	// Pending counts local changes the server has not acknowledged.
	Pending int
	// Quarantined counts the changes and batches refused from sync.
	Quarantined int
	// Restored counts the changes the last sync handed back to a server
	// that had lost them.
	Restored int
	// Missing counts changes the server lists but could not hand over
	// intact.
	Missing int
	// ClockOffset is this workstation's clock less the server's, as the
	// last sync measured it.
	ClockOffset time.Duration
}

// maxAhead is the skew bound the store's clock applies.
func (c *Client) maxAhead() time.Duration { return c.s.DB().MaxClockAhead() }

// describe fills the status from a sync's outcome.
func (s *Status) describe(rep Report, st store.Status, bound time.Duration) {
	s.Pending, s.Quarantined, s.Restored, s.Missing, s.ClockOffset = st.Pending, rep.Quarantined, rep.Restored, rep.Missing, rep.ClockOffset
	s.Synced, s.State = Describe(s.Err, rep, st, bound)
}

// Describe says in one line where sync stands after a sync that ended
// with err and reported rep, with the store in state st; bound is the
// clock skew bound. It reports synced only when nothing stands in the
// way.
func Describe(err error, rep Report, st store.Status, bound time.Duration) (bool, string) {
	return Summarize(Outcome(err, rep, bound), st)
}

// Outcome is what a sync that ended with err and reported rep found,
// for the store to keep (store.Session.MarkOutcome).
func Outcome(err error, rep Report, bound time.Duration) store.SyncOutcome {
	var o store.SyncOutcome
	if err != nil {
		o.Problems = append(o.Problems, failure(err))
	}
	if rep.Missing > 0 {
		o.Problems = append(o.Problems, fmt.Sprintf("the server lists %d changes it cannot hand over intact; waiting for a workstation that keeps them", rep.Missing))
	}
	if off := rep.ClockOffset.Abs(); off > bound {
		dir := "ahead of"
		if rep.ClockOffset < 0 {
			dir = "behind"
		}
		o.Problems = append(o.Problems, fmt.Sprintf("clock off by %s (%s the server's): set this workstation's clock", off.Round(time.Second), dir))
	}
	if rep.Restored > 0 {
		o.Notes = append(o.Notes, fmt.Sprintf("server lost %d changes; restored them", rep.Restored))
	}
	if rep.Reenrolled {
		o.Notes = append(o.Notes, "the server had forgotten this workstation; added it again")
	}
	return o
}

// Summarize says in one line where sync stands from what the last sync
// found and the store's state: "synced" only when nothing stands in the
// way (not even changes pending or quarantined).
func Summarize(o store.SyncOutcome, st store.Status) (bool, string) {
	parts := append([]string(nil), o.Problems...)
	if st.Quarantined > 0 {
		parts = append(parts, fmt.Sprintf("quarantined %d (an admin lists them with clinic sync quarantine)", st.Quarantined))
	}
	if st.Pending > 0 && len(o.Problems) == 0 {
		parts = append(parts, fmt.Sprintf("%d changes not yet acknowledged by the server", st.Pending))
	}
	synced := len(parts) == 0
	if synced {
		parts = append(parts, "synced")
	}
	return synced, strings.Join(append(parts, o.Notes...), "; ")
}

// failure names what stopped a sync.
func failure(err error) string {
	msg := strings.TrimPrefix(err.Error(), "client: ")
	switch {
	case errors.Is(err, ErrUnreachable):
		return "offline: " + msg
	case errors.Is(err, ErrRefused), errors.Is(err, ErrNotRegistered):
		return "refused: " + msg
	}
	return "stuck: " + msg
}
