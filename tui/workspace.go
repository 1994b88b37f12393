package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
)

// workspace is what every screen shares: the one KeyMap and Styles, the clock,
// the logged-in session and the sync status. Screens hold a pointer to it;
// only Update methods change it, never a tea.Cmd.
type workspace struct {
	keys   KeyMap
	styles Styles
	now    func() time.Time
	// tick schedules a message after d; tea.Tick in a program, replaced in
	// tests so nothing sleeps.
	tick func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd

	// sess is nil until login, and replaced on unlock. who and loc are
	// its principal and zone, read once in the login Cmd so Update never
	// calls the session.
	sess Session
	who  core.Principal
	loc  *time.Location
	sync SyncStatus

	// doctors and scheds are loaded once per login and shared by the
	// schedule and the booking form; doctors is nil until they load.
	doctors []core.User
	scheds  map[string]core.Schedule

	// screens numbers the screens made, for addressing results.
	screens int
	// nav holds the navigation screens asked for during one Update.
	nav []navAction

	// spin is the spinner frame; spinning is set while a spin tick is due.
	spin     int
	spinning bool
}

// principal is who is logged in, or the zero Principal before login.
func (c *workspace) principal() core.Principal { return c.who }

// can reports whether the logged-in user may take an action, to decide
// what to offer; the session checks again when it is taken.
func (c *workspace) can(a core.Action, k core.Kind) bool {
	return c.sess != nil && core.Can(c.principal(), a, k)
}

// zone is the clinic's time zone.
func (c *workspace) zone() *time.Location {
	if c.loc == nil {
		return time.UTC
	}
	return c.loc
}

// today is the current day in the clinic's zone.
func (c *workspace) today() core.Date { return core.DateOf(c.now(), c.zone()) }

// clock renders a time of day in the clinic's zone: "09:30".
func (c *workspace) clock(t time.Time) string { return t.In(c.zone()).Format("15:04") }

// when renders a moment in the clinic's zone: "Wed 11 Mar 14:30".
func (c *workspace) when(t time.Time) string { return t.In(c.zone()).Format("Mon 2 Jan 15:04") }

// dayName renders a day: "Tue 10 Mar 2026".
func dayName(d core.Date) string {
	t, err := d.Time(time.UTC)
	if err != nil {
		return string(d)
	}
	return t.Format("Mon 2 Jan 2006")
}

// spinnerFrames are drawn in turn while something loads; plain ASCII so
// every terminal shows them one cell wide.
var spinnerFrames = []string{"|", "/", "-", "\\"}

// spinnerInterval is how often the spinner turns.
const spinnerInterval = 120 * time.Millisecond

// spinner is the current spinner frame.
func (c *workspace) spinner() string { return spinnerFrames[c.spin%len(spinnerFrames)] }

// startSpin returns the Cmd that turns the spinner, unless one is due.
func (c *workspace) startSpin() tea.Cmd {
	if c.spinning {
		return nil
	}
	c.spinning = true
	return c.tick(spinnerInterval, func(time.Time) tea.Msg { return spinMsg{} })
}
