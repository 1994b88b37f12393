package core

import (
	"fmt"
	"strings"
	"unicode"
)

// Role is what a member of staff does, and so what they may see and do.
type Role string

// The roles of the clinic.
const (
	RoleAdmin     Role = "admin"
	RoleReception Role = "reception"
	RoleDoctor    Role = "doctor"
	RoleNurse     Role = "nurse"
	RoleBilling   Role = "billing"
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleReception, RoleDoctor, RoleNurse, RoleBilling}

// ParseRole checks that s names a role.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("core: unknown role %q (one of admin, reception, doctor, nurse, billing)", s)
}

// User is a member of staff as the directory knows them. Users are not
// patients and hold no PHI; their keys live in the store's directory.
type User struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name,omitempty"`
	Role        Role   `json:"role"`
	Disabled    bool   `json:"disabled,omitempty"`
	// DisabledAt is when the user was disabled; their changes stamped
	// later are refused.
	DisabledAt HLC `json:"disabled_at,omitempty"`
	// FormerRoles are the roles held before Role, oldest first.
	FormerRoles []FormerRole `json:"former_roles,omitempty"`
	// FormerKeys are the signing keys the user held before a reset, oldest
	// first: their changes from before it verify with them.
	FormerKeys []FormerKey `json:"former_keys,omitempty"`
}

// ValidUserName reports whether s can be a login name: 2 to 32 lower-case
// letters, digits, dots, dashes or underscores, starting with a letter.
func ValidUserName(s string) error {
	if len(s) < 2 || len(s) > 32 {
		return fmt.Errorf("core: user name %q must be 2 to 32 characters", s)
	}
	for i, r := range s {
		ok := r < unicode.MaxASCII && (unicode.IsLower(r) || unicode.IsDigit(r) && i > 0 || strings.ContainsRune("._-", r) && i > 0)
		if !ok {
			return fmt.Errorf("core: user name %q may hold only a-z, 0-9, '.', '-' and '_', starting with a letter", s)
		}
	}
	return nil
}

// Validate checks the user's fields.
func (u *User) Validate() error {
	c := &checker{kind: "user"}
	if err := ValidUserName(u.Name); err != nil {
		c.add("name", strings.TrimPrefix(err.Error(), "core: user name "+fmt.Sprintf("%q ", u.Name)))
	}
	if _, err := ParseRole(string(u.Role)); err != nil {
		c.add("role", "must be one of admin, reception, doctor, nurse, billing")
	}
	c.maxLen("display_name", u.DisplayName, 80)
	c.freeText(u)
	return c.err()
}

// Label is the name to show: the display name when there is one.
func (u *User) Label() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Name
}

// FormerRole is a role a user held until a time: the directory keeps them
// so a change is judged by the role its author held when they made it.
type FormerRole struct {
	Role  Role `json:"role"`
	Until HLC  `json:"until"`
}

// RoleAt is the role the user held at time h.
func (u *User) RoleAt(h HLC) Role {
	for _, f := range u.FormerRoles {
		if h < f.Until {
			return f.Role
		}
	}
	return u.Role
}

// ActiveAt reports whether the user was enabled at time h: a user
// disabled without a time (by an earlier version) was never active.
func (u *User) ActiveAt(h HLC) bool {
	return !u.Disabled || h < u.DisabledAt
}

// FormerKey is a public signing key a user held until a time.
type FormerKey struct {
	Public []byte `json:"public"`
	Until  HLC    `json:"until"`
}
