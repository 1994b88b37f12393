package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestApptMove(t *testing.T) {
	c := setup(t)
	c.as("desk", "staff-pass")
	ann := strings.TrimSpace(c.must("patient", "add", "--name", "Ann Smith", "--dob", "1990-01-02"))
	bob := strings.TrimSpace(c.must("patient", "add", "--name", "Bob Jones", "--dob", "1980-05-06"))
	first := strings.TrimSpace(c.must("appt", "book", "--patient", ann, "--doctor", "dr.okafor", "--at", "2026-12-07 09:30", "--minutes", "30", "--room", "Room 1"))
	second := strings.TrimSpace(c.must("appt", "book", "--patient", bob, "--doctor", "dr.okafor", "--at", "2026-12-07 11:00"))

	if out := c.must("appt", "move", first, "--at", "2026-12-08 10:00"); !strings.Contains(out, "moved to Tue 8 Dec 2026 10:00, 30 minutes") {
		t.Errorf("move printed %q", out)
	}
	if out := c.must("appt", "list", "--date", "2026-12-08", "--doctor", "dr.okafor"); !strings.Contains(out, first) || !strings.Contains(out, "Room 1") {
		t.Errorf("the moved appointment is not on the 8th in its room: %q", out)
	}
	if out := c.must("appt", "list", "--date", "2026-12-07", "--doctor", "dr.okafor"); strings.Contains(out, first) {
		t.Errorf("the moved appointment is still on the 7th: %q", out)
	}
	c.must("appt", "move", first, "--at", "2026-12-08 10:00", "--minutes", "15", "--room", "Room 2")
	if out := c.must("appt", "list", "--date", "2026-12-08", "--doctor", "dr.okafor"); !strings.Contains(out, "Room 2") {
		t.Errorf("--room did not move it: %q", out)
	}
	c.expect(exitValidation, `doctor is already booked .*next free slot: Mon 7 Dec 2026 11:15`, "appt", "move", first, "--at", "2026-12-07 11:00")
	c.expect(exitUsage, `needs --at`, "appt", "move", first)
	c.expect(exitUsage, `usage: clinic appt move ID`, "appt", "move", "--at", "2026-12-07 11:00")
	c.expect(exitValidation, `not found`, "appt", "move", "0123456789abcdef01234567", "--at", "2026-12-07 12:00")
	c.must("appt", "cancel", second)
	c.expect(exitValidation, `only booked appointments can be moved; this one is cancelled`, "appt", "move", second, "--at", "2026-12-07 12:00")
}

// --minutes was fixed at 15 whatever the doctor's slots: it is now the
// doctor's slot length.
func TestBookDefaultsToTheDoctorsSlot(t *testing.T) {
	c := newClinic(t)
	c.as("admin", "admin-pass")
	c.must("schedule", "set", "--doctor", "dr.haddad", "--days", "mon-fri", "--hours", "08:00-17:00", "--slot", "30")
	c.as("desk", "staff-pass")
	ann := strings.TrimSpace(c.must("patient", "add", "--name", "Ann Smith", "--dob", "1990-01-02"))
	c.must("appt", "book", "--patient", ann, "--doctor", "dr.haddad", "--at", "2026-11-30 09:00")
	if out := c.must("appt", "list", "--date", "2026-11-30", "--json"); !strings.Contains(out, `"minutes": 30`) {
		t.Errorf("the booking is not 30 minutes: %s", out)
	}
}

// Names of wide (CJK) characters pushed every later column out of line:
// tabwriter counts runes, a terminal shows two cells for each.
func TestTablesAlignWideNames(t *testing.T) {
	c := setup(t)
	c.as("desk", "staff-pass")
	for _, n := range []string{"山田太郎", "Zoë Łukasiewicz", "Ann Smith"} {
		c.must("patient", "add", "--name", n, "--dob", "1984-03-27")
	}
	out := c.must("patient", "find", "1984-03-27")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("find printed %q", out)
	}
	col := func(line, word string) int {
		i := strings.Index(line, word)
		if i < 0 {
			t.Fatalf("%q not in %q", word, line)
		}
		return ansi.StringWidth(line[:i])
	}
	want := col(lines[0], "DOB")
	for _, l := range lines[1:] {
		if got := col(l, "1984-03-27"); got != want {
			t.Errorf("DOB starts at column %d, header at %d:\n%s", got, want, out)
		}
	}
}

// A stored name with escape sequences (written before core refused them,
// or by a workstation that did not) cleared the screen and set the
// terminal's title when a table printed it.
func TestTableCellsAreSafe(t *testing.T) {
	evil := "Evil\x1b[2J\x1b]0;PWNED\x1b\\Mallory"
	var out bytes.Buffer
	must(t, table(&out, false, nil, []string{"NAME", "DOB"}, [][]string{{evil, "1990-01-01"}, {"Ann\u202eSmith", "1990-01-02"}}))
	for _, bad := range []string{"\x1b", "\u202e"} {
		if strings.Contains(out.String(), bad) {
			t.Errorf("the table printed %q raw: %q", bad, out.String())
		}
	}
	if !strings.Contains(out.String(), "PWNED") || !strings.Contains(out.String(), "Mallory") {
		t.Errorf("the table hid the name instead of showing it harmlessly: %q", out.String())
	}

	c := setup(t)
	c.as("desk", "staff-pass")
	c.expect(exitValidation, `name`, "patient", "add", "--name", evil, "--dob", "1990-01-01")
	if _, errOut, _ := c.run("patient", "add", "--name", evil, "--dob", "1990-01-01"); strings.Contains(errOut, "\x1b") {
		t.Errorf("the error echoed the escape sequence: %q", errOut)
	}
}

// Reception refused export was told "reception may not read access_log
// records", which says nothing about exporting.
func TestExportRefusalSaysExport(t *testing.T) {
	c := setup(t)
	c.as("desk", "staff-pass")
	c.expect(exitAuth, `^clinic: reception may not export the clinic's records: only admins export`, "export")
	if _, errOut, _ := c.run("export"); strings.Contains(errOut, "access_log") {
		t.Errorf("export refusal: %q", errOut)
	}
}

// clinic appt book took a start in the past, and a clash offered a "next
// free slot" earlier than now. The clock is Thursday 26 November 2026,
// 09:00 in Berlin.
func TestNoBookingInThePast(t *testing.T) {
	c := setup(t)
	c.as("desk", "staff-pass")
	ann := strings.TrimSpace(c.must("patient", "add", "--name", "Ann Smith", "--dob", "1990-01-02"))
	c.expect(exitValidation, `start is in the past`, "appt", "book", "--patient", ann, "--doctor", "dr.okafor", "--at", "2026-11-25 10:00")
	// Earlier today, during working hours, where the seed's day is busy.
	for _, at := range []string{"2026-11-26 08:00", "2026-11-26 08:30", "2026-11-26 08:45"} {
		_, errOut, code := c.run("appt", "book", "--patient", ann, "--doctor", "dr.okafor", "--at", at)
		if code != exitValidation || !strings.Contains(errOut, "start is in the past") || strings.Contains(errOut, "next free slot: Thu 26 Nov 2026 08:") {
			t.Errorf("book at %s: exit %d, %q", at, code, errOut)
		}
	}
	id := strings.TrimSpace(c.must("appt", "book", "--patient", ann, "--doctor", "dr.okafor", "--at", "2026-12-07 09:30"))
	c.expect(exitValidation, `start is in the past`, "appt", "move", id, "--at", "2026-11-26 08:30")
}
