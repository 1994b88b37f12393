package admin

import "medisecure/core"

// Port is what the admin screen needs of a session. The lifecycle methods
// are the admin's (core.ErrDenied for others), signed into the directory,
// and take effect on every workstation after one sync.
type Port interface {
	// Users lists the directory, by name.
	Users() ([]core.User, error)
	// DisableUser disables a user and starts a new key epoch, which it
	// returns.
	DisableUser(name string) (int, error)
	// EnableUser enables a disabled user again.
	EnableUser(name string) error
	// SetRole changes a user's role.
	SetRole(name string, role core.Role) error
	// ResetUser gives a user new keys under a one-time reset code, which
	// it returns for the admin to hand over.
	ResetUser(name string) (string, error)
}
