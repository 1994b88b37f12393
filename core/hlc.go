package core

import (
	"fmt"
	"sync"
	"time"
)

// HLC is a hybrid logical clock timestamp: the upper 48 bits are wall time in
// milliseconds since the Unix epoch, the lower 16 bits a logical counter that
// orders events within one millisecond or while the wall clock lags behind.
// HLCs from different devices are comparable as plain integers.
type HLC uint64

const hlcLogicalBits = 16

// MakeHLC builds a timestamp from wall milliseconds and a logical counter.
func MakeHLC(wallMS int64, logical uint16) HLC {
	return HLC(uint64(wallMS)<<hlcLogicalBits | uint64(logical))
}

// WallMS is the wall-clock part in milliseconds since the Unix epoch.
func (h HLC) WallMS() int64 { return int64(h >> hlcLogicalBits) }

// Logical is the counter part.
func (h HLC) Logical() uint16 { return uint16(h) }

// Time is the wall-clock part as a UTC time.
func (h HLC) Time() time.Time { return time.UnixMilli(h.WallMS()).UTC() }

// String renders the timestamp for logs and tests.
func (h HLC) String() string {
	return fmt.Sprintf("%s+%d", h.Time().Format("2006-01-02T15:04:05.000Z"), h.Logical())
}

// Clock issues hybrid logical clock timestamps. It never goes backwards, also
// when the wall clock does, and it moves past every remote timestamp it is
// shown. It is safe for concurrent use.
type Clock struct {
	mu   sync.Mutex
	now  func() time.Time
	last HLC
}

// NewClock returns a clock reading wall time from now, starting after last
// (the highest timestamp this device has issued or seen, persisted by the
// store so that a restart never reuses one).
func NewClock(now func() time.Time, last HLC) *Clock {
	return &Clock{now: now, last: last}
}

// Now issues a timestamp greater than every one issued or observed before.
func (c *Clock) Now() HLC {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := c.now().UnixMilli()
	if wall > c.last.WallMS() {
		c.last = MakeHLC(wall, 0)
	} else {
		c.last = c.bump(c.last)
	}
	return c.last
}

// Observe moves the clock past a timestamp received from another device, so
// that later local changes order after the remote ones they follow.
func (c *Clock) Observe(remote HLC) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if remote > c.last {
		c.last = remote
	}
}

// Last is the highest timestamp issued or observed.
func (c *Clock) Last() HLC {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// bump returns the next timestamp after h, carrying into the wall part when
// the logical counter is exhausted.
func (c *Clock) bump(h HLC) HLC {
	if h.Logical() == 1<<hlcLogicalBits-1 {
		return MakeHLC(h.WallMS()+1, 0)
	}
	return h + 1
}
