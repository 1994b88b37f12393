package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"medisecure/core"
	"medisecure/sync/envelope"
	"medisecure/sync/server/boltstore"
)

// benchP9 measures one server taking batches from BENCH_P9_DEVICES
// devices (10,000 by default) of one organisation, in two phases. First
// every device pushes BENCH_P9_BATCHES batches of BENCH_P9_CHANGES
// changes, all at once over a few shared connections: the aggregate
// changes a second and the failed pushes. Then each device pushes one
// more batch, the pushes spread evenly so that they offer
// BENCH_P9_RATE changes a second (200,000 by default, the target): the
// 99th percentile of the time from a push's appointed start to its
// acknowledgement, and the rate the server kept. The devices are light —
// keys and pre-sealed batches, no store — so the figures are the
// server's.
func benchP9(ctx context.Context, c config) (string, error) {
	devices := envInt("BENCH_P9_DEVICES", 10_000)
	perDevice := envInt("BENCH_P9_BATCHES", 3)
	perBatch := envInt("BENCH_P9_CHANGES", 200)
	pace := envInt("BENCH_P9_RATE", 200_000)
	dir := filepath.Join(c.dir, "p9")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	f, root, err := makeFleet(devices)
	if err != nil {
		return "", err
	}
	batches, err := f.seal(perDevice+1, perBatch)
	if err != nil {
		return "", err
	}
	bolt, err := boltstore.Open(filepath.Join(dir, "syncd.db"))
	if err != nil {
		return "", err
	}
	r, err := fleetRate(ctx, bolt, f, root, batches, perBatch, float64(pace))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%.0f changes/s %d errors; p99 push acknowledgement %.1f ms at %d changes/s offered (%.0f kept, %d errors); %d devices × %d batches × %d changes",
		r.rate, r.failed, float64(r.p99.Microseconds())/1000, pace, r.paced, r.pacedFailed, devices, perDevice, perBatch), nil
}

// fleet is an organisation of light devices: keys, no store.
type fleet struct {
	org    string
	orgKey []byte
	ids    []string
	keys   []ed25519.PrivateKey
}

// seal makes each device's batches: perDevice batches of perBatch patient
// changes, sealed and signed as the device would, the devices shared
// among the machine's cores.
func (f *fleet) seal(perDevice, perBatch int) ([][][]byte, error) {
	out := make([][][]byte, len(f.ids))
	base := fixedNow.UnixMilli()
	var (
		wg   sync.WaitGroup
		next atomic.Int64
		errs = make(chan error, runtime.NumCPU())
	)
	for range runtime.NumCPU() {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(f.ids); i = int(next.Add(1) - 1) {
				b, err := f.sealDevice(i, perDevice, perBatch, base)
				if err != nil {
					errs <- err
					return
				}
				out[i] = b
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return nil, err
	}
	return out, nil
}

// sealDevice makes device i's batches.
func (f *fleet) sealDevice(i, perDevice, perBatch int, base int64) ([][]byte, error) {
	id := f.ids[i]
	var out [][]byte
	seq := uint64(1)
	for b := range perDevice {
		changes := make([]core.Change, perBatch)
		for j := range changes {
			name, _ := json.Marshal(fmt.Sprintf("%s %s", firstNames[(i+j)%len(firstNames)], lastNames[(b+j)%len(lastNames)]))
			phone, _ := json.Marshal(fmt.Sprintf("+44 20 7946 %04d", (i*perBatch+j)%10000))
			changes[j] = core.Change{
				Kind: core.KindPatient, ID: core.ID(fmt.Sprintf("%08x%016x", i, uint64(b*perBatch+j))),
				Fields: map[string]json.RawMessage{"name": name, "phone": phone, "dob": json.RawMessage(`"1980-01-02"`)},
				Author: "desk", Device: id, Seq: seq, HLC: core.MakeHLC(base, uint16(j)),
			}
			seq++
		}
		batch, err := envelope.Seal(changes, f.orgKey, 1, f.org, id, changes[0].Seq, changes[len(changes)-1].Seq, f.keys[i])
		if err != nil {
			return nil, err
		}
		raw, err := envelope.Marshal(batch)
		if err != nil {
			return nil, err
		}
		out = append(out, raw)
	}
	return out, nil
}
