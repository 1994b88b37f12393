package main

import (
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// clinic demo (make run) late in the evening opened on a day that was
// over: its store has an out-of-hours doctor with work still ahead and a
// patient checked in and waiting.
func TestDemoAtNightHasWorkAhead(t *testing.T) {
	c := newCLI(t)
	c.now = time.Date(2026, 12, 1, 21, 40, 0, 0, time.UTC) // 22:40 in Berlin
	must(t, createDemo(c.env(nil, nil), filepath.Join(c.dir, "clinic.db")))
	c.as("desk", demoPass)
	out := c.must("appt", "list")
	if !regexp.MustCompile(`(?m)^\S+\s+2[23]:[0-5]\d\s.*checked_in$`).MatchString(out) || !regexp.MustCompile(`(?m)^\S+\s+2[23]:[0-5]\d\s.*booked$`).MatchString(out) {
		t.Errorf("tonight's list has nobody waiting or nothing booked after 22:40:\n%s", out)
	}
}
