// Package tui is the workstation's terminal interface: Bubble Tea screens for
// login, the day schedule and a doctor's week, the waiting room, patient
// search and registration, the chart, booking and moving, check-in, conflicts
// and sync status, with an idle lock.
//
// New returns the root model; it only routes between screens (one per file:
// login.go, schedule.go, search.go, register.go, patient.go, chart.go,
// book.go, conflicts.go), each keeping the small contract in screen.go and
// sharing one KeyMap and one Styles through a workspace struct. Every call to
// the store happens in a tea.Cmd (commands.go) that returns a typed message.
//
// It talks to core and to the Backend interface it declares, which the store
// satisfies. It must not import bbolt, gRPC or the store package; the
// dependency test in the project root fails when it does.
package tui
