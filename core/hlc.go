package core

import (
	"errors"
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

// DefaultMaxAhead is how far ahead of this device's wall clock a remote
// timestamp may be before Observe refuses it.
const DefaultMaxAhead = 10 * time.Minute

// maxWallMS is the largest wall time an HLC holds (in the year 10889).
const maxWallMS = 1<<(64-hlcLogicalBits) - 1

// ErrClockExhausted is returned when the clock cannot issue a timestamp
// because it stands at the largest an HLC can hold: it refuses rather
// than wrap to zero, which would order every later edit before all the
// earlier ones.
var ErrClockExhausted = errors.New("core: the clock stands at the largest time it can hold")

// ErrClockAhead is returned, wrapped in a *ClockAheadError, when a remote
// timestamp is further ahead of this device's wall clock than the skew
// bound allows.
var ErrClockAhead = errors.New("core: a remote clock is ahead")

// ClockAheadError says by how much a remote timestamp is ahead of this
// device's wall clock.
type ClockAheadError struct {
	// By is how far the remote time is ahead, rounded to the second.
	By time.Duration
	// Max is the bound it exceeds.
	Max time.Duration
}

func (e *ClockAheadError) Error() string {
	return fmt.Sprintf("core: a remote clock is %s ahead of this one (at most %s)", e.By, e.Max)
}

// Unwrap makes errors.Is(err, ErrClockAhead) hold.
func (e *ClockAheadError) Unwrap() error { return ErrClockAhead }

// Clock issues hybrid logical clock timestamps. It never goes backwards, also
// when the wall clock does, and it moves past every remote timestamp it is
// shown unless that one is beyond the skew bound. It never wraps. It is safe
// for concurrent use.
type Clock struct {
	mu       sync.Mutex
	now      func() time.Time
	last     HLC
	maxAhead time.Duration
}

// NewClock returns a clock reading wall time from now, starting after last
// (the highest timestamp this device has issued or seen, persisted by the
// store so that a restart never reuses one), with DefaultMaxAhead as its
// skew bound.
func NewClock(now func() time.Time, last HLC) *Clock {
	return &Clock{now: now, last: last, maxAhead: DefaultMaxAhead}
}

// SetMaxAhead sets the skew bound: how far ahead of the wall clock a
// remote timestamp may be. Zero or less restores DefaultMaxAhead.
func (c *Clock) SetMaxAhead(d time.Duration) {
	if d <= 0 {
		d = DefaultMaxAhead
	}
	c.mu.Lock()
	c.maxAhead = d
	c.mu.Unlock()
}

// MaxAhead is the skew bound.
func (c *Clock) MaxAhead() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.maxAhead
}

// Now issues a timestamp greater than every one issued or observed before.
// It returns ErrClockExhausted, issuing nothing, when there is none.
func (c *Clock) Now() (HLC, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := c.now().UnixMilli()
	if wall > c.last.WallMS() && wall <= maxWallMS {
		c.last = MakeHLC(wall, 0)
		return c.last, nil
	}
	next, err := bump(c.last)
	if err != nil {
		return 0, err
	}
	c.last = next
	return next, nil
}

// Observe moves the clock past a timestamp received from another device, so
// that later local changes order after the remote ones they follow. It
// refuses, with a *ClockAheadError and without moving, a timestamp further
// ahead of the wall clock than the skew bound: one device's clock set
// decades ahead must not drag every clock with it.
func (c *Clock) Observe(remote HLC) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.checkAhead(remote); err != nil {
		return err
	}
	if remote > c.last {
		c.last = remote
	}
	return nil
}

// CheckAhead reports, as Observe would, whether a remote timestamp is
// beyond the skew bound, without observing it.
func (c *Clock) CheckAhead(remote HLC) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.checkAhead(remote)
}

func (c *Clock) checkAhead(remote HLC) error {
	ahead := time.Duration(remote.WallMS()-c.now().UnixMilli()) * time.Millisecond
	if ahead > c.maxAhead {
		return &ClockAheadError{By: ahead.Round(time.Second), Max: c.maxAhead}
	}
	return nil
}

// Last is the highest timestamp issued or observed.
func (c *Clock) Last() HLC {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// bump returns the next timestamp after h, carrying into the wall part when
// the logical counter is exhausted, or ErrClockExhausted after the largest.
func bump(h HLC) (HLC, error) {
	switch {
	case h.Logical() < 1<<hlcLogicalBits-1:
		return h + 1, nil
	case h.WallMS() < maxWallMS:
		return MakeHLC(h.WallMS()+1, 0), nil
	}
	return 0, ErrClockExhausted
}
