package tui

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"medisecure/core"
)

// fakeClock is a clock tests move by hand, or, with src set, another
// clock (the conformance suite's).
type fakeClock struct {
	mu  sync.Mutex
	t   time.Time
	src func() time.Time
}

func (c *fakeClock) Now() time.Time {
	if c.src != nil {
		return c.src()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeUser is a login of the fake backend.
type fakeUser struct {
	pass     string
	role     core.Role
	failures int
	until    time.Time
}

// fakeBackend is an in-memory store for the screens' tests. Like the real
// store, it authorizes every call with core.Authorize, validates records,
// refuses clashes with core.Clashes and offers core.NextFree, and logs
// every patient read.
type fakeBackend struct {
	mu        sync.Mutex
	clock     *fakeClock
	zone      *time.Location
	users     map[string]*fakeUser
	patients  []core.Patient
	doctors   []core.User
	scheds    map[string]core.Schedule
	appts     []core.Appointment
	conflicts []core.Conflict
	notes     []core.Note
	clin      fakeClinical
	life      fakeLifecycle
	bill      fakeBilling
	msgs      []core.Message
	files     map[string]core.File // what ReadAttachment finds, by path
	docs      []core.Document
	tele      map[core.ID]core.Telesession // video sessions by appointment
	status    SyncStatus
	access    []string
	next      int
}

var _ Backend = (*fakeBackend)(nil)
var _ Session = (*fakeSession)(nil)

// fakeID makes the n-th well-formed ID.
func fakeID(n int) core.ID { return core.ID(fmt.Sprintf("0190aa%018x", n)) }

// Login checks the passphrase, locking the user out after repeated
// failures as the real store does.
func (b *fakeBackend) Login(user, pass string) (Session, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	u, ok := b.users[user]
	if ok && u.until.After(now) {
		return nil, &core.LockedError{Until: u.until.In(b.zone)}
	}
	if ok && b.life.codes[user] != "" {
		return nil, core.ErrResetPending
	}
	if !ok || u.pass != pass || b.life.disabled[user] {
		if ok {
			u.failures++
			if d := core.LockoutDelay(u.failures); d > 0 {
				u.until = now.Add(d)
				return nil, &core.LockedError{Until: u.until.In(b.zone)}
			}
		}
		return nil, fmt.Errorf("store: login: %w", core.ErrAuth)
	}
	u.failures = 0
	return &fakeSession{b: b, p: core.Principal{User: user, Role: u.role}}, nil
}

// fakeSession is one user's view of the fake backend.
type fakeSession struct {
	b *fakeBackend
	p core.Principal
}

func (s *fakeSession) Principal() core.Principal { return s.p }
func (s *fakeSession) Zone() *time.Location      { return s.b.zone }

// lock authorizes and takes the backend's lock; the caller unlocks.
func (s *fakeSession) lock(a core.Action, k core.Kind) error {
	if err := core.Authorize(s.p, a, k); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	s.b.mu.Lock()
	return nil
}

// fold lowers s and drops the accents the test data uses.
func fold(s string) string {
	r := strings.NewReplacer("ä", "a", "á", "a", "ë", "e", "é", "e", "ñ", "n", "ú", "u", "ó", "o", "ł", "l", "ö", "o")
	return r.Replace(strings.ToLower(s))
}

// nameKey is a name as search compares it, like the store: folded, with
// spaces and punctuation dropped (obrien finds O'Brien).
func nameKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, fold(s))
}

func (s *fakeSession) FindPatients(text string, limit int) ([]core.Patient, error) {
	if err := s.lock(core.ActRead, core.KindPatient); err != nil {
		return nil, err
	}
	defer s.b.mu.Unlock()
	q, digits := nameKey(text), core.PhoneDigits(text)
	var out []core.Patient
	for _, p := range s.b.patients {
		byPhone := len(digits) >= 3 && strings.Contains(core.PhoneDigits(p.Phone), digits)
		byName := q != "" && strings.Contains(nameKey(p.Name), q)
		if byName || byPhone || strings.Contains(string(p.DOB), text) {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	s.b.access = append(s.b.access, s.p.User+" search")
	return out[:min(limit, len(out))], nil
}

func (s *fakeSession) Patient(id core.ID, reason string) (core.Patient, error) {
	if err := s.lock(core.ActRead, core.KindPatient); err != nil {
		return core.Patient{}, err
	}
	defer s.b.mu.Unlock()
	for _, p := range s.b.patients {
		if p.ID == id {
			s.b.access = append(s.b.access, s.p.User+" "+string(id)+" "+reason)
			return p, nil
		}
	}
	return core.Patient{}, errors.New("store: patient not found")
}

func (s *fakeSession) PatientNames(ids []core.ID) (map[core.ID]string, error) {
	if err := s.lock(core.ActRead, core.KindPatient); err != nil {
		return nil, err
	}
	defer s.b.mu.Unlock()
	out := map[core.ID]string{}
	for _, p := range s.b.patients {
		for _, id := range ids {
			if p.ID == id {
				out[id] = p.Name
			}
		}
	}
	s.b.access = append(s.b.access, fmt.Sprintf("%s list %d names", s.p.User, len(out)))
	return out, nil
}

func (s *fakeSession) AddPatient(p core.Patient) (core.Patient, error) {
	if err := s.lock(core.ActCreate, core.KindPatient); err != nil {
		return core.Patient{}, err
	}
	defer s.b.mu.Unlock()
	p.CreatedAt, p.UpdatedAt, p.CreatedBy = s.b.clock.Now(), s.b.clock.Now(), s.p.User
	if err := p.Validate(); err != nil {
		return core.Patient{}, err
	}
	s.b.next++
	p.ID = fakeID(s.b.next)
	s.b.patients = append(s.b.patients, p)
	s.b.status.Pending++
	return p, nil
}

func (s *fakeSession) UpdatePatient(p core.Patient) (core.Patient, error) {
	if err := s.lock(core.ActUpdate, core.KindPatient); err != nil {
		return core.Patient{}, err
	}
	defer s.b.mu.Unlock()
	for i, old := range s.b.patients {
		if old.ID != p.ID {
			continue
		}
		p.CreatedAt, p.CreatedBy, p.UpdatedAt = old.CreatedAt, old.CreatedBy, s.b.clock.Now()
		if err := p.Validate(); err != nil {
			return core.Patient{}, err
		}
		s.b.patients[i] = p
		s.b.status.Pending++
		return p, nil
	}
	return core.Patient{}, errors.New("store: patient not found")
}

func (s *fakeSession) LikelyDuplicates(name string, dob core.Date) ([]core.Patient, error) {
	if err := s.lock(core.ActRead, core.KindPatient); err != nil {
		return nil, err
	}
	defer s.b.mu.Unlock()
	var out []core.Patient
	for _, p := range s.b.patients {
		if fold(p.Name) == fold(name) && p.DOB == dob {
			out = append(out, p)
		}
	}
	return out, nil
}

func (s *fakeSession) Doctors() ([]core.User, error) {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	return append([]core.User(nil), s.b.doctors...), nil
}

func (s *fakeSession) Schedule(doctor string) (core.Schedule, error) {
	if err := s.lock(core.ActRead, core.KindSchedule); err != nil {
		return core.Schedule{}, err
	}
	defer s.b.mu.Unlock()
	sc, ok := s.b.scheds[doctor]
	if !ok {
		return core.Schedule{}, errors.New("store: no schedule")
	}
	return sc, nil
}

func (s *fakeSession) SetSchedule(sc core.Schedule) (core.Schedule, error) {
	if err := s.lock(core.ActUpdate, core.KindSchedule); err != nil {
		return core.Schedule{}, err
	}
	defer s.b.mu.Unlock()
	if err := sc.Validate(); err != nil {
		return core.Schedule{}, err
	}
	for _, d := range s.b.doctors {
		if d.Name == sc.Doctor {
			s.b.scheds[sc.Doctor] = sc
			s.b.status.Pending++
			return sc, nil
		}
	}
	return core.Schedule{}, &core.ValidationError{Kind: core.KindSchedule, Fields: []core.FieldError{{Field: "doctor", Message: "is not a doctor here"}}}
}

func (s *fakeSession) Users() ([]core.User, error) {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	out := append([]core.User(nil), s.b.doctors...)
	for name, u := range s.b.users {
		if u.role != core.RoleDoctor {
			out = append(out, core.User{Name: name, Role: u.role})
		}
	}
	for i := range out {
		out[i].Disabled = s.b.life.disabled[out[i].Name]
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (s *fakeSession) Appointments(day core.Date, doctor string) ([]core.Appointment, error) {
	if err := s.lock(core.ActRead, core.KindAppointment); err != nil {
		return nil, err
	}
	defer s.b.mu.Unlock()
	var out []core.Appointment
	for _, a := range s.b.appts {
		if core.DateOf(a.Start, s.b.zone) == day && (doctor == "" || a.Doctor == doctor) {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return out[i].Doctor < out[j].Doctor
	})
	return out, nil
}

func (s *fakeSession) PatientAppointments(patient core.ID) ([]core.Appointment, error) {
	if err := s.lock(core.ActRead, core.KindAppointment); err != nil {
		return nil, err
	}
	defer s.b.mu.Unlock()
	var out []core.Appointment
	for _, a := range s.b.appts {
		if a.PatientID == patient {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	s.b.access = append(s.b.access, s.p.User+" "+string(patient)+" visits")
	return out, nil
}

func (s *fakeSession) Appointment(id core.ID) (core.Appointment, error) {
	if err := s.lock(core.ActRead, core.KindAppointment); err != nil {
		return core.Appointment{}, err
	}
	defer s.b.mu.Unlock()
	if i := s.b.find(id); i >= 0 {
		return s.b.appts[i], nil
	}
	return core.Appointment{}, errors.New("store: appointment not found")
}

func (b *fakeBackend) find(id core.ID) int {
	for i, a := range b.appts {
		if a.ID == id {
			return i
		}
	}
	return -1
}

// slots are every appointment's slot, for clash checks.
func (b *fakeBackend) slots() []core.Slot {
	out := make([]core.Slot, len(b.appts))
	for i, o := range b.appts {
		out[i] = o.Slot()
	}
	return out
}

// clash is what the real store does before writing: core.Clashes against
// every held appointment, the doctor's hours, and core.NextFree.
func (b *fakeBackend) clash(a core.Appointment) error {
	sc := b.scheds[a.Doctor]
	want := a.Slot()
	want.Holds = true
	busy := func(core.Date) []core.Slot {
		out := make([]core.Slot, len(b.appts))
		for i, o := range b.appts {
			out[i] = o.Slot()
		}
		return out
	}
	clashes := core.Clashes(want, busy(""))
	outside := !sc.Covers(a.Start, a.End(), b.zone)
	if len(clashes) == 0 && !outside {
		return nil
	}
	next, ok := core.NextFree(&sc, want, core.SearchFrom(a.Start, b.clock.Now()), b.zone, 28, busy)
	return &core.ClashError{Clashes: clashes, OutsideHours: outside, Next: next, HasNext: ok}
}

func (s *fakeSession) CheckSlot(a core.Appointment) error {
	if err := s.lock(core.ActRead, core.KindAppointment); err != nil {
		return err
	}
	defer s.b.mu.Unlock()
	return s.b.clash(a)
}

func (s *fakeSession) Book(a core.Appointment) (core.Appointment, error) {
	if err := s.lock(core.ActCreate, core.KindAppointment); err != nil {
		return core.Appointment{}, err
	}
	defer s.b.mu.Unlock()
	a.Status = core.ApptBooked
	if err := a.Validate(); err != nil {
		return core.Appointment{}, err
	}
	if err := core.CheckNotPast(&a, s.b.clock.Now()); err != nil {
		return core.Appointment{}, err
	}
	if err := s.b.clash(a); err != nil {
		return core.Appointment{}, err
	}
	s.b.next++
	a.ID, a.CreatedAt, a.CreatedBy = fakeID(s.b.next), s.b.clock.Now(), s.p.User
	s.b.appts = append(s.b.appts, a)
	s.b.status.Pending++
	return a, nil
}

func (s *fakeSession) Move(id core.ID, start time.Time, minutes int, room string) (core.Appointment, error) {
	if err := s.lock(core.ActUpdate, core.KindAppointment); err != nil {
		return core.Appointment{}, err
	}
	defer s.b.mu.Unlock()
	i := s.b.find(id)
	if i < 0 {
		return core.Appointment{}, errors.New("store: appointment not found")
	}
	a := s.b.appts[i]
	if !core.Movable(a.Status) {
		return core.Appointment{}, &core.TransitionError{Kind: core.KindAppointment, From: string(a.Status), To: "moved"}
	}
	a.Start, a.Minutes, a.Room = start.UTC(), minutes, room
	if err := core.CheckNotPast(&a, s.b.clock.Now()); err != nil {
		return core.Appointment{}, err
	}
	if err := s.b.clash(a); err != nil {
		return core.Appointment{}, err
	}
	s.b.appts[i] = a
	s.b.status.Pending++
	return a, nil
}

func (s *fakeSession) SetStatus(id core.ID, to core.AppointmentStatus, reason string) (core.Appointment, error) {
	if err := s.lock(core.ActUpdate, core.KindAppointment); err != nil {
		return core.Appointment{}, err
	}
	defer s.b.mu.Unlock()
	i := s.b.find(id)
	if i < 0 {
		return core.Appointment{}, errors.New("store: appointment not found")
	}
	a := &s.b.appts[i]
	from := a.Status
	if err := from.CheckTransition(to); err != nil {
		return core.Appointment{}, err
	}
	if from.NeedsReason(to) && strings.TrimSpace(reason) == "" {
		return core.Appointment{}, &core.ValidationError{Kind: core.KindAppointment, Fields: []core.FieldError{{Field: "reason", Message: "is required"}}}
	}
	if err := core.CheckStatusTime(*a, to, s.b.clock.Now(), s.b.zone); err != nil {
		return core.Appointment{}, err
	}
	if !from.Holds() && to.Holds() {
		want := a.Slot()
		want.Holds = true
		if cl := core.Clashes(want, s.b.slots()); len(cl) > 0 {
			return core.Appointment{}, &core.ClashError{Clashes: cl}
		}
	}
	a.Status, a.StatusReason = to, reason
	switch {
	case to == core.ApptCheckedIn && !from.IsCorrection(to):
		a.CheckedInAt = s.b.clock.Now()
	case to == core.ApptBooked:
		a.CheckedInAt = time.Time{}
	}
	s.b.status.Pending++
	return *a, nil
}

func (s *fakeSession) Notes(patient core.ID) ([]core.Note, error) {
	if err := s.lock(core.ActRead, core.KindNote); err != nil {
		return nil, err
	}
	defer s.b.mu.Unlock()
	var out []core.Note
	for _, n := range s.b.notes {
		if n.PatientID == patient {
			out = append(out, n)
		}
	}
	return out, nil
}

func (s *fakeSession) Conflicts() ([]core.Conflict, error) {
	if err := s.lock(core.ActRead, core.KindConflict); err != nil {
		return nil, err
	}
	defer s.b.mu.Unlock()
	var out []core.Conflict
	for _, c := range s.b.conflicts {
		if c.Status == core.ConflictOpen {
			out = append(out, c)
		}
	}
	return out, nil
}

func (s *fakeSession) ResolveConflict(id, keep core.ID, moveTo time.Time) error {
	if err := s.lock(core.ActUpdate, core.KindConflict); err != nil {
		return err
	}
	defer s.b.mu.Unlock()
	for i := range s.b.conflicts {
		c := &s.b.conflicts[i]
		if c.ID != id || c.Status != core.ConflictOpen {
			continue
		}
		o := &s.b.appts[s.b.find(c.Other(keep))]
		if moveTo.IsZero() {
			o.Status, o.StatusReason = core.ApptCancelled, "conflict resolved by "+s.p.User
		} else {
			o.Start = moveTo
		}
		c.Status = core.ConflictResolved
		s.b.status.Pending++
		return nil
	}
	return errors.New("store: conflict not found")
}

func (s *fakeSession) SyncStatus() SyncStatus {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	st := s.b.status
	st.Conflicts = 0
	for _, c := range s.b.conflicts {
		if c.Status == core.ConflictOpen {
			st.Conflicts++
		}
	}
	return st
}
