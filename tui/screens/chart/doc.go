// Package chart is a clinician's view of one patient: the chart in tabs
// (summary with the allergies first, notes, vitals with trends,
// medications, refills, reminders) and the small forms that add to it
// (an allergy, "no known allergies", a problem).
//
// It asks the root for other pages by route; it imports tui/ui and core
// only, never the root or another screen.
package chart
