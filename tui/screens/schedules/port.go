package schedules

import "medisecure/core"

// Port is what setting working hours needs of a session.
type Port interface {
	// Doctors lists the users with the doctor role, by name.
	Doctors() ([]core.User, error)
	// Schedule returns a doctor's working hours, or an error when none are
	// set.
	Schedule(doctor string) (core.Schedule, error)
	// SetSchedule saves a doctor's working hours, slot length and rooms;
	// validation errors are *core.ValidationError.
	SetSchedule(sc core.Schedule) (core.Schedule, error)
}
