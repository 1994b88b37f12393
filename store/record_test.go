package store

import (
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"medisecure/core"
)

// TestEncodedRecordIsSizedExactly checks encodeRecord's size arithmetic:
// the bytes fill the capacity they were made with.
func TestEncodedRecordIsSizedExactly(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := core.NewRecord(core.KindPatient, "0123456789abcdef01234567")
		for i := range rapid.IntRange(0, 40).Draw(t, "fields") {
			r.Fields[rapid.StringN(1, 300, -1).Draw(t, "name")] = core.Field{
				Value:  mustJSON(rapid.StringN(0, 400, -1).Draw(t, "value")),
				HLC:    core.HLC(rapid.Uint64().Draw(t, "hlc")),
				Device: rapid.SampledFrom([]string{"", "dev-a", strings.Repeat("d", 200)}).Draw(t, "device") + strconv.Itoa(i%3),
			}
		}
		b := encodeRecord(r)
		if len(b) != cap(b) {
			t.Fatalf("%d bytes in a capacity of %d", len(b), cap(b))
		}
		back, err := decodeRecord(r.Kind, r.ID, b)
		if err != nil || len(back.Fields) != len(r.Fields) {
			t.Fatalf("decoded %v, %v", back, err)
		}
	})
}
