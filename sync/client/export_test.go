package client

import "time"

// CatchUpAfter sets how many changes a pull merges before it raises the
// garbage collector's target, and gives back a func restoring the
// default; GCRaised counts the times the target was raised.
func CatchUpAfter(n int) (restore func()) {
	prev := catchUpChanges
	catchUpChanges = n
	return func() { catchUpChanges = prev }
}

// GCRaised counts the times a pull raised the collector's target.
func GCRaised() int {
	gcBoosts.Lock()
	defer gcBoosts.Unlock()
	return gcBoosts.raised
}

// GCByOperator sets whether the collector counts as tuned by the
// environment, and gives back a func restoring what it was.
func GCByOperator(set bool) (restore func()) {
	prev := gcSetByOperator
	gcSetByOperator = set
	return func() { gcSetByOperator = prev }
}

// MergeMaxOpen sets how long a pull's transaction merges at most, and
// gives back a func restoring the default; MergeTxns counts the pull
// transactions begun.
func MergeMaxOpen(d time.Duration) (restore func()) {
	prev := mergeMaxOpen
	mergeMaxOpen = d
	return func() { mergeMaxOpen = prev }
}

// MergeTxns counts the transactions pulls have begun.
func MergeTxns() int64 { return mergeTxns.Load() }
