package ui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
)

// Shared is what every screen of one login shares: the one KeyMap and
// Styles, the clock, who is logged in and the doctors. Screens hold a
// pointer to it; only Update methods change it, never a tea.Cmd. A new
// login gets a new Shared, so nothing of one user's screens reaches the
// next.
type Shared struct {
	Keys   KeyMap
	Styles Styles
	// Now is the clock.
	Now func() time.Time
	// Tick schedules a message after d: tea.Tick in a program, replaced in
	// tests so nothing sleeps.
	Tick func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd

	// Who and Loc are the logged-in principal and the clinic's zone, read
	// once in the login Cmd so Update never calls the session.
	Who core.Principal
	Loc *time.Location

	// Doctors and Scheds are loaded once per login and shared by the
	// schedule and the booking form; Doctors is nil until they load.
	Doctors []core.User
	Scheds  map[string]core.Schedule

	// screens numbers the screens made, for addressing results.
	screens int
	// nav holds the routes screens asked for during one Update.
	nav []Route

	spin     int
	spinning bool
	wrote    bool
}

// NewShared is the shared state before anyone logs in.
func NewShared(keys KeyMap, st Styles, now func() time.Time) *Shared {
	return &Shared{Keys: keys, Styles: st, Now: now, Tick: tea.Tick}
}

// Can reports whether the logged-in user may take an action, to decide
// what to offer; the session checks again when it is taken.
func (c *Shared) Can(a core.Action, k core.Kind) bool {
	return c.Who.User != "" && core.Can(c.Who, a, k)
}

// Zone is the clinic's time zone.
func (c *Shared) Zone() *time.Location {
	if c.Loc == nil {
		return time.UTC
	}
	return c.Loc
}

// Today is the current day in the clinic's zone.
func (c *Shared) Today() core.Date { return core.DateOf(c.Now(), c.Zone()) }

// Clock renders a time of day in the clinic's zone: "09:30".
func (c *Shared) Clock(t time.Time) string { return t.In(c.Zone()).Format("15:04") }

// When renders a moment in the clinic's zone: "Wed 11 Mar 14:30".
func (c *Shared) When(t time.Time) string { return t.In(c.Zone()).Format("Mon 2 Jan 15:04") }

// DayName renders a day: "Tue 10 Mar 2026".
func DayName(d core.Date) string {
	t, err := d.Time(time.UTC)
	if err != nil {
		return string(d)
	}
	return t.Format("Mon 2 Jan 2006")
}

// DoctorLabel is a doctor's display name, or the login name when the
// doctors are not loaded; safe to draw.
func (c *Shared) DoctorLabel(name string) string {
	for _, d := range c.Doctors {
		if d.Name == name {
			return Text(d.Label())
		}
	}
	return Text(name)
}

// SlotMinutes is a doctor's default appointment length.
func (c *Shared) SlotMinutes(doctor string) int {
	if s, ok := c.Scheds[doctor]; ok && s.SlotMinutes > 0 {
		return s.SlotMinutes
	}
	return 15
}

// DefaultRoom is the first room a doctor uses, or "".
func (c *Shared) DefaultRoom(doctor string) string {
	if s, ok := c.Scheds[doctor]; ok && len(s.Rooms) > 0 {
		return s.Rooms[0]
	}
	return ""
}

// spinnerFrames are drawn in turn while something loads; plain ASCII so
// every terminal shows them one cell wide.
var spinnerFrames = []string{"|", "/", "-", "\\"}

// spinnerInterval is how often the spinner turns.
const spinnerInterval = 120 * time.Millisecond

// Spinner is the current spinner frame.
func (c *Shared) Spinner() string { return spinnerFrames[c.spin%len(spinnerFrames)] }

// SpinMsg turns the spinner one frame.
type SpinMsg struct{}

// StartSpin returns the Cmd that turns the spinner, unless one is due.
func (c *Shared) StartSpin() tea.Cmd {
	if c.spinning {
		return nil
	}
	c.spinning = true
	return c.Tick(spinnerInterval, func(time.Time) tea.Msg { return SpinMsg{} })
}

// Spun records that a spin tick arrived.
func (c *Shared) Spun() {
	c.spinning = false
	c.spin++
}

// Wrote records that a screen's write succeeded, so the root asks for the
// sync status at once and the pending count never lags a change.
func (c *Shared) Wrote() { c.wrote = true }

// TakeWrote reports whether a write succeeded since the last call.
func (c *Shared) TakeWrote() bool {
	w := c.wrote
	c.wrote = false
	return w
}
