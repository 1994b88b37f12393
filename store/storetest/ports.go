package storetest

import (
	"sync"
	"testing"
	"time"

	"medisecure/core"
)

// Patients registers, finds, opens and edits patients.
type Patients interface {
	AddPatient(p core.Patient) (core.Patient, error)
	UpdatePatient(p core.Patient) (core.Patient, error)
	Patient(id core.ID, reason string) (core.Patient, error)
	FindPatients(text string, limit int) ([]core.Patient, error)
	LikelyDuplicates(name string, dob core.Date) ([]core.Patient, error)
}

// Visits lists a patient's appointments.
type Visits interface {
	PatientAppointments(patient core.ID) ([]core.Appointment, error)
}

// Appointments books, moves and steps appointments through their statuses.
type Appointments interface {
	CheckSlot(a core.Appointment) error
	Book(a core.Appointment) (core.Appointment, error)
	Move(id core.ID, start time.Time, minutes int, room string) (core.Appointment, error)
	SetStatus(id core.ID, to core.AppointmentStatus, reason string) (core.Appointment, error)
	Appointment(id core.ID) (core.Appointment, error)
	Appointments(day core.Date, doctor string) ([]core.Appointment, error)
}

// Schedules reads and sets doctors' working hours.
type Schedules interface {
	Doctors() ([]core.User, error)
	Schedule(doctor string) (core.Schedule, error)
	SetSchedule(sc core.Schedule) (core.Schedule, error)
}

// Env is one fresh clinic for one test: what an implementation offers of
// it. Ports left nil skip the groups that need them.
type Env struct {
	// Zone is the clinic's time zone; the suite writes every wall time in
	// it.
	Zone *time.Location
	// Doctor is a doctor of the clinic with no working hours yet.
	Doctor string
	// Desk is a receptionist's session, as each port.
	Patients     Patients
	Visits       Visits
	Appointments Appointments
	// Schedules is a session that may set Doctor's hours (an admin's or
	// the doctor's own).
	Schedules Schedules
	// Clinician is Doctor's own session, for the chart; DeskCharts is the
	// receptionist's session as the same port (it must be refused).
	Clinician  Charts
	DeskCharts Charts
	// Billing is a billing clerk's session; NewInvoice issues, as the
	// implementation can, an invoice of one untaxed line of minor units
	// of EUR to a patient and returns its ID.
	Billing    Billing
	NewInvoice func(t testing.TB, patient core.ID, minor int64) core.ID
	// DeskBilling is the receptionist's session as the billing port: it
	// reads no invoice, payment or cash-up, and takes payments naming the
	// patient and the invoice's number or the visit.
	DeskBilling Billing
}

// Open makes a fresh clinic whose clock reads clock.
type Open func(t testing.TB, clock *Clock) Env

// Clock is the clinic's wall clock, set by the suite. Implementations read
// it through Now (a store takes it as Options.Now).
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the time the clock shows.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Charts reads a patient's chart and writes its clinical records, as a
// clinician (the chart screen's port).
type Charts interface {
	Chart(patient core.ID, reason string) (core.Chart, error)
	AddAllergy(a core.Allergy) (core.Allergy, error)
	SaveProblem(p core.Problem) (core.Problem, error)
	SaveDraft(d core.NoteDraft) (core.NoteDraft, error)
	SignNote(id core.ID) (core.Note, error)
	AddAddendum(note core.ID, text string) (core.Addendum, error)
	AddVitals(patient core.ID, takenAt time.Time, readings []core.Reading) ([]core.Vital, error)
}

// Billing takes payments and refunds against invoices and adds up the
// day, as a billing clerk (the billing screen's port).
type Billing interface {
	Invoice(id core.ID) (core.InvoiceView, error)
	Pay(p core.Payment) (core.Payment, error)
	Refund(payment core.ID, amount core.Money, reason string) (core.Payment, error)
	Account(patient core.ID) (core.PatientAccount, error)
	DayEnd(day core.Date) (core.CashUp, error)
}
