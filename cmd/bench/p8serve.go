package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"medisecure/cmd/internal/deskapp"
	"medisecure/cmd/internal/sshhost"
	"medisecure/store"
	"medisecure/store/seed"
)

// P8 sizes: thin terminals at once, keystrokes each, and the store they
// share.
var p8Sessions = envInt("BENCH_P8_SESSIONS", 50)

const (
	p8Keys = 40
	// p8Pause is the mean time a person takes between two keys: 4 keys a
	// second, a quick typist, each pause drawn between half and one and a
	// half times it.
	p8Pause     = 250 * time.Millisecond
	p8Patients  = 5000
	p8Appts     = 20000
	p8Doctors   = 10
	p8WaitLimit = time.Minute
)

// benchP8 serves a store over SSH (the clinic serve server) to 50
// concurrent thin terminals on loopback: half are reception typing patient
// searches, half doctors paging through their schedule by day. It times
// each keystroke from the client writing it to the client receiving the
// frame that shows it, and reports the p99, and the Go heap each logged-in
// session adds (server and client sides together, so an upper bound).
func benchP8(_ context.Context, c config) (string, error) {
	path, err := fixture(c.dir, p8Patients, p8Appts, p8Doctors)
	if err != nil {
		return "", err
	}
	work := filepath.Join(c.dir, "p8-work.db")
	if err := copyFile(path, work); err != nil {
		return "", err
	}
	db, err := store.Open(work, store.Options{Now: func() time.Time { return fixedNow }})
	if err != nil {
		return "", err
	}
	defer db.Close()
	h, err := startP8Host(db)
	if err != nil {
		return "", err
	}
	defer h.stop()
	before := heapInUse()
	terms := make([]*p8Term, p8Sessions)
	for i := range terms {
		// One login at a time: each Argon2id derivation takes 64 MiB.
		user := "desk"
		if i%2 == 1 {
			user = seed.DoctorName(i / 2 % p8Doctors)
		}
		if terms[i], err = h.open(user); err != nil {
			return "", fmt.Errorf("session %d (%s): %w", i, user, err)
		}
		defer terms[i].close()
	}
	queries, err := p8Queries(db)
	if err != nil {
		return "", err
	}
	var (
		mu    sync.Mutex
		times []time.Duration
		wg    sync.WaitGroup
		first error
	)
	for i, t := range terms {
		t.pace = mrand.New(mrand.NewPCG(uint64(i), 8))
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Start at different moments, as people do.
			time.Sleep(t.pause())
			var got []time.Duration
			var err error
			if i%2 == 0 {
				got, err = t.search(queries[i/2%len(queries):])
			} else {
				got, err = t.days()
			}
			mu.Lock()
			defer mu.Unlock()
			times = append(times, got...)
			if err != nil && first == nil {
				first = err
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return "", first
	}
	after := heapInUse()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	// The heap can be smaller after than before (a collection freed the
	// fixture's setup): then the sessions cost nothing measurable.
	perSession := float64(max(0, int64(after)-int64(before))) / float64(p8Sessions) / (1 << 20)
	return fmt.Sprintf("%s ms p99 keystroke to screen over SSH, %d keystrokes in %d concurrent sessions each typing %.0f keys a second (search and schedule by day, median %s ms), %.2f MB/session (Go heap, server and client); target 30 ms, 10 MB",
		ms(p99(times)), len(times), p8Sessions, float64(time.Second)/float64(p8Pause), ms(times[len(times)/2]), perSession), nil
}

// heapInUse is the live Go heap after a collection: the bytes of objects
// still reachable. (HeapInuse, the spans holding them, also counts the free
// room left in spans by what the collection freed, so it can shrink while
// sessions are added.)
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// p8Queries are search prefixes of real names, short enough to stay whole
// in the search field.
func p8Queries(db *store.DB) ([]string, error) {
	desk, err := db.Login("desk", benchPass)
	if err != nil {
		return nil, err
	}
	sample, err := desk.FindPatients("e", 100)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range sample {
		first, _, _ := strings.Cut(strings.ToLower(p.Name), " ")
		if first != "" && len(first) <= 12 && ansi.StringWidth(first) == len(first) {
			out = append(out, first)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no names to search for")
	}
	return out, nil
}

// p8Host is the SSH server on loopback and the terminal keys of its users.
type p8Host struct {
	srv    *sshhost.Server
	addr   string
	hostPK gossh.PublicKey
	keys   map[string]gossh.Signer
	done   chan error
}

// startP8Host registers a terminal key for reception and every doctor and
// serves db on 127.0.0.1:0.
func startP8Host(db *store.DB) (*p8Host, error) {
	admin, err := db.Login("admin", benchPass)
	if err != nil {
		return nil, err
	}
	h := &p8Host{keys: map[string]gossh.Signer{}, done: make(chan error, 1)}
	users := []string{"desk"}
	for i := 0; i < p8Doctors; i++ {
		users = append(users, seed.DoctorName(i))
	}
	for _, u := range users {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		if h.keys[u], err = gossh.NewSignerFromKey(priv); err != nil {
			return nil, err
		}
		if _, err := admin.AddSSHKey(u, gossh.MarshalAuthorizedKey(h.keys[u].PublicKey())); err != nil && !errors.Is(err, store.ErrUserExists) {
			return nil, err
		}
	}
	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	hostKey, err := gossh.NewSignerFromKey(hostPriv)
	if err != nil {
		return nil, err
	}
	h.hostPK = hostKey.PublicKey()
	h.srv, err = sshhost.New(sshhost.Config{
		DB: db, Backend: deskapp.Backend{DB: db}, HostKey: hostKey,
		Exec:        func(context.Context, sshhost.Exec) int { return 1 },
		MaxSessions: p8Sessions, MaxPerUser: p8Sessions,
		Now: func() time.Time { return fixedNow },
	})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	h.addr = ln.Addr().String()
	go func() { h.done <- h.srv.Serve(ln) }()
	return h, nil
}

// stop shuts the server down.
func (h *p8Host) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h.srv.Shutdown(ctx)
	<-h.done
}

// p8Term is one thin terminal: an SSH client with a pty at 120x40.
type p8Term struct {
	// pace draws the pauses between keys, seeded per session.
	pace   *mrand.Rand
	client *gossh.Client
	in     io.Writer
	mu     sync.Mutex
	cond   *sync.Cond
	out    []byte
	err    error
}

// open connects as user, logs in and waits for the home screen.
func (h *p8Host) open(user string) (*p8Term, error) {
	client, err := gossh.Dial("tcp", h.addr, &gossh.ClientConfig{
		User: user, Auth: []gossh.AuthMethod{gossh.PublicKeys(h.keys[user])},
		HostKeyCallback: gossh.FixedHostKey(h.hostPK), Timeout: p8WaitLimit,
	})
	if err != nil {
		return nil, err
	}
	t := &p8Term{client: client}
	t.cond = sync.NewCond(&t.mu)
	sess, err := client.NewSession()
	if err != nil {
		client.Close()
		return nil, err
	}
	if t.in, err = sess.StdinPipe(); err != nil {
		client.Close()
		return nil, err
	}
	stdout, err := sess.StdoutPipe()
	if err != nil {
		client.Close()
		return nil, err
	}
	if err := sess.RequestPty("xterm-256color", 40, 120, gossh.TerminalModes{}); err != nil {
		client.Close()
		return nil, err
	}
	if err := sess.Shell(); err != nil {
		client.Close()
		return nil, err
	}
	go t.read(stdout)
	at := t.mark()
	if err := t.wait(at, "Log in"); err != nil {
		t.close()
		return nil, err
	}
	at = t.mark()
	io.WriteString(t.in, user+"\r")
	io.WriteString(t.in, benchPass+"\r")
	if err := t.wait(at, "("); err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

// read collects what the server sends and wakes the waiters.
func (t *p8Term) read(r io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		t.mu.Lock()
		t.out = append(t.out, buf[:n]...)
		if err != nil {
			t.err = err
		}
		t.cond.Broadcast()
		t.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// mark is where the output stands now.
func (t *p8Term) mark() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.out)
}

// wait blocks until the output after from shows text.
func (t *p8Term) wait(from int, text string) error {
	deadline := time.AfterFunc(p8WaitLimit, func() {
		t.mu.Lock()
		t.err = fmt.Errorf("never saw %q", text)
		t.cond.Broadcast()
		t.mu.Unlock()
	})
	defer deadline.Stop()
	t.mu.Lock()
	defer t.mu.Unlock()
	for {
		if bytes.Contains([]byte(ansi.Strip(string(t.out[from:]))), []byte(text)) {
			return nil
		}
		if t.err != nil {
			return t.err
		}
		t.cond.Wait()
	}
}

// pause is one think time between keys.
func (t *p8Term) pause() time.Duration {
	return p8Pause/2 + time.Duration(t.pace.Int64N(int64(p8Pause)))
}

// key waits a person's pause, types one key and times it until the
// screen shows want.
func (t *p8Term) key(k, want string) (time.Duration, error) {
	time.Sleep(t.pause())
	at := t.mark()
	t0 := time.Now()
	if _, err := io.WriteString(t.in, k); err != nil {
		return 0, err
	}
	if err := t.wait(at, want); err != nil {
		return 0, err
	}
	return time.Since(t0), nil
}

// search types names into the patient search, one key at a time, timing
// each key until the search field shows it.
func (t *p8Term) search(queries []string) ([]time.Duration, error) {
	var times []time.Duration
	for i := 0; len(times) < p8Keys; i++ {
		q := queries[i%len(queries)]
		if _, err := t.key("/", "Find a patient"); err != nil {
			return times, err
		}
		for j := 1; j <= len(q) && len(times) < p8Keys; j++ {
			d, err := t.key(q[j-1:j], q[:j])
			if err != nil {
				return times, err
			}
			times = append(times, d)
		}
		at := t.mark()
		io.WriteString(t.in, "\x1b")
		if err := t.wait(at, "Waiting room"); err != nil {
			return times, err
		}
	}
	return times, nil
}

// days pages a doctor's schedule a day forward at a time, then back,
// timing each key until the new day's date is on screen.
func (t *p8Term) days() ([]time.Duration, error) {
	var times []time.Duration
	day := fixedNow
	for i := 0; i < p8Keys; i++ {
		k, step := "]", 1
		if i/10%2 == 1 {
			k, step = "[", -1
		}
		day = day.AddDate(0, 0, step)
		d, err := t.key(k, day.Format("Mon 2 Jan 2006"))
		if err != nil {
			return times, err
		}
		times = append(times, d)
	}
	return times, nil
}

// close drops the connection.
func (t *p8Term) close() { t.client.Close() }
