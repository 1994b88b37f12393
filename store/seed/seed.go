package seed

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"medisecure/core"
	"medisecure/store"
)

// Options shape the synthetic clinic.
type Options struct {
	Patients int
	Days     int
	Doctors  int
	Seed     uint64
	// Today is the clinic's current day; appointments spread Days/2 either
	// side of it, and statuses follow from Now.
	Now time.Time
	// Passphrase is given to every demo user the seed creates.
	Passphrase string
	// MaxAppointments stops booking once this many are written (0: no cap).
	MaxAppointments int
	// Clinical adds notes, vitals, allergies, prescriptions, invoices,
	// payments and messages; benchmarks that need only a schedule turn it
	// off.
	Clinical bool
	// OnCall gives the last doctor an out-of-hours service, round the
	// clock every day, so that a demo opened at any hour has a day with
	// work still ahead.
	OnCall bool
}

// Staff are the demo users the seed creates besides the doctors.
var Staff = []core.User{
	{Name: "desk", DisplayName: "Front Desk", Role: core.RoleReception},
	{Name: "nurse", DisplayName: "Nurse Station", Role: core.RoleNurse},
	{Name: "billing", DisplayName: "Billing Office", Role: core.RoleBilling},
}

// Result counts what the seed wrote.
type Result struct {
	Users, Patients, Appointments, Clinical int
	// StandIns maps a demo user name that was taken already to the user
	// the seed made and wrote as instead.
	StandIns map[string]string
}

// gen is one seeding run: its random source and the sessions it writes as.
type gen struct {
	opts    Options
	rng     *rand.Rand
	zone    *time.Location
	desk    *store.Session
	nurse   *store.Session
	billing *store.Session
	// brng is billing's random stream; invoices and credits count the
	// demo series' numbers (billing.go).
	brng              *rand.Rand
	invoices, credits int
	doctors           []*store.Session
	patients          []core.ID
	res               Result
}

// Run writes the clinic through admin's store (admin must be an admin
// session). Users that exist already are kept as they are and never
// logged in to: their passphrase is theirs, and a wrong guess would count
// against their lockout. The seed writes as a stand-in instead (desk.demo
// for desk), which Result.StandIns names.
func Run(admin *store.Session, o Options) (Result, error) {
	if o.Patients < 1 || o.Days < 1 {
		return Result{}, fmt.Errorf("%w: seed needs at least one patient and one day", core.ErrInvalid)
	}
	if o.Doctors < 1 {
		o.Doctors = 4
	}
	g := &gen{opts: o, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)), zone: admin.Zone()}
	g.brng = rand.New(rand.NewPCG(o.Seed^0x5bd1e9955bd1e995, o.Seed))
	if err := g.staff(admin); err != nil {
		return g.res, err
	}
	if g.opts.Clinical {
		if err := g.addFees(); err != nil {
			return g.res, err
		}
	}
	if err := g.addPatients(); err != nil {
		return g.res, err
	}
	if err := g.appointments(); err != nil {
		return g.res, err
	}
	return g.res, g.chartExtras()
}

// DoctorName is the login name of the i-th demo doctor.
func DoctorName(i int) string {
	n := doctorNames[i%len(doctorNames)]
	last := n[strings.LastIndex(n, " ")+1:]
	name := "dr." + strings.ToLower(last)
	if i >= len(doctorNames) {
		name += fmt.Sprint(i / len(doctorNames))
	}
	return asciiName(name)
}

// asciiName keeps the letters a login name may hold.
func asciiName(s string) string {
	r := strings.NewReplacer("á", "a", "í", "i", "ó", "o", "é", "e", "ú", "u", "ñ", "n", "ó", "o")
	return r.Replace(s)
}

// staff creates the demo users and the doctors' schedules, and logs in as
// each.
func (g *gen) staff(admin *store.Session) error {
	users := append([]core.User(nil), Staff...)
	for i := 0; i < g.opts.Doctors; i++ {
		display := "Dr " + doctorNames[i%len(doctorNames)]
		if i >= len(doctorNames) {
			display += fmt.Sprintf(" (%d)", i/len(doctorNames)+1)
		}
		users = append(users, core.User{Name: DoctorName(i), DisplayName: display, Role: core.RoleDoctor})
	}
	db := admin.DB()
	for _, u := range users {
		name, err := g.addUser(admin, u)
		if err != nil {
			return err
		}
		s, err := db.Login(name, g.opts.Passphrase)
		if err != nil {
			return fmt.Errorf("seed: logging in as %s: %w", u.Name, err)
		}
		switch u.Role {
		case core.RoleReception:
			g.desk = s
		case core.RoleNurse:
			g.nurse = s
		case core.RoleBilling:
			g.billing = s
		case core.RoleDoctor:
			g.doctors = append(g.doctors, s)
		}
	}
	for i, d := range g.doctors {
		sc := core.Schedule{Meta: core.Meta{ID: g.id(g.opts.Now), CreatedAt: g.opts.Now}, Doctor: d.User().Name, SlotMinutes: []int{15, 20, 15, 30}[i%4], Rooms: []string{fmt.Sprintf("Room %d", i+1)}}
		for wd := time.Monday; wd <= time.Friday; wd++ {
			sc.Hours[wd] = []core.Span{{Start: 8 * 60, End: 12 * 60}, {Start: 13 * 60, End: 17 * 60}}
		}
		if i%2 == 0 {
			sc.Hours[time.Saturday] = []core.Span{{Start: 9 * 60, End: 12 * 60}}
		}
		if g.opts.OnCall && i == len(g.doctors)-1 {
			sc.SlotMinutes = 15
			for wd := range sc.Hours {
				sc.Hours[wd] = []core.Span{{Start: 0, End: 24 * 60}}
			}
		}
		if _, err := admin.SetSchedule(sc); err != nil {
			return fmt.Errorf("seed: schedule of %s: %w", sc.Doctor, err)
		}
	}
	return nil
}

// addUser adds a demo user, or when the name is taken, a stand-in
// (desk.demo, desk.demo2 …), and returns the name it added.
func (g *gen) addUser(admin *store.Session, u core.User) (string, error) {
	name := u.Name
	for i := 1; i <= 10; i++ {
		err := admin.AddUser(u, g.opts.Passphrase)
		switch {
		case err == nil:
			g.res.Users++
			if u.Name != name {
				if g.res.StandIns == nil {
					g.res.StandIns = map[string]string{}
				}
				g.res.StandIns[name] = u.Name
			}
			return u.Name, nil
		case !errors.Is(err, store.ErrUserExists):
			return "", fmt.Errorf("seed: adding %s: %w", u.Name, err)
		}
		u.Name = name + ".demo"
		if i > 1 {
			u.Name += fmt.Sprint(i)
		}
	}
	return "", fmt.Errorf("%w: seed: %s and its stand-ins %s.demo to %s.demo9 exist already", store.ErrUserExists, name, name, name)
}

// randReader feeds core.NewID from the seeded generator.
type randReader struct{ rng *rand.Rand }

func (r randReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r.rng.Uint32())
	}
	return len(p), nil
}

// id makes a deterministic record ID stamped at t.
func (g *gen) id(t time.Time) core.ID {
	id, _ := core.NewID(t, randReader{g.rng})
	return id
}

// pick returns a random element.
func pick[T any](g *gen, xs []T) T { return xs[g.rng.IntN(len(xs))] }

// addPatients registers the patients in batches.
func (g *gen) addPatients() error {
	const batch = 2000
	start := g.opts.Now.AddDate(-3, 0, 0)
	for done := 0; done < g.opts.Patients; done += batch {
		err := g.desk.Batch(func(w *store.Writer) error {
			for i := done; i < min(done+batch, g.opts.Patients); i++ {
				p := g.patient(start.Add(time.Duration(i) * time.Minute))
				if err := w.Add(&p); err != nil {
					return fmt.Errorf("seed: patient %d: %w", i, err)
				}
				g.patients = append(g.patients, p.ID)
			}
			return nil
		})
		if err != nil {
			return err
		}
		g.res.Patients = len(g.patients)
	}
	return nil
}

// patient invents one patient registered at created.
func (g *gen) patient(created time.Time) core.Patient {
	given, family := pick(g, givenNames), pick(g, familyNames)
	if g.rng.IntN(5) == 0 {
		given += " " + pick(g, givenNames)
	}
	dob := time.Date(1930+g.rng.IntN(90), time.Month(1+g.rng.IntN(12)), 1+g.rng.IntN(28), 0, 0, 0, 0, time.UTC)
	p := core.Patient{
		Meta:    core.Meta{ID: g.id(created), CreatedAt: created},
		Name:    given + " " + family,
		DOB:     core.DateOf(dob, time.UTC),
		Sex:     pick(g, []string{"female", "male", "female", "male", "other", "unknown"}),
		Phone:   fmt.Sprintf("+%d %03d %03d %04d", 1+g.rng.IntN(60), g.rng.IntN(1000), g.rng.IntN(1000), g.rng.IntN(10000)),
		Address: fmt.Sprintf("%d %s", 1+g.rng.IntN(200), pick(g, streets)),
		Consent: core.ConsentFlags{SMS: g.rng.IntN(3) > 0, Email: g.rng.IntN(2) == 0, Telemedicine: g.rng.IntN(2) == 0, DataSharing: g.rng.IntN(4) == 0},
	}
	if p.Consent.Email {
		p.Email = strings.ToLower(asciiLetters(family)) + fmt.Sprint(g.rng.IntN(1000)) + "@example.org"
	}
	return p
}

// asciiLetters keeps a-z and A-Z, for made-up e-mail addresses.
func asciiLetters(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "patient"
	}
	return b.String()
}
