package client

import (
	"context"
	"fmt"

	"medisecure/core"
	"medisecure/store"
)

// DisableUser disables a user as admin, an admin's session on the
// client's store (store.Session.DisableUser, which starts a new key epoch
// the user is not granted), and pushes the directory that says so, with
// the new epoch's key granted to everyone else, sealed under the previous
// epoch: the one the other workstations can open. It returns the new
// epoch. The server must be reachable first, so nothing changes when it is
// not. Run again after a failed push, it pushes again. It holds the
// client's sync, so a background sync does not push under the new epoch
// first.
func (c *Client) DisableUser(ctx context.Context, admin *store.Session, name string) (int, error) {
	if err := core.Authorize(admin.Principal(), core.ActUpdate, core.KindUser); err != nil {
		return 0, err
	}
	c.syncing.Lock()
	defer c.syncing.Unlock()
	if err := c.retry(ctx, func(func()) error { return c.ensureRegistered(ctx) }); err != nil {
		return 0, err
	}
	users, err := admin.Users()
	if err != nil {
		return 0, err
	}
	epoch := admin.Epoch()
	if !disabled(users, name) {
		if epoch, err = admin.DisableUser(name); err != nil {
			return 0, err
		}
	}
	if err := c.pushKeys(ctx, uint32(epoch-1)); err != nil {
		return epoch, fmt.Errorf("client: %s is disabled here, but key epoch %d has not reached the server yet; run the disable again before syncing: %w", name, epoch, err)
	}
	return epoch, nil
}

// disabled reports whether users lists name as disabled.
func disabled(users []core.User, name string) bool {
	for _, u := range users {
		if u.Name == name {
			return u.Disabled
		}
	}
	return false
}
