// Package booking is the form that books an appointment or moves one:
// every change checks the slot in a Cmd, so a clash shows before saving,
// with the next free slot one key away. It reads the times typed at the
// desk (when.go).
//
// It imports tui/ui and core only, never the root or another screen.
package booking
