package tui

import (
	"medisecure/core"
)

// statusWord names a status in a sentence or a wide list: "checked in".
func statusWord(s string) string {
	switch core.AppointmentStatus(s) {
	case core.ApptCheckedIn:
		return "checked in"
	case core.ApptInProgress:
		return "in progress"
	case core.ApptNoShow:
		return "no-show"
	}
	return s
}

// statusShort names a status in a narrow column, at most nine cells. A
// booked appointment, the usual state, has no word.
func statusShort(s core.AppointmentStatus) string {
	switch s {
	case core.ApptBooked:
		return ""
	case core.ApptCheckedIn:
		return "arrived"
	case core.ApptInProgress:
		return "in room"
	case core.ApptCompleted:
		return "done"
	case core.ApptNoShow:
		return "no-show"
	}
	return string(s)
}

// statusDone says what a status change did, for the note after it.
func statusDone(s core.AppointmentStatus) string {
	switch s {
	case core.ApptCheckedIn:
		return "Checked in"
	case core.ApptInProgress:
		return "Started"
	case core.ApptCompleted:
		return "Completed"
	case core.ApptNoShow:
		return "Marked as no-show:"
	case core.ApptCancelled:
		return "Cancelled"
	}
	return "Updated"
}

// doctorLabel is a doctor's display name, or the login name when the
// doctors are not loaded.
func (c *workspace) doctorLabel(name string) string {
	for _, d := range c.doctors {
		if d.Name == name {
			return d.Label()
		}
	}
	return name
}

// slotMinutes is a doctor's default appointment length.
func (c *workspace) slotMinutes(doctor string) int {
	if s, ok := c.scheds[doctor]; ok && s.SlotMinutes > 0 {
		return s.SlotMinutes
	}
	return 15
}

// defaultRoom is the first room a doctor uses, or "".
func (c *workspace) defaultRoom(doctor string) string {
	if s, ok := c.scheds[doctor]; ok && len(s.Rooms) > 0 {
		return s.Rooms[0]
	}
	return ""
}
