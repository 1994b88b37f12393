package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"medisecure/cmd/clinic/internal/notify"
	"medisecure/cmd/internal/deskapp"
	"medisecure/cmd/internal/sshhost"
	"medisecure/core"
	"medisecure/store"
	"medisecure/sync/client"
)

// Files clinic serve keeps beside clinic.db.
const (
	// hostKeyFile is the SSH host key, made on first start (0600).
	hostKeyFile = "ssh_host_ed25519_key"
	// servingFile says which process serves the store and where, while
	// it runs, so a local clinic command can say how to reach it.
	servingFile = "serving.json"
)

// serving is the content of servingFile.
type serving struct {
	PID    int       `json:"pid"`
	Listen string    `json:"listen"`
	Since  time.Time `json:"since"`
}

// serveCmd is clinic serve: the clinic host for thin terminals.
func (a *app) serveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve [--listen :2222] [--unlock --user ADMIN]",
		Short: "serve the terminal UI and the commands over SSH to thin terminals, and sync in the background",
		Long: `serve: the clinic host. This process owns the store: each SSH session gets its own
terminal UI and login, and commands run over SSH exec (ssh -p 2222 HOST appt list).
A terminal gets in only with an SSH key an admin registered (clinic user key add).
Background sync starts at the first login, or at once with --unlock.`,
		Args: noArgs,
	}
	f := cmd.Flags()
	listen := f.String("listen", ":2222", "the `ADDR` to take SSH connections on")
	unlock := f.Bool("unlock", false, "an admin (--user) unlocks the store at start, so sync runs before anyone logs in")
	maxAll := f.Int("max-sessions", sshhost.DefaultMaxSessions, "open sessions allowed in all")
	maxUser := f.Int("max-per-user", sshhost.DefaultMaxPerUser, "open sessions allowed per user")
	idle := f.Duration("idle-lock", 0, "lock a session's screen after this long without a key (default 5m)")
	every := f.Duration("sync-interval", deskapp.DefaultSyncInterval, "how often the host syncs in the background")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if a.e.host != nil {
			return errNotOverSSH
		}
		return a.serve(cmd.Context(), serveOptions{listen: *listen, unlock: *unlock, maxAll: *maxAll, maxUser: *maxUser, idle: *idle, every: *every})
	}
	return cmd
}

// serveStopWait bounds a shutdown: the sessions are told and running
// commands finish within it, then the connections are cut.
const serveStopWait = 10 * time.Second

// serveOptions are clinic serve's flags.
type serveOptions struct {
	listen          string
	unlock          bool
	maxAll, maxUser int
	idle, every     time.Duration
}

// serve runs the clinic host until ctx ends (SIGTERM or ctrl+c).
func (a *app) serve(ctx context.Context, o serveOptions) error {
	e := a.e
	db, err := e.openDB(&a.c)
	if err != nil {
		return err
	}
	defer db.Close()
	dir := filepath.Dir(db.Path())
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	syncer := deskapp.NewSyncer(ctx, client.DialOptions{}, o.every)
	syncer.Now = e.now
	defer syncer.Close()
	sender := notify.NewLoop(ctx, 0, notify.Options{}, log) // send-due, on the sending device only
	defer sender.Close()
	backend := deskapp.Backend{DB: db, Sync: syncer, OnLogin: sender.Start}
	if o.unlock {
		if err := a.unlockAtStart(backend, log); err != nil {
			return err
		}
	}
	key, err := sshhost.HostKey(filepath.Join(dir, hostKeyFile))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("%w: cannot listen on %s; is another clinic serve running?", store.ErrInUse, o.listen)
	}
	defer ln.Close()
	if err := writeServing(dir, ln.Addr().String(), e.now()); err != nil {
		return err
	}
	defer os.Remove(filepath.Join(dir, servingFile))
	srv, err := sshhost.New(sshhost.Config{
		DB: db, Backend: backend, HostKey: key, Logger: log,
		MaxSessions: o.maxAll, MaxPerUser: o.maxUser, IdleLock: o.idle, Now: e.now,
		Exec: a.execOver(db),
	})
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("serving", "listen", ln.Addr().String(), "store", db.Path(), "unlocked", o.unlock)
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	stop, cancel := context.WithTimeout(context.Background(), serveStopWait)
	defer cancel()
	err = srv.Shutdown(stop)
	<-served
	log.Info("stopped")
	return err
}

// unlockAtStart logs an admin in before any terminal does, so background
// sync starts at once.
func (a *app) unlockAtStart(b deskapp.Backend, log *slog.Logger) error {
	user := a.c.user
	if user == "" {
		user = a.e.getenv("CLINIC_USER")
	}
	if user == "" {
		return usagef("--unlock needs the admin who unlocks: give --user ADMIN or set CLINIC_USER")
	}
	pass, err := a.e.secret("CLINIC_PASSPHRASE", "passphrase for "+user+" to unlock the store: ")
	if err != nil {
		return err
	}
	s, err := b.Login(user, pass)
	if err != nil {
		return err
	}
	if p := s.Principal(); p.Role != core.RoleAdmin {
		return deniedError{fmt.Errorf("%s is %s: only an admin unlocks the clinic host at start", p.User, p.Role)}
	}
	log.Info("unlocked at start", "user", user)
	return nil
}

// writeServing records this process as the store's server.
func writeServing(dir, addr string, now time.Time) error {
	b, _ := json.Marshal(serving{PID: os.Getpid(), Listen: addr, Since: now.UTC()})
	if err := os.WriteFile(filepath.Join(dir, servingFile), b, 0o600); err != nil {
		return fmt.Errorf("%w: cannot write %s in %s", store.ErrNotStore, servingFile, dir)
	}
	return nil
}

// servedError is a local command's refusal on a store clinic serve owns:
// it says how to reach the server instead (exit 4).
type servedError struct{ msg string }

func (s servedError) Error() string { return s.msg }

// servedElsewhere turns "in use by another process" into how to reach the
// clinic serve that holds the store, when one does.
func servedElsewhere(path string, err error) error {
	if !errors.Is(err, store.ErrInUse) {
		return err
	}
	b, rerr := os.ReadFile(filepath.Join(filepath.Dir(path), servingFile))
	var s serving
	if rerr != nil || json.Unmarshal(b, &s) != nil || s.PID <= 0 || errors.Is(syscall.Kill(s.PID, 0), syscall.ESRCH) {
		return err
	}
	port := "2222"
	if _, p, err := net.SplitHostPort(s.Listen); err == nil {
		port = p
	}
	return servedError{fmt.Sprintf("this store is served by clinic serve (process %d): reach it with ssh -p %s USER@localhost COMMAND, as the terminal UI or a command such as appt list", s.PID, port)}
}

// errNotOverSSH is returned for the commands that work on the clinic
// host's own files and so are not run over SSH.
var errNotOverSSH = usageErr(errors.New("this command works on the clinic host itself, not over SSH; run clinic help for what SSH takes"))

// hosted is a command that came over SSH to clinic serve.
type hosted struct {
	db   *store.DB
	user string
	// readOnly is set for the commands that only read: they run on the
	// terminal key alone. The rest ask for the passphrase.
	readOnly bool
}

// overSSH says how a command runs over SSH exec: the ones listed as
// sshReads on the terminal key alone, the ones listed as sshNever not at
// all (they work on the host's files, or sync, which the server already
// does), and every other one only after the person types their
// passphrase on a terminal (ssh -t), so that each change is theirs.
var overSSH = map[string]sshAccess{
	"user list": sshReads, "user key list": sshReads, "patient find": sshReads, "patient show": sshReads,
	"appt list": sshReads, "schedule show": sshReads, "conflicts list": sshReads,
	"audit verify": sshReads, "audit list": sshReads, "sync status": sshReads,
	"init": sshNever, "seed": sshNever, "demo": sshNever, "join": sshNever, "serve": sshNever,
	"sync": sshNever, "sync new-device": sshNever, "completion": sshNever,
}

// sshAccess is how a command runs over SSH.
type sshAccess int

const (
	sshWrites sshAccess = iota
	sshReads
	sshNever
)

// execOver runs one SSH exec command with the same command tree, output
// and exit codes as a local clinic, on the served store as the key's user.
func (a *app) execOver(db *store.DB) sshhost.ExecFunc {
	return func(ctx context.Context, x sshhost.Exec) int {
		e := &env{
			stdin: x.Stdin, stdout: x.Stdout, stderr: x.Stderr,
			// Nothing of the client's environment is taken: not a user,
			// a data directory or a passphrase.
			getenv: func(string) string { return "" },
			now:    a.e.now, opts: a.e.opts, isTTY: x.Terminal, readSecret: x.ReadSecret,
			loc: db.Zone(), host: &hosted{db: db, user: x.User},
		}
		root := newRoot(e)
		if cmd, _, err := root.Find(x.Args); err == nil {
			path := strings.TrimSpace(strings.TrimPrefix(cmd.CommandPath(), root.Name()))
			switch overSSH[path] {
			case sshNever:
				fmt.Fprintf(e.stderr, "clinic: %s is not run over SSH; run it on the clinic host with the server stopped\n", core.SafeText(path))
				return exitUsage
			case sshReads:
				e.host.readOnly = true
			}
		}
		return run(ctx, x.Args, e)
	}
}

// hostedSession is withSession for a command over SSH: the served store,
// the key's user, and their passphrase only for a command that writes.
func (a *app) hostedSession(fn func(db *store.DB, s *store.Session) error) error {
	h := a.e.host
	if a.c.data != "" {
		return usagef("--data is not taken over SSH: commands run on the store clinic serve holds")
	}
	if a.c.user != "" && a.c.user != h.user {
		return deniedError{fmt.Errorf("this terminal's key belongs to %s; a command over SSH runs as %s only", h.user, h.user)}
	}
	if h.readOnly {
		s, err := h.db.KeySession(h.user)
		if errors.Is(err, store.ErrStoreLocked) || errors.Is(err, store.ErrUnknownKey) {
			return deniedError{err}
		}
		if err != nil {
			return err
		}
		return fn(h.db, s)
	}
	if !a.e.isTTY {
		return deniedError{errors.New("this command changes records and needs your passphrase: run it with ssh -t so it can ask")}
	}
	pass, err := a.e.secret("", "passphrase for "+h.user+": ")
	if err != nil {
		return err
	}
	s, err := h.db.Login(h.user, pass)
	if err != nil {
		return err
	}
	return fn(h.db, s)
}
