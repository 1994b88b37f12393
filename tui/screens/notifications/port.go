package notifications

import "medisecure/core"

// Port is what the notifications list needs of a session.
type Port interface {
	// StaffNotifications lists what waits for the user, newest first, as
	// in-app notifications; their lines carry no patient data.
	StaffNotifications() ([]core.Notification, error)
}
