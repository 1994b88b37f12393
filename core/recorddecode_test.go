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
