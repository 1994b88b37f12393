package ui

import "medisecure/core"

// Text makes a string from a record, a user or an error safe to put on one
// line of a terminal, through core.SafeText, the one renderer the CLI
// uses too: escape sequences, control characters and bidi overrides
// become visible, harmless text, so nothing stored or pulled by sync can
// move the cursor, clear the screen, set the title, write the clipboard or
// reorder a line. Every string a screen shows that it did not write
// itself goes through it.
func Text(s string) string { return core.SafeText(s) }

// Block is Text for text shown over several lines, such as a note: line
// breaks are kept (core.SafeBlock).
func Block(s string) string { return core.SafeBlock(s) }

// SafeAppointment is a with every free-text field made safe to draw, for
// screens that keep appointments to draw on every frame.
func SafeAppointment(a core.Appointment) core.Appointment {
	a.Room, a.Reason, a.StatusReason = Text(a.Room), Text(a.Reason), Text(a.StatusReason)
	a.CreatedBy = Text(a.CreatedBy)
	return a
}

// SafeAppointments makes every appointment of list safe to draw, in place.
func SafeAppointments(list []core.Appointment) {
	for i := range list {
		list[i] = SafeAppointment(list[i])
	}
}
