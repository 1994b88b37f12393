package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"google.golang.org/grpc"

	"medisecure/core"
	"medisecure/store"
	"medisecure/sync/client"
	"medisecure/sync/server"
	"medisecure/sync/server/boltstore"
)

// What the sync figures (P5, P6, P7, P9) share: a sync server in this
// process on loopback over a bbolt file, and workstations of one
// organisation — the first one's store and a copy of it with its own
// device, added to the server by the first.

// syncToken is the registration token of the benchmarks' servers.
const syncToken = "bench-token"

// syncKDF keeps the sync fixtures' logins cheap: the sync figures do not
// measure the passphrase derivation (P3 does).
var syncKDF = store.KDF{Time: 1, MemKiB: 64, Threads: 1}

// syncServer is a running benchmark server.
type syncServer struct {
	addr    string
	path    string
	backend *boltstore.Store
	stop    func()
}

// startSyncServer serves the bbolt file at path on 127.0.0.1.
func startSyncServer(path string) (*syncServer, error) {
	st, err := boltstore.Open(path)
	if err != nil {
		return nil, err
	}
	srv, err := server.New(server.Config{
		Backend: st, RegisterToken: syncToken, ShutdownGrace: 5 * time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		st.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		srv.Serve(ctx, lis)
		st.Close()
		close(done)
	}()
	return &syncServer{addr: lis.Addr().String(), path: path, backend: st, stop: func() { cancel(); <-done }}, nil
}

// workstation is an open store with its admin and desk sessions and a
// sync client.
type workstation struct {
	db     *store.DB
	admin  *store.Session
	desk   *store.Session
	conn   *grpc.ClientConn
	client *client.Client
}

// openWorkstation opens a store (fsync on, as a workstation runs) and
// logs in.
func openWorkstation(path string) (*workstation, error) {
	db, err := store.Open(path, store.Options{Now: benchNow, KDF: syncKDF})
	if err != nil {
		return nil, err
	}
	w := &workstation{db: db}
	if w.admin, err = db.Login("admin", benchPass); err == nil {
		w.desk, err = db.Login("desk", benchPass)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return w, nil
}

// connect makes the workstation's sync client for addr, through which
// the admin's session syncs; opts may change the defaults.
func (w *workstation) connect(addr string, opts client.Options) error {
	conn, err := client.Dial(addr, client.DialOptions{})
	if err != nil {
		return err
	}
	w.conn = conn
	opts.Addr = addr
	if opts.Token == "" {
		opts.Token = syncToken
	}
	w.client = client.New(conn, w.admin, opts)
	return nil
}

func (w *workstation) close() {
	if w.conn != nil {
		w.conn.Close()
	}
	w.db.Close()
}

// deskDoctor is the fixtures' doctor, who works around the clock.
const deskDoctor = "dr.desk"

// newSyncOrg creates, in dir, the first workstation's store (admin, desk,
// a doctor with hours every day) and a copy of it with its own device identity, and returns their paths.
func newSyncOrg(dir string) (first, second string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", err
	}
	first, second = filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	os.Remove(first)
	os.Remove(second)
	opts := store.Options{Now: func() time.Time { return fixedNow }, KDF: syncKDF, NoSync: true}
	if err := store.Create(first, store.InitOptions{Org: "Sync Bench Clinic", Zone: "Europe/Berlin", Admin: "admin", Passphrase: benchPass}, opts); err != nil {
		return "", "", err
	}
	db, err := store.Open(first, opts)
	if err != nil {
		return "", "", err
	}
	admin, err := db.Login("admin", benchPass)
	if err == nil {
		err = setUpStaff(db, admin)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", "", err
	}
	if err := copyFile(first, second); err != nil {
		return "", "", err
	}
	db, err = store.Open(second, opts)
	if err != nil {
		return "", "", err
	}
	defer db.Close()
	if admin, err = db.Login("admin", benchPass); err != nil {
		return "", "", err
	}
	return first, second, admin.NewDeviceIdentity()
}

// setUpStaff adds the desk and the doctor, with hours every day.
func setUpStaff(db *store.DB, admin *store.Session) error {
	if err := admin.AddUser(core.User{Name: "desk", Role: core.RoleReception}, benchPass); err != nil {
		return err
	}
	if err := admin.AddUser(core.User{Name: deskDoctor, Role: core.RoleDoctor}, benchPass); err != nil {
		return err
	}
	doc, err := db.Login(deskDoctor, benchPass)
	if err != nil {
		return err
	}
	sc := core.Schedule{Doctor: deskDoctor, SlotMinutes: 15}
	for d := range sc.Hours {
		sc.Hours[d] = []core.Span{{Start: 0, End: 24 * 60}}
	}
	_, err = doc.SetSchedule(sc)
	return err
}

// pair is a sync server and two workstations of one organisation, both
// known to the server and in step with each other.
type pair struct {
	srv  *syncServer
	a, b *workstation
}

// newPair builds a pair in dir. The first workstation reaches the server
// at the address route returns for the server's (a proxy, say); nil routes
// it directly.
func newPair(ctx context.Context, dir string, route func(addr string) string) (p *pair, err error) {
	first, second, err := newSyncOrg(dir)
	if err != nil {
		return nil, err
	}
	p = &pair{}
	defer func() {
		if err != nil {
			p.close()
		}
	}()
	if p.srv, err = startSyncServer(filepath.Join(dir, "syncd.db")); err != nil {
		return p, err
	}
	if p.a, err = openWorkstation(first); err != nil {
		return p, err
	}
	if p.b, err = openWorkstation(second); err != nil {
		return p, err
	}
	addr := p.srv.addr
	if route != nil {
		addr = route(addr)
	}
	if err := p.a.connect(addr, client.Options{}); err != nil {
		return p, err
	}
	if err := p.b.connect(p.srv.addr, client.Options{}); err != nil {
		return p, err
	}
	if err := joinServer(p.a, p.b); err != nil {
		return p, err
	}
	for _, w := range []*workstation{p.a, p.b, p.a} {
		if _, err := w.client.SyncOnce(ctx); err != nil {
			return p, err
		}
	}
	return p, nil
}

// close closes the workstations and stops the server.
func (p *pair) close() {
	for _, w := range []*workstation{p.a, p.b} {
		if w != nil {
			w.close()
		}
	}
	if p.srv != nil {
		p.srv.stop()
	}
}

// joinServer registers the organisation with the first workstation and
// adds the second's device.
func joinServer(a, b *workstation) error {
	ctx := context.Background()
	if err := a.client.Register(ctx, syncToken); err != nil {
		return err
	}
	return a.client.AddDevice(ctx, b.db.DeviceID(), b.admin.DeviceKey().Public().(ed25519.PublicKey))
}

// fillChanges makes n local changes on w as the front desk, in
// transactions of 500: new patients, and appointments for them in free
// quarter hours of 64 doctors from start on.
func fillChanges(w *workstation, n int, start time.Time) error {
	made := 0
	var patients []core.ID
	slot := 0
	for made < n {
		err := w.desk.Batch(func(wr *store.Writer) error {
			for i := 0; i < 500 && made < n; i++ {
				if made%2 == 0 || len(patients) == 0 {
					p := &core.Patient{
						Name:  fmt.Sprintf("%s %s", firstNames[made%len(firstNames)], lastNames[(made/7)%len(lastNames)]),
						DOB:   core.Date(fmt.Sprintf("19%02d-%02d-%02d", 30+made%70, 1+made%12, 1+made%28)),
						Phone: fmt.Sprintf("+44 20 7946 %04d", made%10000),
						Email: fmt.Sprintf("patient%d@example.org", made),
					}
					if err := wr.Add(p); err != nil {
						return err
					}
					patients = append(patients, p.ID)
				} else {
					a := &core.Appointment{
						PatientID: patients[len(patients)-1], Doctor: fmt.Sprintf("dr.bench%02d", slot%64),
						Start: quarter(start, slot/64), Minutes: 15, Reason: "follow-up", Status: core.ApptBooked,
					}
					if err := wr.Add(a); err != nil {
						return err
					}
					slot++
				}
				made++
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// quarter is the i-th working quarter hour from start: 32 a day, 8:00 to
// 16:00, every day.
func quarter(start time.Time, i int) time.Time {
	day := start.AddDate(0, 0, i/32)
	return time.Date(day.Year(), day.Month(), day.Day(), 8, 0, 0, 0, time.UTC).Add(time.Duration(i%32) * 15 * time.Minute)
}

// Names for the benchmark patients.
var (
	firstNames = []string{"Amara", "Bruno", "Chiara", "Dmitri", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kofi", "Lena"}
	lastNames  = []string{"Okafor", "Silva", "Rossi", "Ivanov", "Yilmaz", "Haddad", "Berg", "Tanaka", "Moreau", "Weber", "Mensah", "Novak", "Kowalski"}
)
