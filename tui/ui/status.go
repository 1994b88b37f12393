package ui

import "medisecure/core"

// StatusShort names a status in a narrow column, at most nine cells. A
// booked appointment, the usual state, has no word.
func StatusShort(s core.AppointmentStatus) string {
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

// StatusDone says what a status change did, for the note after it.
func StatusDone(s core.AppointmentStatus) string {
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
	case core.ApptBooked:
		return "Back to booked:"
	}
	return "Updated"
}
