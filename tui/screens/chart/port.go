package chart

import (
	"time"

	"medisecure/core"
)

// Port is what the chart needs of a session. Every read writes an
// access-log entry with the reason given.
type Port interface {
	MedsPort
	// Chart opens a patient's whole chart; reason goes to the access log.
	// Roles without clinical rights get an error wrapping core.ErrDenied,
	// a clinician without a care relationship core.ErrNoRelationship.
	Chart(patient core.ID, reason string) (core.Chart, error)
	// AddAllergy records an allergy, or with NoneKnown "no known
	// allergies"; the latter over listed allergies is refused.
	AddAllergy(a core.Allergy) (core.Allergy, error)
	// SaveProblem puts a problem on the patient's list (no ID), or
	// resolves one or makes it active again (its new Status).
	SaveProblem(p core.Problem) (core.Problem, error)
	// BreakGlass opens the chart of a patient outside a care relationship
	// for a while; the reason is logged for review.
	BreakGlass(patient core.ID, reason string) (time.Time, error)
	// SaveDraft writes the user's note draft (new when it has no ID) and
	// returns it as stored.
	SaveDraft(d core.NoteDraft) (core.NoteDraft, error)
	// SignNote turns the user's draft into a signed, append-only note.
	SignNote(id core.ID) (core.Note, error)
	// AddAddendum adds text to a signed note.
	AddAddendum(note core.ID, text string) (core.Addendum, error)
	// AddVitals records one set of readings (BMI derived); readings out
	// of their plausible range are a *core.ValidationError.
	AddVitals(patient core.ID, takenAt time.Time, readings []core.Reading) ([]core.Vital, error)
}

// MedsPort is what the medications and reminders tabs need of a session.
type MedsPort interface {
	// CancelPrescription stops an active prescription; the reason is
	// required and saved with it.
	CancelPrescription(id core.ID, reason string) (core.Prescription, error)
	// RequestRefill asks a doctor to refill drug number drugIndex of a
	// prescription.
	RequestRefill(rx core.ID, drugIndex int) (core.Refill, error)
	// AddReminder reminds the patient to take a prescription at times of
	// day (HH:MM).
	AddReminder(rx core.ID, times []string) (core.Reminder, error)
	// RecordAdherence records the latest dose due as taken, missed or
	// late.
	RecordAdherence(reminder core.ID, outcome string) (core.Adherence, error)
}
