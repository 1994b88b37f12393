package schedule

import "medisecure/core"

// cachedDays is how many loaded days (every doctor's appointments, made
// safe to show) a screen keeps, so paging back and forth and the waiting
// room's today do not decrypt and decode the same records on every key.
const cachedDays = 8

// dayCache holds loaded days until a refresh: the refresh tick, the
// refresh key, a status change made here, or coming back to the screen
// after a booking or any other screen drops it all.
type dayCache struct {
	days  map[core.Date][]core.Appointment
	order []core.Date // oldest first
}

// get is a kept day, and whether it was kept.
func (c *dayCache) get(d core.Date) ([]core.Appointment, bool) {
	a, ok := c.days[d]
	return a, ok
}

// put keeps a day, dropping the oldest kept day but keep when full. The
// lists are never changed once kept: Cmds read them off the Update loop.
func (c *dayCache) put(d core.Date, appts []core.Appointment, keep core.Date) {
	if c.days == nil {
		c.days = map[core.Date][]core.Appointment{}
	}
	if _, ok := c.days[d]; !ok {
		c.order = append(c.order, d)
	}
	c.days[d] = appts
	for i := 0; len(c.days) > cachedDays && i < len(c.order); {
		if old := c.order[i]; old != d && old != keep {
			delete(c.days, old)
			c.order = append(c.order[:i], c.order[i+1:]...)
			continue
		}
		i++
	}
}

// reset forgets every kept day.
func (c *dayCache) reset() { c.days, c.order = nil, nil }
