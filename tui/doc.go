// Package tui is the workstation's terminal interface: the root model,
// which routes between screens, draws the frame (header, help, status bar)
// and maps each role to its home screen, and the Session interface,
// composed of the small ports the screens declare.
//
// The screens live in tui/screens/<area> (login, schedule, booking,
// patient, conflicts, admin, schedules), one package per area, and the kit
// they share in tui/ui. Screens never import each other: they ask for a
// page by a typed route, and routes.go, the route table, makes it. Every
// call to the store happens in a tea.Cmd that returns a typed message
// addressed to the screen that asked.
//
// It talks to core and to the Backend interface it declares, which the
// store satisfies through cmd/internal/deskapp. It must not import bbolt,
// gRPC, the store or sync; the dependency test in the project root fails
// when it does.
package tui
