package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"medisecure/core"
	"medisecure/store"
	"medisecure/sync/client"
)

// syncCmd is clinic sync: one full push and pull, or keep syncing with
// --watch; its subcommands report the honest state of sync and give a
// copied store its own identity.
func (a *app) syncCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sync [--server ADDR] [--token T] [--insecure] [--ca FILE] [--watch [--interval D]]",
		Short: "push changes to the sync server, pull the others'; sync status",
		Args:  noArgs,
	}
	f := cmd.Flags()
	server := f.String("server", "", "sync server `HOST:PORT`, remembered after the first sync")
	token := f.String("token", "", "the server operator's registration `TOKEN`, for the organisation's first sync (default $CLINIC_SYNC_TOKEN)")
	insecure := f.Bool("insecure", false, "allow plaintext to a server that is not on loopback")
	ca := f.String("ca", "", "PEM `FILE` of the certificate authority that signed the server's certificate")
	watch := f.Bool("watch", false, "keep syncing until interrupted")
	interval := f.Duration("interval", 30*time.Second, "with --watch, the time between syncs")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if *interval <= 0 {
			return usagef("--interval must be positive, like 30s or 5m")
		}
		if *token == "" {
			*token = a.e.getenv("CLINIC_SYNC_TOKEN")
		}
		return a.withSession(func(db *store.DB, s *store.Session) error {
			return a.sync(cmd.Context(), db, s, syncFlags{server: *server, token: *token, insecure: *insecure, ca: *ca, watch: *watch, interval: *interval})
		})
	}
	cmd.AddCommand(a.syncStatusCmd(), a.syncNewDeviceCmd(), a.syncQuarantineCmd())
	return cmd
}

// syncFlags are the flags of clinic sync.
type syncFlags struct {
	server, token, ca string
	insecure, watch   bool
	interval          time.Duration
}

// sync runs one sync, or keeps syncing with --watch.
func (a *app) sync(ctx context.Context, db *store.DB, s *store.Session, f syncFlags) error {
	e := a.e
	addr := f.server
	if addr == "" {
		st, err := s.SyncState()
		if err != nil {
			return err
		}
		if addr = st.Server; addr == "" {
			return usagef("no sync server yet: give --server ADDR (host:port) the first time")
		}
	}
	conn, err := client.Dial(addr, client.DialOptions{Insecure: f.insecure, CAFile: f.ca})
	if err != nil {
		return usageErr(err)
	}
	defer conn.Close()
	opts := client.Options{Addr: addr, Token: f.token, Now: e.now}
	if !f.watch {
		c := client.New(conn, s, opts)
		rep, err := c.SyncOnce(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "pushed %d, pulled %d, conflicts %d\n", rep.Pushed, rep.Pulled, rep.Conflicts)
		if st := c.Status(); st.State != "synced" {
			fmt.Fprintf(e.stderr, "state: %s\n", core.SafeText(st.State))
		}
		a.syncDocuments(ctx, c, conn)
		return nil
	}
	var c *client.Client
	opts.OnSync = func(rep client.Report, err error) {
		stamp := e.now().In(db.Zone()).Format("15:04:05")
		if err != nil {
			fmt.Fprintf(e.stderr, "%s sync failed: %s; trying again\n", stamp, e.message(err))
			return
		}
		fmt.Fprintf(e.stdout, "%s pushed %d, pulled %d, conflicts %d\n", stamp, rep.Pushed, rep.Pulled, rep.Conflicts)
		if st := c.Status(); st.State != "synced" {
			fmt.Fprintf(e.stderr, "%s state: %s\n", stamp, core.SafeText(st.State))
		}
		a.syncDocuments(ctx, c, conn)
	}
	fmt.Fprintf(e.stderr, "syncing with %s every %s; press Ctrl-C to stop\n", addr, f.interval)
	c = client.New(conn, s, opts)
	return c.Watch(ctx, f.interval)
}

// deniedError marks an error as a refusal by the server or a broken
// trust, of core.ClassAuth (exit 2).
type deniedError struct{ err error }

func (d deniedError) Error() string          { return d.err.Error() }
func (d deniedError) Unwrap() error          { return d.err }
func (d deniedError) ErrorClass() core.Class { return core.ClassAuth }

// refusal is a request the state of the store forbids, of
// core.ClassValidation (exit 3).
type refusal struct{ err error }

func (r refusal) Error() string          { return r.err.Error() }
func (r refusal) Unwrap() error          { return r.err }
func (r refusal) ErrorClass() core.Class { return core.ClassValidation }

// syncReport is what clinic sync status reports.
type syncReport struct {
	Server    string     `json:"server"`
	Pending   int        `json:"pending"`
	LastSeq   uint64     `json:"last_seq"`
	LastAck   uint64     `json:"last_ack"`
	LastPull  *time.Time `json:"last_pull"`
	Conflicts int        `json:"conflicts"`
	// Quarantined counts what sync refused and keeps aside.
	Quarantined int    `json:"quarantined"`
	Synced      bool   `json:"synced"`
	State       string `json:"state"`
}

// syncStatusCmd is clinic sync status.
func (a *app) syncStatusCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "pending changes, last acknowledged, last pull, open conflicts",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			return a.withSession(func(db *store.DB, s *store.Session) error {
				return syncStatus(a.e, a.c.json, db, s)
			})
		},
	}
}

// syncStatus prints the state of sync as the store knows it, without
// asking the server: "synced" only when the server acknowledged every
// local change, a pull has completed, nothing is quarantined and the last
// sync found nothing in the way (a refusal, changes the server lost and
// nobody kept, a clock off).
func syncStatus(e *env, asJSON bool, db *store.DB, s *store.Session) error {
	st, err := s.SyncState()
	if err != nil {
		return err
	}
	marks, err := s.SyncMarks()
	if err != nil {
		return err
	}
	open, err := s.Conflicts()
	if err != nil {
		return err
	}
	r := syncReport{Server: st.Server, Pending: st.Pending, LastSeq: st.LastSeq, LastAck: st.LastAck, Conflicts: len(open), Quarantined: st.Quarantined}
	if !st.LastPull.IsZero() {
		r.LastPull = &st.LastPull
	}
	r.Synced, r.State = syncState(st, marks.Outcome)
	if asJSON {
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
	fmt.Fprintf(e.stdout, "quarantine: %d refused from sync\n", st.Quarantined)
	fmt.Fprintf(e.stdout, "state:      %s\n", core.SafeText(r.State))
	return nil
}

// syncState says in words where sync stands.
func syncState(st store.Status, last store.SyncOutcome) (bool, string) {
	switch {
	case st.LastPull.IsZero() && st.Server == "":
		return false, "never synced: run clinic sync --server ADDR"
	case st.LastPull.IsZero() && st.Pending == 0 && len(last.Problems) == 0:
		return false, "nothing pulled yet"
	}
	return client.Summarize(last, st)
}

// syncNewDeviceCmd is clinic sync new-device.
func (a *app) syncNewDeviceCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "new-device",
		Short: "give a copied store its own device identity",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			return a.withSession(func(db *store.DB, s *store.Session) error {
				return syncNewDevice(a.e, db, s)
			})
		},
	}
}

// syncNewDevice gives a store its own device identity: a copy of another
// workstation's store (a cloned laptop, a backup restored on a second
// machine), so that both can sync. Changes not yet pushed are kept,
// re-authored under the new device.
func syncNewDevice(e *env, db *store.DB, s *store.Session) error {
	st, err := s.SyncState()
	if err != nil {
		return err
	}
	old := db.DeviceID()
	if err := s.NewDeviceIdentity(); err != nil {
		return err
	}
	kept := ""
	if st.Pending > 0 {
		kept = fmt.Sprintf("; its %d changes not yet pushed go out under the new device", st.Pending)
	}
	fmt.Fprintf(e.stdout, "this store is now device %s (was %s)%s; an admin's first clinic sync here adds it to the server\n", db.DeviceID(), old, kept)
	return nil
}

// syncQuarantineCmd is clinic sync quarantine.
func (a *app) syncQuarantineCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "quarantine [--json]",
		Short: "list the changes and batches sync refused and keeps aside (admins)",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			return a.withSession(func(db *store.DB, s *store.Session) error {
				return syncQuarantine(a.e, a.c.json, db, s)
			})
		},
	}
}

// quarantineRow is one quarantined change or batch as clinic sync
// quarantine prints it.
type quarantineRow struct {
	Device string    `json:"device"`
	First  uint64    `json:"first"`
	Last   uint64    `json:"last"`
	Kind   string    `json:"kind,omitempty"`
	ID     string    `json:"id,omitempty"`
	Author string    `json:"author,omitempty"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// syncQuarantine lists the quarantine: what, from which device, why.
func syncQuarantine(e *env, asJSON bool, db *store.DB, s *store.Session) error {
	q, err := s.Quarantine()
	if err != nil {
		return err
	}
	out := make([]quarantineRow, 0, len(q))
	rows := make([][]string, 0, len(q))
	for _, entry := range q {
		r := quarantineRow{Device: entry.Device, First: entry.First, Last: entry.Last, Reason: entry.Reason, At: entry.At}
		what := "whole batch"
		if c := entry.Change; c != nil {
			r.Kind, r.ID, r.Author = string(c.Kind), string(c.ID), c.Author
			what = fmt.Sprintf("%s %s by %s", c.Kind, c.ID, c.Author)
		}
		out = append(out, r)
		rows = append(rows, []string{
			core.SafeText(entry.Device), fmt.Sprintf("%d..%d", entry.First, entry.Last), core.SafeText(what),
			core.SafeText(entry.Reason), entry.At.In(db.Zone()).Format("2006-01-02 15:04"),
		})
	}
	return table(e.stdout, asJSON, out, []string{"DEVICE", "SEQ", "WHAT", "WHY", "SINCE"}, rows)
}

// conflictsCmd is clinic conflicts: list or resolve the double bookings
// sync found.
func (a *app) conflictsCmd() *cobra.Command {
	return group("conflicts", "list or resolve double bookings sync found", a.conflictsListCmd(), a.conflictsResolveCmd())
}

// conflictsListCmd is clinic conflicts list.
func (a *app) conflictsListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list [--json]",
		Short: "print the open conflicts, oldest first",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			return a.withSession(func(db *store.DB, s *store.Session) error {
				return conflictsList(a.e, a.c.json, db, s)
			})
		},
	}
}

// conflictsResolveCmd is clinic conflicts resolve.
func (a *app) conflictsResolveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   `resolve ID --keep APPT_ID [--move-to "YYYY-MM-DD HH:MM"]`,
		Short: "keep one appointment of a conflict and cancel or move the other",
		Args:  exactArgs(1),
	}
	keep := cmd.Flags().String("keep", "", "the appointment to keep (required)")
	moveTo := cmd.Flags().String("move-to", "", `move the other appointment to this time ("YYYY-MM-DD HH:MM") instead of cancelling it`)
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		return a.conflictsResolve(args[0], *keep, *moveTo)
	}
	return cmd
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
func conflictsList(e *env, asJSON bool, db *store.DB, s *store.Session) error {
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
	return table(e.stdout, asJSON, out, []string{"ID", "ON", "WHEN", "DOCTOR", "APPOINTMENT", "OTHER"}, rows)
}

// conflictsResolve keeps one appointment of a conflict and cancels or
// moves the other.
func (a *app) conflictsResolve(id, keep, moveTo string) error {
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
	return a.withSession(func(db *store.DB, s *store.Session) error {
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
			fmt.Fprintf(a.e.stdout, "resolved %s: kept %s, cancelled the other; it syncs with the next clinic sync\n", cid, kid)
		} else {
			fmt.Fprintf(a.e.stdout, "resolved %s: kept %s, moved the other to %s; it syncs with the next clinic sync\n", cid, kid, to.In(db.Zone()).Format("2006-01-02 15:04"))
		}
		return nil
	})
}
