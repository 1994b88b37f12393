package client

import (
	"math"
	"runtime/debug"
	"testing"
)

// gcPercent reads the collector's target without changing it.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// TestGCBoostHeldByEveryPullUntilTheLast checks that the raised target
// holds while any pull holds it, is set back to what it was when the last
// lets go, and that each pull's end counts once however often it is called.
func TestGCBoostHeldByEveryPullUntilTheLast(t *testing.T) {
	defer GCByOperator(false)()
	before := debug.SetGCPercent(120)
	defer debug.SetGCPercent(before)
	limit := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(limit)
	var a, b gcBoost
	a.begin()
	a.begin()
	b.begin()
	if p := gcPercent(); p != catchUpGCPercent {
		t.Fatalf("with two pulls holding it the target is %d, want %d", p, catchUpGCPercent)
	}
	if l := debug.SetMemoryLimit(-1); l < catchUpMemory || l == math.MaxInt64 {
		t.Fatalf("with pulls holding it the memory limit is %d, want %d or more", l, catchUpMemory)
	}
	a.end()
	a.end()
	if p := gcPercent(); p != catchUpGCPercent {
		t.Fatalf("with one pull still holding it the target is %d, want %d", p, catchUpGCPercent)
	}
	b.end()
	if p := gcPercent(); p != 120 {
		t.Fatalf("after the last pull the target is %d, want 120 as it was", p)
	}
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		t.Fatalf("after the last pull the memory limit is %d, want none as before", l)
	}
}

// TestGCBoostKeepsALimitSetBefore checks that a memory limit the program
// set already is kept while a pull holds the raised target, and after.
func TestGCBoostKeepsALimitSetBefore(t *testing.T) {
	defer GCByOperator(false)()
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	limit := debug.SetMemoryLimit(1 << 30)
	defer debug.SetMemoryLimit(limit)
	var a gcBoost
	a.begin()
	if l := debug.SetMemoryLimit(-1); l != 1<<30 {
		t.Fatalf("with a pull holding it the limit is %d, want 1 GiB as set", l)
	}
	a.end()
	if l := debug.SetMemoryLimit(-1); l != 1<<30 {
		t.Fatalf("after the pull the limit is %d, want 1 GiB as set", l)
	}
}

// TestGCBoostLeavesTheOperatorsSetting checks that with GOGC or GOMEMLIMIT
// set, a pull changes nothing.
func TestGCBoostLeavesTheOperatorsSetting(t *testing.T) {
	defer GCByOperator(true)()
	before := debug.SetGCPercent(70)
	defer debug.SetGCPercent(before)
	var a gcBoost
	a.begin()
	if p := gcPercent(); p != 70 {
		t.Fatalf("the operator's target 70 became %d", p)
	}
	a.end()
	if p := gcPercent(); p != 70 {
		t.Fatalf("the operator's target 70 became %d", p)
	}
}
