package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"pgregory.net/rapid"
)

// unmarshalRecord is what Record.Decode did before its fast path, written
// out again here so the tests compare with it and not with decodeJSON.
func unmarshalRecord(r *Record, e Entity) error {
	if err := json.Unmarshal(r.JSON(), e); err != nil {
		return fmt.Errorf("core: decoding %s %s: %w", r.Kind, r.ID, err)
	}
	return nil
}

// checkDecodeSame decodes r into a fresh entity made by mk by Decode and
// by unmarshalRecord and fails unless both give the same entity and the
// same error, or both none; then the same again for r2 into the entities
// already filled (so not zero), if r2 is not nil.
func checkDecodeSame(t interface{ Fatalf(string, ...any) }, mk func() Entity, r, r2 *Record) {
	got, want := mk(), mk()
	compare := func(r *Record) {
		gotErr, wantErr := r.Decode(got), unmarshalRecord(r, want)
		if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
			t.Fatalf("%s: Decode error %v, json.Unmarshal's %v", r.JSON(), gotErr, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: Decode made\n%#v\njson.Unmarshal\n%#v", r.JSON(), got, want)
		}
	}
	compare(r)
	if r2 != nil {
		compare(r2)
	}
}

// jsonField is a JSON name of a struct type, its Go name and the Go type
// it sets.
type jsonField struct {
	name, goName string
	typ          reflect.Type
}

// jsonFields lists names for the fields of struct type t, promoted through
// embedded structs: the name in the json tag, else the Go name, whether
// or not json decodes the field by that name (a field that is unexported,
// tagged "-" or has an invalid tag is listed too: its name is then an
// unknown one, or names another field).
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for _, sf := range reflect.VisibleFields(t) {
		if sf.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "" {
			name = sf.Name
		}
		out = append(out, jsonField{name, sf.Name, sf.Type})
	}
	return out
}

// oddValues are JSON texts, good and bad, that go at any field.
var oddValues = []string{
	`null`, `true`, `false`, `0`, `-0`, `1`, `-1`, `15`, `1.5`, `-2.5e3`, `1e3`, `1E-2`, `1e400`, `-1e400`, `3.4e39`,
	`127`, `128`, `-129`, `255`, `256`, `65536`, `4294967296`, `2147483648`, `-2147483649`,
	`9223372036854775807`, `9223372036854775808`, `-9223372036854775808`, `-9223372036854775809`,
	`18446744073709551615`, `18446744073709551616`, `99999999999999999999999`,
	`""`, `"x"`, `"Ann Okafor"`, `"é"`, `"日本"`, `"\u00e9"`, `"a\"b"`, `"\ud800"`, `"\/"`, `"a\nb"`, `"<b>"`, `"\u003cb\u003e"`,
	`{}`, `[]`, `[1,"a"]`, `["a","b"]`, `[{"minor":1}]`, `{"x":[1,{"y":null}]}`,
	`{"sms":true}`, `{"SMS":true}`, `{"sms":null}`, `{"sms":true,"sms":false}`, `{"sms":true,"SMS":false}`, `{"ſms":true}`,
	`{"sms":1}`, `{"sms":"true"}`, `{"zz":[1]}`, `{"zz":"x","sms":true}`, `{"email":true,"zz":null}`,
	`{"minor":5,"currency":"EUR"}`, `{"minor":"5"}`, `{"minor":1e2}`, `{"minor":-9223372036854775809}`, `{"currency":"E\u0055R"}`,
	` 1`, `1 `, ` "a" `, `{ "sms" : true }`, "\t\"x\"\n", ` null`, ` {} `,
	``, ` `, `tru`, `nul`, `nulll`, `truex`, `"abc`, `abc"`, `1,"name":"x"`, `"a","name":"x"`, `{"a":}`, `{"a":1,}`, `01`, `-`, `-01`, `1.`, `.5`, `+1`, `1e`, `1e+`, `--1`,
	"\"\x01\"", "\"\xff\"", "\"ok\xe2\x82\"", "\"\xed\xa0\x80\"", `"\x"`, `"\u12"`,
	`"2024-01-01T00:00:00Z"`, `"2024-01-01T00:00:00.123456789+05:30"`, `"2024-01-01T00:00:00-00:00"`, `"2024-13-01T00:00:00Z"`,
	`"2024-01-01"`, `"0000-01-01T00:00:00Z"`, `"2024-01-01T24:00:00Z"`, `"2024-01-01t00:00:00z"`, `"2024-01-01T00:00:00+24:00"`,
	`"2024-01-01T00:00:00.Z"`, `"2024-01-01 00:00:00Z"`, `"2024-02-30T00:00:00Z"`, `"\u0032024-01-01T00:00:00Z"`,
	`"1984-03-27"`, `"AAEC"`, `"!!"`, `"booked"`, `"0123456789abcdef01234567"`,
}

// drawName draws a record field name: mostly the type's own, else one
// that differs in case (also by Unicode folding), an unknown one, or one
// that is not valid UTF-8.
func drawName(t *rapid.T, fields []jsonField) (string, reflect.Type) {
	f := rapid.SampledFrom(fields).Draw(t, "field")
	switch rapid.IntRange(0, 19).Draw(t, "name kind") {
	case 0:
		return strings.ToUpper(f.name), f.typ
	case 1:
		b := []rune(f.name)
		i := rapid.IntRange(0, len(b)-1).Draw(t, "letter")
		b[i] = unicode.ToUpper(b[i])
		return string(b), f.typ
	case 2:
		r := strings.NewReplacer("s", "ſ", "k", "\u212a", "S", "ſ", "K", "\u212a")
		return r.Replace(f.name), f.typ
	case 3:
		return rapid.SampledFrom([]string{"zz", "", "name\xff", "\xff", "nąme", "_", "-", "x y", `q"`, "a\\b", "\u2028"}).Draw(t, "unknown"), nil
	case 4:
		return rapid.String().Draw(t, "any name"), nil
	case 5:
		return f.goName, f.typ
	}
	return f.name, f.typ
}

// drawValue draws a field value for a field of Go type typ (nil: any):
// well typed, an odd or broken text, a number at a type's limits, any
// JSON, random bytes or a damaged good value.
func drawValue(t *rapid.T, typ reflect.Type, depth int) []byte {
	choice := rapid.IntRange(0, 10).Draw(t, "value kind")
	switch {
	case typ == nil && choice < 4:
		choice = 4
	case typ != nil && choice < 2:
		switch typ.Kind() { // what is odd for a number is a number
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16,
			reflect.Uint32, reflect.Uint64, reflect.Uintptr, reflect.Float32, reflect.Float64:
			choice = 6
		}
	}
	switch {
	case choice < 4:
		return drawTyped(t, typ, depth)
	case choice < 6:
		return []byte(rapid.SampledFrom(oddValues).Draw(t, "odd"))
	case choice < 7:
		return []byte(rapid.OneOf(rapid.SampledFrom(oddNumbers),
			rapid.StringMatching(`-?[0-9]{1,21}(\.[0-9]{1,3})?([eE][-+]?[0-9]{1,3})?`)).Draw(t, "number"))
	case choice < 8 || choice == 10 && rapid.Bool().Draw(t, "short, not damaged"):
		return []byte(rapid.SampledFrom([]string{`null`, `true`, `false`, `"x"`, `""`, `0`, `-1`, `{}`, `[]`, `1.5`, `"2024-01-01T00:00:00Z"`}).Draw(t, "short"))
	case choice < 9:
		b, err := json.Marshal(jsonValue(t, 1))
		if err != nil {
			t.Fatal(err)
		}
		return b
	case choice < 10:
		return rapid.SliceOfN(rapid.Byte(), 0, 8).Draw(t, "bytes")
	}
	if typ == nil {
		return damage(t, []byte(rapid.SampledFrom(oddValues).Draw(t, "odd")))
	}
	return damage(t, drawTyped(t, typ, depth))
}

// oddNumbers are integers at and around the limits of Go's integer types.
var oddNumbers = func() []string {
	var out []string
	for _, n := range []uint64{0, 1 << 7, 1 << 8, 1 << 15, 1 << 16, 1 << 31, 1 << 32, 1 << 63} {
		for _, d := range []int{-1, 0, 1} {
			m := n + uint64(d)
			out = append(out, fmt.Sprint(m), "-"+fmt.Sprint(m))
		}
	}
	return append(out, "18446744073709551615", "18446744073709551616", "-18446744073709551616", "1844674407370955162", "18446744073709551620",
		"3.4e38", "3.5e38", "-3.5e38", "1e-46", "1.7e308", "1.8e308", "4.9e-324", "1e-400", "-0.0", "0e0", "1E+2",
		"1.", "-", "1e", ".5", "-.5", "1.e5", "00", "-00", "+1", "0x10", "1_000", "Infinity", "NaN", "1 ", " 1")
}()

// drawTyped draws a well-typed value for a field of Go type typ: one
// json.Marshal writes or, for a struct, an object written member by
// member.
func drawTyped(t *rapid.T, typ reflect.Type, depth int) []byte {
	if typ.Kind() == reflect.Struct && typ != reflect.TypeFor[time.Time]() && depth < 3 && rapid.Bool().Draw(t, "by members") {
		return drawObject(t, typ, depth)
	}
	v := reflect.New(typ)
	fillValue(t, v.Elem(), depth)
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return []byte(`null`)
	}
	return b
}

// drawObject writes a JSON object for struct type typ member by member,
// so that it may have keys twice, in other cases or unknown, any values,
// and now and then spaces or a wrong separator.
func drawObject(t *rapid.T, typ reflect.Type, depth int) []byte {
	fields := jsonFields(typ)
	sep := func(good string, bad ...string) string {
		if rapid.IntRange(0, 19).Draw(t, "odd separator") > 0 {
			return good
		}
		return rapid.SampledFrom(bad).Draw(t, "separator")
	}
	b := []byte(sep("{", "{ ", " {", "[", ""))
	if len(fields) > 0 {
		for i := range rapid.IntRange(0, len(fields)+2).Draw(t, "members") {
			if i > 0 {
				b = append(b, sep(",", ", ", " ,", "", ";", ":", ",,")...)
			}
			name, ft := drawName(t, fields)
			k, _ := json.Marshal(name)
			b = append(append(b, k...), sep(":", ": ", " :", "", ",", "x", "::")...)
			b = append(b, drawValue(t, ft, depth+1)...)
		}
	}
	return append(b, sep("}", " }", "} ", "]", ",}", "")...)
}

// drawString draws any string, often a plain one.
func drawString(t *rapid.T) string {
	return rapid.OneOf(rapid.StringMatching(`[a-zA-Z0-9 .@+:-]{0,24}`), rapid.String(),
		rapid.SampledFrom([]string{"<b>&amp;", "a\u2028b\u2029", "bad\xff\xfe", "q\"\\\n\t\x00", "\x7f\u00e9", "日本", "booked", "1984-03-27"})).Draw(t, "string")
}

// fillValue sets v, settable, to a random value of its type.
func fillValue(t *rapid.T, v reflect.Value, depth int) {
	if v.Type() == reflect.TypeFor[time.Time]() {
		sec := rapid.Int64Range(-62135596800, 253402300799).Draw(t, "unix")
		nsec := rapid.SampledFrom([]int64{0, 0, 1, 123456789, 999999999, 500000000}).Draw(t, "nsec")
		zone := rapid.SampledFrom([]*time.Location{time.UTC, time.FixedZone("", 5*3600+1800), time.FixedZone("X", -7*3600), time.Local}).Draw(t, "zone")
		v.Set(reflect.ValueOf(time.Unix(sec, nsec).In(zone)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(drawString(t))
	case reflect.Bool:
		v.SetBool(rapid.Bool().Draw(t, "bool"))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := v.Type().Bits()
		v.SetInt(rapid.Int64Range(-1<<(bits-1), 1<<(bits-1)-1).Draw(t, "int"))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(rapid.Uint64Range(0, 1<<v.Type().Bits()-1).Draw(t, "uint"))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(rapid.Float64Range(-1e12, 1e12).Draw(t, "float"))
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillValue(t, v.Field(i), depth+1)
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes(rapid.SliceOfN(rapid.Byte(), 0, 8).Draw(t, "bytes"))
			return
		}
		if depth > 3 || rapid.IntRange(0, 3).Draw(t, "nil slice") == 0 {
			return
		}
		n := rapid.IntRange(0, 3).Draw(t, "len")
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			fillValue(t, v.Index(i), depth+1)
		}
	case reflect.Array:
		for i := range v.Len() {
			fillValue(t, v.Index(i), depth+1)
		}
	case reflect.Map:
		if depth > 3 || rapid.Bool().Draw(t, "nil map") {
			return
		}
		v.Set(reflect.MakeMap(v.Type()))
		for range rapid.IntRange(0, 2).Draw(t, "entries") {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fillValue(t, k, depth+1)
			fillValue(t, e, depth+1)
			v.SetMapIndex(k, e)
		}
	case reflect.Pointer:
		if depth > 3 || rapid.Bool().Draw(t, "nil pointer") {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fillValue(t, v.Elem(), depth+1)
	}
}

// drawRecord draws a record for entity e's type: a few fields of any
// names and values; or e's fields, well typed, and one of any name and
// value (so that the fast path's answer is not often thrown away for an
// error elsewhere); or many of any names and values.
func drawRecord(t *rapid.T, e Entity, label string) *Record {
	fields := jsonFields(reflect.TypeOf(e).Elem())
	r := NewRecord(e.Kind(), "0123456789abcdef01234567")
	n := len(fields) + 3
	switch rapid.IntRange(0, 2).Draw(t, label+" mode") {
	case 0:
		n = 3
	case 1:
		for _, f := range fields {
			if rapid.IntRange(0, 3).Draw(t, "well typed") > 0 {
				r.Fields[f.name] = Field{Value: drawTyped(t, f.typ, 0)}
			}
		}
		n = 1
	}
	for range rapid.IntRange(0, n).Draw(t, label) {
		name, typ := drawName(t, fields)
		r.Fields[name] = Field{Value: drawValue(t, typ, 0)}
	}
	return r
}

// TestDecodeAsUnmarshal is the fast path's proof: for every kind, records
// of well- and ill-typed values, nulls, escapes, case variants, unknown
// names, big numbers and bad times decode to the entity and the error
// json.Unmarshal of the record's JSON object gives, into a fresh entity
// and into one already filled.
func TestDecodeAsUnmarshal(t *testing.T) {
	for name, mk := range entityMakers() {
		t.Run(name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				r := drawRecord(t, mk(), "fields")
				var r2 *Record
				if rapid.IntRange(0, 4).Draw(t, "twice") == 0 {
					r2 = drawRecord(t, mk(), "second fields")
				}
				checkDecodeSame(t, mk, r, r2)
			})
		})
	}
}

// newPatient makes an empty patient.
func newPatient() Entity { return &Patient{} }

// entityMakers makes an empty entity of every kind, and of test types that
// hold what no kind has (yet): every field shape, tags json reads in its
// own ways, embedding the fast path refuses.
func entityMakers() map[string]func() Entity {
	out := map[string]func() Entity{}
	for _, k := range Kinds {
		out[string(k)] = func() Entity { e, _ := New(k); return e }
	}
	out["~odd"] = func() Entity { return &oddEntity{} }
	out["~embedded-pointer"] = func() Entity { return &oddPointerEmbed{} }
	out["~shadow"] = func() Entity { return &oddShadow{} }
	out["~fold-pair"] = func() Entity { return &oddFoldPair{} }
	out["~tagged-embed"] = func() Entity { return &oddTaggedEmbed{} }
	out["~hidden-embed"] = func() Entity { return &oddHiddenEmbed{} }
	return out
}

// oddText decodes by UnmarshalText.
type oddText string

func (o *oddText) UnmarshalText(b []byte) error {
	if string(b) == "bad" {
		return errors.New("bad text")
	}
	*o = oddText("text:" + string(b))
	return nil
}

// oddJSON decodes by UnmarshalJSON, which sees null too.
type oddJSON struct{ raw string }

func (o *oddJSON) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '[' {
		return errors.New("no arrays")
	}
	o.raw = "json:" + string(b)
	return nil
}

// oddInner is a nested struct with a promoted struct and every shape.
type oddInner struct {
	Money
	N     int8      `json:"n"`
	U     uint32    `json:"u"`
	F     float32   `json:"f"`
	At    time.Time `json:"at"`
	S     string
	Flags ConsentFlags `json:"flags"`
	List  []int        `json:"list"`
	Q     bool         `json:"q,string"`
}

// oddEntity has a field of every shape and tags of every sort.
type oddEntity struct {
	Meta
	Quoted   int    `json:"quoted,string"`
	QuotedS  string `json:"qs,omitempty,string"`
	Plain    string
	Spaced   string `json:"a b"`
	Bad      string `json:"a\\b"`
	Skip     string `json:"-"`
	Dash     string `json:"-,"`
	hidden   string
	Small    int8           `json:"small"`
	Short    int16          `json:"short"`
	Word     int32          `json:"word"`
	U8       uint8          `json:"u8"`
	U16      uint16         `json:"u16"`
	U64      uint64         `json:"u64"`
	UP       uintptr        `json:"up"`
	F32      float32        `json:"f32"`
	F64      float64        `json:"f64"`
	Num      json.Number    `json:"num"`
	Bytes    []byte         `json:"bytes"`
	Ptr      *string        `json:"ptr"`
	Any      any            `json:"any"`
	Map      map[string]int `json:"map"`
	Inner    oddInner       `json:"inner"`
	InnerPtr *oddInner      `json:"inner_ptr"`
	When     *time.Time     `json:"when"`
	Text     oddText        `json:"text"`
	Custom   oddJSON        `json:"custom"`
	Unicode  string         `json:"ünï"`
	K        string         `json:"k"`
	Arr      [2]bool        `json:"arr"`
}

func (*oddEntity) Kind() Kind      { return "odd" }
func (*oddEntity) Validate() error { return nil }

// oddPointerEmbed embeds a pointer, which json allocates: not for the
// fast path.
type oddPointerEmbed struct {
	*Meta
	Name string `json:"name"`
}

func (*oddPointerEmbed) Kind() Kind      { return "odd_pointer" }
func (*oddPointerEmbed) Validate() error { return nil }

// oddShadow has a field that hides one of Meta's, as Go's embedding rules
// decide: not for the fast path.
type oddShadow struct {
	Meta
	ID   int    `json:"id"`
	Name string `json:"name"`
}

func (*oddShadow) Kind() Kind      { return "odd_shadow" }
func (*oddShadow) Validate() error { return nil }

// oddFoldPair has names equal but for case: json matches a key exactly
// first, then by folding.
type oddFoldPair struct {
	Meta
	Deleted2 string `json:"Deleted"`
	Name     string `json:"name"`
	NAME     bool   `json:"NAME"`
}

func (*oddFoldPair) Kind() Kind      { return "odd_fold" }
func (*oddFoldPair) Validate() error { return nil }

// oddTaggedEmbed embeds a struct under a JSON name: a field, for json,
// not promoted fields; not for the fast path.
type oddTaggedEmbed struct {
	Meta  `json:"meta"`
	Money `json:"money"`
	Name  string `json:"name"`
}

func (*oddTaggedEmbed) Kind() Kind      { return "odd_tagged" }
func (*oddTaggedEmbed) Validate() error { return nil }

// oddHidden is an unexported struct type with exported fields.
type oddHidden struct {
	Note string `json:"note"`
}

// oddHiddenEmbed embeds an unexported struct type, whose exported fields
// json decodes: not for the fast path.
type oddHiddenEmbed struct {
	Meta
	oddHidden
	Name string `json:"name"`
}

func (*oddHiddenEmbed) Kind() Kind      { return "odd_hidden" }
func (*oddHiddenEmbed) Validate() error { return nil }

// TestDecodeOneFieldOff is TestDecodeAsUnmarshal for records that are
// all well typed but for one field, each field in turn: the fast path's
// answer for the one field is then the answer, not thrown away for an
// error in another.
func TestDecodeOneFieldOff(t *testing.T) {
	for name, mk := range entityMakers() {
		t.Run(name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				fields := jsonFields(reflect.TypeOf(mk()).Elem())
				good := map[string]json.RawMessage{}
				for _, f := range fields {
					if rapid.IntRange(0, 3).Draw(t, "well typed") > 0 {
						good[f.name] = drawTyped(t, f.typ, 0)
					}
				}
				for _, f := range fields {
					r := NewRecord(mk().Kind(), "0123456789abcdef01234567")
					for n, v := range good {
						r.Fields[n] = Field{Value: v}
					}
					r.Fields[f.name] = Field{Value: drawValue(t, f.typ, 0)}
					checkDecodeSame(t, mk, r, nil)
				}
			})
		})
	}
}

// TestDecodeFastTakesGoodRecords checks that the fast path is what decodes
// real records (so the equivalence test is not just of the fallback): for
// every kind, the fields of any entity decode by decodeFast.
func TestDecodeFastTakesGoodRecords(t *testing.T) {
	for _, k := range Kinds {
		t.Run(string(k), func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				e, _ := New(k)
				fillValue(t, reflect.ValueOf(e).Elem(), 0)
				fields, err := FieldsOf(e)
				if err != nil {
					t.Skip("not marshalable:", err) // a time json cannot write
				}
				r := NewRecord(k, "0123456789abcdef01234567")
				for name, v := range fields {
					if rapid.IntRange(0, 9).Draw(t, "left out") > 0 {
						r.Fields[name] = Field{Value: v}
					}
				}
				got, _ := New(k)
				if !decodeFast(r, got) {
					t.Fatalf("%s: the fast path gave up", r.JSON())
				}
				want, _ := New(k)
				if err := unmarshalRecord(r, want); err != nil || !reflect.DeepEqual(got, want) {
					t.Fatalf("%s: fast path made\n%#v\njson.Unmarshal (%v)\n%#v", r.JSON(), got, err, want)
				}
			})
		})
	}
}

// TestDecodeFastGivesUp checks the cases the fast path must leave to
// json.Unmarshal leave the entity zero and are decoded as before.
func TestDecodeFastGivesUp(t *testing.T) {
	for _, fields := range []map[string]string{
		{"name": `"Ann"`, "NAME": `"Bea"`},        // key order decides
		{"name": `"Ann"`, "dob": `1984`},          // type error: the rest is still set
		{"name": `"Ann"`, "created_at": `"x"`},    // UnmarshalJSON's error stops decoding
		{"name": `"Ann"`, "zz": `1,"sex":"male"`}, // invalid alone, valid in the object
		{"name": `"Ann"`, "zz": `nul`},
		{"name": `"Ann"`, "ſex": `"male"`},
		{"name": `"Ann"`, "consent": `{"sms":1}`},
	} {
		r := NewRecord(KindPatient, "0123456789abcdef01234567")
		for n, v := range fields {
			r.Fields[n] = Field{Value: json.RawMessage(v)}
		}
		var p Patient
		if decodeFast(r, &p) || !reflect.DeepEqual(p, Patient{}) {
			t.Errorf("%s: fast path took it (%+v)", r.JSON(), p)
		}
		checkDecodeSame(t, newPatient, r, nil)
	}
	// A nested object the fast path does not read is decoded alone by
	// json.Unmarshal, in which the key order decides the same way.
	r := NewRecord(KindPatient, "0123456789abcdef01234567")
	r.Fields["consent"] = Field{Value: json.RawMessage(`{"sms":true,"SMS":false,"email":true}`)}
	checkDecodeSame(t, newPatient, r, nil)
	r.Fields["name"] = Field{Value: json.RawMessage(`"Ann"`)}
	if p := (Patient{Sex: "male"}); decodeFast(r, &p) {
		t.Errorf("fast path took an entity that was not zero")
	}
}

// FuzzRecordDecode checks Decode against json.Unmarshal of the record's
// JSON object for records read from the input: a kind, then names and
// values separated by NUL bytes.
func FuzzRecordDecode(f *testing.F) {
	for _, r := range []*Record{benchPatientRecord(f), benchAppointmentRecord(f)} {
		var b []byte
		for n, v := range r.Fields {
			b = append(append(append(append(b, n...), 0), v.Value...), 0)
		}
		for k := range 32 {
			f.Add(uint8(k), b)
		}
	}
	f.Add(uint8(28), []byte("quoted\x00\"12\"\x00inner\x00{\"minor\":3,\"at\":null,\"S\":\"x\"}\x00\u212a\x00\"k\"\x00Plain\x00\"p\"\x00"))
	f.Add(uint8(18), []byte("consent\x00{\"sms\":true,\"zz\":1}\x00NAME\x00\"a\"\x00name\x00\"b\"\x00"))
	f.Add(uint8(3), []byte("minutes\x00-0\x00start\x00\"2024-01-01T00:00:00Z\"\x00zz\x00[1,\x00"))
	makers := entityMakers()
	names := slices.Sorted(maps.Keys(makers))
	f.Fuzz(func(t *testing.T, kind uint8, b []byte) {
		mk := makers[names[int(kind)%len(names)]]
		r := NewRecord(mk().Kind(), "0123456789abcdef01234567")
		parts := bytes.Split(b, []byte{0})
		for i := 0; i+1 < len(parts); i += 2 {
			r.Fields[string(parts[i])] = Field{Value: parts[i+1]}
		}
		checkDecodeSame(t, mk, r, nil)
	})
}

// benchPatientRecord is the record of a patient as the catch-up benchmark
// makes them.
func benchPatientRecord(tb testing.TB) *Record {
	created := time.Date(2026, 12, 2, 8, 14, 3, 123456789, time.UTC)
	p := &Patient{
		Meta: Meta{ID: "0123456789abcdef01234567", CreatedAt: created, UpdatedAt: created, CreatedBy: "desk"},
		Name: "Amara Okafor", DOB: "1984-03-27", Phone: "+44 20 7946 0042", Email: "patient42@example.org",
	}
	return recordOf(tb, p)
}

// benchAppointmentRecord is the record of an appointment as the catch-up
// benchmark makes them.
func benchAppointmentRecord(tb testing.TB) *Record {
	created := time.Date(2026, 12, 2, 8, 14, 3, 123456789, time.UTC)
	a := &Appointment{
		Meta:      Meta{ID: "0123456789abcdef01234568", CreatedAt: created, UpdatedAt: created, CreatedBy: "desk"},
		PatientID: "0123456789abcdef01234567", Doctor: "dr.bench07", Start: time.Date(2026, 12, 3, 9, 15, 0, 0, time.UTC),
		Minutes: 15, Reason: "follow-up", Status: ApptBooked,
	}
	return recordOf(tb, a)
}

// recordOf is the record that one change setting all of e's fields makes.
func recordOf(tb testing.TB, e Entity) *Record {
	fields, err := FieldsOf(e)
	if err != nil {
		tb.Fatal(err)
	}
	r := NewRecord(e.Kind(), e.Base().ID)
	r.Apply(&Change{Kind: e.Kind(), ID: e.Base().ID, Fields: fields, Device: "dev-1", HLC: 1 << 40})
	return r
}

// BenchmarkRecordDecode decodes a patient and an appointment record as
// the catch-up's prepare stage and every entity read does; the json
// variants are the old path, json.Unmarshal of the record's JSON object.
func BenchmarkRecordDecode(b *testing.B) {
	for _, c := range []struct {
		name string
		rec  *Record
	}{{"patient", benchPatientRecord(b)}, {"appointment", benchAppointmentRecord(b)}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e, _ := New(c.rec.Kind)
				if err := c.rec.Decode(e); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/json", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e, _ := New(c.rec.Kind)
				if err := c.rec.decodeJSON(e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestDecoderFor checks which types the fast path decodes: every kind's,
// and of the test types those it can be sure of.
func TestDecoderFor(t *testing.T) {
	for name, mk := range entityMakers() {
		want := !strings.HasSuffix(name, "-embed") && name != "~embedded-pointer" && name != "~shadow"
		if got := decoderFor(reflect.TypeOf(mk()).Elem()) != nil; got != want {
			t.Errorf("%s: fast path %v, want %v", name, got, want)
		}
	}
}

// oddConcurrent is a type only TestDecodeConcurrent decodes, so that its
// decoder is first built by goroutines racing to.
type oddConcurrent struct {
	Meta
	Name  string `json:"name"`
	Inner oddInner
}

func (*oddConcurrent) Kind() Kind      { return "odd_concurrent" }
func (*oddConcurrent) Validate() error { return nil }

// TestDecodeConcurrent decodes from several goroutines at once, the first
// of a type among them (run with -race).
func TestDecodeConcurrent(t *testing.T) {
	r := NewRecord("odd_concurrent", "0123456789abcdef01234567")
	r.Fields["name"] = Field{Value: json.RawMessage(`"Ann"`)}
	r.Fields["Inner"] = Field{Value: json.RawMessage(`{"minor":5,"currency":"EUR","at":"2024-01-01T00:00:00Z","flags":{"sms":true}}`)}
	p := benchPatientRecord(t)
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for range 50 {
				var c oddConcurrent
				if err := r.Decode(&c); err != nil || c.Name != "Ann" || c.Inner.Minor != 5 || !c.Inner.Flags.SMS {
					errs <- fmt.Errorf("decoded %+v, %v", c, err)
					return
				}
				var q Patient
				if err := p.Decode(&q); err != nil || q.Name != "Amara Okafor" {
					errs <- fmt.Errorf("decoded %+v, %v", q, err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
