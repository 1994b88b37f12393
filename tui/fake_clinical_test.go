package tui

import (
	"fmt"
	"strings"
	"time"

	"medisecure/core"
)

// fakeClinical holds the fake backend's clinical records besides notes.
type fakeClinical struct {
	allergies []core.Allergy
	problems  []core.Problem
	meds      []core.Medication
	vitals    []core.Vital
	rx        []core.Prescription
	refills   []core.Refill
	reminders []core.Reminder
	adherence []core.Adherence
	drafts    []core.NoteDraft
	addenda   []core.Addendum
	// strict refuses charts without a care relationship as the store
	// does: the patient's appointments with the doctor, or glass broken.
	strict bool
	glass  []string
}

// Chart gathers a patient's records as the store does, and logs the read
// with its reason.
func (s *fakeSession) Chart(patient core.ID, reason string) (core.Chart, error) {
	if err := s.lock(core.ActRead, core.KindProblem); err != nil {
		return core.Chart{}, err
	}
	defer s.b.mu.Unlock()
	if s.b.clin.strict && !s.inCare(patient) {
		return core.Chart{}, core.ErrNoRelationship
	}
	c := core.Chart{}
	for _, p := range s.b.patients {
		if p.ID == patient {
			c.Patient = p
		}
	}
	if c.Patient.ID == "" {
		return c, fmt.Errorf("store: patient not found")
	}
	for _, n := range s.b.notes {
		if n.PatientID == patient {
			c.Notes = append(c.Notes, n)
		}
	}
	for _, a := range s.b.clin.allergies {
		if a.PatientID == patient && !a.Deleted {
			c.Allergies = append(c.Allergies, a)
		}
	}
	for _, p := range s.b.clin.problems {
		if p.PatientID == patient {
			c.Problems = append(c.Problems, p)
		}
	}
	s.b.clin.copyTo(&c, patient)
	for _, d := range s.b.clin.drafts {
		if d.PatientID == patient && d.Author == s.p.User && !d.Deleted {
			c.Drafts = append(c.Drafts, d)
		}
	}
	for _, a := range s.b.clin.addenda {
		if a.PatientID == patient {
			c.Addenda = append(c.Addenda, a)
		}
	}
	now := s.b.clock.Now()
	for _, a := range core.UpcomingFrom(s.b.appts, now) {
		if a.PatientID == patient {
			c.Upcoming = append(c.Upcoming, a)
		}
	}
	s.b.access = append(s.b.access, s.p.User+" "+string(patient)+" chart: "+reason)
	return c, nil
}

// stamp gives a new record its ID and times.
func (s *fakeSession) stamp(m *core.Meta) {
	s.b.next++
	m.ID, m.CreatedAt, m.UpdatedAt, m.CreatedBy = fakeID(1000+s.b.next), s.b.clock.Now(), s.b.clock.Now(), s.p.User
	s.b.status.Pending++
}

func (s *fakeSession) AddAllergy(a core.Allergy) (core.Allergy, error) {
	if err := s.lock(core.ActCreate, core.KindAllergy); err != nil {
		return a, err
	}
	defer s.b.mu.Unlock()
	if a.RecordedBy == "" {
		a.RecordedBy = s.p.User
	}
	s.stamp(&a.Meta)
	if err := a.Validate(); err != nil {
		return a, err
	}
	for i, h := range s.b.clin.allergies {
		if h.PatientID != a.PatientID || h.Deleted {
			continue
		}
		switch {
		case a.NoneKnown && !h.NoneKnown:
			return a, fmt.Errorf("store: %s is recorded: %w", h.Substance, core.ErrInvalid)
		case a.NoneKnown:
			return a, nil
		case h.NoneKnown:
			s.b.clin.allergies[i].Deleted = true
		case strings.EqualFold(strings.TrimSpace(h.Substance), strings.TrimSpace(a.Substance)):
			return a, fmt.Errorf("store: %s is already recorded: %w", h.Substance, core.ErrInvalid)
		}
	}
	s.b.clin.allergies = append(s.b.clin.allergies, a)
	return a, nil
}

func (s *fakeSession) SaveProblem(p core.Problem) (core.Problem, error) {
	act := core.ActCreate
	if p.ID != "" {
		act = core.ActUpdate
	}
	if err := s.lock(act, core.KindProblem); err != nil {
		return p, err
	}
	defer s.b.mu.Unlock()
	for i, h := range s.b.clin.problems {
		if h.ID == p.ID && p.ID != "" {
			if err := h.Status.CheckTransition(p.Status); err != nil {
				return h, err
			}
			s.b.clin.problems[i].Status = p.Status
			return s.b.clin.problems[i], nil
		}
	}
	if p.ID != "" {
		return p, fmt.Errorf("store: problem not found")
	}
	if p.Status == "" {
		p.Status = core.ProblemActive
	}
	s.stamp(&p.Meta)
	if err := p.Validate(); err != nil {
		return p, err
	}
	s.b.clin.problems = append(s.b.clin.problems, p)
	return p, nil
}

// BreakGlass opens a chart the fake's strict rule refuses, for 4 hours,
// and logs it.
func (s *fakeSession) BreakGlass(patient core.ID, reason string) (time.Time, error) {
	if err := s.lock(core.ActRead, core.KindProblem); err != nil {
		return time.Time{}, err
	}
	defer s.b.mu.Unlock()
	if len(reason) < 10 {
		return time.Time{}, fmt.Errorf("%w: say why you open this chart (at least 10 characters), for the review", core.ErrInvalid)
	}
	s.b.clin.glass = append(s.b.clin.glass, s.p.User+" "+string(patient))
	s.b.access = append(s.b.access, s.p.User+" "+string(patient)+" break_glass: "+reason)
	return s.b.clock.Now().Add(core.BreakGlassFor), nil
}

func (s *fakeSession) SaveDraft(d core.NoteDraft) (core.NoteDraft, error) {
	if err := s.lock(core.ActCreate, core.KindNoteDraft); err != nil {
		return d, err
	}
	defer s.b.mu.Unlock()
	d.Author = s.p.User
	if err := d.Validate(); err != nil && d.ID != "" {
		return d, err
	}
	for i, h := range s.b.clin.drafts {
		if h.ID == d.ID && !h.Deleted {
			d.Meta = h.Meta
			d.UpdatedAt = s.b.clock.Now()
			s.b.clin.drafts[i] = d
			s.b.status.Pending++
			return d, nil
		}
	}
	if d.ID != "" {
		return d, fmt.Errorf("store: draft not found")
	}
	s.stamp(&d.Meta)
	if err := d.Validate(); err != nil {
		return d, err
	}
	s.b.clin.drafts = append(s.b.clin.drafts, d)
	return d, nil
}

func (s *fakeSession) SignNote(id core.ID) (core.Note, error) {
	if err := s.lock(core.ActCreate, core.KindNote); err != nil {
		return core.Note{}, err
	}
	defer s.b.mu.Unlock()
	for i, d := range s.b.clin.drafts {
		if d.ID == id && !d.Deleted && d.Author == s.p.User {
			if d.Empty() {
				return core.Note{}, fmt.Errorf("store: the note is empty; write at least one of subjective, objective, assessment or plan")
			}
			n := d.Signed(s.b.clock.Now())
			s.b.clin.drafts[i].Deleted = true
			s.b.notes = append([]core.Note{n}, s.b.notes...)
			s.b.status.Pending++
			return n, nil
		}
	}
	return core.Note{}, fmt.Errorf("store: draft not found")
}

func (s *fakeSession) AddAddendum(note core.ID, text string) (core.Addendum, error) {
	a := core.Addendum{NoteID: note, Author: s.p.User, Text: text}
	if err := s.lock(core.ActCreate, core.KindAddendum); err != nil {
		return a, err
	}
	defer s.b.mu.Unlock()
	for _, n := range s.b.notes {
		if n.ID == note {
			a.PatientID = n.PatientID
			s.stamp(&a.Meta)
			if err := a.Validate(); err != nil {
				return a, err
			}
			s.b.clin.addenda = append(s.b.clin.addenda, a)
			return a, nil
		}
	}
	return a, fmt.Errorf("store: note not found")
}

func (s *fakeSession) AddVitals(patient core.ID, takenAt time.Time, readings []core.Reading) ([]core.Vital, error) {
	if err := s.lock(core.ActCreate, core.KindVital); err != nil {
		return nil, err
	}
	defer s.b.mu.Unlock()
	if takenAt.IsZero() {
		takenAt = s.b.clock.Now().UTC()
	}
	vs, err := core.NewVitals(patient, s.p.User, takenAt, readings, 0)
	if err != nil {
		return nil, err
	}
	for i := range vs {
		s.stamp(&vs[i].Meta)
	}
	s.b.clin.vitals = append(s.b.clin.vitals, vs...)
	return vs, nil
}

// Prescribe runs the formulary's checks over the fake's allergies and
// prescriptions, as the store does.
func (s *fakeSession) Prescribe(p core.Prescription, override string) (core.Prescription, error) {
	if err := s.lock(core.ActCreate, core.KindPrescription); err != nil {
		return p, err
	}
	defer s.b.mu.Unlock()
	f, err := core.DefaultFormulary()
	if err != nil {
		return p, err
	}
	var allergies []core.Allergy
	var rx []core.Prescription
	for _, a := range s.b.clin.allergies {
		if a.PatientID == p.PatientID {
			allergies = append(allergies, a)
		}
	}
	for _, r := range s.b.clin.rx {
		if r.PatientID == p.PatientID {
			rx = append(rx, r)
		}
	}
	alerts := f.CheckPrescription(&p, allergies, core.CurrentMedications(rx, nil))
	if len(alerts) > 0 && override == "" {
		return p, &core.SafetyError{Alerts: alerts}
	}
	p.Doctor, p.Status, p.Alerts, p.Override = s.p.User, core.PrescriptionActive, alerts, override
	if p.StartDate == "" {
		p.StartDate = core.DateOf(s.b.clock.Now(), s.b.zone)
	}
	s.stamp(&p.Meta)
	if err := p.Validate(); err != nil {
		return p, err
	}
	s.b.clin.rx = append(s.b.clin.rx, p)
	return p, nil
}

// inCare is the strict rule: a visit of the patient with this doctor, or
// the glass broken. The caller holds the lock.
func (s *fakeSession) inCare(patient core.ID) bool {
	var mine []core.Appointment
	for _, a := range s.b.appts {
		if a.PatientID == patient {
			mine = append(mine, a)
		}
	}
	if core.InCare(s.p, mine, s.b.clock.Now()) {
		return true
	}
	for _, g := range s.b.clin.glass {
		if g == s.p.User+" "+string(patient) {
			return true
		}
	}
	return false
}

// copyTo puts a patient's medications, vitals, prescriptions, refills,
// reminders and adherence into c.
func (f *fakeClinical) copyTo(c *core.Chart, patient core.ID) {
	for _, m := range f.meds {
		if m.PatientID == patient {
			c.Medications = append(c.Medications, m)
		}
	}
	for _, v := range f.vitals {
		if v.PatientID == patient {
			c.Vitals = append(c.Vitals, v)
		}
	}
	for _, p := range f.rx {
		if p.PatientID == patient {
			c.Prescriptions = append(c.Prescriptions, p)
		}
	}
	for _, r := range f.refills {
		if r.PatientID == patient {
			c.Refills = append(c.Refills, r)
		}
	}
	for _, r := range f.reminders {
		if r.PatientID == patient {
			c.Reminders = append(c.Reminders, r)
		}
	}
	for _, a := range f.adherence {
		if a.PatientID == patient {
			c.Adherence = append(c.Adherence, a)
		}
	}
}

func (s *fakeSession) Refills(pending bool) ([]core.Refill, error) {
	if err := s.lock(core.ActRead, core.KindRefill); err != nil {
		return nil, err
	}
	defer s.b.mu.Unlock()
	var out []core.Refill
	for _, r := range s.b.clin.refills {
		if !pending || r.Status == core.RefillRequested {
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *fakeSession) Prescription(id core.ID) (core.Prescription, error) {
	if err := s.lock(core.ActRead, core.KindPrescription); err != nil {
		return core.Prescription{}, err
	}
	defer s.b.mu.Unlock()
	for _, p := range s.b.clin.rx {
		if p.ID == id {
			return p, nil
		}
	}
	return core.Prescription{}, fmt.Errorf("store: prescription not found")
}

func (s *fakeSession) DecideRefill(id core.ID, approve bool, note string) (core.Refill, error) {
	if err := s.lock(core.ActUpdate, core.KindRefill); err != nil {
		return core.Refill{}, err
	}
	defer s.b.mu.Unlock()
	for i, r := range s.b.clin.refills {
		if r.ID != id {
			continue
		}
		to := core.RefillDenied
		if approve {
			to = core.RefillApproved
		}
		if err := r.Status.CheckTransition(to); err != nil {
			return r, err
		}
		r.Status, r.DecidedBy, r.DecisionNote = to, s.p.User, note
		if err := r.Validate(); err != nil {
			return r, err
		}
		s.b.clin.refills[i] = r
		return r, nil
	}
	return core.Refill{}, fmt.Errorf("store: refill not found")
}

func (s *fakeSession) ResolveRefillConflict(refill core.ID, both bool, reason string) error {
	if err := s.lock(core.ActUpdate, core.KindRefill); err != nil {
		return err
	}
	defer s.b.mu.Unlock()
	if strings.TrimSpace(reason) == "" {
		return fmt.Errorf("%w: say how the double approval was settled", core.ErrInvalid)
	}
	for i := range s.b.conflicts {
		c := &s.b.conflicts[i]
		if c.On != core.ConflictOnRefill || c.Refill != refill || c.Status != core.ConflictOpen {
			continue
		}
		for j, r := range s.b.clin.refills {
			if r.ID != refill {
				continue
			}
			r.Resolution = core.RefillRecalled + ": " + reason
			if both {
				r.Resolution = core.RefillBothDispensed + ": " + reason
				for k := range s.b.clin.rx {
					if p := &s.b.clin.rx[k]; p.ID == r.PrescriptionID {
						if err := core.ApproveRefill(p, r.DrugIndex); err != nil {
							return err
						}
					}
				}
			}
			s.b.clin.refills[j] = r
		}
		c.Status = core.ConflictResolved
		return nil
	}
	return fmt.Errorf("%w: refill %s was not approved twice", core.ErrInvalid, refill)
}

// rxAt is the index of prescription id, or -1.
func (f *fakeClinical) rxAt(id core.ID) int {
	for i, p := range f.rx {
		if p.ID == id {
			return i
		}
	}
	return -1
}

func (s *fakeSession) CancelPrescription(id core.ID, reason string) (core.Prescription, error) {
	if err := s.lock(core.ActUpdate, core.KindPrescription); err != nil {
		return core.Prescription{}, err
	}
	defer s.b.mu.Unlock()
	i := s.b.clin.rxAt(id)
	if i < 0 {
		return core.Prescription{}, fmt.Errorf("store: prescription not found")
	}
	p := s.b.clin.rx[i]
	if err := p.Status.CheckTransition(core.PrescriptionCancelled); err != nil {
		return p, err
	}
	p.Status, p.StatusReason = core.PrescriptionCancelled, strings.TrimSpace(reason)
	if err := p.Validate(); err != nil {
		return p, err
	}
	s.b.clin.rx[i] = p
	return p, nil
}

func (s *fakeSession) RequestRefill(rx core.ID, drugIndex int) (core.Refill, error) {
	if err := s.lock(core.ActCreate, core.KindRefill); err != nil {
		return core.Refill{}, err
	}
	defer s.b.mu.Unlock()
	i := s.b.clin.rxAt(rx)
	if i < 0 {
		return core.Refill{}, fmt.Errorf("store: prescription not found")
	}
	p := s.b.clin.rx[i]
	if p.Status != core.PrescriptionActive {
		return core.Refill{}, fmt.Errorf("%w: it is %s", core.ErrNotActive, p.Status)
	}
	r := core.Refill{PrescriptionID: rx, PatientID: p.PatientID, DrugIndex: drugIndex, RequestedBy: s.p.User, Status: core.RefillRequested}
	s.stamp(&r.Meta)
	if err := r.Validate(); err != nil {
		return r, err
	}
	s.b.clin.refills = append([]core.Refill{r}, s.b.clin.refills...)
	return r, nil
}

func (s *fakeSession) AddReminder(rx core.ID, times []string) (core.Reminder, error) {
	if err := s.lock(core.ActCreate, core.KindReminder); err != nil {
		return core.Reminder{}, err
	}
	defer s.b.mu.Unlock()
	i := s.b.clin.rxAt(rx)
	if i < 0 {
		return core.Reminder{}, fmt.Errorf("store: prescription not found")
	}
	p := s.b.clin.rx[i]
	r := core.Reminder{PatientID: p.PatientID, PrescriptionID: p.ID, Drug: p.Medications[0].Drug, Times: times,
		StartDate: core.DateOf(s.b.clock.Now(), s.b.zone), Channel: core.ChannelInApp, Active: true}
	s.stamp(&r.Meta)
	if err := r.Validate(); err != nil {
		return r, err
	}
	s.b.clin.reminders = append(s.b.clin.reminders, r)
	return r, nil
}

func (s *fakeSession) RecordAdherence(reminder core.ID, outcome string) (core.Adherence, error) {
	if err := s.lock(core.ActCreate, core.KindAdherence); err != nil {
		return core.Adherence{}, err
	}
	defer s.b.mu.Unlock()
	for _, r := range s.b.clin.reminders {
		if r.ID != reminder {
			continue
		}
		a := core.Adherence{ReminderID: r.ID, PatientID: r.PatientID, Due: s.b.clock.Now(), Taken: outcome != "missed", RecordedAt: s.b.clock.Now(), RecordedBy: s.p.User}
		s.stamp(&a.Meta)
		s.b.clin.adherence = append(s.b.clin.adherence, a)
		return a, nil
	}
	return core.Adherence{}, fmt.Errorf("store: reminder not found")
}
