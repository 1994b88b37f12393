package sim

import (
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/sync/server"
	"medisecure/sync/server/boltstore"
)

// errFault is what the fault layer answers instead of the backend.
var errFault = errors.New("sim: injected fault")

// faults are the fault layer's odds, each in [0, 1).
type faults struct {
	// drop fails an Append before it stores (the client pushes it again
	// later, after other devices' batches: delayed and reordered); dup
	// files it twice; lose stores it and fails the answer; fail fails a
	// Range; tamper flips a byte of one batch a Range returns.
	drop, dup, lose, fail, tamper float64
}

// faultyBackend is the server's real bbolt backend behind a layer that
// injects faults and can put the file back to an earlier snapshot.
type faultyBackend struct {
	mu    sync.RWMutex
	path  string
	inner *boltstore.Store
	rng   *rand.Rand // guarded by rmu
	rmu   sync.Mutex
	odds  faults
	// snaps are copies of the file taken at earlier points.
	snaps [][]byte
	// note, when set, logs each fault to the steps (-calls).
	note func(format string, args ...any)
}

// noted logs a fault when tracing.
func (f *faultyBackend) noted(format string, args ...any) {
	if f.note != nil {
		f.note("  fault: "+format, args...)
	}
}

var _ server.Backend = (*faultyBackend)(nil)

func newFaultyBackend(path string, seed uint64) (*faultyBackend, error) {
	st, err := boltstore.Open(path)
	if err != nil {
		return nil, err
	}
	return &faultyBackend{path: path, inner: st, rng: rand.New(rand.NewPCG(seed, 0xfa17))}, nil
}

// roll reports whether an event of odds p happens.
func (f *faultyBackend) roll(p float64) bool {
	f.rmu.Lock()
	defer f.rmu.Unlock()
	return p > 0 && f.rng.Float64() < p
}

func (f *faultyBackend) intn(n int) int {
	f.rmu.Lock()
	defer f.rmu.Unlock()
	return f.rng.IntN(n)
}

func (f *faultyBackend) setOdds(o faults) {
	f.mu.Lock()
	f.odds = o
	f.mu.Unlock()
}

// reopen closes the file, runs fn on its path and opens it again.
func (f *faultyBackend) reopen(fn func() error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.inner.Close(); err != nil {
		return err
	}
	ferr := fn()
	st, err := boltstore.Open(f.path)
	if err != nil {
		return err
	}
	f.inner = st
	return ferr
}

// snapshot keeps a copy of the file as it is now.
func (f *faultyBackend) snapshot() error {
	return f.reopen(func() error {
		raw, err := os.ReadFile(f.path)
		f.snaps = append(f.snaps, raw)
		return err
	})
}

// restore puts the file back to a random earlier snapshot, as an operator
// restoring a backup would; it reports whether there was one.
func (f *faultyBackend) restore() (bool, error) {
	if len(f.snaps) == 0 {
		return false, nil
	}
	i := f.intn(len(f.snaps))
	raw := f.snaps[i]
	f.noted("restore snapshot %d of %d", i+1, len(f.snaps))
	return true, f.reopen(func() error { return os.WriteFile(f.path, raw, 0o600) })
}

// deleteBatch deletes the batch at a random server sequence, as damage
// or an operator's mistake would.
func (f *faultyBackend) deleteBatch(org string) error {
	info, err := f.Log(context.Background(), org)
	if err != nil || info.Head == 0 {
		return err
	}
	key := binary.BigEndian.AppendUint64(nil, uint64(f.intn(int(info.Head)))+1)
	f.noted("delete batch %d of head %d", binary.BigEndian.Uint64(key), info.Head)
	return f.reopen(func() error {
		db, err := bolt.Open(f.path, 0o600, &bolt.Options{Timeout: time.Second})
		if err != nil {
			return err
		}
		err = db.Update(func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("orgs")).Bucket([]byte(org)).Bucket([]byte("batches")).Delete(key)
		})
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		return err
	})
}

func (f *faultyBackend) close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inner.Close()
}

func (f *faultyBackend) RegisterOrg(ctx context.Context, org server.Org, first server.Device) error {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.inner.RegisterOrg(ctx, org, first)
}

func (f *faultyBackend) Org(ctx context.Context, id string) (server.Org, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.inner.Org(ctx, id)
}

func (f *faultyBackend) AddDevice(ctx context.Context, org string, d server.Device) error {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.inner.AddDevice(ctx, org, d)
}

func (f *faultyBackend) Device(ctx context.Context, org, id string) (server.Device, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.inner.Device(ctx, org, id)
}

func (f *faultyBackend) RevokeDevice(ctx context.Context, org, id string, epoch uint32, at time.Time) (uint32, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.inner.RevokeDevice(ctx, org, id, epoch, at)
}

func (f *faultyBackend) Devices(ctx context.Context, org string) ([]server.Device, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.inner.Devices(ctx, org)
}

func (f *faultyBackend) Append(ctx context.Context, org string, b server.Batch) (uint64, bool, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.roll(f.odds.drop) {
		f.noted("drop %s/%d..%d", b.Device, b.First, b.Last)
		return 0, false, errFault
	}
	seq, dup, err := f.inner.Append(ctx, org, b)
	if err == nil && f.roll(f.odds.dup) {
		seq, dup, err = f.inner.Append(ctx, org, b)
		f.noted("dup %s/%d..%d at %d", b.Device, b.First, b.Last, seq)
	}
	if err == nil && f.roll(f.odds.lose) {
		f.noted("lose the answer: %s/%d..%d at %d dup=%v", b.Device, b.First, b.Last, seq, dup)
		return 0, false, errFault
	}
	return seq, dup, err
}

func (f *faultyBackend) Log(ctx context.Context, org string) (server.LogInfo, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.inner.Log(ctx, org)
}

func (f *faultyBackend) Range(ctx context.Context, org string, after uint64, limit int) ([]server.Stored, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.roll(f.odds.fail) {
		f.noted("fail range after %d", after)
		return nil, errFault
	}
	out, err := f.inner.Range(ctx, org, after, limit)
	if err != nil || len(out) == 0 || !f.roll(f.odds.tamper) {
		return out, err
	}
	out = append([]server.Stored(nil), out...)
	i := f.intn(len(out))
	env := append([]byte(nil), out[i].Envelope...)
	if len(env) > 0 {
		env[f.intn(len(env))] ^= 0x10
	}
	out[i].Envelope = env
	f.noted("tamper with %d", out[i].Seq)
	return out, nil
}

func (f *faultyBackend) SeenNonce(ctx context.Context, org, device string, nonce []byte, at time.Time) (bool, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.inner.SeenNonce(ctx, org, device, nonce, at)
}
