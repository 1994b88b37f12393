package main

import (
	"regexp"
	"strings"
	"testing"
)

// The user lifecycle from the command line: role, disable, enable,
// passwd, reset with a wrong and the right code.
func TestUserLifecycleCommands(t *testing.T) {
	c := newCLI(t)
	c.as("admin", "admin-pass")
	c.must("init", "--org", "Test Clinic", "--admin", "admin")
	c.vars["CLINIC_NEW_PASSPHRASE"] = "desk-pass-1"
	c.must("user", "add", "--role", "reception", "desk")

	if out := c.must("user", "role", "desk", "billing"); !strings.Contains(out, "desk is now billing") {
		t.Fatalf("role: %q", out)
	}
	c.expect(1, "unknown role", "user", "role", "desk", "wizard")
	c.expect(3, "is billing already", "user", "role", "desk", "billing")
	if out := c.must("user", "list", "--json"); !strings.Contains(out, `"role": "billing"`) {
		t.Fatalf("list --json: %q", out)
	}
	c.must("user", "role", "desk", "reception")

	if out := c.must("user", "disable", "desk"); !strings.Contains(out, "started key epoch 2") {
		t.Fatalf("disable: %q", out)
	}
	if out := c.must("user", "list"); !regexp.MustCompile(`desk\s+reception\s+disabled`).MatchString(out) {
		t.Fatalf("list after disable: %q", out)
	}
	c.expect(3, "cannot disable your own account", "user", "disable", "admin")
	c.as("desk", "desk-pass-1")
	c.expect(2, "wrong user or passphrase", "patient", "find", "x")
	c.as("admin", "admin-pass")
	c.must("user", "enable", "desk")

	c.as("desk", "desk-pass-1")
	c.expect(2, "may not", "user", "role", "desk", "admin")
	c.vars["CLINIC_NEW_PASSPHRASE"] = "desk-pass-2"
	c.must("passwd")
	c.expect(2, "wrong user or passphrase", "patient", "find", "x")
	c.as("desk", "desk-pass-2")
	c.must("patient", "find", "x")

	c.as("admin", "admin-pass")
	out := c.must("user", "reset", "desk")
	code := regexp.MustCompile(`reset code for desk: (\S+)`).FindStringSubmatch(out)
	if code == nil {
		t.Fatalf("reset printed no code: %q", out)
	}
	c.as("desk", "desk-pass-2")
	c.expect(2, "was reset", "patient", "find", "x")
	c.vars["CLINIC_NEW_PASSPHRASE"] = "desk-pass-3"
	c.expect(2, "wrong user or reset code", "passwd", "--reset", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
	c.must("passwd", "--reset", code[1])
	c.expect(2, "no reset is waiting", "passwd", "--reset", code[1])
	c.as("desk", "desk-pass-3")
	c.must("patient", "find", "x")
}

func TestUserLifecycleHelp(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{{"user", "disable"}, {"user", "enable"}, {"user", "role"}, {"user", "reset"}, {"passwd"}} {
		out, _, code := c.run(append(args, "--help")...)
		if code != 0 || !strings.Contains(out, "usage: clinic "+strings.Join(args, " ")) {
			t.Errorf("%s --help: %d %q", strings.Join(args, " "), code, out)
		}
	}
}
