package core

import (
	"strings"
	"testing"
)

func TestValidUserName(t *testing.T) {
	tests := []struct {
		in     string
		errHas string
	}{
		{"ab", ""},
		{"dr.lee", ""},
		{"anna_b", ""},
		{"n-ross", ""},
		{"a1", ""},
		{strings.Repeat("a", 32), ""},
		{"", "must be 2 to 32 characters"},
		{"a", "must be 2 to 32 characters"},
		{strings.Repeat("a", 33), "must be 2 to 32 characters"},
		{"1abc", "starting with a letter"},
		{".abc", "starting with a letter"},
		{"_abc", "starting with a letter"},
		{"-abc", "starting with a letter"},
		{"Anna", "may hold only a-z"},
		{"anna b", "may hold only a-z"},
		{"anna@clinic", "may hold only a-z"},
		{"zoë", "may hold only a-z"},
		{"ab\x7f", "may hold only a-z"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			err := ValidUserName(tt.in)
			if tt.errHas == "" {
				if err != nil {
					t.Fatalf("ValidUserName(%q) = %v, want nil", tt.in, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("ValidUserName(%q) = %v, want an error containing %q", tt.in, err, tt.errHas)
			}
		})
	}
}

func TestParseRole(t *testing.T) {
	for _, r := range Roles {
		t.Run(string(r), func(t *testing.T) {
			if got, err := ParseRole(string(r)); err != nil || got != r {
				t.Fatalf("ParseRole(%q) = %q, %v", r, got, err)
			}
		})
	}
	for _, in := range []string{"", "Admin", " admin", "root", "doctors"} {
		t.Run("refuses "+in, func(t *testing.T) {
			got, err := ParseRole(in)
			if err == nil || got != "" {
				t.Fatalf("ParseRole(%q) = %q, %v; want an error", in, got, err)
			}
			if !strings.Contains(err.Error(), "admin, reception, doctor, nurse, billing") {
				t.Errorf("error %q does not list the roles", err)
			}
		})
	}
}

func TestUserValidate(t *testing.T) {
	tests := []struct {
		name string
		u    User
		want map[string]string
	}{
		{"valid", User{Name: "dr.lee", DisplayName: "Dr. Łucja Lee", Role: RoleDoctor}, nil},
		{"display name of 80", User{Name: "dr.lee", DisplayName: strings.Repeat("ł", 80), Role: RoleDoctor}, nil},
		{"short name", User{Name: "a", Role: RoleNurse}, map[string]string{"name": "must be 2 to 32 characters"}},
		{"upper-case name", User{Name: "Lee", Role: RoleNurse}, map[string]string{"name": "may hold only a-z"}},
		{"no role", User{Name: "lee", Role: ""}, map[string]string{"role": "must be one of admin, reception, doctor, nurse, billing"}},
		{"display name of 81", User{Name: "lee", DisplayName: strings.Repeat("ł", 81), Role: RoleAdmin}, map[string]string{"display_name": "at most 80"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.u.Validate()
			assertFieldErrors(t, err, KindUser, tt.want)
			if err != nil && strings.Contains(err.Error(), "core: user name") {
				t.Errorf("Error() = %q repeats the name rule's prefix", err)
			}
		})
	}
}

func TestUserLabel(t *testing.T) {
	tests := []struct {
		u    User
		want string
	}{
		{User{Name: "dr.lee", DisplayName: "Dr. Lee"}, "Dr. Lee"},
		{User{Name: "dr.lee"}, "dr.lee"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.u.Label(); got != tt.want {
				t.Fatalf("Label() = %q, want %q", got, tt.want)
			}
		})
	}
}
