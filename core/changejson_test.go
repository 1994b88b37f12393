package core

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// jsonValue draws a Go value that marshals to any kind of JSON value.
func jsonValue(t *rapid.T, depth int) any {
	kinds := 5
	if depth < 3 {
		kinds = 7
	}
	switch rapid.IntRange(0, kinds-1).Draw(t, "kind") {
	case 0:
		return nil
	case 1:
		return rapid.Bool().Draw(t, "bool")
	case 2:
		return rapid.Float64().Draw(t, "number")
	case 3:
		return rapid.Int64().Draw(t, "int")
	case 4:
		return rapid.String().Draw(t, "string")
	case 5:
		n := rapid.IntRange(0, 3).Draw(t, "len")
		out := make([]any, n)
		for i := range out {
			out[i] = jsonValue(t, depth+1)
		}
		return out
	default:
		out := map[string]any{}
		for range rapid.IntRange(0, 3).Draw(t, "members") {
			out[rapid.String().Draw(t, "member")] = jsonValue(t, depth+1)
		}
		return out
	}
}

// drawChange draws a change with any strings, fields and signature.
func drawChange(t *rapid.T) Change {
	word := rapid.OneOf(rapid.StringMatching(`[a-z_~]{0,12}`), rapid.String(),
		rapid.SampledFrom([]string{"<b>&amp;", "a\u2028b\u2029", "bad\xff\xfe", "q\"\\\n\t\x00", "\x7f\u00e9"}))
	c := Change{
		Kind: Kind(word.Draw(t, "kind")), ID: ID(word.Draw(t, "id")),
		Author: word.Draw(t, "author"), Device: word.Draw(t, "device"),
		Seq: rapid.Uint64().Draw(t, "seq"), HLC: HLC(rapid.Uint64().Draw(t, "hlc")),
	}
	if rapid.Bool().Draw(t, "has fields") {
		c.Fields = map[string]json.RawMessage{}
		for range rapid.IntRange(0, 6).Draw(t, "fields") {
			v, err := json.Marshal(jsonValue(t, 0))
			if err != nil {
				t.Fatal(err)
			}
			c.Fields[word.Draw(t, "name")] = v
		}
	}
	if rapid.Bool().Draw(t, "signed") {
		c.Prev = rapid.SliceOfN(rapid.Byte(), 0, 32).Draw(t, "prev")
		c.Sig = rapid.SliceOfN(rapid.Byte(), 0, 64).Draw(t, "sig")
	}
	return c
}

// damage changes up to three bytes of b, or none, into bytes that matter
// to JSON.
func damage(t *rapid.T, b []byte) []byte {
	if len(b) == 0 || !rapid.Bool().Draw(t, "damaged") {
		return b
	}
	b = append([]byte(nil), b...)
	for range rapid.IntRange(1, 3).Draw(t, "damages") {
		i := rapid.IntRange(0, len(b)-1).Draw(t, "at")
		b[i] = rapid.SampledFrom([]byte(`{}[]",:\ 0a-.e`)).Draw(t, "byte")
	}
	return b
}

// TestDecodeChangeJSONIsJSONUnmarshal checks that DecodeChangeJSON makes
// of any change json.Marshal wrote, and of those bytes damaged, what
// json.Unmarshal makes of them.
func TestDecodeChangeJSONIsJSONUnmarshal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := drawChange(t)
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		b = damage(t, b)
		var want, got Change
		werr := json.Unmarshal(b, &want)
		gerr := DecodeChangeJSON(b, &got)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%s: json.Unmarshal says %v, DecodeChangeJSON %v", b, werr, gerr)
		}
		if werr == nil && !reflect.DeepEqual(want, got) {
			t.Fatalf("%s:\njson.Unmarshal   %#v\nDecodeChangeJSON %#v", b, want, got)
		}
	})
}

// TestDecodeChangesJSONIsJSONUnmarshal checks the same of
// DecodeChangesJSON and arrays of changes, empty and null included.
func TestDecodeChangesJSONIsJSONUnmarshal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var b []byte
		if rapid.IntRange(0, 9).Draw(t, "null") == 0 {
			b = []byte(`null`)
		} else {
			changes := make([]Change, rapid.IntRange(0, 4).Draw(t, "changes"))
			for i := range changes {
				changes[i] = drawChange(t)
			}
			var err error
			if b, err = json.Marshal(changes); err != nil {
				t.Fatal(err)
			}
		}
		b = damage(t, b)
		decodesAsUnmarshal(t, b)
	})
}

// TestAppendChangesJSONIsJSONMarshal checks that AppendChangesJSON writes
// the bytes json.Marshal writes for any changes, with strings and field
// values that need escaping or compacting, and errs where json.Marshal
// does (a field value that is not JSON).
func TestAppendChangesJSONIsJSONMarshal(t *testing.T) {
	raw := rapid.SampledFrom([]string{` {"a" : [1, 2]} `, `"<script>&"`, "\"a\u2028b\u2029\"", "\"\xff\"",
		`{"x":"y z"}`, `[]`, ``, `{`, `nul`, `"\u003c\\"`, "\t1\n"})
	rapid.Check(t, func(t *rapid.T) {
		var changes []Change
		if rapid.IntRange(0, 9).Draw(t, "nil") > 0 {
			changes = make([]Change, rapid.IntRange(0, 4).Draw(t, "changes"))
			for i := range changes {
				changes[i] = drawChange(t)
				if changes[i].Fields != nil && rapid.Bool().Draw(t, "raw") {
					changes[i].Fields[rapid.String().Draw(t, "raw name")] = json.RawMessage(raw.Draw(t, "raw value"))
				}
				if changes[i].Fields != nil && rapid.IntRange(0, 9).Draw(t, "nil value") == 0 {
					changes[i].Fields["nil"] = nil
				}
			}
		}
		want, werr := json.Marshal(changes)
		prefix := []byte("pre")
		got, gerr := AppendChangesJSON(prefix, changes)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%#v: json.Marshal says %v, AppendChangesJSON %v", changes, werr, gerr)
		}
		if werr == nil && string(got) != "pre"+string(want) {
			t.Fatalf("%#v:\njson.Marshal      %q\nAppendChangesJSON %q", changes, want, got[3:])
		}
	})
}

// rawBytes draws bytes a field value might hold: JSON of any kind, damaged
// or not, the hard cases, or any bytes.
func rawBytes(t *rapid.T) []byte {
	switch rapid.IntRange(0, 3).Draw(t, "raw kind") {
	case 0:
		return []byte(rapid.SampledFrom([]string{`"\u00e9\ud83d"`, `"\uzzzz"`, `"\u12"`, `"a\"`, `"\x01"`, "\"\x1f\"", "\"a\x10b\"", "\"\t\"", "\"\x7f\xff\"", `"\u0041\U0041"`, `"\a"`, `"\`, `"\/\b\f\n\r\t\\\""`,
			`-0`, `-`, `01`, `1.`, `1.5e`, `1e+9`, `2E-3`, `-0.0e0`, `truex`, `nul`, `null`, ` 1`, `1 `, `""`, `"`, `"a"b"`}).Draw(t, "hard"))
	case 1:
		return rapid.SliceOfN(rapid.Byte(), 0, 12).Draw(t, "bytes")
	default:
		v, err := json.Marshal(jsonValue(t, 0))
		if err != nil {
			t.Fatal(err)
		}
		return damage(t, v)
	}
}

// TestValidJSONIsJSONValid checks that validJSON answers what json.Valid
// answers, and that its own pass never takes what json.Valid refuses.
func TestValidJSONIsJSONValid(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v := rawBytes(t)
		want := json.Valid(v)
		if got := validJSON(v); got != want {
			t.Fatalf("%q: json.Valid %v, validJSON %v", v, want, got)
		}
		if scalarJSON(v) && !want {
			t.Fatalf("%q: scalarJSON takes what json.Valid refuses", v)
		}
		if compositeJSON(v) && !want {
			t.Fatalf("%q: compositeJSON takes what json.Valid refuses", v)
		}
	})
}

// TestCompositeJSONTakesCompactJSON checks that compositeJSON takes every
// object and array json.Marshal writes (compact, and shallow here), so
// that validJSON's own pass is what decides them.
func TestCompositeJSONTakesCompactJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var x any
		if rapid.Bool().Draw(t, "object") {
			x = map[string]any{rapid.String().Draw(t, "member"): jsonValue(t, 0), "b": jsonValue(t, 1)}
		} else {
			x = []any{jsonValue(t, 0), jsonValue(t, 1)}
		}
		v, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		if !compositeJSON(v) {
			t.Fatalf("%s: compositeJSON does not take it", v)
		}
	})
	deep := []byte(strings.Repeat("[", compositeDepth+1) + strings.Repeat("]", compositeDepth+1))
	if compositeJSON(deep) || !validJSON(deep) {
		t.Fatalf("nesting beyond compositeDepth: compositeJSON %v, validJSON %v; want false, true", compositeJSON(deep), validJSON(deep))
	}
}

// jsonCompact is what Change.Validate used to ask: whether json.Compact
// leaves v as it is.
func jsonCompact(v []byte) bool {
	var b bytes.Buffer
	return json.Compact(&b, v) == nil && bytes.Equal(b.Bytes(), v)
}

// TestCompactJSONIsJSONCompact checks that compactJSON answers whether
// json.Compact leaves a value as it is, on values with white space inside
// and outside strings, escaped quotes and damage.
func TestCompactJSONIsJSONCompact(t *testing.T) {
	spaced := rapid.SampledFrom([]string{` {"a" : [1, 2]} `, `{"a":"b c"}`, `{"a":"b\" c"}`, `{"a":"b\\" ,"c":1}`, `["\\\"", 1]`,
		"[1,\n2]", "{\"a\":\t1}", "\r\n1", `{"a":{"b":[" ",{}]}}`, `[ ]`, `{}`, `{"a\" ":" "}`, `" "`, `"\" "`})
	rapid.Check(t, func(t *rapid.T) {
		var v []byte
		switch rapid.IntRange(0, 2).Draw(t, "kind") {
		case 0:
			v = rawBytes(t)
		case 1:
			v = []byte(spaced.Draw(t, "spaced"))
		default:
			var err error
			if v, err = json.MarshalIndent(jsonValue(t, 0), "", rapid.SampledFrom([]string{"", " ", "\t"}).Draw(t, "indent")); err != nil {
				t.Fatal(err)
			}
			v = damage(t, v)
		}
		if got, want := compactJSON(v), jsonCompact(v); got != want {
			t.Fatalf("%q: json.Compact leaves it %v, compactJSON %v", v, want, got)
		}
	})
}

// checkTrustedDecode checks DecodeTrustedChangeJSON on b: it gives what
// DecodeChangeJSON gives wherever b is valid JSON, and does not panic
// anywhere.
func checkTrustedDecode(t interface{ Fatalf(string, ...any) }, b []byte) {
	var got Change
	gerr := DecodeTrustedChangeJSON(b, &got)
	if !json.Valid(b) {
		return
	}
	var want Change
	werr := DecodeChangeJSON(b, &want)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%s: DecodeChangeJSON says %v, DecodeTrustedChangeJSON %v", b, werr, gerr)
	}
	if werr == nil && !reflect.DeepEqual(want, got) {
		t.Fatalf("%s:\nDecodeChangeJSON        %#v\nDecodeTrustedChangeJSON %#v", b, want, got)
	}
}

// TestDecodeTrustedChangeJSONIsDecodeChangeJSON checks it on changes
// json.Marshal wrote, damaged or not.
func TestDecodeTrustedChangeJSONIsDecodeChangeJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := drawChange(t)
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		checkTrustedDecode(t, damage(t, b))
	})
}

// FuzzChangeJSON checks, on any bytes, that DecodeTrustedChangeJSON does
// not panic and agrees with DecodeChangeJSON on valid JSON, and that
// validJSON is json.Valid.
func FuzzChangeJSON(f *testing.F) {
	c := Change{Kind: "patient", ID: "p1", Fields: map[string]json.RawMessage{"name": json.RawMessage(`"Ann"`), "n": json.RawMessage(`-1.5e3`), "x": json.RawMessage(`{"a":[1,null]}`)},
		Author: "desk", Device: "d1", Seq: 7, HLC: 9, Prev: []byte{1, 2}, Sig: []byte{3}}
	b, err := json.Marshal(c)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{string(b), `{"kind":"a","id":"b","fields":{"v":x},"author":"","device":"","seq":1,"hlc":2}`,
		`{"kind":"a","id":"b","fields":null,"author":"` + "\x01" + `","device":"","seq":1,"hlc":2}`, `"a\u00e9"`, `-0.5E+2`, `true`, ``, `{`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkTrustedDecode(t, b)
		if got, want := validJSON(b), json.Valid(b); got != want || compositeJSON(b) && !want {
			t.Fatalf("%q: json.Valid %v, validJSON %v, compositeJSON %v", b, want, got, compositeJSON(b))
		}
		if got, want := compactJSON(b), jsonCompact(b); got != want {
			t.Fatalf("%q: json.Compact leaves it %v, compactJSON %v", b, want, got)
		}
	})
}

// BenchmarkAppendChangesJSON encodes a batch of 500 patient changes, as a
// push seals them.
func BenchmarkAppendChangesJSON(b *testing.B) {
	changes := make([]Change, 500)
	for i := range changes {
		c := Change{Kind: KindPatient, ID: ID(fmt.Sprintf("%024x", i)), Author: "desk", Device: "dev-1", Seq: uint64(i + 1), HLC: HLC(1<<40 + i),
			Prev: make([]byte, DigestSize), Sig: make([]byte, 64), Fields: map[string]json.RawMessage{}}
		for _, f := range []string{"name", "dob", "phone", "email", "created_at", "updated_at", "created_by", "address", "insurer", "notes"} {
			c.Fields[f] = json.RawMessage(`"some value of a realistic length 2026-12-02T08:00:00Z"`)
		}
		changes[i] = c
	}
	b.ReportAllocs()
	for range b.N {
		if _, err := AppendChangesJSON(nil, changes); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzDecodeChangesJSON checks, on any bytes, that DecodeChangesJSON and
// DecodeChangeJSON, which read without a json.Valid pass first, make what
// json.Unmarshal makes of them, and fail where it fails.
func FuzzDecodeChangesJSON(f *testing.F) {
	c := Change{Kind: "patient", ID: "p1", Fields: map[string]json.RawMessage{"name": json.RawMessage(`"Ann"`), "n": json.RawMessage(`-1.5e3`), "x": json.RawMessage(`{"a":[1,null]}`)},
		Author: "desk", Device: "d1", Seq: 7, HLC: 9, Prev: []byte{1, 2}, Sig: []byte{3}}
	one, err := json.Marshal(c)
	if err != nil {
		f.Fatal(err)
	}
	many, err := json.Marshal([]Change{c, c})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{string(one), string(many), `[]`, `null`, `[{"kind":"a","id":"b","fields":{"v":12 ,"w": {"x" : 1} },"author":"","device":"","seq":1,"hlc":2}]`,
		`[{"kind":"a","id":"b","fields":{"v":"` + "\x01" + `"},"author":"","device":"","seq":01,"hlc":2}]`,
		`[{"kind":"a\u00e9","id":"b","fields":{"v":[1,}},"author":"\xff","device":"","seq":1,"hlc":2}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want []Change
		werr := json.Unmarshal(b, &want)
		got, gerr := DecodeChangesJSON(b)
		if (werr == nil) != (gerr == nil) || werr == nil && !reflect.DeepEqual(want, got) {
			t.Fatalf("%q:\njson.Unmarshal    %#v, %v\nDecodeChangesJSON %#v, %v", b, want, werr, got, gerr)
		}
		var wantOne, gotOne Change
		werr = json.Unmarshal(b, &wantOne)
		gerr = DecodeChangeJSON(b, &gotOne)
		if (werr == nil) != (gerr == nil) || werr == nil && !reflect.DeepEqual(wantOne, gotOne) {
			t.Fatalf("%q:\njson.Unmarshal   %#v, %v\nDecodeChangeJSON %#v, %v", b, wantOne, werr, gotOne, gerr)
		}
	})
}

// White space around a field value, valid JSON, is left out of the value
// as json.Unmarshal leaves it out, not kept in it.
func TestDecodeChangesJSONTrimsNoValue(t *testing.T) {
	b := []byte(`[{"kind":"a","id":"b","fields":{"v":12 ,"w": {"x" : 1} },"author":"","device":"","seq":1,"hlc":2}]`)
	got, err := DecodeChangesJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	if v, w := string(got[0].Fields["v"]), string(got[0].Fields["w"]); v != "12" || w != `{"x" : 1}` {
		t.Fatalf("values %q and %q; want %q and %q", v, w, "12", `{"x" : 1}`)
	}
}

// BenchmarkDecodeChangesJSON decodes a batch of 500 changes, patients
// and appointments, as a pull opens them.
func BenchmarkDecodeChangesJSON(b *testing.B) {
	changes := make([]Change, 500)
	for i := range changes {
		c := Change{Kind: KindPatient, ID: ID(fmt.Sprintf("%024x", i)), Author: "desk", Device: "c528404d6bd867a3", Seq: uint64(i + 1), HLC: HLC(1<<56 + i), Fields: map[string]json.RawMessage{}}
		names := []string{"address", "created_at", "created_by", "deleted", "dob", "email", "emergency_contact", "id", "insurance_number", "insurer_name", "name", "phone", "sex", "updated_at"}
		if i%2 == 1 {
			c.Kind = KindAppointment
			names = []string{"checked_in_at", "created_at", "created_by", "deleted", "doctor", "id", "minutes", "patient_id", "reason", "room", "start", "status", "status_reason", "updated_at"}
		}
		for j, f := range names {
			c.Fields[f] = json.RawMessage(fmt.Sprintf(`"value %d of %d"`, j, i))
		}
		c.Fields["deleted"] = json.RawMessage(`false`)
		c.Fields["consent"] = json.RawMessage(`{"sms":false,"email":false,"telemedicine":false,"data_sharing":false}`)
		changes[i] = c
	}
	changes[0].Prev = make([]byte, DigestSize)
	changes[len(changes)-1].Sig = make([]byte, 64)
	plain, err := AppendChangesJSON(nil, changes)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(plain)))
	b.ReportAllocs()
	for range b.N {
		if _, err := DecodeChangesJSON(plain); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDecodeChangesJSONOfLikeChanges checks DecodeChangesJSON against
// json.Unmarshal on batches of changes of few kinds, authors and devices
// whose field names repeat, as a real batch's do, the same, fewer, more or
// others, so that the names it reuses from the changes before are reused
// where they are the same and only there.
func TestDecodeChangesJSONOfLikeChanges(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		few := func(from ...string) *rapid.Generator[string] { return rapid.SampledFrom(from) }
		kind, who := few("patient", "appointment", "note"), few("desk", "drwho", "dev-1")
		name := few("a", "b", "ba", "c", "created_at", "created_by", "id", "name", "z")
		changes := make([]Change, rapid.IntRange(1, 12).Draw(t, "changes"))
		for i := range changes {
			c := Change{Kind: Kind(kind.Draw(t, "kind")), ID: ID(fmt.Sprint(i)), Author: who.Draw(t, "author"), Device: who.Draw(t, "device"),
				Seq: uint64(i), HLC: HLC(i), Fields: map[string]json.RawMessage{}}
			for range rapid.IntRange(0, 9).Draw(t, "fields") {
				v, err := json.Marshal(jsonValue(t, 0))
				if err != nil {
					t.Fatal(err)
				}
				c.Fields[name.Draw(t, "name")] = v
			}
			changes[i] = c
		}
		b, err := json.Marshal(changes)
		if err != nil {
			t.Fatal(err)
		}
		b = damage(t, b)
		decodesAsUnmarshal(t, b)
	})
}

// BenchmarkValidJSONObject checks a patient's consent, the object field
// values mostly are, with validJSON and with json.Valid.
func BenchmarkValidJSONObject(b *testing.B) {
	v := []byte(`{"sms":false,"email":true,"telemedicine":false,"data_sharing":false,"note":"by phone","n":[1,2.5e3]}`)
	b.Run("validJSON", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if !validJSON(v) {
				b.Fatal("refused")
			}
		}
	})
	b.Run("json.Valid", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if !json.Valid(v) {
				b.Fatal("refused")
			}
		}
	})
}

// decodesAsUnmarshal fails t unless DecodeChangesJSON gives for b what
// json.Unmarshal does: an error for the same inputs, else the same changes.
func decodesAsUnmarshal(t *rapid.T, b []byte) {
	var want []Change
	werr := json.Unmarshal(b, &want)
	got, gerr := DecodeChangesJSON(b)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%s: json.Unmarshal says %v, DecodeChangesJSON %v", b, werr, gerr)
	}
	if werr == nil && !reflect.DeepEqual(want, got) {
		t.Fatalf("%s:\njson.Unmarshal    %#v\nDecodeChangesJSON %#v", b, want, got)
	}
}
