package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"medisecure/core"
	"medisecure/store"
	"medisecure/sync/client"
)

// syncUsage is the usage line of clinic sync.
const syncUsage = "sync [--server ADDR] [--token T] [--insecure] [--ca FILE] [--watch [--interval D]] | sync status | sync new-device"

// cmdSync runs one full push and pull, keeps syncing with --watch, or
// reports the honest state of sync (sync status).
func cmdSync(ctx context.Context, e *env, args []string) error {
	var c common
	fs := e.flags("sync", syncUsage, &c)
	server := fs.String("server", "", "sync server `host:port`, remembered after the first sync")
	token := fs.String("token", "", "the server operator's registration `token`, for the organisation's first sync (default $CLINIC_SYNC_TOKEN)")
	insecure := fs.Bool("insecure", false, "allow plaintext to a server that is not on loopback")
	ca := fs.String("ca", "", "PEM `file` of the certificate authority that signed the server's certificate")
	watch := fs.Bool("watch", false, "keep syncing until interrupted")
	interval := fs.Duration("interval", 30*time.Second, "with --watch, the time between syncs")
	pos, err := parseAll(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 1 && pos[0] == "status":
		return syncStatus(e, &c)
	case len(pos) == 1 && pos[0] == "new-device":
		return syncNewDevice(e, &c)
	case len(pos) > 0:
		return usagef("unexpected %q; usage: clinic %s", pos[0], syncUsage)
	case *interval <= 0:
		return usagef("--interval must be positive, like 30s or 5m")
	}
	if *token == "" {
		*token = e.getenv("CLINIC_SYNC_TOKEN")
	}
	db, s, err := e.open(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	addr := *server
	if addr == "" {
		st, err := s.SyncState()
		if err != nil {
			return err
		}
		if addr = st.Server; addr == "" {
			return usagef("no sync server yet: give --server ADDR (host:port) the first time")
		}
	}
	conn, err := client.Dial(addr, client.DialOptions{Insecure: *insecure, CAFile: *ca})
	if err != nil {
		return usageErr(err)
	}
	defer conn.Close()
	opts := client.Options{Addr: addr, Token: *token, Now: e.now}
	if !*watch {
		rep, err := client.New(conn, s, opts).SyncOnce(ctx)
		if err != nil {
			return syncError(err)
		}
		fmt.Fprintf(e.stdout, "pushed %d, pulled %d, conflicts %d\n", rep.Pushed, rep.Pulled, rep.Conflicts)
		return nil
	}
	opts.OnSync = func(rep client.Report, err error) {
		stamp := e.now().In(db.Zone()).Format("15:04:05")
		if err != nil {
			fmt.Fprintf(e.stderr, "%s sync failed: %s; trying again\n", stamp, e.message(syncError(err)))
			return
		}
		fmt.Fprintf(e.stdout, "%s pushed %d, pulled %d, conflicts %d\n", stamp, rep.Pushed, rep.Pulled, rep.Conflicts)
	}
	fmt.Fprintf(e.stderr, "syncing with %s every %s; press Ctrl-C to stop\n", addr, *interval)
	return client.New(conn, s, opts).Watch(ctx, *interval)
}

// syncError gives a sync failure its exit code: a server that refuses
// this workstation, or does not know it, is an authentication problem
// (2); a link or a batch that fails is a store problem (4).
func syncError(err error) error {
	if errors.Is(err, client.ErrRefused) || errors.Is(err, client.ErrNotRegistered) {
		return deniedError{err}
	}
	return err
}

// deniedError marks an error as a refusal, which exits 2.
type deniedError struct{ err error }

func (d deniedError) Error() string        { return d.err.Error() }
func (d deniedError) Unwrap() error        { return d.err }
func (d deniedError) Is(target error) bool { return target == core.ErrDenied }

// refusal is a request the state of the store forbids, which exits 3.
type refusal struct{ err error }

func (r refusal) Error() string        { return r.err.Error() }
func (r refusal) Unwrap() error        { return r.err }
func (r refusal) Is(target error) bool { return target == core.ErrInvalid }

// syncReport is what clinic sync status reports.
type syncReport struct {
	Server    string     `json:"server"`
	Pending   int        `json:"pending"`
	LastSeq   uint64     `json:"last_seq"`
	LastAck   uint64     `json:"last_ack"`
	LastPull  *time.Time `json:"last_pull"`
	Conflicts int        `json:"conflicts"`
	Synced    bool       `json:"synced"`
	State     string     `json:"state"`
}

// syncStatus prints the state of sync as the store knows it, without
// asking the server: "synced" only when the server acknowledged every
// local change and a pull has completed.
func syncStatus(e *env, c *common) error {
	db, s, err := e.open(c)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := s.SyncState()
	if err != nil {
		return err
	}
	open, err := s.Conflicts()
	if err != nil {
		return err
	}
	r := syncReport{Server: st.Server, Pending: st.Pending, LastSeq: st.LastSeq, LastAck: st.LastAck, Conflicts: len(open)}
	if !st.LastPull.IsZero() {
		r.LastPull = &st.LastPull
	}
	r.Synced, r.State = syncState(st)
	if c.json {
		return table(e.stdout, true, r, nil, nil)
	}
	server, pull := st.Server, "never"
	if server == "" {
		server = "none yet"
	}
	if r.LastPull != nil {
		pull = st.LastPull.In(db.Zone()).Format("2006-01-02 15:04:05 MST")
	}
	fmt.Fprintf(e.stdout, "server:     %s\n", server)
	fmt.Fprintf(e.stdout, "pending:    %d changes\n", st.Pending)
	fmt.Fprintf(e.stdout, "last ack:   change %d of %d\n", st.LastAck, st.LastSeq)
	fmt.Fprintf(e.stdout, "last pull:  %s\n", pull)
	fmt.Fprintf(e.stdout, "conflicts:  %d open\n", len(open))
	fmt.Fprintf(e.stdout, "state:      %s\n", r.State)
	return nil
}

// syncState says in words where sync stands.
func syncState(st store.Status) (bool, string) {
	switch {
	case st.LastPull.IsZero() && st.Server == "":
		return false, "never synced: run clinic sync --server ADDR"
	case st.Pending > 0:
		return false, fmt.Sprintf("%d changes not yet acknowledged by the server", st.Pending)
	case st.LastPull.IsZero():
		return false, "nothing pulled yet"
	}
	return true, "synced"
}

// syncNewDevice gives a copy of another workstation's store its own
// device identity, so that both can sync: until clinic join exists, a
// second workstation starts as a copy. It refuses while changes are
// pending, which would be lost: the store copied from must sync first.
func syncNewDevice(e *env, c *common) error {
	db, s, err := e.open(c)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := s.SyncState()
	if err != nil {
		return err
	}
	if st.Pending > 0 {
		return refusal{fmt.Errorf("this store has %d changes the server has not acknowledged; sync the workstation it was copied from, copy its store again, then run this", st.Pending)}
	}
	old := db.DeviceID()
	if err := s.NewDeviceIdentity(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "this store is now device %s (was %s); an admin's first clinic sync here adds it to the server\n", db.DeviceID(), old)
	return nil
}

// cmdConflicts lists open conflicts or resolves one.
func cmdConflicts(_ context.Context, e *env, args []string) error {
	var c common
	usage := `conflicts list [--json] | conflicts resolve ID --keep APPT_ID [--move-to "YYYY-MM-DD HH:MM"]`
	fs := e.flags("conflicts", usage, &c)
	keep := fs.String("keep", "", "with resolve, the appointment to keep (required)")
	moveTo := fs.String("move-to", "", `with resolve, move the other appointment to this time ("YYYY-MM-DD HH:MM") instead of cancelling it`)
	pos, err := parseAll(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 1 && pos[0] == "list":
		return conflictsList(e, &c)
	case len(pos) == 2 && pos[0] == "resolve":
		return conflictsResolve(e, &c, pos[1], *keep, *moveTo)
	case len(pos) > 0 && pos[0] == "resolve":
		return usagef(`usage: clinic conflicts resolve ID --keep APPT_ID [--move-to "YYYY-MM-DD HH:MM"]`)
	}
	return usagef("usage: clinic %s", usage)
}

// conflictRow is one open conflict as clinic conflicts list prints it.
type conflictRow struct {
	ID           core.ID   `json:"id"`
	On           string    `json:"on"`
	Appointments [2]string `json:"appointments"`
	Start        time.Time `json:"start"`
	Doctor       string    `json:"doctor"`
}

// conflictsList prints the open conflicts, oldest first.
func conflictsList(e *env, c *common) error {
	db, s, err := e.open(c)
	if err != nil {
		return err
	}
	defer db.Close()
	open, err := s.Conflicts()
	if err != nil {
		return err
	}
	out := make([]conflictRow, 0, len(open))
	rows := make([][]string, 0, len(open))
	for _, cf := range open {
		r := conflictRow{ID: cf.ID, On: cf.On, Appointments: [2]string{string(cf.Appointments[0]), string(cf.Appointments[1])}}
		when := ""
		if a, err := s.Appointment(cf.Appointments[0]); err == nil {
			r.Start, r.Doctor = a.Start, a.Doctor
			when = a.Start.In(db.Zone()).Format("2006-01-02 15:04")
		}
		out = append(out, r)
		rows = append(rows, []string{string(cf.ID), cf.On, when, r.Doctor, r.Appointments[0], r.Appointments[1]})
	}
	return table(e.stdout, c.json, out, []string{"ID", "ON", "WHEN", "DOCTOR", "APPOINTMENT", "OTHER"}, rows)
}

// conflictsResolve keeps one appointment of a conflict and cancels or
// moves the other.
func conflictsResolve(e *env, c *common, id, keep, moveTo string) error {
	if keep == "" {
		return usagef(`conflicts resolve needs --keep APPT_ID: the appointment to keep`)
	}
	cid, err := core.ParseID(id)
	if err != nil {
		return usageErr(fmt.Errorf("conflict ID: %s", strip(err.Error())))
	}
	kid, err := core.ParseID(keep)
	if err != nil {
		return usageErr(fmt.Errorf("--keep: %s", strip(err.Error())))
	}
	db, s, err := e.open(c)
	if err != nil {
		return err
	}
	defer db.Close()
	var to time.Time
	if moveTo != "" {
		if to, err = parseWhen(moveTo, db.Zone()); err != nil {
			return usageErr(fmt.Errorf("--move-to: %v", err))
		}
	}
	if err := s.ResolveConflict(cid, kid, to); err != nil {
		return err
	}
	if to.IsZero() {
		fmt.Fprintf(e.stdout, "resolved %s: kept %s, cancelled the other; it syncs with the next clinic sync\n", cid, kid)
	} else {
		fmt.Fprintf(e.stdout, "resolved %s: kept %s, moved the other to %s; it syncs with the next clinic sync\n", cid, kid, to.In(db.Zone()).Format("2006-01-02 15:04"))
	}
	return nil
}

// parseAll parses flags wherever they stand among the positional
// arguments ("resolve ID --keep X" as well as "--keep X resolve ID") and
// returns the positional ones in order.
func parseAll(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parse(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
