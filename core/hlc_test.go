package core

import (
	"errors"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// testWallMS is a fixed wall time (2024-03-04T09:00:00Z) the clock tests start
// from, so that no test depends on time.Now.
const testWallMS int64 = 1709542800000

// wallClock is a settable wall clock to inject into a Clock.
type wallClock struct {
	mu sync.Mutex
	ms int64
}

func (w *wallClock) now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return time.UnixMilli(w.ms)
}

func (w *wallClock) set(ms int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ms = ms
}

func TestMakeHLC(t *testing.T) {
	tests := []struct {
		name    string
		wall    int64
		logical uint16
		want    HLC
		str     string
	}{
		{"zero", 0, 0, 0, "1970-01-01T00:00:00.000Z+0"},
		{"logical only", 0, 7, 7, "1970-01-01T00:00:00.000Z+7"},
		{"one ms", 1, 0, 1 << 16, "1970-01-01T00:00:00.001Z+0"},
		{"max logical", 1, 0xFFFF, 1<<16 | 0xFFFF, "1970-01-01T00:00:00.001Z+65535"},
		{"real time", testWallMS, 3, HLC(uint64(testWallMS)<<16 | 3), "2024-03-04T09:00:00.000Z+3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := MakeHLC(tt.wall, tt.logical)
			if h != tt.want {
				t.Fatalf("MakeHLC(%d, %d) = %d, want %d", tt.wall, tt.logical, h, tt.want)
			}
			if h.WallMS() != tt.wall || h.Logical() != tt.logical {
				t.Errorf("parts = (%d, %d), want (%d, %d)", h.WallMS(), h.Logical(), tt.wall, tt.logical)
			}
			if got := h.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
			if got := h.Time(); !got.Equal(time.UnixMilli(tt.wall)) || got.Location() != time.UTC {
				t.Errorf("Time() = %v, want %v in UTC", got, time.UnixMilli(tt.wall))
			}
		})
	}
}

func TestHLCOrdersByWallThenLogical(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w1 := rapid.Int64Range(0, 1<<47).Draw(t, "w1")
		w2 := rapid.Int64Range(0, 1<<47).Draw(t, "w2")
		l1 := rapid.Uint16().Draw(t, "l1")
		l2 := rapid.Uint16().Draw(t, "l2")
		a, b := MakeHLC(w1, l1), MakeHLC(w2, l2)
		want := w1 < w2 || w1 == w2 && l1 < l2
		if got := a < b; got != want {
			t.Fatalf("%v < %v = %v, want %v", a, b, got, want)
		}
	})
}

func TestClockNow(t *testing.T) {
	tests := []struct {
		name   string
		last   HLC
		wallMS int64
		want   HLC
	}{
		{"fresh clock takes wall time", 0, testWallMS, MakeHLC(testWallMS, 0)},
		{"wall ahead of last", MakeHLC(testWallMS-1, 9), testWallMS, MakeHLC(testWallMS, 0)},
		{"same millisecond bumps logical", MakeHLC(testWallMS, 4), testWallMS, MakeHLC(testWallMS, 5)},
		{"wall behind last bumps logical", MakeHLC(testWallMS+5000, 0), testWallMS, MakeHLC(testWallMS+5000, 1)},
		{"logical overflow carries into wall", MakeHLC(testWallMS, 0xFFFF), testWallMS, MakeHLC(testWallMS+1, 0)},
		{"overflow while wall lags", MakeHLC(testWallMS+10, 0xFFFF), testWallMS, MakeHLC(testWallMS+11, 0)},
		{"wall before epoch", MakeHLC(0, 0), -5000, MakeHLC(0, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &wallClock{ms: tt.wallMS}
			c := NewClock(w.now, tt.last)
			if got := mustNow(t, c); got != tt.want {
				t.Fatalf("Now() = %v, want %v", got, tt.want)
			}
			if got := c.Last(); got != tt.want {
				t.Errorf("Last() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestClockOverflowSequence(t *testing.T) {
	w := &wallClock{ms: testWallMS}
	c := NewClock(w.now, MakeHLC(testWallMS, 0xFFFD))
	want := []HLC{
		MakeHLC(testWallMS, 0xFFFE),
		MakeHLC(testWallMS, 0xFFFF),
		MakeHLC(testWallMS+1, 0),
		MakeHLC(testWallMS+1, 1),
	}
	for i, wh := range want {
		if got := mustNow(t, c); got != wh {
			t.Fatalf("Now() #%d = %v, want %v", i, got, wh)
		}
	}
	// The wall clock catching up with the carried millisecond must not
	// reissue it.
	w.set(testWallMS + 1)
	if got, wh := mustNow(t, c), MakeHLC(testWallMS+1, 2); got != wh {
		t.Fatalf("Now() after the wall caught up = %v, want %v", got, wh)
	}
	w.set(testWallMS + 2)
	if got, wh := mustNow(t, c), MakeHLC(testWallMS+2, 0); got != wh {
		t.Fatalf("Now() after the wall passed = %v, want %v", got, wh)
	}
}

func TestClockObserve(t *testing.T) {
	tests := []struct {
		name     string
		last     HLC
		remote   HLC
		wantLast HLC
		wantNow  HLC
	}{
		{"remote ahead", MakeHLC(testWallMS, 0), MakeHLC(testWallMS+500, 3), MakeHLC(testWallMS+500, 3), MakeHLC(testWallMS+500, 4)},
		{"remote behind is ignored", MakeHLC(testWallMS+500, 3), MakeHLC(testWallMS, 9), MakeHLC(testWallMS+500, 3), MakeHLC(testWallMS+500, 4)},
		{"remote equal", MakeHLC(testWallMS, 2), MakeHLC(testWallMS, 2), MakeHLC(testWallMS, 2), MakeHLC(testWallMS, 3)},
		{"remote at max logical", MakeHLC(testWallMS, 0), MakeHLC(testWallMS+7, 0xFFFF), MakeHLC(testWallMS+7, 0xFFFF), MakeHLC(testWallMS+8, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &wallClock{ms: testWallMS}
			c := NewClock(w.now, tt.last)
			if err := c.Observe(tt.remote); err != nil {
				t.Fatal(err)
			}
			if got := c.Last(); got != tt.wantLast {
				t.Errorf("Last() after Observe = %v, want %v", got, tt.wantLast)
			}
			if got := mustNow(t, c); got != tt.wantNow {
				t.Errorf("Now() after Observe = %v, want %v", got, tt.wantNow)
			}
		})
	}
}

// TestClockProperties drives a clock with random wall-clock moves (forward,
// backward, none), local timestamps and remote observations, and checks that
// every timestamp issued is greater than every one issued or observed before,
// never behind the wall clock, and that Last tracks the highest.
func TestClockProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := &wallClock{ms: testWallMS}
		wall := testWallMS
		logical := rapid.OneOf(rapid.Uint16(), rapid.Uint16Range(0xFFF0, 0xFFFF))
		last := MakeHLC(testWallMS+rapid.Int64Range(-10_000, 10_000).Draw(t, "last_offset"), logical.Draw(t, "last_logical"))
		c := NewClock(w.now, last)
		highest := last
		t.Repeat(map[string]func(*rapid.T){
			"tick": func(t *rapid.T) {
				wall += rapid.Int64Range(-5_000, 5_000).Draw(t, "delta")
				w.set(wall)
			},
			"now": func(t *rapid.T) {
				h := mustNow(t, c)
				if h <= highest {
					t.Fatalf("Now() = %v, not after %v", h, highest)
				}
				if h.WallMS() < wall {
					t.Fatalf("Now() = %v is behind the wall clock %d", h, wall)
				}
				highest = h
			},
			"observe": func(t *rapid.T) {
				remote := MakeHLC(wall+rapid.Int64Range(-10_000, 10_000).Draw(t, "remote_offset"), logical.Draw(t, "remote_logical"))
				if err := c.Observe(remote); err != nil {
					t.Fatal(err)
				}
				highest = max(highest, remote)
			},
			"": func(t *rapid.T) {
				if got := c.Last(); got != highest {
					t.Fatalf("Last() = %v, want %v", got, highest)
				}
			},
		})
	})
}

// TestNewClockNeverReissues checks that a clock restarted with the highest
// stamp it had issued never issues that stamp or an older one, whatever the
// wall clock says.
func TestNewClockNeverReissues(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		last := MakeHLC(rapid.Int64Range(0, 1<<46).Draw(t, "last_wall"), rapid.Uint16().Draw(t, "last_logical"))
		w := &wallClock{ms: rapid.Int64Range(0, 1<<46).Draw(t, "wall")}
		c := NewClock(w.now, last)
		prev := last
		for i := range rapid.IntRange(1, 20).Draw(t, "n") {
			h := mustNow(t, c)
			if h <= prev {
				t.Fatalf("Now() #%d = %v, not after %v", i, h, prev)
			}
			prev = h
		}
	})
}

func TestClockConcurrentNowIsUnique(t *testing.T) {
	const goroutines, each = 8, 500
	w := &wallClock{ms: testWallMS}
	c := NewClock(w.now, 0)
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		all = map[HLC]bool{}
	)
	for range goroutines {
		wg.Go(func() {
			got := make([]HLC, 0, each)
			for range each {
				got = append(got, mustNow(t, c))
			}
			mu.Lock()
			defer mu.Unlock()
			for _, h := range got {
				all[h] = true
			}
		})
	}
	wg.Wait()
	if len(all) != goroutines*each {
		t.Fatalf("%d distinct timestamps from %d calls to Now", len(all), goroutines*each)
	}
	if got, want := c.Last(), MakeHLC(testWallMS, goroutines*each-1); got != want {
		t.Errorf("Last() = %v, want %v", got, want)
	}
}

// mustNow issues a timestamp that must exist.
func mustNow(t interface{ Fatalf(string, ...any) }, c *Clock) HLC {
	h, err := c.Now()
	if err != nil {
		t.Fatalf("Now: %v", err)
	}
	return h
}

// At its largest timestamp the clock refuses to issue another instead of
// wrapping to zero, where every later edit would lose to every earlier
// one.
func TestClockNeverWraps(t *testing.T) {
	w := &wallClock{ms: testWallMS}
	c := NewClock(w.now, HLC(1<<64-2))
	if h := mustNow(t, c); h != HLC(1<<64-1) {
		t.Fatalf("Now() = %v, want the largest HLC", h)
	}
	for range 2 {
		if h, err := c.Now(); !errors.Is(err, ErrClockExhausted) {
			t.Fatalf("Now() past the largest HLC = %v, %v; want ErrClockExhausted", h, err)
		}
	}
	if got := c.Last(); got != HLC(1<<64-1) {
		t.Fatalf("Last() = %v after refusing, want the largest HLC", got)
	}
	// A wall clock beyond what an HLC holds does not wrap either.
	w.set(1 << 50)
	c = NewClock(w.now, 0)
	if h := mustNow(t, c); h.WallMS() != 0 || h.Logical() != 1 {
		t.Fatalf("Now() with a wall clock beyond the HLC's range = %v", h)
	}
}

func TestClockObserveRefusesFarAhead(t *testing.T) {
	w := &wallClock{ms: testWallMS}
	c := NewClock(w.now, MakeHLC(testWallMS, 0))
	in2099 := MakeHLC(time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), 0)
	err := c.Observe(in2099)
	var ahead *ClockAheadError
	if !errors.As(err, &ahead) || !errors.Is(err, ErrClockAhead) || ahead.By < 70*365*24*time.Hour {
		t.Fatalf("Observe(2099) = %v, want a ClockAheadError of about 75 years", err)
	}
	if got := c.Last(); got != MakeHLC(testWallMS, 0) {
		t.Fatalf("a refused time moved the clock to %v", got)
	}
	within := MakeHLC(testWallMS+int64(9*time.Minute/time.Millisecond), 0)
	if err := c.Observe(within); err != nil || c.Last() != within {
		t.Fatalf("Observe 9 minutes ahead: %v, last %v", err, c.Last())
	}
	c.SetMaxAhead(time.Minute)
	if err := c.Observe(MakeHLC(testWallMS+int64(2*time.Minute/time.Millisecond), 0)); !errors.Is(err, ErrClockAhead) {
		t.Fatalf("Observe 2 minutes ahead with a bound of 1: %v", err)
	}
}
