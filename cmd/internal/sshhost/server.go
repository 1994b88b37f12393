package sshhost

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	gossh "golang.org/x/crypto/ssh"

	"medisecure/core"
	"medisecure/store"
	"medisecure/tui"
)

var (
	// ErrHostKey is returned when the host key file cannot be read, made or
	// trusted.
	ErrHostKey = core.NewError(core.ClassStore, "sshhost: the host key is unusable")
	// ErrTooMany is returned (and told to the terminal) when a session
	// would pass the limit of sessions per user or in all.
	ErrTooMany = core.NewError(core.ClassAuth, "sshhost: too many sessions")
)

// Defaults for the zero fields of Config.
const (
	DefaultMaxSessions = 64
	DefaultMaxPerUser  = 4
	// DefaultShutdownNotice is how long sessions are given to end on
	// shutdown after they are told, before the connections are cut.
	DefaultShutdownNotice = 5 * time.Second
)

// Exec is one command sent over SSH exec, as the clinic binary runs it.
type Exec struct {
	// User is the user the terminal's key is registered to; the command
	// runs as them and no one else.
	User string
	// Args are the words after the host, such as appt list --date today.
	Args   []string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Terminal is set when the client asked for one (ssh -t): only then
	// can a command ask for the passphrase, with ReadSecret.
	Terminal   bool
	ReadSecret func() (string, error)
}

// ExecFunc runs one command and returns its exit code, sent to the client
// as the SSH exit status.
type ExecFunc func(ctx context.Context, x Exec) int

// Config is what a Server needs. DB, Backend, HostKey and Exec are
// required; the zero value of the rest is usable.
type Config struct {
	// DB is the store this process owns.
	DB *store.DB
	// Backend logs a session's user in; it carries the process's one
	// background syncer, so every session's status bar shows the same
	// sync state.
	Backend tui.Backend
	HostKey gossh.Signer
	Exec    ExecFunc
	// Logger receives logins, refusals and sessions, never PHI; nil
	// discards them.
	Logger *slog.Logger
	// MaxSessions and MaxPerUser limit the open sessions in all and per
	// user; zero means the defaults.
	MaxSessions, MaxPerUser int
	// IdleLock is each session's idle lock; zero means tui's default.
	IdleLock time.Duration
	// Now is the clock of the sessions' screens; nil means time.Now.
	Now func() time.Time
}

// Server is the SSH side of clinic serve.
type Server struct {
	cfg  Config
	log  *slog.Logger
	srv  *ssh.Server
	open *sessions
}

// New builds a server; Serve starts it.
func New(cfg Config) (*Server, error) {
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.MaxPerUser <= 0 {
		cfg.MaxPerUser = DefaultMaxPerUser
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, log: log, open: newSessions(cfg.MaxSessions, cfg.MaxPerUser)}
	srv, err := wish.NewServer(
		// The host key comes first: without one wish writes a new key
		// to id_ed25519 in the working directory.
		func(srv *ssh.Server) error { srv.AddHostKey(cfg.HostKey); return nil },
		ssh.PublicKeyAuth(s.publicKey),
		wish.WithMiddleware(func(ssh.Handler) ssh.Handler { return s.session }),
		ssh.EmulatePty(),
	)
	if err != nil {
		return nil, err
	}
	srv.ConnectionFailedCallback = func(c net.Conn, err error) {
		log.Info("ssh connection failed", "addr", c.RemoteAddr().String(), "reason", core.StripPrefixes(err.Error()))
	}
	s.srv = srv
	return s, nil
}

// Serve accepts terminals on l until Shutdown; it returns nil after a
// shutdown.
func (s *Server) Serve(l net.Listener) error {
	err := s.srv.Serve(l)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops taking terminals, tells every open session the host is
// stopping and ends it (what was saved stays saved: each save is one store
// transaction, and an unsaved form is simply not written), and waits for
// them until ctx ends, when the remaining connections are cut.
func (s *Server) Shutdown(ctx context.Context) error {
	notice, cancel := context.WithTimeout(ctx, DefaultShutdownNotice)
	defer cancel()
	n := s.open.endAll()
	s.log.Info("shutting down", "sessions", n)
	err := s.srv.Shutdown(notice)
	if err != nil {
		err = s.srv.Close()
	}
	return err
}

// publicKey lets in a key registered to a user, and refuses every other
// before any screen is shown.
func (s *Server) publicKey(ctx ssh.Context, key ssh.PublicKey) bool {
	fp := gossh.FingerprintSHA256(key)
	user, err := s.cfg.DB.UserOfKey(fp)
	if err != nil {
		s.log.Info("ssh key refused", "addr", ctx.RemoteAddr().String(), "fingerprint", fp, "reason", core.StripPrefixes(err.Error()))
		return false
	}
	s.log.Debug("ssh key accepted", "addr", ctx.RemoteAddr().String(), "fingerprint", fp, "user", user)
	return true
}

// userKey is where session puts the key's user for the handlers.
type userKey struct{}

// session finds the user of the key the connection actually authenticated
// with (not the last one offered), applies the limits, logs the session
// and runs its program, or its command.
func (s *Server) session(sess ssh.Session) {
	addr := sess.RemoteAddr().String()
	if sess.PublicKey() == nil {
		wish.Fatalln(sess, "this clinic host takes registered terminal keys only")
		return
	}
	fp := gossh.FingerprintSHA256(sess.PublicKey())
	user, err := s.cfg.DB.UserOfKey(fp)
	if err != nil {
		s.log.Info("ssh key refused", "addr", addr, "fingerprint", fp, "reason", core.StripPrefixes(err.Error()))
		wish.Fatalln(sess, "this terminal's key is not registered; ask an admin to run clinic user key add")
		return
	}
	_, _, pty := sess.Pty()
	kind := "exec"
	if pty && len(sess.Command()) == 0 {
		kind = "terminal"
	}
	end, err := s.open.add(user, sess)
	if err != nil {
		s.log.Info("session refused", "user", user, "addr", addr, "reason", "too many sessions", "open", s.open.count())
		wish.Fatalln(sess, "too many sessions are open on the clinic host; close one and try again")
		return
	}
	defer end()
	sess.Context().SetValue(userKey{}, user)
	start := time.Now()
	s.log.Info("session started", "user", user, "addr", addr, "kind", kind, "command", commandName(sess.Command()))
	if kind == "terminal" {
		s.runTerminal(sess, user)
	} else {
		s.exec(sess)
	}
	s.log.Info("session ended", "user", user, "addr", addr, "kind", kind, "seconds", int(time.Since(start).Seconds()))
}

// shutdownNotice is what a terminal reads when the host stops.
const shutdownNotice = "\r\nThe clinic host is shutting down. Your saved work is kept; log in again when it is back.\r\n"

// runTerminal runs a session's program until it quits, the client goes
// or the host stops, passing on the client's window changes; on shutdown
// it then tells the terminal why. It stands in for wish's bubbletea
// middleware so that how a program ended goes to this server's log, not
// to a logger of wish's own.
func (s *Server) runTerminal(sess ssh.Session, user string) {
	p := s.program(sess, user)
	_, windows, _ := sess.Pty()
	ctx, cancel := context.WithCancel(sess.Context())
	defer cancel()
	go func() {
		for {
			select {
			case <-ctx.Done():
				p.Quit()
				return
			case w := <-windows:
				p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
			}
		}
	}()
	_, err := p.Run()
	switch {
	case errors.Is(err, tea.ErrProgramKilled):
		s.log.Debug("terminal closed by the client", "user", user)
	case err != nil:
		s.log.Warn("terminal failed", "user", user, "reason", core.StripPrefixes(err.Error()))
	}
	p.Kill()
	if s.open.isClosing() {
		io.WriteString(sess, shutdownNotice)
	}
}

// commandName is the command words of an exec request without their
// arguments, which may hold a patient's name: "appt list", never
// "patient find Zoe".
func commandName(args []string) string {
	var words []string
	for _, a := range args {
		if len(words) == 2 || len(a) == 0 || a[0] == '-' {
			break
		}
		words = append(words, a)
	}
	if len(words) == 2 && !knownGroups[words[0]] {
		words = words[:1]
	}
	name := ""
	for i, w := range words {
		if i > 0 {
			name += " "
		}
		name += core.SafeText(w)
	}
	return name
}

// knownGroups are the command words that take a subcommand word, for the
// log; a second word after any other command is an argument and is not
// logged.
var knownGroups = map[string]bool{
	"user": true, "patient": true, "appt": true, "schedule": true, "sync": true, "conflicts": true,
	"audit": true, "device": true, "chart": true, "note": true, "vitals": true, "rx": true,
	"refill": true, "reminder": true, "invoice": true, "claim": true, "report": true, "fee": true,
	"pay": true, "credit": true,
}

// sessions counts the open sessions by user and can end them all.
type sessions struct {
	mu       sync.Mutex
	max, per int
	byUser   map[string]int
	// live maps each open session to its program, nil for a command.
	live    map[ssh.Session]*tea.Program
	closing bool
}

func newSessions(max, per int) *sessions {
	return &sessions{max: max, per: per, byUser: map[string]int{}, live: map[ssh.Session]*tea.Program{}}
}

// add takes a place for a session of user, or returns ErrTooMany; end
// gives it back.
func (o *sessions) add(user string, sess ssh.Session) (end func(), err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closing || len(o.live) >= o.max || o.byUser[user] >= o.per {
		return nil, ErrTooMany
	}
	o.byUser[user]++
	o.live[sess] = nil
	return func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		o.byUser[user]--
		if o.byUser[user] == 0 {
			delete(o.byUser, user)
		}
		delete(o.live, sess)
	}, nil
}

// count is the number of open sessions.
func (o *sessions) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.live)
}

// setProgram records the program a terminal session runs, so that a
// shutdown can end it.
func (o *sessions) setProgram(sess ssh.Session, p *tea.Program) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.live[sess]; ok {
		o.live[sess] = p
	}
}

// isClosing reports whether the host is shutting down.
func (o *sessions) isClosing() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.closing
}

// endAll refuses new sessions and quits every program, which leaves the
// alternate screen and lets its session end; commands finish. It returns
// how many sessions were open.
func (o *sessions) endAll() int {
	o.mu.Lock()
	o.closing = true
	var programs []*tea.Program
	for _, p := range o.live {
		if p != nil {
			programs = append(programs, p)
		}
	}
	n := len(o.live)
	o.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range programs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.Quit()
			p.Wait()
		}()
	}
	wg.Wait()
	return n
}
