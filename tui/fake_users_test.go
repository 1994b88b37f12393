package tui

import (
	"fmt"

	"medisecure/core"
)

// fakeLifecycle is the fake backend's user lifecycle state beside its
// users: who is disabled, the key epoch, and the resets handed out.
type fakeLifecycle struct {
	disabled map[string]bool
	epoch    int
	resets   int
	// codes are the reset codes waiting, by user.
	codes map[string]string
}

// known reports whether name is a user of the fake clinic.
func (b *fakeBackend) known(name string) bool {
	if _, ok := b.users[name]; ok {
		return true
	}
	for _, d := range b.doctors {
		if d.Name == name {
			return true
		}
	}
	return false
}

func refuseUser(field, msg string) error {
	return &core.ValidationError{Kind: core.KindUser, Fields: []core.FieldError{{Field: field, Message: msg}}}
}

// edit authorizes a lifecycle action on name and runs it under the lock.
func (s *fakeSession) edit(name string, fn func() error) error {
	if err := s.lock(core.ActUpdate, core.KindUser); err != nil {
		return err
	}
	defer s.b.mu.Unlock()
	if !s.b.known(name) {
		return fmt.Errorf("store: user %s: not found", name)
	}
	if s.b.life.disabled == nil {
		s.b.life.disabled = map[string]bool{}
	}
	return fn()
}

func (s *fakeSession) DisableUser(name string) (int, error) {
	epoch := 0
	err := s.edit(name, func() error {
		switch {
		case name == s.p.User:
			return refuseUser("name", "you cannot disable your own account")
		case s.b.life.disabled[name]:
			return refuseUser("name", "is disabled already")
		}
		s.b.life.disabled[name] = true
		s.b.life.epoch++
		epoch = s.b.life.epoch + 1
		return nil
	})
	return epoch, err
}

func (s *fakeSession) EnableUser(name string) error {
	return s.edit(name, func() error {
		if !s.b.life.disabled[name] {
			return refuseUser("name", "is enabled already")
		}
		delete(s.b.life.disabled, name)
		return nil
	})
}

func (s *fakeSession) SetRole(name string, role core.Role) error {
	return s.edit(name, func() error {
		for i, d := range s.b.doctors {
			if d.Name == name {
				if role != core.RoleDoctor {
					s.b.doctors = append(s.b.doctors[:i:i], s.b.doctors[i+1:]...)
				}
				break
			}
		}
		if u, ok := s.b.users[name]; ok {
			if u.role == role {
				return refuseUser("role", "is "+string(role)+" already")
			}
			u.role = role
		}
		return nil
	})
}

func (s *fakeSession) ResetUser(name string) (string, error) {
	var code string
	err := s.edit(name, func() error {
		if name == s.p.User {
			return refuseUser("name", "you cannot reset your own account; use clinic passwd")
		}
		s.b.life.resets++
		code = fmt.Sprintf("FAKE-CODE-%04d", s.b.life.resets)
		if s.b.life.codes == nil {
			s.b.life.codes = map[string]string{}
		}
		s.b.life.codes[name] = code
		return nil
	})
	return code, err
}

// RedeemReset sets a reset user's passphrase with their code, as the
// store does: a wrong user or code is refused, a short passphrase too.
func (b *fakeBackend) RedeemReset(user, code, pass string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	u, ok := b.users[user]
	if !ok || b.life.codes[user] == "" || b.life.codes[user] != code {
		return fmt.Errorf("store: %w", core.ErrAuth)
	}
	if len(pass) < 8 {
		return refuseUser("passphrase", "must be at least 8 characters")
	}
	u.pass = pass
	delete(b.life.codes, user)
	return nil
}
