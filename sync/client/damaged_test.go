package client_test

import (
	"context"
	"sync"
	"testing"

	"medisecure/core"
	"medisecure/sync/server"
	"medisecure/sync/server/boltstore"
)

// damaging is a server's file behind a layer that hands out damaged
// copies of the batch at one server sequence: the next bad reads of it
// (each damaged at another byte, as on the way), or every read the same
// way (atRest, as a file damaged where it lies). It counts the reads of
// that batch alone, as a pull of one batch makes them.
type damaging struct {
	*boltstore.Store
	mu     sync.Mutex
	seq    uint64
	bad    int
	atRest bool
	reads  int
	alone  int
}

func (d *damaging) set(seq uint64, bad int, atRest bool) {
	d.mu.Lock()
	d.seq, d.bad, d.atRest, d.reads = seq, bad, atRest, 0
	d.mu.Unlock()
}

func (d *damaging) readsAlone() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.alone
}

func (d *damaging) Range(ctx context.Context, org string, after uint64, limit int) ([]server.Stored, error) {
	out, err := d.Store.Range(ctx, org, after, limit)
	d.mu.Lock()
	defer d.mu.Unlock()
	if after+1 == d.seq && limit == 1 {
		d.alone++
	}
	for i := range out {
		if out[i].Seq != d.seq || !d.atRest && d.reads >= d.bad {
			continue
		}
		env := append([]byte(nil), out[i].Envelope...)
		at := len(env) - 80
		if !d.atRest {
			at -= d.reads
		}
		env[at] ^= 0x20
		out[i].Envelope = env
		d.reads++
	}
	return out, err
}

// damagedOrg is two workstations in sync, the first with a patient in the
// last batch the server filed, and that batch's server sequence.
func damagedOrg(t *testing.T) (*damaging, []*workstation, map[string]core.ID, uint64) {
	t.Helper()
	d := &damaging{}
	srv := startServerWith(t, func(st *boltstore.Store) server.Backend {
		d.Store = st
		return d
	})
	wss := newOrg(t, 2)
	online(t, srv, wss)
	converge(t, wss)
	a := wss[0]
	ids := map[string]core.ID{"A1": addPatient(t, a, "A1")}
	a.sync()
	srv.halt()
	seq := lastStoredSeq(t, srv.path, a.db.Org().ID)
	srv.start()
	return d, wss, ids, seq
}

// A server hands out damaged copies of a batch, to the pull, to the
// re-read of the whole log and to more pulls of it, then good copies
// again: the workstation that lacks the batch gets it at its next sync,
// though the log's head and holes did not change, and says it is synced
// only then.
func TestBatchThatCameDamagedIsPulledAgain(t *testing.T) {
	d, wss, ids, seq := damagedOrg(t)
	b := wss[1]
	d.set(seq, 4, false)
	if rep := b.sync(); rep.Missing == 0 || rep.Quarantined == 0 {
		t.Fatalf("b got a damaged batch: %+v; want it missing and its copies quarantined", rep)
	}
	syncState(t, b, false, "quarantined")
	rep := b.sync()
	if rep.Missing != 0 || rep.Pulled == 0 {
		t.Fatalf("b did not pull again the batch that came damaged: %+v", rep)
	}
	syncState(t, b, true, "synced")
	hasPatients(t, wss, ids)
	q, err := b.admin.Quarantine()
	must(t, err)
	if len(q) != 0 {
		t.Fatalf("b still quarantines %+v", q)
	}
	sameExports(t, wss)
}

// A batch the server holds damaged (the same damaged copy at every read)
// stays quarantined and missing, and is not asked for again at every
// sync.
func TestBatchDamagedAtRestIsNotAskedForEverAgain(t *testing.T) {
	d, wss, _, seq := damagedOrg(t)
	b := wss[1]
	d.set(seq, 0, true)
	for range 2 {
		if rep := b.sync(); rep.Missing == 0 || rep.Quarantined != 1 {
			t.Fatalf("b got a damaged batch: %+v; want it missing and quarantined", rep)
		}
	}
	asked := d.readsAlone()
	for range 3 {
		if rep := b.sync(); rep.Missing == 0 || rep.Quarantined != 1 {
			t.Fatalf("b got a damaged batch: %+v; want it missing and quarantined", rep)
		}
		syncState(t, b, false, "quarantined 1")
	}
	if n := d.readsAlone() - asked; n != 0 {
		t.Fatalf("b asked %d more times for the batch the server holds damaged", n)
	}
}
