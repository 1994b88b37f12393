package core

import (
	"fmt"
	"strings"
)

// ErrNoRefills is returned when a refill is asked for a drug whose allowed
// refills are all used.
var ErrNoRefills = NewError(ClassValidation, "core: no refills remain")

// ErrNotActive is returned when a refill is asked for on a prescription that
// is completed or cancelled.
var ErrNotActive = NewError(ClassValidation, "core: prescription is not active")

// PrescriptionStatus is whether a prescription is still being taken.
type PrescriptionStatus string

// The prescription statuses.
const (
	PrescriptionActive    PrescriptionStatus = "active"
	PrescriptionCompleted PrescriptionStatus = "completed"
	PrescriptionCancelled PrescriptionStatus = "cancelled"
)

// prescriptionMachine: active → completed | cancelled.
var prescriptionMachine = machine[PrescriptionStatus]{
	kind: KindPrescription,
	next: map[PrescriptionStatus][]PrescriptionStatus{
		PrescriptionActive:    {PrescriptionCompleted, PrescriptionCancelled},
		PrescriptionCompleted: nil,
		PrescriptionCancelled: nil,
	},
}

// CheckTransition returns nil when a prescription may go from s to next, or
// a *TransitionError wrapping ErrTransition.
func (s PrescriptionStatus) CheckTransition(next PrescriptionStatus) error {
	return prescriptionMachine.check(s, next)
}

// ParsePrescriptionStatus checks that s names a prescription status.
func ParsePrescriptionStatus(s string) (PrescriptionStatus, error) {
	c := &checker{kind: KindPrescription}
	prescriptionMachine.checkState(c, "status", PrescriptionStatus(s))
	if err := c.err(); err != nil {
		return "", err
	}
	return PrescriptionStatus(s), nil
}

// Route is how a drug is given.
type Route string

// The routes of administration.
const (
	RouteOral       Route = "oral"
	RouteIV         Route = "iv"
	RouteIM         Route = "im"
	RouteSC         Route = "sc"
	RouteTopical    Route = "topical"
	RouteInhaled    Route = "inhaled"
	RouteRectal     Route = "rectal"
	RouteSublingual Route = "sublingual"
	RouteOther      Route = "other"
)

// Routes lists every route, in the order a form offers them.
var Routes = []Route{RouteOral, RouteIV, RouteIM, RouteSC, RouteTopical, RouteInhaled, RouteRectal, RouteSublingual, RouteOther}

// Valid reports whether r is one of Routes.
func (r Route) Valid() bool {
	for _, x := range Routes {
		if x == r {
			return true
		}
	}
	return false
}

// PrescribedDrug is one line of a prescription: what to take, how much, how
// and how often, and how many times it may be refilled.
type PrescribedDrug struct {
	Drug           string `json:"drug"`
	Dose           string `json:"dose"`
	Route          Route  `json:"route"`
	Frequency      string `json:"frequency"`
	Quantity       int    `json:"quantity"`
	RefillsAllowed int    `json:"refills_allowed"`
	RefillsUsed    int    `json:"refills_used"`
}

// Limits of a prescription line.
const (
	maxQuantity      = 10000
	maxRefills       = 99
	maxPrescribed    = 50
	maxDrugNameChars = 200
)

// validate adds the line's errors to c, each named prefix.field.
func (d *PrescribedDrug) validate(c *checker, prefix string) {
	if c.require(prefix+".drug", d.Drug) {
		c.maxLen(prefix+".drug", d.Drug, maxDrugNameChars)
	}
	if c.require(prefix+".dose", d.Dose) {
		c.maxLen(prefix+".dose", d.Dose, 100)
	}
	if !d.Route.Valid() {
		c.add(prefix+".route", "must be one of oral, iv, im, sc, topical, inhaled, rectal, sublingual, other")
	}
	if c.require(prefix+".frequency", d.Frequency) {
		c.maxLen(prefix+".frequency", d.Frequency, 100)
	}
	if d.Quantity < 1 || d.Quantity > maxQuantity {
		c.add(prefix+".quantity", fmt.Sprintf("must be between 1 and %d", maxQuantity))
	}
	if d.RefillsAllowed < 0 || d.RefillsAllowed > maxRefills {
		c.add(prefix+".refills_allowed", fmt.Sprintf("must be between 0 and %d", maxRefills))
	}
	if d.RefillsUsed < 0 || d.RefillsUsed > max(d.RefillsAllowed, 0) {
		c.add(prefix+".refills_used", fmt.Sprintf("must be between 0 and the refills allowed (%d)", max(d.RefillsAllowed, 0)))
	}
}

// Prescription is what a doctor prescribed a patient, optionally during an
// appointment: one or more drugs, each with its own refills.
type Prescription struct {
	Meta
	PatientID     ID                 `json:"patient_id"`
	Doctor        string             `json:"doctor"`
	AppointmentID ID                 `json:"appointment_id"`
	Medications   []PrescribedDrug   `json:"medications"`
	Status        PrescriptionStatus `json:"status"`
	Notes         string             `json:"notes" text:"multiline"`
	StartDate     Date               `json:"start_date"`
	EndDate       Date               `json:"end_date"`
	// Alerts are the safety-check hits the prescriber overrode and
	// Override the reason given; both are empty when every check passed.
	Alerts   []Alert `json:"alerts"`
	Override string  `json:"override"`
	// StatusReason says why it was cancelled.
	StatusReason string `json:"status_reason"`
}

func init() { register(KindPrescription, func() Entity { return &Prescription{} }) }

// Kind is KindPrescription.
func (*Prescription) Kind() Kind { return KindPrescription }

// Validate checks every field and lists all that are wrong.
func (p *Prescription) Validate() error {
	c := &checker{kind: KindPrescription}
	c.refID("patient", p.PatientID, "a patient")
	c.staff("doctor", p.Doctor)
	c.optRefID("appointment", p.AppointmentID, "an appointment")
	switch n := len(p.Medications); {
	case n == 0:
		c.add("medications", "needs at least one drug")
	case n > maxPrescribed:
		c.add("medications", fmt.Sprintf("must list at most %d drugs", maxPrescribed))
	}
	for i := range p.Medications {
		p.Medications[i].validate(c, fmt.Sprintf("medications[%d]", i))
	}
	prescriptionMachine.checkState(c, "status", p.Status)
	c.maxLen("notes", p.Notes, 2000)
	c.period("start_date", p.StartDate, "end_date", p.EndDate)
	if len(p.Alerts) > 0 && strings.TrimSpace(p.Override) == "" {
		c.add("override", "must give a reason for prescribing despite the safety alerts")
	}
	c.maxLen("override", p.Override, 500)
	c.maxLen("status_reason", p.StatusReason, 500)
	if p.Status == PrescriptionCancelled {
		c.require("status_reason", p.StatusReason)
	}
	c.freeText(p)
	return c.err()
}

// ApproveRefill uses one refill of the drug at drugIndex: the prescription
// must be active and the drug must have refills left. It changes p only when
// it returns nil; the caller saves p together with the approved Refill.
func ApproveRefill(p *Prescription, drugIndex int) error {
	if drugIndex < 0 || drugIndex >= len(p.Medications) {
		return fmt.Errorf("%w: prescription has no drug number %d (it lists %d)", ErrInvalid, drugIndex, len(p.Medications))
	}
	if p.Status != PrescriptionActive {
		return fmt.Errorf("%w: it is %s", ErrNotActive, p.Status)
	}
	d := &p.Medications[drugIndex]
	if d.RefillsUsed >= d.RefillsAllowed {
		return fmt.Errorf("%w for %s: %d of %d used", ErrNoRefills, d.Drug, d.RefillsUsed, d.RefillsAllowed)
	}
	d.RefillsUsed++
	return nil
}

// The checks below are shared by every record that refers to other records,
// to staff or to calendar days.

// refID adds an error when id, a required reference to another record, is
// blank or malformed; what names the record ("a patient").
func (c *checker) refID(field string, id ID, what string) {
	if c.require(field, string(id)) && id.Bytes() == nil {
		c.add(field, "is not "+what+" id")
	}
}

// optRefID is refID for a reference that may be left blank.
func (c *checker) optRefID(field string, id ID, what string) {
	if id != "" && id.Bytes() == nil {
		c.add(field, "is not "+what+" id")
	}
}

// staff adds an error when name, a required member of staff, is blank or not
// a user name.
func (c *checker) staff(field, name string) {
	if c.require(field, name) {
		c.optStaff(field, name)
	}
}

// optStaff is staff for a member of staff who may be left blank.
func (c *checker) optStaff(field, name string) {
	if name != "" && ValidUserName(name) != nil {
		c.add(field, "is not a user name (2 to 32 of a-z, 0-9, '.', '-', '_', starting with a letter)")
	}
}

// day adds an error when d, a required calendar day, is blank or malformed,
// and reports whether d is a usable date.
func (c *checker) day(field string, d Date) bool {
	if !c.require(field, string(d)) {
		return false
	}
	return c.optDay(field, d)
}

// optDay is day for a calendar day that may be left blank; it reports
// whether d is set and well formed.
func (c *checker) optDay(field string, d Date) bool {
	if d == "" {
		return false
	}
	if !d.valid() {
		c.add(field, "must be a date like 2024-03-27")
		return false
	}
	return true
}

// period checks a required first day and an optional last day that may not
// come before it.
func (c *checker) period(startField string, start Date, endField string, end Date) {
	okStart := c.day(startField, start)
	if c.optDay(endField, end) && okStart && end < start {
		c.add(endField, "must not be before "+startField)
	}
}
