// Package claims is billing's insurance-claim worklist: every claim by
// status, and one key for each answer a claim gets (submit, accepted,
// rejected with a reason, paid, which posts the insurer's payment).
//
// It imports tui/ui and core only, never the root or another screen.
package claims
