package tui

import (
	"time"

	"medisecure/core"
)

// Backend opens sessions. The store satisfies it; so does any test double.
type Backend interface {
	// Login checks a user's passphrase and returns their session. It returns
	// an error wrapping core.ErrAuth for a wrong user or passphrase, and a
	// *core.LockedError while the user is locked out after repeated failures.
	Login(user, passphrase string) (Session, error)
}

// Session is one logged-in user's view of the store. Every method checks
// permissions in core and returns an error wrapping core.ErrDenied when the
// user's role may not do it; reads of a patient's data write an access-log
// entry.
type Session interface {
	// Principal is who is logged in.
	Principal() core.Principal
	// Zone is the clinic's time zone; times are stored in UTC.
	Zone() *time.Location

	// FindPatients returns up to limit patients whose name, phone or date of
	// birth contains text (case- and accent-insensitive), best matches first.
	FindPatients(text string, limit int) ([]core.Patient, error)
	// Patient opens one patient's record; reason goes to the access log.
	Patient(id core.ID, reason string) (core.Patient, error)
	// AddPatient registers a patient and returns it with ID and times set.
	// Validation errors are *core.ValidationError.
	AddPatient(p core.Patient) (core.Patient, error)
	// PatientNames returns the names of the given patients from the search
	// index, for lists such as the day schedule; the store logs one access
	// entry for the list.
	PatientNames(ids []core.ID) (map[core.ID]string, error)
	// LikelyDuplicates lists patients with the same name (ignoring case and
	// accents) and date of birth.
	LikelyDuplicates(name string, dob core.Date) ([]core.Patient, error)

	// Doctors lists the users with the doctor role, by name.
	Doctors() ([]core.User, error)
	// Schedule returns a doctor's working hours.
	Schedule(doctor string) (core.Schedule, error)
	// Appointments lists the appointments of a day in the clinic's zone, for
	// one doctor or, when doctor is "", for all, ordered by start then doctor.
	Appointments(day core.Date, doctor string) ([]core.Appointment, error)
	// Appointment returns one appointment by ID, such as either side of a
	// conflict.
	Appointment(id core.ID) (core.Appointment, error)
	// CheckSlot reports, without writing, whether a booking would clash: nil,
	// or a *core.ClashError with the next free slot.
	CheckSlot(a core.Appointment) error
	// Book saves a new appointment (status booked), or returns a
	// *core.ClashError without writing.
	Book(a core.Appointment) (core.Appointment, error)
	// Move reschedules an appointment, or returns a *core.ClashError.
	Move(id core.ID, start time.Time, minutes int, room string) (core.Appointment, error)
	// SetStatus moves an appointment through its status machine (check in,
	// start, complete, no-show, cancel with a reason); an illegal step is a
	// *core.TransitionError.
	SetStatus(id core.ID, to core.AppointmentStatus, reason string) (core.Appointment, error)

	// Notes returns a patient's clinical notes, newest first (doctors and
	// nurses only).
	Notes(patient core.ID) ([]core.Note, error)

	// Conflicts lists open conflicts, oldest first.
	Conflicts() ([]core.Conflict, error)
	// ResolveConflict keeps one appointment of a conflict and cancels the
	// other with a reason, or moves it to moveTo when that is not zero.
	ResolveConflict(id, keep core.ID, moveTo time.Time) error

	// SyncStatus is the honest state of sync for the status bar.
	SyncStatus() SyncStatus
}

// SyncStatus is what the status bar shows about sync. Synced means the
// server acknowledged every local change, never merely that it was sent.
type SyncStatus struct {
	Online bool
	// Pending counts local changes the server has not acknowledged.
	Pending int
	// LastAck is the highest local sequence the server acknowledged.
	LastAck uint64
	// LastPull is when the last pull completed; zero when never.
	LastPull time.Time
	// Conflicts counts open conflicts.
	Conflicts int
}
