//go:build !goexperiment.jsonv2

package core

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// This file is Record.Decode's fast path: it sets an entity's fields from
// the record's values one by one, with no JSON object built and scanned
// whole. It must give exactly what json.Unmarshal(r.JSON(), e) gives, so
// it only does what it is sure of and otherwise reports that it did
// nothing, and Decode takes the json.Unmarshal path for the whole record.
// The rules it follows are encoding/json's (v1; under GOEXPERIMENT=jsonv2
// recorddecode_jsonv2.go turns it off):
//
//   - an object key matches the struct field of exactly that name (the json
//     tag, else the Go name, promoted from embedded structs), else one whose
//     name is equal under Unicode case folding: the fast path gives up on a
//     key that matches only so, as then the key order decides;
//   - a key that matches no field is skipped, but the whole text is checked
//     first, so an invalid value anywhere is an error: unknown keys' values
//     are checked with json.Valid;
//   - null leaves a string, bool, number or struct as it is, and
//     time.Time's UnmarshalJSON ignores it;
//   - a type mismatch or an out-of-range number is an error that does not
//     stop decoding, an error from UnmarshalJSON does: either way the fast
//     path gives up, and the json.Unmarshal path makes the same error.
//
// A field whose value the fast path does not read itself (an array, a
// map, a string with escapes, a value with spaces around it…) is decoded
// by json.Unmarshal of that value alone into the field, which does what
// the whole-object decode does to that field, as long as the field starts
// zero: the fast path is taken only for an entity that is all zero.

// decodeFast fills e, which must be zero, from r's current values as
// json.Unmarshal(r.JSON(), e) would, and reports true; or it reports false
// having left e zero, and the caller must take the json.Unmarshal path.
func decodeFast(r *Record, e Entity) bool {
	rv := reflect.ValueOf(e)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return false
	}
	d := decoderFor(rv.Type().Elem())
	if d == nil {
		return false
	}
	v := rv.Elem()
	if !v.IsZero() {
		return false
	}
	for name, f := range r.Fields {
		if !d.member(v, name, f.Value) {
			v.SetZero()
			return false
		}
	}
	return true
}

// shape is how the fast path sets a field.
type shape uint8

const (
	shapeOther  shape = iota // json.Unmarshal of the value alone
	shapeNever               // the fast path gives up (a ",string" field)
	shapeString              // a string kind
	shapeBool                // a bool kind
	shapeInt                 // a signed integer kind
	shapeUint                // an unsigned integer kind
	shapeFloat               // a float kind
	shapeTime                // time.Time, by its UnmarshalJSON
	shapeStruct              // a struct the fast path decodes (decoder sub)
)

// fieldDecoder is one field a JSON key can set.
type fieldDecoder struct {
	index []int // the struct field path, through embedded structs
	shape shape
	sub   *structDecoder // for shapeStruct
}

// structDecoder maps the JSON keys of one struct type to its fields.
type structDecoder struct {
	fields map[string]*fieldDecoder // by exact name
	folded map[string]bool          // every field's name, case folded
}

var (
	decoders            sync.Map // reflect.Type -> *structDecoder (nil: not for the fast path)
	timeType            = reflect.TypeFor[time.Time]()
	numberType          = reflect.TypeFor[json.Number]()
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// decoderFor returns the decoder of struct type t, built once, or nil when
// t is not a struct the fast path can decode.
func decoderFor(t reflect.Type) *structDecoder {
	if d, ok := decoders.Load(t); ok {
		return d.(*structDecoder)
	}
	d := buildDecoder(t)
	decoders.Store(t, d)
	return d
}

// buildDecoder makes t's decoder: nil for anything but a struct with no
// UnmarshalJSON or UnmarshalText of its own, whose embedded fields are all
// exported structs (no pointers) with no JSON name, none twice, and whose
// fields' JSON names are all distinct (so no Go embedding rule decides
// which field a name means).
func buildDecoder(t reflect.Type) *structDecoder {
	if t.Kind() != reflect.Struct || hasUnmarshaler(t) {
		return nil
	}
	d := &structDecoder{fields: map[string]*fieldDecoder{}, folded: map[string]bool{}}
	seen := map[reflect.Type]bool{t: true}
	if !d.collect(t, nil, seen) {
		return nil
	}
	for name := range d.fields {
		d.folded[foldName(name)] = true
	}
	return d
}

// collect adds the fields of struct t, found at path index, to d; false if
// t has a field the fast path does not handle.
func (d *structDecoder) collect(t reflect.Type, index []int, seen map[reflect.Type]bool) bool {
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if !validTag(name) {
			name = ""
		}
		path := append(append([]int(nil), index...), i)
		if sf.Anonymous {
			if name != "" || !sf.IsExported() || sf.Type.Kind() != reflect.Struct || seen[sf.Type] {
				return false
			}
			seen[sf.Type] = true
			if !d.collect(sf.Type, path, seen) {
				return false
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if _, dup := d.fields[name]; dup {
			return false
		}
		f := &fieldDecoder{index: path, shape: shapeFor(sf.Type)}
		if f.shape == shapeStruct {
			f.sub = decoderFor(sf.Type)
		}
		for o := range strings.SplitSeq(opts, ",") {
			if o == "string" {
				f.shape = shapeNever
			}
		}
		d.fields[name] = f
	}
	return true
}

// shapeFor is how a field of type t is set.
func shapeFor(t reflect.Type) shape {
	if t == timeType {
		return shapeTime
	}
	if t == numberType || hasUnmarshaler(t) {
		return shapeOther
	}
	switch t.Kind() {
	case reflect.String:
		return shapeString
	case reflect.Bool:
		return shapeBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return shapeInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return shapeUint
	case reflect.Float32, reflect.Float64:
		return shapeFloat
	case reflect.Struct:
		if decoderFor(t) != nil {
			return shapeStruct
		}
	}
	return shapeOther
}

// hasUnmarshaler reports whether json would hand a t's value to a method
// of its own.
func hasUnmarshaler(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return p.Implements(unmarshalerType) || p.Implements(textUnmarshalerType)
}

// validTag is encoding/json's test of a tag name; an invalid one is
// ignored and the Go name used.
func validTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// foldName is encoding/json's case folding of names: two names match
// case-insensitively when their folds are equal.
func foldName(s string) string {
	var arr [32]byte
	out := arr[:0]
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		for {
			r2 := unicode.SimpleFold(r)
			if r2 <= r {
				r = r2
				break
			}
			r = r2
		}
		out = utf8.AppendRune(out, r)
		i += n
	}
	return string(out)
}

// foldMatch reports whether key, which matches no name exactly, would
// match one case-insensitively (or might: a key that is not valid UTF-8
// is not what the decoder sees, which reads it back with U+FFFD).
func (d *structDecoder) foldMatch(key string) bool {
	return !utf8.ValidString(key) || d.folded[foldName(key)]
}

// member sets the field that record field name with value val sets in
// struct v, which is zero in that field; false if the fast path must give
// up.
func (d *structDecoder) member(v reflect.Value, name string, val []byte) bool {
	f := d.fields[name]
	if f == nil {
		return !d.foldMatch(name) && json.Valid(val)
	}
	if f.shape == shapeNever {
		return false
	}
	fv := v.FieldByIndex(f.index)
	if n, ok := f.set(fv, val); ok && n == len(val) {
		return true
	}
	fv.SetZero()
	return json.Unmarshal(val, fv.Addr().Interface()) == nil
}

// set reads the JSON value at the start of b into fv, if it is one the
// fast path reads, and returns its length; false, with fv maybe changed,
// if it is not (always, for shapeOther and shapeNever).
func (f *fieldDecoder) set(fv reflect.Value, b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	if b[0] == 'n' {
		if !hasLiteral(b, "null") {
			return 0, false
		}
		switch f.shape {
		case shapeString, shapeBool, shapeInt, shapeUint, shapeFloat, shapeTime, shapeStruct:
			return 4, true // null sets none of them
		}
		return 0, false
	}
	switch f.shape {
	case shapeString:
		n := plainString(b)
		if n == 0 {
			return 0, false
		}
		fv.SetString(string(b[1 : n-1]))
		return n, true
	case shapeBool:
		switch {
		case hasLiteral(b, "true"):
			fv.SetBool(true)
			return 4, true
		case hasLiteral(b, "false"):
			fv.SetBool(false)
			return 5, true
		}
	case shapeInt:
		n, integer := number(b)
		if n == 0 || !integer {
			return 0, false
		}
		neg := b[0] == '-'
		u, ok := magnitude(b[:n], neg)
		if !ok {
			return 0, false
		}
		var i int64
		switch {
		case !neg && u <= 1<<63-1:
			i = int64(u)
		case neg && u <= 1<<63:
			i = int64(-u) // -(1<<63) wraps to itself
		default:
			return 0, false
		}
		if fv.OverflowInt(i) {
			return 0, false
		}
		fv.SetInt(i)
		return n, true
	case shapeUint:
		n, integer := number(b)
		if n == 0 || !integer || b[0] == '-' {
			return 0, false
		}
		u, ok := magnitude(b[:n], false)
		if !ok || fv.OverflowUint(u) {
			return 0, false
		}
		fv.SetUint(u)
		return n, true
	case shapeFloat:
		n, _ := number(b)
		if n == 0 {
			return 0, false
		}
		x, err := strconv.ParseFloat(string(b[:n]), fv.Type().Bits())
		if err != nil || fv.OverflowFloat(x) {
			return 0, false
		}
		fv.SetFloat(x)
		return n, true
	case shapeTime:
		n := plainString(b)
		if n == 0 {
			return 0, false
		}
		if fv.Addr().Interface().(*time.Time).UnmarshalJSON(b[:n]) != nil {
			return 0, false
		}
		return n, true
	case shapeStruct:
		if b[0] == '{' {
			return f.sub.object(fv, b)
		}
	}
	return 0, false
}

// object reads the compact JSON object at the start of b into struct v
// (zero in every field its keys set, or set by an earlier same key, as
// json does) and returns its length; false if it is not one the fast
// path reads: every key plain, every value one set reads or, for a key
// that matches no field, a plain string, number or literal.
func (d *structDecoder) object(v reflect.Value, b []byte) (int, bool) {
	i := 1
	if i < len(b) && b[i] == '}' {
		return 2, true
	}
	for {
		k := plainString(b[i:])
		if k == 0 {
			return 0, false
		}
		key := b[i+1 : i+k-1]
		i += k
		if i >= len(b) || b[i] != ':' {
			return 0, false
		}
		i++
		var n int
		if f := d.fields[string(key)]; f != nil {
			var ok bool
			if n, ok = f.set(v.FieldByIndex(f.index), b[i:]); !ok {
				return 0, false
			}
		} else if d.foldMatch(string(key)) {
			return 0, false
		} else if n = scalar(b[i:]); n == 0 {
			return 0, false
		}
		i += n
		if i >= len(b) {
			return 0, false
		}
		switch b[i] {
		case ',':
			i++
		case '}':
			return i + 1, true
		default:
			return 0, false
		}
	}
}

// scalar is the length of the plain string, number, true, false or null
// at the start of b, or 0.
func scalar(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	switch b[0] {
	case '"':
		return plainString(b)
	case 't':
		if hasLiteral(b, "true") {
			return 4
		}
	case 'f':
		if hasLiteral(b, "false") {
			return 5
		}
	case 'n':
		if hasLiteral(b, "null") {
			return 4
		}
	default:
		n, _ := number(b)
		return n
	}
	return 0
}

// hasLiteral reports whether b starts with lit.
func hasLiteral(b []byte, lit string) bool {
	return len(b) >= len(lit) && string(b[:len(lit)]) == lit
}

// plainString is the length of the JSON string at the start of b if it
// holds no escape, so that its bytes between the quotes are its value
// (valid UTF-8, no control character), or 0.
func plainString(b []byte) int {
	if len(b) < 2 || b[0] != '"' {
		return 0
	}
	ascii := true
	for i := 1; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			if !ascii && !utf8.Valid(b[1:i]) {
				return 0
			}
			return i + 1
		case c == '\\' || c < ' ':
			return 0
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return 0
}

// number is the length of the JSON number at the start of b (0 if none)
// and whether it is written as an integer (no fraction or exponent).
func number(b []byte) (int, bool) {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = skipDigits(b, i+1)
	default:
		return 0, false
	}
	integer := true
	if i < len(b) && b[i] == '.' {
		j := skipDigits(b, i+1)
		if j == i+1 {
			return 0, false
		}
		i, integer = j, false
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := skipDigits(b, i)
		if j == i {
			return 0, false
		}
		i, integer = j, false
	}
	return i, integer
}

// skipDigits is the index of the first non-digit of b from i on.
func skipDigits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// magnitude reads the integer literal b (with its sign when neg) as a
// magnitude; false if it does not fit in 64 bits.
func magnitude(b []byte, neg bool) (uint64, bool) {
	if neg {
		b = b[1:]
	}
	var u uint64
	for _, c := range b {
		if u > (1<<64-1)/10 {
			return 0, false
		}
		u *= 10
		d := uint64(c - '0')
		if u+d < u {
			return 0, false
		}
		u += d
	}
	return u, true
}
