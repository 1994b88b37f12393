package deskapp

import "medisecure/store"

// DisableUser disables a user through the background sync when the
// workstation syncs (client.Client.DisableUser pushes the new key epoch
// sealed so the other workstations open it), else in the store alone.
func (s tuiSession) DisableUser(name string) (int, error) {
	if s.sync == nil {
		return s.Session.DisableUser(name)
	}
	return s.sync.disableUser(s.Session, name)
}

// disableUser disables a user as admin through the background client.
func (y *Syncer) disableUser(admin *store.Session, name string) (int, error) {
	y.mu.Lock()
	c := y.c
	y.mu.Unlock()
	if c == nil {
		return admin.DisableUser(name)
	}
	return c.DisableUser(y.ctx, admin, name)
}
