package tui

import (
	"time"

	"medisecure/core"
)

// envelope addresses a result to the screen that asked for it, so a
// result that arrives after the user moved on still reaches its screen,
// and never a different one.
type envelope struct{ to int }

func (e envelope) addressee() int { return e.to }

// addressed is a message for one screen.
type addressed interface{ addressee() int }

// spinMsg turns the spinner one frame.
type spinMsg struct{}

// tickMsg is the once-a-second tick that drives the idle lock, the sync
// status and the schedule's refresh.
type tickMsg struct{}

// syncStatusMsg carries the session's sync status for the status bar.
type syncStatusMsg struct{ status SyncStatus }

// loginMsg is the result of a login or an unlock.
type loginMsg struct {
	sess   Session
	who    core.Principal
	zone   *time.Location
	err    error
	unlock bool
}

// doneNote is what the schedule shows after a booking or a move: the
// appointment's day, selected, with a note of what was done.
type doneNote struct {
	flash string
	day   core.Date
	appt  core.ID
}

// doctorsMsg carries the doctors and their working hours.
type doctorsMsg struct {
	envelope
	doctors []core.User
	scheds  map[string]core.Schedule
	err     error
}

// dayMsg carries one day's appointments (every doctor), today's for the
// waiting room, and the names of patients not yet known.
type dayMsg struct {
	envelope
	seq   int
	day   core.Date
	appts []core.Appointment
	today []core.Appointment
	names map[core.ID]string
	err   error
}

// weekMsg carries a doctor's week, Monday first.
type weekMsg struct {
	envelope
	seq    int
	doctor string
	start  core.Date
	days   [7][]core.Appointment
	names  map[core.ID]string
	err    error
}

// searchMsg carries the patients found for query number seq.
type searchMsg struct {
	envelope
	seq      int
	patients []core.Patient
	err      error
}

// patientMsg carries a patient opened for viewing.
type patientMsg struct {
	envelope
	patient core.Patient
	err     error
}

// statusMsg is the result of moving an appointment through its statuses.
type statusMsg struct {
	envelope
	appt core.Appointment
	to   core.AppointmentStatus
	err  error
}

// checkMsg is the result of checking a slot before booking; submit is set
// when the user asked to save.
type checkMsg struct {
	envelope
	seq    int
	err    error
	submit bool
}

// bookedMsg is the result of booking or moving an appointment.
type bookedMsg struct {
	envelope
	appt core.Appointment
	err  error
}

// dupMsg lists probable duplicates of a patient about to be registered.
type dupMsg struct {
	envelope
	dups []core.Patient
	err  error
}

// addedMsg is the result of registering a patient.
type addedMsg struct {
	envelope
	patient core.Patient
	err     error
}

// notesMsg carries a patient's clinical notes, or the store's refusal.
type notesMsg struct {
	envelope
	patient core.Patient
	notes   []core.Note
	err     error
}

// conflictsMsg carries the open conflicts with both appointments.
type conflictsMsg struct {
	envelope
	rows []conflictRow
	err  error
}

// resolvedMsg is the result of resolving a conflict.
type resolvedMsg struct {
	envelope
	movedTo time.Time
	err     error
}
