package core

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// Two well-formed record IDs for tests.
const (
	mergeID1 ID = "018e08b0fa80aaaaaaaaaaaa"
	mergeID2 ID = "018e08b0fa80bbbbbbbbbbbb"
)

// rawJSON turns a JSON literal into a field value.
func rawJSON(s string) json.RawMessage { return json.RawMessage(s) }

// stampedChange builds a change to mergeID1 that sets name to value.
func stampedChange(hlc HLC, device, name, value string) *Change {
	return &Change{
		Kind:   KindPatient,
		ID:     mergeID1,
		Fields: map[string]json.RawMessage{name: rawJSON(value)},
		Author: "alice",
		Device: device,
		Seq:    1,
		HLC:    hlc,
	}
}

// cloneChange deep-copies a change, so that a duplicate shares no memory
// with the original.
func cloneChange(c *Change) *Change {
	d := *c
	d.Fields = make(map[string]json.RawMessage, len(c.Fields))
	for k, v := range c.Fields {
		d.Fields[k] = append(json.RawMessage(nil), v...)
	}
	return &d
}

// cloneFields deep-copies a record's fields.
func cloneFields(fs map[string]Field) map[string]Field {
	out := make(map[string]Field, len(fs))
	for k, f := range fs {
		f.Value = append(json.RawMessage(nil), f.Value...)
		out[k] = f
	}
	return out
}

// applyAll applies changes in order to fresh records, one per record ID,
// checking that each Apply reports a change exactly when the fields change.
// It takes rapid.TB, which both *testing.T and *rapid.T satisfy.
func applyAll(tb rapid.TB, changes []*Change) map[ID]*Record {
	tb.Helper()
	recs := map[ID]*Record{}
	for _, c := range changes {
		r, ok := recs[c.ID]
		if !ok {
			r = NewRecord(c.Kind, c.ID)
			recs[c.ID] = r
		}
		before := cloneFields(r.Fields)
		changed := r.Apply(c)
		if want := !reflect.DeepEqual(before, r.Fields); changed != want {
			tb.Fatalf("Apply(%+v) reported changed=%v, but the fields did change=%v", c, changed, want)
		}
	}
	return recs
}

func TestApply(t *testing.T) {
	const t1, t2 = HLC(100), HLC(200)
	tests := []struct {
		name        string
		first       *Change
		second      *Change
		wantChanged bool
		want        Field
	}{
		{"higher HLC wins", stampedChange(t1, "dev-b", "name", `"old"`), stampedChange(t2, "dev-a", "name", `"new"`), true, Field{rawJSON(`"new"`), t2, "dev-a"}},
		{"lower HLC loses", stampedChange(t2, "dev-a", "name", `"new"`), stampedChange(t1, "dev-b", "name", `"old"`), false, Field{rawJSON(`"new"`), t2, "dev-a"}},
		{"equal HLC, higher device wins", stampedChange(t1, "dev-a", "name", `"z"`), stampedChange(t1, "dev-b", "name", `"a"`), true, Field{rawJSON(`"a"`), t1, "dev-b"}},
		{"equal HLC, lower device loses", stampedChange(t1, "dev-b", "name", `"a"`), stampedChange(t1, "dev-a", "name", `"z"`), false, Field{rawJSON(`"a"`), t1, "dev-b"}},
		{"equal both, higher value wins", stampedChange(t1, "dev-a", "name", `"a"`), stampedChange(t1, "dev-a", "name", `"b"`), true, Field{rawJSON(`"b"`), t1, "dev-a"}},
		{"equal both, lower value loses", stampedChange(t1, "dev-a", "name", `"b"`), stampedChange(t1, "dev-a", "name", `"a"`), false, Field{rawJSON(`"b"`), t1, "dev-a"}},
		{"identical change is a no-op", stampedChange(t1, "dev-a", "name", `"a"`), stampedChange(t1, "dev-a", "name", `"a"`), false, Field{rawJSON(`"a"`), t1, "dev-a"}},
		{"same value, newer stamp", stampedChange(t1, "dev-a", "name", `"a"`), stampedChange(t2, "dev-b", "name", `"a"`), true, Field{rawJSON(`"a"`), t2, "dev-b"}},
		{"other field is added", stampedChange(t2, "dev-a", "phone", `"1"`), stampedChange(t1, "dev-a", "name", `"a"`), true, Field{rawJSON(`"a"`), t1, "dev-a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRecord(KindPatient, mergeID1)
			if !r.Apply(tt.first) {
				t.Fatal("Apply to an empty record reported no change")
			}
			if got := r.Apply(tt.second); got != tt.wantChanged {
				t.Errorf("second Apply = %v, want %v", got, tt.wantChanged)
			}
			name := onlyKey(tt.second.Fields)
			if got := r.Fields[name]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("field %s = %+v, want %+v", name, got, tt.want)
			}
		})
	}
}

// onlyKey is the only key of a one-field map.
func onlyKey(m map[string]json.RawMessage) string {
	for k := range m {
		return k
	}
	return ""
}

func TestApplyMergesFieldByField(t *testing.T) {
	r := NewRecord(KindPatient, mergeID1)
	r.Apply(&Change{Kind: KindPatient, ID: mergeID1, Device: "dev-a", HLC: 200,
		Fields: map[string]json.RawMessage{"name": rawJSON(`"Ann"`), "phone": rawJSON(`"111111"`)}})
	changed := r.Apply(&Change{Kind: KindPatient, ID: mergeID1, Device: "dev-b", HLC: 100,
		Fields: map[string]json.RawMessage{"name": rawJSON(`"Bob"`), "email": rawJSON(`"b@example.org"`)}})
	if !changed {
		t.Fatal("Apply that adds a field reported no change")
	}
	want := `{"email":"b@example.org","name":"Ann","phone":"111111"}`
	if got := string(r.JSON()); got != want {
		t.Fatalf("JSON() = %s, want %s", got, want)
	}
	if r.Fields["email"].Device != "dev-b" || r.Fields["name"].Device != "dev-a" {
		t.Errorf("stamps: email from %q, name from %q; want dev-b, dev-a", r.Fields["email"].Device, r.Fields["name"].Device)
	}
}

func TestRecordDeleted(t *testing.T) {
	tests := []struct {
		name   string
		fields map[string]string
		want   bool
	}{
		{"empty record", nil, false},
		{"no tombstone", map[string]string{"name": `"Ann"`}, false},
		{"tombstone", map[string]string{"name": `"Ann"`, FieldDeleted: `true`}, true},
		{"undeleted", map[string]string{FieldDeleted: `false`}, false},
		{"string true is not a tombstone", map[string]string{FieldDeleted: `"true"`}, false},
		{"null", map[string]string{FieldDeleted: `null`}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRecord(KindPatient, mergeID1)
			for k, v := range tt.fields {
				r.Apply(stampedChange(1, "dev-a", k, v))
			}
			if got := r.Deleted(); got != tt.want {
				t.Fatalf("Deleted() = %v, want %v", got, tt.want)
			}
			if got, want := r.Exists(), len(tt.fields) > 0; got != want {
				t.Errorf("Exists() = %v, want %v", got, want)
			}
		})
	}
}

// TestValidateRejectsNonCompactValues: a value that is valid but not
// compact JSON (" true") would decode one way and compare another, so
// replicas could disagree on a tombstone; Validate refuses it.
func TestValidateRejectsNonCompactValues(t *testing.T) {
	for _, v := range []string{` true`, `{"a": 1}`, "\"x\"\n"} {
		c := stampedChange(1, "dev-a", FieldDeleted, v)
		if err := c.Validate(); err == nil {
			t.Errorf("Validate accepted %q", v)
		}
	}
	if err := stampedChange(1, "dev-a", FieldDeleted, `true`).Validate(); err != nil {
		t.Errorf("Validate refused a compact tombstone: %v", err)
	}
}

func TestRecordTombstoneMerges(t *testing.T) {
	r := NewRecord(KindPatient, mergeID1)
	r.Apply(stampedChange(300, "dev-a", FieldDeleted, `true`))
	r.Apply(stampedChange(200, "dev-b", FieldDeleted, `false`))
	if !r.Deleted() {
		t.Fatal("an older undelete overrode a newer tombstone")
	}
	r.Apply(stampedChange(400, "dev-b", FieldDeleted, `false`))
	if r.Deleted() {
		t.Fatal("a newer undelete did not override the tombstone")
	}
}

func TestRecordMaxHLC(t *testing.T) {
	tests := []struct {
		name string
		hlcs []HLC
		want HLC
	}{
		{"empty", nil, 0},
		{"one", []HLC{MakeHLC(testWallMS, 3)}, MakeHLC(testWallMS, 3)},
		{"newest of several", []HLC{MakeHLC(testWallMS, 3), MakeHLC(testWallMS+1, 0), MakeHLC(testWallMS, 9)}, MakeHLC(testWallMS+1, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRecord(KindPatient, mergeID1)
			for i, h := range tt.hlcs {
				r.Apply(stampedChange(h, "dev-a", string(rune('a'+i)), `1`))
			}
			if got := r.MaxHLC(); got != tt.want {
				t.Fatalf("MaxHLC() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRecordJSON(t *testing.T) {
	tests := []struct {
		name   string
		fields [][2]string
		want   string
	}{
		{"empty", nil, `{}`},
		{"sorted by byte order", [][2]string{{"b", `2`}, {"deleted", `true`}, {"a", `"x"`}, {"A", `null`}, {"é", `[1]`}}, `{"A":null,"a":"x","b":2,"deleted":true,"é":[1]}`},
		{"values kept byte for byte", [][2]string{{"obj", `{"z":1,"a":2}`}, {"num", `1.50`}}, `{"num":1.50,"obj":{"z":1,"a":2}}`},
		{"keys escaped", [][2]string{{`q"uote`, `1`}}, `{"q\"uote":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRecord(KindPatient, mergeID1)
			for _, f := range tt.fields {
				r.Apply(stampedChange(1, "dev-a", f[0], f[1]))
			}
			got := r.JSON()
			if string(got) != tt.want {
				t.Fatalf("JSON() = %s, want %s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Errorf("JSON() = %s is not valid JSON", got)
			}
		})
	}
}

func TestChangeValidate(t *testing.T) {
	valid := func() *Change { return stampedChange(1, "dev-a", "name", `"Ann"`) }
	tests := []struct {
		name   string
		edit   func(c *Change)
		errHas string
	}{
		{"valid", func(*Change) {}, ""},
		{"tombstone", func(c *Change) { c.Fields = map[string]json.RawMessage{FieldDeleted: rawJSON(`true`)} }, ""},
		{"unknown kind", func(c *Change) { c.Kind = "spaceship" }, "unknown kind"},
		{"empty kind", func(c *Change) { c.Kind = "" }, "unknown kind"},
		{"user is not a record kind", func(c *Change) { c.Kind = KindUser }, "unknown kind"},
		{"malformed id", func(c *Change) { c.ID = "nope" }, "malformed id"},
		{"empty id", func(c *Change) { c.ID = "" }, "malformed id"},
		{"no device", func(c *Change) { c.Device = "" }, "no device"},
		{"nil fields", func(c *Change) { c.Fields = nil }, "sets no fields"},
		{"empty fields", func(c *Change) { c.Fields = map[string]json.RawMessage{} }, "sets no fields"},
		{"empty field name", func(c *Change) { c.Fields = map[string]json.RawMessage{"": rawJSON(`1`)} }, `field ""`},
		{"invalid JSON value", func(c *Change) { c.Fields["name"] = rawJSON(`{"a":`) }, `field "name"`},
		{"nil value", func(c *Change) { c.Fields["name"] = nil }, `field "name"`},
		{"bare word", func(c *Change) { c.Fields["name"] = rawJSON(`Ann`) }, `field "name"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.edit(c)
			err := c.Validate()
			if tt.errHas == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want an error containing %q", tt.errHas)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "core: ") || !strings.Contains(msg, tt.errHas) {
				t.Errorf("Validate() = %q, want a core: error containing %q", msg, tt.errHas)
			}
		})
	}
}

// zoePatient is a valid patient as a workstation would save it.
func zoePatient(tb testing.TB) *Patient {
	tb.Helper()
	at := time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC)
	return &Patient{
		Meta:  Meta{ID: mergeID1, CreatedAt: at, UpdatedAt: at, CreatedBy: "alice"},
		Name:  "Zoë Łukasiewicz",
		DOB:   "1984-03-27",
		Sex:   "female",
		Phone: "+49 30 1234567",
		Email: "zoe@example.org",
	}
}

// mergedRecord merges an entity into a fresh record as one change.
func mergedRecord(tb testing.TB, e Entity, hlc HLC) *Record {
	tb.Helper()
	fields, err := FieldsOf(e)
	if err != nil {
		tb.Fatalf("FieldsOf: %v", err)
	}
	r := NewRecord(e.Kind(), e.Base().ID)
	r.Apply(&Change{Kind: e.Kind(), ID: e.Base().ID, Fields: fields, Device: "dev-a", HLC: hlc})
	return r
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name string
		edit func(p *Patient)
		want []string
	}{
		{"nothing changed", func(*Patient) {}, nil},
		{"one field", func(p *Patient) { p.Name = "Zoë Ł." }, []string{"name"}},
		{"two fields", func(p *Patient) { p.Address = "Hauptstr. 1"; p.UpdatedAt = p.UpdatedAt.Add(time.Hour) }, []string{"address", "updated_at"}},
		{"nested value", func(p *Patient) { p.Consent.SMS = true }, []string{"consent"}},
		{"tombstone", func(p *Patient) { p.Deleted = true }, []string{"deleted"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := zoePatient(t)
			rec := mergedRecord(t, p, 1)
			tt.edit(p)
			got, err := Diff(rec, p)
			if err != nil {
				t.Fatalf("Diff: %v", err)
			}
			names := fieldNames(got)
			if len(names) != len(tt.want) || len(names) > 0 && !reflect.DeepEqual(names, tt.want) {
				t.Fatalf("Diff fields = %v, want %v", names, tt.want)
			}
			assertDiffRoundTrips(t, rec, p, got)
		})
	}
}

func TestDiffNewRecordCarriesEverything(t *testing.T) {
	p := zoePatient(t)
	got, err := Diff(NewRecord(KindPatient, p.ID), p)
	if err != nil {
		t.Fatalf("Diff: %v", err)
	}
	all, _ := FieldsOf(p)
	if !reflect.DeepEqual(fieldNames(got), fieldNames(all)) {
		t.Fatalf("Diff against an empty record = %v, want every field %v", fieldNames(got), fieldNames(all))
	}
}

// TestDiffClearsOptionalField: clearing an optional field (a phone number
// the patient no longer has) must reach the record.
func TestDiffClearsOptionalField(t *testing.T) {
	p := zoePatient(t)
	rec := mergedRecord(t, p, 1)
	p.Phone = ""
	got, err := Diff(rec, p)
	if err != nil {
		t.Fatalf("Diff: %v", err)
	}
	if _, ok := got["phone"]; !ok {
		t.Errorf("Diff after clearing the phone = %v, want it to carry phone", fieldNames(got))
	}
	assertDiffRoundTrips(t, rec, p, got)
}

// TestEntitiesHaveNoOmitempty guards what Diff relies on: a field an entity
// leaves out of its JSON is not in the diff, so clearing it would never
// reach other replicas.
func TestEntitiesHaveNoOmitempty(t *testing.T) {
	for k, newEntity := range constructors {
		t.Run(string(k), func(t *testing.T) {
			for _, name := range omitemptyFields(reflect.TypeOf(newEntity()).Elem()) {
				t.Errorf("%s.%s is tagged omitempty; clearing it would not sync", k, name)
			}
		})
	}
}

// omitemptyFields lists the fields of struct type typ, embedded structs
// included, whose JSON tag says omitempty.
func omitemptyFields(typ reflect.Type) []string {
	var out []string
	for f := range typ.Fields() {
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, omitemptyFields(f.Type)...)
			continue
		}
		if _, opts, _ := strings.Cut(f.Tag.Get("json"), ","); slices.Contains(strings.Split(opts, ","), "omitempty") {
			out = append(out, f.Name)
		}
	}
	return out
}

// assertDiffRoundTrips applies diff as a newer change and checks that the
// record then decodes to want.
func assertDiffRoundTrips(tb testing.TB, rec *Record, want *Patient, diff map[string]json.RawMessage) {
	tb.Helper()
	if len(diff) > 0 {
		rec.Apply(&Change{Kind: KindPatient, ID: rec.ID, Fields: diff, Device: "dev-a", HLC: rec.MaxHLC() + 1})
	}
	var got Patient
	if err := rec.Decode(&got); err != nil {
		tb.Fatalf("Decode: %v", err)
	}
	if !reflect.DeepEqual(&got, want) {
		tb.Errorf("after applying the diff the record decodes to\n%+v\nwant\n%+v", got, *want)
	}
}

func fieldNames[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// Generators for the merge property: few records, fields, devices and
// clock values, so that ties on every part of the ordering are common.
var (
	mergeIDs     = []ID{mergeID1, mergeID2}
	mergeFields  = []string{"name", "phone", "status"}
	mergeValues  = []string{`1`, `2`, `"x"`, `"y"`, `""`, `null`, `true`, `false`, `{"k":[1,2]}`, `"Zoë"`}
	mergeDevices = []string{"dev-a", "dev-b", "dev-c"}
)

func genChange() *rapid.Generator[*Change] {
	return rapid.Custom(func(t *rapid.T) *Change {
		c := &Change{
			Kind:   KindPatient,
			ID:     rapid.SampledFrom(mergeIDs).Draw(t, "id"),
			Author: "alice",
			Device: rapid.SampledFrom(mergeDevices).Draw(t, "device"),
			Seq:    rapid.Uint64Range(1, 5).Draw(t, "seq"),
			HLC:    MakeHLC(testWallMS+rapid.Int64Range(0, 2).Draw(t, "wall"), rapid.Uint16Range(0, 2).Draw(t, "logical")),
		}
		if rapid.IntRange(0, 4).Draw(t, "tombstone") == 0 {
			c.Fields = map[string]json.RawMessage{FieldDeleted: rawJSON(rapid.SampledFrom([]string{`true`, `false`}).Draw(t, "deleted"))}
			return c
		}
		names := rapid.SliceOfNDistinct(rapid.SampledFrom(mergeFields), 1, len(mergeFields), rapid.ID).Draw(t, "names")
		c.Fields = map[string]json.RawMessage{}
		for _, n := range names {
			c.Fields[n] = rawJSON(rapid.SampledFrom(mergeValues).Draw(t, "value"))
		}
		return c
	})
}

// TestMergeIsOrderFree applies a set of changes in one order, and again in a
// random permutation with random repeats, and checks that both give
// byte-identical records equal to the model: each field holds the write with
// the highest (HLC, device, value).
func TestMergeIsOrderFree(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		changes := rapid.SliceOfN(genChange(), 1, 12).Draw(t, "changes")
		repeats := rapid.SliceOfN(rapid.IntRange(0, len(changes)-1), 0, 12).Draw(t, "repeats")
		shuffled := make([]*Change, 0, len(changes)+len(repeats))
		for _, c := range changes {
			shuffled = append(shuffled, cloneChange(c))
		}
		for _, i := range repeats {
			shuffled = append(shuffled, cloneChange(changes[i]))
		}
		shuffled = rapid.Permutation(shuffled).Draw(t, "order")

		a := applyAll(t, changes)
		b := applyAll(t, shuffled)
		if len(a) != len(b) {
			t.Fatalf("%d records one way, %d the other", len(a), len(b))
		}
		want := mergeModel(changes)
		for id, ra := range a {
			rb := b[id]
			if rb == nil {
				t.Fatalf("record %s missing after the shuffled apply", id)
			}
			if ja, jb := ra.JSON(), rb.JSON(); !bytes.Equal(ja, jb) {
				t.Fatalf("record %s: JSON %s in order, %s shuffled", id, ja, jb)
			}
			if !reflect.DeepEqual(ra.Fields, rb.Fields) {
				t.Fatalf("record %s: fields %+v in order, %+v shuffled", id, ra.Fields, rb.Fields)
			}
			if !reflect.DeepEqual(ra.Fields, want[id]) {
				t.Fatalf("record %s: fields %+v, model says %+v", id, ra.Fields, want[id])
			}
			if ra.Deleted() != rb.Deleted() {
				t.Fatalf("record %s: Deleted %v in order, %v shuffled", id, ra.Deleted(), rb.Deleted())
			}
		}
		// Applying any change again is a no-op.
		for _, c := range changes {
			if b[c.ID].Apply(cloneChange(c)) {
				t.Fatalf("re-applying %+v reported a change", c)
			}
		}
	})
}

// mergeModel computes the merged fields of each record directly: for each
// field, the write with the highest HLC, then device, then value bytes.
func mergeModel(changes []*Change) map[ID]map[string]Field {
	out := map[ID]map[string]Field{}
	for _, c := range changes {
		if out[c.ID] == nil {
			out[c.ID] = map[string]Field{}
		}
		for name, v := range c.Fields {
			cur, ok := out[c.ID][name]
			beats := !ok || c.HLC > cur.HLC ||
				c.HLC == cur.HLC && (c.Device > cur.Device ||
					c.Device == cur.Device && bytes.Compare(v, cur.Value) > 0)
			if beats {
				out[c.ID][name] = Field{Value: v, HLC: c.HLC, Device: c.Device}
			}
		}
	}
	return out
}

// BenchmarkChangeValidate validates a patient change as a pulled one is:
// ten string fields and an object.
func BenchmarkChangeValidate(b *testing.B) {
	c := Change{Kind: KindPatient, ID: "0000000000000000000000a7", Author: "desk", Device: "dev-1", Seq: 1, HLC: 1 << 40, Fields: map[string]json.RawMessage{
		"consent": json.RawMessage(`{"sms":false,"email":false,"telemedicine":false,"data_sharing":false}`)}}
	for _, f := range []string{"name", "dob", "phone", "email", "created_at", "updated_at", "created_by", "address", "insurer_name", "sex"} {
		c.Fields[f] = json.RawMessage(`"some value of a realistic length 2026-12-02T08:00:00Z"`)
	}
	b.ReportAllocs()
	for range b.N {
		if err := c.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}
