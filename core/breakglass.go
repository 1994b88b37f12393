package core

import "time"

// ErrNoRelationship is returned when a clinician opens the chart of a
// patient they have no care relationship with and has not broken the
// glass.
var ErrNoRelationship = NewError(ClassAuth, "core: no care relationship with this patient; break the glass with a reason to open the chart")

// The care window and the life of a break-the-glass access.
const (
	// CareBefore and CareAfter bound the appointments that make a care
	// relationship: in the past 12 months or the next 30 days.
	CareBefore = 365 * 24 * time.Hour
	CareAfter  = 30 * 24 * time.Hour
	// BreakGlassFor is how long a break-the-glass access lasts.
	BreakGlassFor = 4 * time.Hour
)

// InCare reports whether p has a care relationship with the patient of
// appts at now: a doctor through an appointment of their own, a nurse
// through any appointment, in the care window. Other roles never need
// one (their permissions decide).
func InCare(p Principal, appts []Appointment, now time.Time) bool {
	if p.Role != RoleDoctor && p.Role != RoleNurse {
		return true
	}
	for _, a := range appts {
		if a.Deleted || a.Start.Before(now.Add(-CareBefore)) || a.Start.After(now.Add(CareAfter)) {
			continue
		}
		if p.Role == RoleNurse || a.Doctor == p.User {
			return true
		}
	}
	return false
}
