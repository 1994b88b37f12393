package store

import (
	"fmt"
	"maps"
	"slices"
	"sort"

	"medisecure/core"
)

// Outgoing is a patient notification handed to a delivery adapter: what
// to send, the address it goes to (read from the patient's record at the
// moment of sending), and which attempt this is.
type Outgoing struct {
	Notification core.Notification
	To           string
	Attempt      int
}

// DeliveryResult is what a gateway answered to one attempt.
type DeliveryResult struct {
	Delivered bool
	// Permanent is a refusal no retry can mend (a rejected address, a
	// refused login).
	Permanent bool
	// Detail is the gateway's message ID, or what went wrong.
	Detail string
}

// DueNotifications returns the patient notifications to try now (pending,
// their time come, their retry wait over), oldest first. Only the sending
// device has any: elsewhere it is ErrNotSender.
func (s *Session) DueNotifications() ([]core.ID, error) {
	if err := s.authorize(core.ActUpdate, core.KindNotification); err != nil {
		return nil, err
	}
	var out []core.ID
	err := s.view(func(t *txn) error {
		if _, err := t.senderConfig(); err != nil {
			return err
		}
		return t.eachNotification(func(n *core.Notification) error {
			if n.Channel != core.ChannelInApp && n.Status == core.NotificationPending && !n.NotBefore.After(t.now) && !n.NextAttempt.After(t.now) {
				out = append(out, n.ID)
			}
			return nil
		})
	})
	return out, err
}

// eachNotification calls fn for every live notification.
func (t *txn) eachNotification(fn func(*core.Notification) error) error {
	return t.each(core.KindNotification, func(rec *core.Record) error {
		var n core.Notification
		if err := rec.Decode(&n); err != nil {
			return err
		}
		if n.Deleted {
			return nil
		}
		return fn(&n)
	})
}

// BeginDelivery starts an attempt, in one transaction: it checks again that
// this is the sending device, that the notification is still due, that
// what it speaks of still stands (an appointment neither moved nor
// cancelled, a video session not cancelled) and, in core, that the patient
// still agrees to the channel; then it marks the notification sent and
// appends the attempt's start. The start is committed before any gateway
// is called, so a workstation that stops mid-send leaves it at sent and
// never sends it again on its own. A notification that no longer stands
// comes back cancelled, with the reason, and must not be sent.
func (s *Session) BeginDelivery(id core.ID) (Outgoing, error) {
	var out Outgoing
	err := s.update(func(t *txn) error {
		if _, err := t.senderConfig(); err != nil {
			return err
		}
		n := &out.Notification
		if err := t.get(id, n); err != nil {
			return err
		}
		if n.Channel == core.ChannelInApp || n.Status != core.NotificationPending || n.NotBefore.After(t.now) || n.NextAttempt.After(t.now) {
			return fmt.Errorf("%w: notification %s is %s, not due", core.ErrInvalid, id, n.Status)
		}
		var p core.Patient
		if err := t.get(n.PatientID, &p); err != nil {
			return err
		}
		why, err := t.noLongerStands(n, p)
		if err != nil {
			return err
		}
		if why != "" {
			n.Status, n.LastError = core.NotificationCancelled, why
			return t.save(n)
		}
		out.To = p.Phone
		if n.Channel == core.ChannelEmail {
			out.To = p.Email
		}
		n.Attempts++
		n.Status, n.SentBy = core.NotificationSent, s.db.dev.ID
		out.Attempt = n.Attempts
		if err := t.save(n); err != nil {
			return err
		}
		return t.create(&core.Delivery{Meta: core.Meta{ID: core.DeliveryID(n.ID, n.Attempts, core.DeliveryStarted)}, NotificationID: n.ID, Attempt: n.Attempts, Step: core.DeliveryStarted, Device: s.db.dev.ID, At: t.now.UTC()})
	})
	return out, err
}

// noLongerStands says why a notification must not go out now, or "".
func (t *txn) noLongerStands(n *core.Notification, p core.Patient) (string, error) {
	history, err := t.consentHistory(p.ID)
	if err != nil {
		return "", err
	}
	if err := core.CheckContact(p, history, core.DateOf(t.now, t.s.db.zone), n.Channel); err != nil {
		return "not sent: " + trimPrefix(err), nil
	}
	if n.Ref != "" && n.Purpose == core.PurposeTelemedicine {
		var ts core.Telesession
		if err := t.get(n.Ref, &ts); err != nil || ts.Status == core.TelesessionCancelled || ts.Status == core.TelesessionEnded {
			return "not sent: the video session is cancelled or over", nil
		}
	}
	if n.AppointmentID == "" || n.Purpose == core.PurposeCancellation {
		return "", nil
	}
	var a core.Appointment
	if err := t.get(n.AppointmentID, &a); err != nil {
		return "not sent: the appointment was removed", nil
	}
	switch {
	case a.Status == core.ApptCancelled:
		return "not sent: the appointment was cancelled", nil
	case !a.Start.Equal(n.About):
		return "not sent: the appointment moved", nil
	case n.Purpose == core.PurposeReminder && !a.Start.After(t.now):
		return "not sent: the appointment has begun", nil
	}
	return "", nil
}

// FinishDelivery records what the gateway answered to an attempt
// BeginDelivery started: delivered; failed for good (a permanent refusal,
// or the last attempt allowed); or failed for now, to be tried again after
// core.RetryDelay. Each result is an append-only delivery record beside
// the attempt's start.
func (s *Session) FinishDelivery(id core.ID, attempt int, res DeliveryResult) (core.Notification, error) {
	var n core.Notification
	err := s.update(func(t *txn) error {
		if err := t.get(id, &n); err != nil {
			return err
		}
		if n.Status != core.NotificationSent || n.Attempts != attempt {
			return fmt.Errorf("%w: notification %s is %s at attempt %d, not sending attempt %d", core.ErrInvalid, id, n.Status, n.Attempts, attempt)
		}
		step := core.DeliveryDelivered
		switch {
		case res.Delivered:
			n.Status, n.LastError = core.NotificationDelivered, ""
		case res.Permanent || attempt >= core.MaxDeliveryAttempts:
			step = core.DeliveryFailed
			n.Status, n.LastError = core.NotificationFailed, clip(res.Detail, 500)
		default:
			step = core.DeliveryRetry
			n.Status, n.LastError = core.NotificationPending, clip(res.Detail, 500)
			n.NextAttempt = t.now.Add(core.RetryDelay(attempt)).UTC()
		}
		if n.LastError == "" && n.Status == core.NotificationFailed {
			n.LastError = "the gateway refused it"
		}
		if err := t.save(&n); err != nil {
			return err
		}
		return t.create(&core.Delivery{Meta: core.Meta{ID: core.DeliveryID(id, attempt, step)}, NotificationID: id, Attempt: attempt, Step: step, Device: s.db.dev.ID, At: t.now.UTC(), Detail: clip(res.Detail, 500)})
	})
	return n, err
}

// NotificationView is a patient notification as the desk follows it: the
// notification, the patient's name, and every step of every attempt.
type NotificationView struct {
	core.Notification
	PatientName string          `json:"patient_name"`
	Deliveries  []core.Delivery `json:"deliveries"`
}

// PatientNotifications lists the patient notifications (SMS and e-mail),
// newest first, with their delivery steps in order. It names the patients,
// so each one listed gets an access-log entry.
func (s *Session) PatientNotifications() ([]NotificationView, error) {
	if err := s.authorize(core.ActRead, core.KindNotification); err != nil {
		return nil, err
	}
	var out []NotificationView
	err := s.update(func(t *txn) error {
		steps := map[core.ID][]core.Delivery{}
		err := t.each(core.KindDelivery, func(rec *core.Record) error {
			var d core.Delivery
			if err := rec.Decode(&d); err != nil {
				return err
			}
			steps[d.NotificationID] = append(steps[d.NotificationID], d)
			return nil
		})
		if err != nil {
			return err
		}
		names := map[core.ID]string{}
		err = t.eachNotification(func(n *core.Notification) error {
			if n.Channel == core.ChannelInApp {
				return nil
			}
			if _, ok := names[n.PatientID]; !ok {
				var p core.Patient
				if t.get(n.PatientID, &p) == nil {
					names[n.PatientID] = p.Name
				}
			}
			d := steps[n.ID]
			sort.Slice(d, func(i, j int) bool {
				if d[i].Attempt != d[j].Attempt {
					return d[i].Attempt < d[j].Attempt
				}
				return d[i].At.Before(d[j].At) || (d[i].At.Equal(d[j].At) && d[i].Step == core.DeliveryStarted)
			})
			out = append(out, NotificationView{Notification: *n, PatientName: names[n.PatientID], Deliveries: d})
			return nil
		})
		if err != nil {
			return err
		}
		for _, p := range slices.Sorted(maps.Keys(names)) {
			if err := t.logAccess(p, core.AccessView, "patient notifications status"); err != nil {
				return err
			}
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, err
}

// cancelQueued cancels the patient's notifications on channel that have
// not gone out (pending or failed), with the reason: a withdrawn consent
// stops what is already queued.
func (t *txn) cancelQueued(patient core.ID, channel core.Channel, reason string) error {
	var stop []core.Notification
	err := t.eachNotification(func(n *core.Notification) error {
		if n.PatientID == patient && n.Channel == channel && (n.Status == core.NotificationPending || n.Status == core.NotificationFailed) {
			stop = append(stop, *n)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := range stop {
		stop[i].Status, stop[i].LastError = core.NotificationCancelled, reason
		if err := t.save(&stop[i]); err != nil {
			return err
		}
	}
	return nil
}
