package store

import (
	"time"

	"medisecure/core"
)

// patientChannels are the channels that reach a patient, in the order
// notices are queued.
var patientChannels = []core.Channel{core.ChannelSMS, core.ChannelEmail}

// notice is one patient notification to queue: what it is about and the
// values its template is filled with.
type notice struct {
	purpose   core.Purpose
	appt      *core.Appointment
	tele      *core.Telesession
	link      string
	notBefore time.Time
}

// queueNotices writes the notice, once per channel the patient agreed to
// and the clinic has a gateway for, from the clinic's template. Its ID is
// made of the appointment (or session), the purpose, the channel and the
// start spoken of, so the same notice queued on two workstations merges
// into one record. Without a notification setup it writes nothing.
func (t *txn) queueNotices(n notice) (int, error) {
	cfg, ok, err := t.notifyConfig()
	if err != nil || !ok {
		return 0, err
	}
	var about core.ID
	var start time.Time
	var doctor string
	var patientID core.ID
	switch {
	case n.tele != nil:
		about, start, doctor, patientID = n.tele.ID, n.tele.ScheduledAt, n.tele.Doctor, n.tele.PatientID
	default:
		about, start, doctor, patientID = n.appt.ID, n.appt.Start, n.appt.Doctor, n.appt.PatientID
	}
	var p core.Patient
	if err := t.get(patientID, &p); err != nil {
		return 0, err
	}
	history, err := t.consentHistory(p.ID)
	if err != nil {
		return 0, err
	}
	today := core.DateOf(t.now, t.s.db.zone)
	local := start.In(t.s.db.zone)
	subject, body := cfg.TemplateFor(n.purpose).Render(map[string]string{
		"patient": p.Name, "clinic": t.s.db.org.Name, "doctor": t.displayName(doctor),
		"date": local.Format("Monday 2 January 2006"), "time": local.Format("15:04"), "link": n.link,
	})
	queued := 0
	for _, ch := range patientChannels {
		if !cfg.Reaches(ch) || core.CheckContact(p, history, today, ch) != nil {
			continue
		}
		id := core.NotificationID(string(about), string(n.purpose), string(ch), start.UTC().Format(time.RFC3339))
		rec, err := t.load(core.KindNotification, id)
		if err != nil {
			return queued, err
		}
		if rec.Exists() {
			continue
		}
		note := core.Notification{
			Meta: core.Meta{ID: id}, PatientID: p.ID, Channel: ch, Purpose: n.purpose,
			Subject: subject, Body: body, Status: core.NotificationPending,
			About: start.UTC(), NotBefore: n.notBefore.UTC(),
		}
		if n.appt != nil {
			note.AppointmentID = n.appt.ID
		}
		if n.tele != nil {
			note.Ref = n.tele.ID
		}
		if err := t.create(&note); err != nil {
			return queued, err
		}
		queued++
	}
	return queued, nil
}

// displayName is how a patient reads a member of staff: their display
// name, or their user name.
func (t *txn) displayName(user string) string {
	if e, err := getEntry(t.tx, user); err == nil && e.User.DisplayName != "" {
		return e.User.DisplayName
	}
	return user
}

// QueueReminders queues the reminders now due: for every booked
// appointment of today and tomorrow that has not begun and whose reminder
// time (the day before at the clinic's hour) has come, one notice per
// channel the patient agreed to. Only the sending device does it; it
// returns how many it queued.
func (s *Session) QueueReminders() (int, error) {
	queued := 0
	err := s.update(func(t *txn) error {
		cfg, err := t.senderConfig()
		if err != nil {
			return err
		}
		today := core.DateOf(t.now, s.db.zone)
		for _, day := range []core.Date{today, today.AddDays(1)} {
			for _, id := range t.dayIDs(day, "") {
				var a core.Appointment
				if err := t.get(id, &a); err != nil {
					continue // tombstoned since it was filed under the day
				}
				due := core.ReminderDue(a.Start, cfg.ReminderHour, s.db.zone)
				if a.Status != core.ApptBooked || !a.Start.After(t.now) || due.After(t.now) {
					continue
				}
				n, err := t.queueNotices(notice{purpose: core.PurposeReminder, appt: &a, notBefore: due})
				if err != nil {
					return err
				}
				queued += n
			}
		}
		return nil
	})
	return queued, err
}

// senderConfig is the setup when this workstation is the sending device,
// or ErrNotConfigured or ErrNotSender.
func (t *txn) senderConfig() (core.NotifyConfig, error) {
	cfg, ok, err := t.notifyConfig()
	switch {
	case err != nil:
		return cfg, err
	case !ok:
		return cfg, ErrNotConfigured
	case cfg.Sender != t.s.db.dev.ID:
		return cfg, &notSenderError{sender: cfg.Sender}
	}
	return cfg, nil
}

// notSenderError names the device that does send.
type notSenderError struct{ sender string }

func (e *notSenderError) Error() string {
	return "store: this workstation does not send notifications; device " + e.sender + " does (clinic notify config on another workstation moves the sending there)"
}

// Unwrap lets errors.Is(err, ErrNotSender) match.
func (e *notSenderError) Unwrap() error { return ErrNotSender }
