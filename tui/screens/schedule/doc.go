// Package schedule is the day schedule (a column per doctor on a wide
// terminal, one doctor's list on a narrow one or on a doctor's own home
// screen), the waiting room and a doctor's week, with the status changes
// of the day's appointments.
//
// It asks the root for other pages (search, booking, patient, conflicts)
// by route; it imports tui/ui and core only, never the root or another
// screen.
package schedule
