package patient

import "medisecure/core"

// Port is what finding, registering, showing and editing patients needs
// of a session.
type Port interface {
	// FindPatients returns up to limit patients whose name, phone or date of
	// birth contains text, best matches first.
	FindPatients(text string, limit int) ([]core.Patient, error)
	// Patient opens one patient's record; reason goes to the access log.
	Patient(id core.ID, reason string) (core.Patient, error)
	// AddPatient registers a patient; validation errors are
	// *core.ValidationError.
	AddPatient(p core.Patient) (core.Patient, error)
	// UpdatePatient saves a registered patient's changed details.
	UpdatePatient(p core.Patient) (core.Patient, error)
	// LikelyDuplicates lists patients with the same name (ignoring case and
	// accents) and date of birth.
	LikelyDuplicates(name string, dob core.Date) ([]core.Patient, error)
	// PatientAppointments lists a patient's appointments, past and
	// upcoming, by start, and logs the view.
	PatientAppointments(patient core.ID) ([]core.Appointment, error)
}
