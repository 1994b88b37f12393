// Package patient is everything about one patient at the desk: the search
// (to open a patient or pick one to book), registration, the record, the
// form that edits it. The chart is tui/screens/chart.
//
// It asks the root for other pages (booking) by route; it imports tui/ui
// and core only, never the root or another screen.
package patient
