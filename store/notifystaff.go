package store

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"medisecure/core"
)

// documentNoticeAge is how long a newly filed document is announced.
const documentNoticeAge = 7 * 24 * time.Hour

// StaffNotifications lists what waits for the session's user in the app,
// newest first, as in-app notifications (core.ChannelInApp, Recipient the
// user): messages they have not read, refill requests waiting for a
// doctor's decision, open conflicts, documents filed in the last week
// (for clinicians), and patient notifications that failed (for those who
// keep them). They are worked out from the records each time, not stored,
// so reading the message or settling the conflict clears them on every
// workstation without a second record to sync. The lines carry no patient
// data, so the status bar may count them without an access-log entry.
func (s *Session) StaffNotifications() ([]core.Notification, error) {
	me := s.user.Name
	var out []core.Notification
	add := func(p core.Purpose, ref, patient core.ID, at time.Time, subject string) {
		out = append(out, core.Notification{
			Meta: core.Meta{ID: core.NotificationID("in_app", me, string(p), string(ref)), CreatedAt: at}, Recipient: me,
			Channel: core.ChannelInApp, Purpose: p, Ref: ref, PatientID: patient, Subject: subject, Status: core.NotificationPending,
		})
	}
	can := func(a core.Action, k core.Kind) bool { return s.authorize(a, k) == nil }
	err := s.view(func(t *txn) error {
		if can(core.ActRead, core.KindMessage) {
			readers, err := t.receipts()
			if err != nil {
				return err
			}
			err = t.each(core.KindMessage, func(rec *core.Record) error {
				var m core.Message
				if err := rec.Decode(&m); err != nil {
					return err
				}
				if m.Deleted || !slices.Contains(m.To, me) || slices.Contains(readers[m.ID], me) {
					return nil
				}
				add(core.PurposeMessage, m.ID, "", m.CreatedAt, "Unread message from "+m.From)
				return nil
			})
			if err != nil {
				return err
			}
		}
		if can(core.ActUpdate, core.KindRefill) {
			err := t.each(core.KindRefill, func(rec *core.Record) error {
				var r core.Refill
				if err := rec.Decode(&r); err != nil {
					return err
				}
				if !r.Deleted && r.Status == core.RefillRequested {
					add(core.PurposeRefill, r.ID, r.PatientID, r.CreatedAt, "Refill request waiting for approval (asked by "+r.RequestedBy+")")
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		if can(core.ActRead, core.KindConflict) {
			err := t.each(core.KindConflict, func(rec *core.Record) error {
				var c core.Conflict
				if err := rec.Decode(&c); err != nil {
					return err
				}
				if !c.Deleted && c.Status == core.ConflictOpen {
					add(core.PurposeConflict, c.ID, "", c.CreatedAt, conflictLine(c))
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		if can(core.ActRead, core.KindDocument) {
			err := t.each(core.KindDocument, func(rec *core.Record) error {
				var d core.Document
				if err := rec.Decode(&d); err != nil {
					return err
				}
				if !d.Deleted && t.now.Sub(d.CreatedAt) < documentNoticeAge && d.CreatedBy != me {
					add(core.PurposeDocument, d.ID, d.PatientID, d.CreatedAt, "New document filed by "+d.CreatedBy)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		if can(core.ActUpdate, core.KindNotification) {
			return t.eachNotification(func(n *core.Notification) error {
				if n.Channel != core.ChannelInApp && n.Status == core.NotificationFailed {
					add(n.Purpose, n.ID, "", n.UpdatedAt, fmt.Sprintf("%s %s to a patient failed; see clinic notify status", channelWord[n.Channel], n.Purpose))
				}
				return nil
			})
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, err
}

// channelWord names a channel in a sentence.
var channelWord = map[core.Channel]string{core.ChannelSMS: "SMS", core.ChannelEmail: "E-mail"}

// conflictLine says what a conflict is about, without patient data.
func conflictLine(c core.Conflict) string {
	switch c.On {
	case core.ConflictOnInvoice:
		return "Conflict: an invoice paid twice over"
	case core.ConflictOnRefill:
		return "Conflict: a refill approved twice"
	}
	return "Conflict: a double booking (" + c.On + ")"
}
