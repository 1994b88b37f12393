package client_test

import (
	"context"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// faultProxy sits on loopback between clients and the server and hurts
// each connection as its seeded plan says: cut at a random byte offset
// (counting both directions), short delays, and stalls longer than the
// clients' call timeout.
type faultProxy struct {
	lis    net.Listener
	target string
	seed   uint64
	conns  atomic.Uint64
	cuts   atomic.Int64
	stalls atomic.Int64
	wg     sync.WaitGroup
	mu     sync.Mutex
	open   map[net.Conn]bool
}

// Fault rates of the proxy.
const (
	cutShare    = 0.9      // of connections cut somewhere
	cutWithin   = 16 << 10 // bytes within which a cut falls
	delayChance = 0.05     // of chunks delayed by up to 2 ms
	stallChance = 0.02     // of chunks stalled
	stallFor    = 700 * time.Millisecond
)

func startProxy(t testing.TB, target string, seed uint64) *faultProxy {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	p := &faultProxy{lis: lis, target: target, seed: seed, open: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.close)
	return p
}

func (p *faultProxy) addr() string { return p.lis.Addr().String() }

func (p *faultProxy) close() {
	p.lis.Close()
	p.mu.Lock()
	for c := range p.open {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *faultProxy) serve() {
	defer p.wg.Done()
	for {
		down, err := p.lis.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			down.Close()
			continue
		}
		n := p.conns.Add(1)
		rng := rand.New(rand.NewPCG(p.seed, n))
		l := &faultLink{p: p, down: down, up: up, cutAt: -1, rng: rng}
		if rng.Float64() < cutShare {
			l.cutAt = rng.Int64N(cutWithin)
		}
		p.track(down, up)
		p.wg.Add(2)
		go l.pipe(down, up)
		go l.pipe(up, down)
	}
}

func (p *faultProxy) track(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		p.open[c] = true
	}
}

// faultLink is one proxied connection and its plan.
type faultLink struct {
	p        *faultProxy
	down, up net.Conn
	mu       sync.Mutex
	rng      *rand.Rand
	sent     int64
	cutAt    int64
	cut      bool
	stalled  bool
}

// pipe copies from one side to the other, applying the plan.
func (l *faultLink) pipe(from, to net.Conn) {
	defer l.p.wg.Done()
	buf := make([]byte, 4096)
	for {
		n, err := from.Read(buf)
		if n > 0 {
			chunk, wait, last := l.plan(n)
			if wait > 0 {
				time.Sleep(wait)
			}
			if _, werr := to.Write(buf[:chunk]); werr != nil || last {
				l.shut()
				return
			}
		}
		if err != nil {
			if err == io.EOF {
				if tc, ok := to.(*net.TCPConn); ok {
					tc.CloseWrite()
					return
				}
			}
			l.shut()
			return
		}
	}
}

// plan decides what becomes of a chunk of n bytes: how much of it to pass
// on, how long to hold it first, and whether the connection is cut after.
func (l *faultLink) plan(n int) (int, time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cut {
		return 0, 0, true
	}
	var wait time.Duration
	switch r := l.rng.Float64(); {
	case r < stallChance && !l.stalled:
		wait = stallFor
		l.stalled = true
		l.p.stalls.Add(1)
	case r < stallChance+delayChance:
		wait = time.Duration(l.rng.Int64N(int64(2 * time.Millisecond)))
	}
	if l.cutAt >= 0 && l.sent+int64(n) > l.cutAt {
		part := int(l.cutAt - l.sent)
		l.cut = true
		l.sent = l.cutAt
		l.p.cuts.Add(1)
		return part, wait, true
	}
	l.sent += int64(n)
	return n, wait, false
}

// shut closes both sides.
func (l *faultLink) shut() {
	l.down.Close()
	l.up.Close()
}

// Sync through a proxy that cuts, delays and stalls converges: every
// workstation ends with the same export, and each pulled exactly the
// changes the others made — none lost, none applied twice — though
// syncs fail part-way and stores are closed and reopened between them.
func TestSyncConvergesThroughFaults(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 3)
	online(t, srv, wss)
	converge(t, wss)
	start := make([]uint64, len(wss))
	for i, w := range wss {
		start[i] = w.state().LastSeq
	}
	proxy := startProxy(t, srv.addr, 42)
	opts := fastOptions(srv.addr)
	opts.CallTimeout = 300 * time.Millisecond
	opts.BatchChanges = 8
	opts.PullLimit = 5
	opts.ApplyChanges = 10
	// Two tries a step, so that some syncs fail and their stores are
	// reopened before the next.
	opts.Backoff.Attempts = 2
	var retries atomic.Int64
	opts.Sleep = func(ctx context.Context, d time.Duration) error {
		retries.Add(1)
		return quickSleep(ctx, d)
	}
	for _, w := range wss {
		w.connect(proxy.addr(), opts)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	pulled := make([]int, len(wss))
	failures := 0
	attempt := func(i int) bool {
		w := wss[i]
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		rep, err := w.client.SyncOnce(ctx)
		pulled[i] += rep.Pulled
		if err == nil {
			return true
		}
		failures++
		if rng.IntN(3) == 0 {
			w.reopen()
		}
		return false
	}
	eds := []*editor{newEditor(11), newEditor(12), newEditor(13)}
	for range 8 {
		for i, w := range wss {
			eds[i].edit(t, w, 25)
			attempt(i)
		}
	}
	// Sync on through the faults until every workstation completes two
	// rounds in a row.
	for tries, clean := 0, 0; clean < 2; tries++ {
		if tries == 60 {
			t.Fatalf("no convergence through the proxy after %d rounds", tries)
		}
		ok := true
		for i := range wss {
			ok = attempt(i) && ok
		}
		if ok {
			clean++
		} else {
			clean = 0
		}
	}
	sameExports(t, wss)
	t.Logf("%d connections, %d cut, %d stalls, %d retries, %d failed syncs", proxy.conns.Load(), proxy.cuts.Load(), proxy.stalls.Load(), retries.Load(), failures)
	if proxy.cuts.Load() == 0 || proxy.stalls.Load() == 0 || retries.Load() == 0 || failures == 0 {
		t.Errorf("the proxy hurt too little (%d cuts, %d stalls, %d retries, %d failed syncs)", proxy.cuts.Load(), proxy.stalls.Load(), retries.Load(), failures)
	}
	exactlyOnce(t, wss, start, pulled)
}

// exactlyOnce checks that nothing is pending and that each workstation
// pulled exactly the changes the others made since start (their last
// sequences then): none lost, none merged twice.
func exactlyOnce(t *testing.T, wss []*workstation, start []uint64, pulled []int) {
	t.Helper()
	made := make([]uint64, len(wss))
	for i, w := range wss {
		st := w.state()
		if st.Pending != 0 {
			t.Errorf("%s: %d changes still pending", w.name, st.Pending)
		}
		made[i] = st.LastSeq - start[i]
	}
	for i, w := range wss {
		var want uint64
		for j := range wss {
			if j != i {
				want += made[j]
			}
		}
		if uint64(pulled[i]) != want {
			t.Errorf("%s pulled %d changes; the others made %d", w.name, pulled[i], want)
		}
	}
}
