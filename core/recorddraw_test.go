package core

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"

	"pgregory.net/rapid"
)

// The draws of this file make the records the decode tests
// (recorddecode_test.go) give Record.Decode: every JSON name of an
// entity type, in and out of case, with well- and ill-typed values.

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
