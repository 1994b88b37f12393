package store

import (
	"bytes"
	"encoding/binary"
	"sort"
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

// TestEncodedRecordIsAsBefore checks that encodeRecord writes the very
// bytes it wrote when it found the stamps in a map (encodeRecordByMap),
// for records of one stamp, a few, and more than it looks along.
func TestEncodedRecordIsAsBefore(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := core.NewRecord(core.KindPatient, "0123456789abcdef01234567")
		stamps := rapid.IntRange(1, 20).Draw(t, "stamps")
		for range rapid.IntRange(0, 40).Draw(t, "fields") {
			s := rapid.IntRange(0, stamps-1).Draw(t, "stamp")
			r.Fields[rapid.StringN(1, 30, -1).Draw(t, "name")] = core.Field{
				Value:  mustJSON(rapid.StringN(0, 40, -1).Draw(t, "value")),
				HLC:    core.HLC(1000 + s/2),
				Device: "dev-" + strconv.Itoa(s%3),
			}
		}
		if got, want := encodeRecord(r), encodeRecordByMap(r); !bytes.Equal(got, want) {
			t.Fatalf("encoded\n%x\nwant\n%x", got, want)
		}
	})
}

// encodeRecordByMap is encodeRecord as it was before it looked stamps up
// along a slice.
func encodeRecordByMap(r *core.Record) []byte {
	type stamp struct {
		hlc    core.HLC
		device string
	}
	names := make([]string, 0, len(r.Fields))
	for n := range r.Fields {
		names = append(names, n)
	}
	sort.Strings(names)
	var stamps []stamp
	index := map[stamp]int{}
	for _, n := range names {
		f := r.Fields[n]
		st := stamp{f.HLC, f.Device}
		if _, ok := index[st]; !ok {
			index[st] = len(stamps)
			stamps = append(stamps, st)
		}
	}
	b := []byte{recordFormat}
	b = binary.AppendUvarint(b, uint64(len(stamps)))
	for _, st := range stamps {
		b = binary.BigEndian.AppendUint64(b, uint64(st.hlc))
		b = appendString(b, st.device)
	}
	b = binary.AppendUvarint(b, uint64(len(names)))
	for _, n := range names {
		f := r.Fields[n]
		b = appendString(b, n)
		b = binary.AppendUvarint(b, uint64(index[stamp{f.HLC, f.Device}]))
		b = appendString(b, string(f.Value))
	}
	return b
}

// BenchmarkEncodeRecord encodes a patient record of one change.
func BenchmarkEncodeRecord(b *testing.B) {
	r := core.NewRecord(core.KindPatient, "0123456789abcdef01234567")
	for _, n := range []string{"name", "dob", "phone", "email", "address", "nhs"} {
		r.Fields[n] = core.Field{Value: mustJSON("value of " + n), HLC: 12345, Device: "0123456789abcdef"}
	}
	b.ReportAllocs()
	for b.Loop() {
		encodeRecord(r)
	}
}
