package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"golang.org/x/crypto/chacha20poly1305"

	"medisecure/core"
)

// parallelFrom is how many records a read must open before it spreads
// the decrypting and decoding over the processor's cores: a chart opens
// hundreds, and each costs more than starting a goroutine.
const parallelFrom = 48

// readLive reads the live records among ids, in their order, as t.get
// would one after another (skipping those not found). The stored bytes are read from the
// transaction first; opening and decoding them touches no transaction
// state, so a long list is shared out among the cores.
func readLive[T any, P interface {
	*T
	core.Entity
}](t *txn, ids []core.ID) ([]T, error) {
	k := P(new(T)).Kind()
	type stored struct {
		id core.ID
		v  []byte
	}
	var found []stored
	for _, id := range ids {
		v, err := t.sealed(k, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if v != nil {
			found = append(found, stored{id, v})
		}
	}
	if len(found) == 0 {
		return nil, nil
	}
	s, err := t.sealerOf(k)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(found))
	live := make([]bool, len(found))
	errs := make([]error, len(found))
	decode := func(from, to int) {
		var sc openScratch
		for i := from; i < to; i++ {
			live[i], errs[i] = openInto(s, k, found[i].id, found[i].v, P(&out[i]), &sc)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(found)/parallelFrom+1)
	if workers <= 1 {
		decode(0, len(found))
	} else {
		var wg sync.WaitGroup
		per := (len(found) + workers - 1) / workers
		for from := 0; from < len(found); from += per {
			wg.Add(1)
			go func(from, to int) {
				defer wg.Done()
				decode(from, to)
			}(from, min(from+per, len(found)))
		}
		wg.Wait()
	}
	n := 0
	for i := range found {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if live[i] {
			out[n] = out[i]
			n++
		}
	}
	if n == 0 {
		return nil, nil
	}
	return out[:n], nil
}

// openScratch are the buffers one reader reuses from record to record:
// the associated data, the plaintext and the JSON object, none of which
// the decoded entity keeps.
type openScratch struct{ ad, plain, obj []byte }

// openInto decrypts a stored record of kind k and decodes it into e, as
// t.get does; it reports false for a record without fields or deleted.
func openInto(s *sealer, k core.Kind, id core.ID, sealed []byte, e core.Entity, sc *openScratch) (bool, error) {
	live, err := openObject(s, k, id, sealed, sc)
	if !live || err != nil {
		return false, err
	}
	if err := json.Unmarshal(sc.obj, e); err != nil {
		return false, fmt.Errorf("core: decoding %s %s: %w", k, id, err)
	}
	return true, nil
}

// openObject decrypts a stored record of kind k into the JSON object of
// its fields, left in sc.obj, and reports false for a record without
// fields or deleted: openInto without the decoding.
func openObject(s *sealer, k core.Kind, id core.ID, sealed []byte, sc *openScratch) (bool, error) {
	// ad(recordKey(k, id)), built in place: the bucket path, a zero
	// byte, the ID's bytes.
	sc.ad = append(append(append(append(sc.ad[:0], bucketRecords...), '/'), k...), 0)
	sc.ad = append(sc.ad, id.Bytes()...)
	n := chacha20poly1305.NonceSizeX
	if len(sealed) < n+s.aead.Overhead() {
		return false, corrupt(fmt.Sprintf("%s record %s", k, id), nil)
	}
	plain, err := s.aead.Open(sc.plain[:0], sealed[:n], sealed[n:], sc.ad)
	if err != nil {
		return false, corrupt(fmt.Sprintf("%s record %s", k, id), nil)
	}
	sc.plain = plain
	obj, deleted, err := recordObject(sc.obj, plain)
	if err != nil {
		return false, corrupt(fmt.Sprintf("%s record %s", k, id), err)
	}
	if obj == nil || deleted {
		return false, nil
	}
	sc.obj = obj
	return true, nil
}
