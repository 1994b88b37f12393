package sshhost

import (
	"errors"
	"log/slog"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/muesli/termenv"

	"medisecure/core"
	"medisecure/tui"
)

// program is the Bubble Tea program of one terminal session: its own
// model, renderer (the client's TERM, COLORTERM and NO_COLOR), login and
// idle lock.
func (s *Server) program(sess ssh.Session, user string) *tea.Program {
	env := environ(sess.Environ())
	r := lipgloss.NewRenderer(sess, termenv.WithEnvironment(env), termenv.WithUnsafe(), termenv.WithColorCache(true))
	// Asking the terminal for its background would read the first keys
	// typed; COLORFGBG says it when the terminal sets it, dark otherwise.
	r.SetHasDarkBackground(darkBackground(env.Getenv("COLORFGBG")))
	b := terminalBackend{next: s.cfg.Backend, user: user, log: s.log.With("addr", sess.RemoteAddr().String())}
	m := tui.New(b, tui.Options{
		Now:      s.cfg.Now,
		IdleLock: s.cfg.IdleLock,
		DemoHint: "This terminal's key belongs to " + core.SafeText(user) + ": log in as " + core.SafeText(user) + ".",
		Renderer: r,
		NoColor:  env.Getenv("NO_COLOR") != "",
	})
	p := tea.NewProgram(m, tea.WithInput(sess), tea.WithOutput(sess), tea.WithAltScreen(),
		tea.WithContext(sess.Context()), tea.WithoutSignalHandler())
	s.open.setProgram(sess, p)
	return p
}

// environ is a session's environment for termenv.
type environ []string

// Environ returns every variable.
func (e environ) Environ() []string { return e }

// Getenv returns the value of k, or "".
func (e environ) Getenv(k string) string {
	for _, v := range e {
		if name, val, ok := strings.Cut(v, "="); ok && name == k {
			return val
		}
	}
	return ""
}

// darkBackground reads COLORFGBG ("15;0": white on black); unset or
// unreadable means dark.
func darkBackground(colorfgbg string) bool {
	i := strings.LastIndexByte(colorfgbg, ';')
	switch colorfgbg[i+1:] {
	case "7", "15":
		return false
	}
	return true
}

// terminalBackend lets only the key's user log in on a terminal, and logs
// each login without PHI.
type terminalBackend struct {
	next tui.Backend
	user string
	log  *slog.Logger
}

// RedeemReset lets only the key's user set their passphrase with a
// reset code.
func (b terminalBackend) RedeemReset(user, code, passphrase string) error {
	if user != b.user {
		return core.ErrAuth
	}
	err := b.next.RedeemReset(user, code, passphrase)
	b.log.Info("passphrase reset", "user", user, "ok", err == nil)
	return err
}

// Login refuses any user but the key's as a wrong user or passphrase, then
// checks the passphrase with the store's lockout.
func (b terminalBackend) Login(user, passphrase string) (tui.Session, error) {
	if user != b.user {
		b.log.Info("login refused", "user", b.user, "reason", "another user on this terminal's key")
		return nil, core.ErrAuth
	}
	s, err := b.next.Login(user, passphrase)
	var locked *core.LockedError
	switch {
	case errors.As(err, &locked):
		b.log.Warn("login locked out", "user", user, "until", locked.Until.UTC())
	case err != nil:
		b.log.Info("login failed", "user", user, "reason", core.StripPrefixes(err.Error()))
	default:
		b.log.Info("login", "user", user, "role", string(s.Principal().Role))
	}
	return s, err
}
