package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"medisecure/core"
)

// benchP6 measures the bytes on the wire per change of a realistic
// front-desk day: a workstation registers patients, books, checks in,
// completes, cancels and moves appointments through the day and syncs
// every 15 minutes (BENCH_P6_ROUNDS rounds, 32 by default: an eight-hour
// day), and a counting proxy adds up every byte of its link to the
// server, both ways. The limit is the same changes as plain JSON.
func benchP6(ctx context.Context, c config) (string, error) {
	rounds := envInt("BENCH_P6_ROUNDS", 32)
	dir := filepath.Join(c.dir, "p6")
	defer os.RemoveAll(dir)
	var proxy *countingProxy
	var perr error
	p, err := newPair(ctx, dir, func(addr string) string {
		if proxy, perr = startCountingProxy(addr); perr != nil {
			return addr
		}
		return proxy.addr()
	})
	if proxy != nil {
		defer proxy.close()
	}
	if err = errors.Join(perr, err); err != nil {
		return "", err
	}
	defer p.close()
	a, b := p.a, p.b
	day := &frontDesk{w: a, rng: rand.New(rand.NewPCG(6, 6)), day: fixedNow.AddDate(0, 0, 12)}
	proxy.reset()
	var changes, jsonBytes int
	for round := range rounds {
		if err := day.work(round, rounds); err != nil {
			return "", err
		}
		st, err := a.admin.SyncState()
		if err != nil {
			return "", err
		}
		pending, err := a.admin.Outbox(st.LastAck, st.Pending)
		if err != nil {
			return "", err
		}
		for _, ch := range pending {
			raw, err := json.Marshal(ch)
			if err != nil {
				return "", err
			}
			jsonBytes += len(raw)
		}
		changes += len(pending)
		rep, err := a.client.SyncOnce(ctx)
		if err != nil {
			return "", err
		}
		if rep.Pushed != len(pending) {
			return "", fmt.Errorf("round %d pushed %d of %d changes", round, rep.Pushed, len(pending))
		}
		// The other workstation works too; its changes come down a's link.
		if round%4 == 0 {
			if _, err := b.desk.AddPatient(core.Patient{Name: fmt.Sprintf("Walk-in %d", round), DOB: "1975-06-07"}); err != nil {
				return "", err
			}
			if _, err := b.client.SyncOnce(ctx); err != nil {
				return "", err
			}
		}
	}
	if changes == 0 {
		return "", fmt.Errorf("the front-desk day made no changes")
	}
	wire := float64(proxy.total()) / float64(changes)
	return fmt.Sprintf("%.0f B/change limit %.0f B/change", wire, float64(jsonBytes)/float64(changes)), nil
}

// deskClock is the workstations' clock: fixedNow, except while the front
// desk acts on a visit at the visit's own time (the store checks in only on
// the visit's day and marks a no-show only after its start).
var deskClock atomic.Int64

// benchNow is the workstations' wall clock.
func benchNow() time.Time {
	if ms := deskClock.Load(); ms != 0 {
		return time.UnixMilli(ms).UTC()
	}
	return fixedNow
}

// atTime runs fn with the workstations' clock at t.
func atTime(t time.Time, fn func() error) error {
	deskClock.Store(t.UnixMilli())
	defer deskClock.Store(0)
	return fn()
}

// frontDesk plays a day at the desk on one workstation.
type frontDesk struct {
	w        *workstation
	rng      *rand.Rand
	day      time.Time
	patients []core.ID
	booked   []core.Appointment
	slot     int
}

// work does one fifteen-minute stretch of the day (round of rounds): a
// new patient or two, several bookings for the coming weeks, arrivals
// checked in and seen, the odd cancellation, move and change of phone
// number.
func (d *frontDesk) work(round, rounds int) error {
	s := d.w.desk
	for range 1 + d.rng.IntN(2) {
		p, err := s.AddPatient(core.Patient{
			Name:    fmt.Sprintf("%s %s", firstNames[d.rng.IntN(len(firstNames))], lastNames[d.rng.IntN(len(lastNames))]),
			DOB:     core.Date(fmt.Sprintf("19%02d-%02d-%02d", 30+d.rng.IntN(70), 1+d.rng.IntN(12), 1+d.rng.IntN(28))),
			Phone:   fmt.Sprintf("+44 20 7946 %04d", d.rng.IntN(10000)),
			Email:   fmt.Sprintf("p%d@example.org", d.rng.IntN(1_000_000)),
			Address: fmt.Sprintf("%d Harbour Street, Leith", 1+d.rng.IntN(200)),
		})
		if err != nil {
			return err
		}
		d.patients = append(d.patients, p.ID)
	}
	for range 4 + d.rng.IntN(3) {
		a, err := s.Book(core.Appointment{
			PatientID: d.patients[d.rng.IntN(len(d.patients))], Doctor: deskDoctor,
			Start: quarter(d.day, d.slot), Minutes: 15, Room: fmt.Sprintf("room %d", 1+d.slot%4), Reason: "consultation",
		})
		if err != nil {
			return err
		}
		d.slot++
		d.booked = append(d.booked, a)
	}
	for range 3 + d.rng.IntN(3) {
		if len(d.booked) == 0 {
			break
		}
		a := d.booked[0]
		id := a.ID
		d.booked = d.booked[1:]
		switch r := d.rng.IntN(20); {
		case r == 0:
			_, err := s.SetStatus(id, core.ApptCancelled, "patient called to cancel")
			if err != nil {
				return err
			}
		case r == 1:
			err := atTime(a.End(), func() error { _, err := s.SetStatus(id, core.ApptNoShow, ""); return err })
			if err != nil {
				return err
			}
		case r == 2:
			if _, err := s.Move(id, quarter(d.day, d.slot), 15, "room 2"); err != nil {
				return err
			}
			d.slot++
		default:
			err := atTime(a.Start, func() error {
				for _, st := range []core.AppointmentStatus{core.ApptCheckedIn, core.ApptInProgress, core.ApptCompleted} {
					if _, err := s.SetStatus(id, st, ""); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
	}
	if round%3 == 0 && len(d.patients) > 0 {
		p, err := s.Patient(d.patients[d.rng.IntN(len(d.patients))], "phone number update")
		if err != nil {
			return err
		}
		p.Phone = fmt.Sprintf("+44 7700 900%03d", d.rng.IntN(1000))
		if _, err := s.UpdatePatient(p); err != nil {
			return err
		}
	}
	return nil
}

// countingProxy passes a TCP link through and counts its bytes both ways.
type countingProxy struct {
	lis    net.Listener
	target string
	bytes  atomic.Int64
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  []net.Conn
}

func startCountingProxy(target string) (*countingProxy, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &countingProxy{lis: lis, target: target}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

func (p *countingProxy) addr() string { return p.lis.Addr().String() }
func (p *countingProxy) total() int64 { return p.bytes.Load() }
func (p *countingProxy) reset()       { p.bytes.Store(0) }

func (p *countingProxy) serve() {
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
		p.mu.Lock()
		p.conns = append(p.conns, down, up)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(down, up)
		go p.pipe(up, down)
	}
}

// pipe copies one way, counting as it goes.
func (p *countingProxy) pipe(from, to net.Conn) {
	defer p.wg.Done()
	io.Copy(to, countingReader{from, &p.bytes})
	from.Close()
	to.Close()
}

// countingReader adds what it reads to n.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(b []byte) (int, error) {
	k, err := c.r.Read(b)
	c.n.Add(int64(k))
	return k, err
}

func (p *countingProxy) close() {
	p.lis.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
