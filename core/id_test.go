package core

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// idAt makes an ID at the given time from the given random bytes.
func idAt(tb testing.TB, at time.Time, random []byte) ID {
	tb.Helper()
	id, err := NewID(at, bytes.NewReader(random))
	if err != nil {
		tb.Fatalf("NewID: %v", err)
	}
	return id
}

func TestNewID(t *testing.T) {
	tests := []struct {
		name   string
		at     time.Time
		random []byte
		want   ID
	}{
		{"epoch", time.UnixMilli(0), []byte{0, 0, 0, 0, 0, 0}, "000000000000000000000000"},
		{"one ms", time.UnixMilli(1), []byte{0xde, 0xad, 0xbe, 0xef, 0x01, 0x02}, "000000000001deadbeef0102"},
		{"real time", time.UnixMilli(testWallMS), []byte{1, 2, 3, 4, 5, 6}, "018e08b0fa80010203040506"},
		{"zone does not matter", time.UnixMilli(testWallMS).In(time.FixedZone("X", 5*3600)), []byte{1, 2, 3, 4, 5, 6}, "018e08b0fa80010203040506"},
		{"sub-millisecond is dropped", time.UnixMilli(1).Add(999 * time.Microsecond), []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "000000000001ffffffffffff"},
		{"reads only six bytes", time.UnixMilli(1), []byte{1, 2, 3, 4, 5, 6, 7, 8}, "000000000001010203040506"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := idAt(t, tt.at, tt.random)
			if got != tt.want {
				t.Fatalf("NewID = %q, want %q", got, tt.want)
			}
			if _, err := ParseID(string(got)); err != nil {
				t.Errorf("ParseID(NewID()) = %v", err)
			}
			if b := got.Bytes(); len(b) != 12 || !bytes.Equal(b[6:], tt.random[:6]) {
				t.Errorf("Bytes() = %x, want 12 bytes ending in %x", b, tt.random[:6])
			}
		})
	}
}

func TestNewIDShortRandom(t *testing.T) {
	_, err := NewID(time.UnixMilli(testWallMS), bytes.NewReader([]byte{1, 2, 3}))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("NewID with 3 random bytes: err = %v, want io.ErrUnexpectedEOF", err)
	}
	if !strings.HasPrefix(err.Error(), "core: ") {
		t.Errorf("error %q lacks the package prefix", err)
	}
}

// TestNewIDFormat checks that every new ID is 24 lower-case hex digits.
func TestNewIDFormat(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ms := rapid.Int64Range(0, 1<<48-1).Draw(t, "ms")
		random := rapid.SliceOfN(rapid.Byte(), 6, 6).Draw(t, "random")
		id, err := NewID(time.UnixMilli(ms), bytes.NewReader(random))
		if err != nil {
			t.Fatalf("NewID: %v", err)
		}
		if len(id) != 24 {
			t.Fatalf("len(%q) = %d, want 24", id, len(id))
		}
		for _, r := range id {
			if !strings.ContainsRune("0123456789abcdef", r) {
				t.Fatalf("%q holds %q, not a lower-case hex digit", id, r)
			}
		}
	})
}

// TestNewIDSortsByTime checks that an ID made later sorts after one made
// earlier, whatever the random bytes.
func TestNewIDSortsByTime(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ms := rapid.Int64Range(0, 1<<48-2).Draw(t, "ms")
		later := rapid.Int64Range(ms+1, 1<<48-1).Draw(t, "later")
		a, _ := NewID(time.UnixMilli(ms), bytes.NewReader(rapid.SliceOfN(rapid.Byte(), 6, 6).Draw(t, "ra")))
		b, _ := NewID(time.UnixMilli(later), bytes.NewReader(rapid.SliceOfN(rapid.Byte(), 6, 6).Draw(t, "rb")))
		if a >= b {
			t.Fatalf("ID at %d (%s) does not sort before ID at %d (%s)", ms, a, later, b)
		}
		if bytes.Compare(a.Bytes(), b.Bytes()) >= 0 {
			t.Fatalf("Bytes of %s do not sort before those of %s", a, b)
		}
	})
}

func TestParseID(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"valid", "018e08b0fa80010203040506", true},
		{"all zero", "000000000000000000000000", true},
		{"empty", "", false},
		{"too short", "018e08b0fa8001020304050", false},
		{"too long", "018e08b0fa800102030405060", false},
		{"not hex", "018e08b0fa8001020304050g", false},
		{"spaces", "018e08b0fa80 10203040506", false},
		{"prefix", "0x8e0999d480010203040506", false},
		{"dashes", "018e0999-d480-0102-03040", false},
		{"non-ASCII of the right byte length", "018e08b0fa800102030405é", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := ParseID(tt.in)
			if tt.ok {
				if err != nil || id != ID(tt.in) {
					t.Fatalf("ParseID(%q) = %q, %v; want it back, nil", tt.in, id, err)
				}
				return
			}
			if !errors.Is(err, ErrBadID) {
				t.Fatalf("ParseID(%q) err = %v, want ErrBadID", tt.in, err)
			}
			if id != "" {
				t.Errorf("ParseID(%q) = %q on error, want empty", tt.in, id)
			}
		})
	}
}

// TestParseIDRejectsUpperCase: an ID is written in lower-case hex, so the
// upper-case spelling of the same bytes must not pass as a second, different
// ID string for the same record.
func TestParseIDRejectsUpperCase(t *testing.T) {
	in := "018E08B0FA80010203040506"
	if id, err := ParseID(in); !errors.Is(err, ErrBadID) {
		t.Fatalf("ParseID(%q) = %q, %v; want ErrBadID", in, id, err)
	}
}

func TestIDBytes(t *testing.T) {
	tests := []struct {
		name string
		id   ID
		want []byte
	}{
		{"valid", "000000000001deadbeef0102", []byte{0, 0, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef, 1, 2}},
		{"empty", "", nil},
		{"short", "00ff", nil},
		{"not hex", "zz0000000001deadbeef0102", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.id.Bytes(); !bytes.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Fatalf("Bytes() = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestIDShort(t *testing.T) {
	tests := []struct {
		id   ID
		want string
	}{
		{"018e08b0fa80010203040506", "03040506"},
		{"12345678", "12345678"},
		{"1234567", "1234567"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.id), func(t *testing.T) {
			if got := tt.id.Short(); got != tt.want {
				t.Fatalf("Short() = %q, want %q", got, tt.want)
			}
		})
	}
}
