// Package schedules is the screen where an admin, or a doctor for their
// own, sets a doctor's working hours per weekday, the default slot length
// and the rooms: without them a doctor cannot be booked.
//
// It imports tui/ui and core only, never the root or another screen.
package schedules
