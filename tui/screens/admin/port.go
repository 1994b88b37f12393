package admin

import "medisecure/core"

// Port is what the admin screen needs of a session.
type Port interface {
	// Users lists the directory, by name.
	Users() ([]core.User, error)
}
