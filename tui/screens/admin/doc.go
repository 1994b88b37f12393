// Package admin is the admin's overview of the clinic's users and roles,
// from which a doctor's working hours open.
//
// It asks the root for other pages (schedules) by route; it imports
// tui/ui and core only, never the root or another screen.
package admin
