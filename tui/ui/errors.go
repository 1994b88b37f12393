package ui

import (
	"errors"
	"time"

	"medisecure/core"
)

// Describe is what a person reads for err: one sentence from core's one
// wording table (core.Describe), shared with the CLI, with times in the
// clinic's zone and every character safe for the terminal.
func (c *Shared) Describe(err error) string { return describeIn(err, c.Loc) }

// describeIn is Describe in zone. Before login the zone is not known yet;
// a lockout's time is then read in the zone the store gave it.
func describeIn(err error, zone *time.Location) string {
	var locked *core.LockedError
	if zone == nil && errors.As(err, &locked) {
		zone = locked.Until.Location()
	}
	msg, _ := core.Describe(err, zone)
	return msg
}
