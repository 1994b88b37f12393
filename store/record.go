package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"medisecure/core"
)

// recordFormat is the first byte of an encoded record.
const recordFormat = 1

// encodeRecord writes a record's merge state compactly: the distinct
// (HLC, device) stamps once, in the order of the first field (by name)
// that carries each, then each field with the index of its stamp. Most
// records were written by one change, so they carry one stamp; the
// stamps are found by a look along the few already met, not a map.
func encodeRecord(r *core.Record) []byte {
	type stamp struct {
		hlc    core.HLC
		device string
	}
	type named struct {
		name  string
		field core.Field
		stamp int
	}
	var buf [16]named
	fields := buf[:0]
	for n, f := range r.Fields {
		fields = append(fields, named{name: n, field: f})
	}
	slices.SortFunc(fields, func(a, b named) int { return strings.Compare(a.name, b.name) })
	var stampBuf [4]stamp
	stamps := stampBuf[:0]
	var index map[stamp]int // once the stamps are too many to look along
	for i := range fields {
		st := stamp{fields[i].field.HLC, fields[i].field.Device}
		at := -1
		if index != nil {
			if j, ok := index[st]; ok {
				at = j
			}
		} else {
			for j := range stamps {
				if stamps[j] == st {
					at = j
					break
				}
			}
		}
		if at < 0 {
			at = len(stamps)
			stamps = append(stamps, st)
			if index != nil {
				index[st] = at
			} else if len(stamps) > 8 {
				index = make(map[stamp]int, len(fields))
				for j, s := range stamps {
					index[s] = j
				}
			}
		}
		fields[i].stamp = at
	}
	// The bytes are sized once: a catch-up encodes a record a change.
	size := 1 + lenUvarint(len(stamps)) + lenUvarint(len(fields))
	for _, st := range stamps {
		size += 8 + lenUvarint(len(st.device)) + len(st.device)
	}
	for i := range fields {
		f := &fields[i]
		size += lenUvarint(len(f.name)) + len(f.name) + lenUvarint(f.stamp) + lenUvarint(len(f.field.Value)) + len(f.field.Value)
	}
	b := make([]byte, 0, size)
	b = append(b, recordFormat)
	b = binary.AppendUvarint(b, uint64(len(stamps)))
	for _, st := range stamps {
		b = binary.BigEndian.AppendUint64(b, uint64(st.hlc))
		b = appendString(b, st.device)
	}
	b = binary.AppendUvarint(b, uint64(len(fields)))
	for i := range fields {
		f := &fields[i]
		b = appendString(b, f.name)
		b = binary.AppendUvarint(b, uint64(f.stamp))
		b = appendString(b, string(f.field.Value))
	}
	return b
}

// errTruncated is returned when encoded bytes end too soon.
var errTruncated = errors.New("truncated")

// decodeRecord reverses encodeRecord. It never panics on bad input.
func decodeRecord(k core.Kind, id core.ID, b []byte) (*core.Record, error) {
	if len(b) == 0 || b[0] != recordFormat {
		return nil, fmt.Errorf("unknown record format")
	}
	d := decoder{b: b[1:]}
	ns := d.count()
	type stamp struct {
		hlc    core.HLC
		device string
	}
	stamps := make([]stamp, 0, min(ns, 64))
	for i := 0; i < ns && d.err == nil; i++ {
		stamps = append(stamps, stamp{core.HLC(d.u64()), d.str()})
	}
	nf := d.count()
	r := &core.Record{Kind: k, ID: id, Fields: make(map[string]core.Field, min(nf, 64))}
	for i := 0; i < nf && d.err == nil; i++ {
		name, si, v := d.str(), d.uvarint(), d.str()
		if d.err != nil {
			break
		}
		if si >= uint64(len(stamps)) || !json.Valid([]byte(v)) {
			return nil, fmt.Errorf("field %q is malformed", name)
		}
		st := stamps[si]
		r.Fields[name] = core.Field{Value: json.RawMessage(v), HLC: st.hlc, Device: st.device}
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = errors.New("trailing bytes")
	}
	if d.err != nil {
		return nil, d.err
	}
	return r, nil
}

// recordObject reads encoded record bytes straight into the JSON object
// of its fields that core.Record.JSON builds from decodeRecord's result,
// checking them as decodeRecord does, without the map of fields and
// their stamps a merge needs; the object is appended to dst[:0]. obj is
// nil for a record without fields; deleted is whether its deleted field
// is true.
func recordObject(dst, b []byte) (obj []byte, deleted bool, err error) {
	if len(b) == 0 || b[0] != recordFormat {
		return nil, false, fmt.Errorf("unknown record format")
	}
	d := decoder{b: b[1:]}
	ns := d.count()
	for i := 0; i < ns && d.err == nil; i++ {
		d.u64()
		d.raw()
	}
	nf := d.count()
	if nf > 0 {
		obj = append(dst[:0], '{')
	}
	for i := 0; i < nf && d.err == nil; i++ {
		name, si, v := d.raw(), d.uvarint(), d.raw()
		if d.err != nil {
			break
		}
		if si >= uint64(ns) || !json.Valid(v) {
			return nil, false, fmt.Errorf("field %q is malformed", name)
		}
		if i > 0 {
			obj = append(obj, ',')
		}
		obj = append(appendFieldName(obj, string(name)), ':')
		obj = append(obj, v...)
		if string(name) == core.FieldDeleted {
			deleted = string(v) == "true"
		}
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = errors.New("trailing bytes")
	}
	if d.err != nil {
		return nil, false, d.err
	}
	if obj != nil {
		obj = append(obj, '}')
	}
	return obj, deleted, nil
}

// appendFieldName appends a field's name as a JSON string, as
// json.Marshal writes it.
func appendFieldName(b []byte, n string) []byte {
	for i := 0; i < len(n); i++ {
		if c := n[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			k, _ := json.Marshal(n)
			return append(b, k...)
		}
	}
	return append(append(append(b, '"'), n...), '"')
}

// appendString writes a length-prefixed string.
// lenUvarint is how many bytes binary.AppendUvarint writes for n.
func lenUvarint(n int) int {
	return (bits.Len64(uint64(n)|1) + 6) / 7
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decoder reads length-prefixed values, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errTruncated
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a uvarint used as a number of items, which can be at most
// the bytes left (every item takes at least one).
func (d *decoder) count() int {
	v := d.uvarint()
	if v > uint64(len(d.b)) {
		d.err = errTruncated
		return 0
	}
	return int(v)
}

func (d *decoder) u64() uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.err = errTruncated
		return 0
	}
	v := binary.BigEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

// raw reads a length-prefixed value without copying it.
func (d *decoder) raw() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = errTruncated
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.b)) {
		d.err = errTruncated
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
