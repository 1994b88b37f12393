// Package conflicts lists the open conflicts sync found (a doctor, room or
// patient booked twice by offline desks) and resolves one with a key:
// keep one side, cancel or move the other.
//
// It imports tui/ui and core only, never the root or another screen.
package conflicts
