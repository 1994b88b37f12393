package client

import (
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// A long catch-up (a workstation back after weeks offline) allocates fast
// and keeps little: each batch is opened, prepared and merged, then let
// go. With the garbage collector's default target it collects a dozen
// times a catch-up and takes about a sixth of its CPU. While a pull has
// merged more than catchUpChanges changes, the target is raised to
// catchUpGCPercent, the heap allowed to grow to four times what is live
// instead of twice, but held by a soft memory limit of catchUpMemory (or
// three times the live heap, if that is more), and both are set back when
// the pull ends. An operator's GOGC or GOMEMLIMIT stands: with either set,
// nothing is changed.
const (
	catchUpGCPercent = 300
	catchUpMemory    = 512 << 20
)

// catchUpChanges is how many changes a pull merges before it raises the
// target (a variable for tests).
var catchUpChanges = 10_000

// gcBoosts counts the pulls that hold the raised target, across clients
// of one process, and keeps the target to restore.
var gcBoosts struct {
	sync.Mutex
	n         int
	prev      int
	prevLimit int64
	// raised counts the times the target was raised, for tests.
	raised int
}

// gcBoost is one pull's hold on the raised target.
type gcBoost struct{ held bool }

// gcSetByOperator reports whether the process's collector was tuned by
// its environment, which a catch-up leaves alone.
var gcSetByOperator = os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != ""

// begin raises the target for this pull, once.
func (b *gcBoost) begin() {
	if b.held || gcSetByOperator {
		return
	}
	b.held = true
	gcBoosts.Lock()
	defer gcBoosts.Unlock()
	if gcBoosts.n == 0 {
		gcBoosts.prev = debug.SetGCPercent(catchUpGCPercent)
		gcBoosts.prevLimit = debug.SetMemoryLimit(-1)
		if gcBoosts.prevLimit == math.MaxInt64 {
			debug.SetMemoryLimit(max(catchUpMemory, 3*liveHeap()))
		}
		gcBoosts.raised++
	}
	gcBoosts.n++
}

// end lets go of this pull's hold; the last one sets the target back.
func (b *gcBoost) end() {
	if !b.held {
		return
	}
	b.held = false
	gcBoosts.Lock()
	defer gcBoosts.Unlock()
	if gcBoosts.n--; gcBoosts.n == 0 {
		debug.SetGCPercent(gcBoosts.prev)
		debug.SetMemoryLimit(gcBoosts.prevLimit)
	}
}

// liveHeap is the heap the last collection found live, in bytes.
func liveHeap() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(min(s[0].Value.Uint64(), math.MaxInt64/4))
}
