// Package refills is the doctor's worklist of refill requests: each
// pending request with its patient and drug, approved with a key or
// denied with a reason.
//
// It asks the root for the chart by route; it imports tui/ui and core
// only, never the root or another screen.
package refills
