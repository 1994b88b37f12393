package store

import (
	"encoding/json"
	"reflect"
	"testing"

	"medisecure/core"
)

// FuzzRecordObject: reading a record's bytes straight into its JSON
// object (what get decodes an entity from) agrees with decodeRecord and
// core.Record.JSON on every input: the same refusals, the same fields,
// the same deleted flag.
func FuzzRecordObject(f *testing.F) {
	deleted := sampleRecord()
	deleted.Fields[core.FieldDeleted] = core.Field{Value: json.RawMessage("true"), HLC: 9, Device: "d"}
	for _, r := range []*core.Record{sampleRecord(), deleted, core.NewRecord(core.KindPatient, fakeID(7))} {
		for _, v := range variants(encodeRecord(r)) {
			f.Add(v)
		}
	}
	f.Add([]byte{recordFormat, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Add([]byte{recordFormat, 0, 1, 1, 'a', 5, 1, '1'})
	// Two fields of one name, and a value that would smuggle in a field.
	f.Add([]byte{recordFormat, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 1, 'a', 0, 1, '1', 1, 'a', 0, 1, '2'})
	f.Add([]byte{recordFormat, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 'a', 0, 12, '1', ',', '"', 'd', 'e', 'l', 'e', 't', 'e', 'd', '"', ':'})
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, recErr := decodeRecord(core.KindPatient, fakeID(7), b)
		obj, del, err := recordObject(nil, b)
		if (err != nil) != (recErr != nil) {
			t.Fatalf("recordObject error %v, decodeRecord error %v", err, recErr)
		}
		if err != nil {
			return
		}
		if (obj == nil) == rec.Exists() || del != rec.Deleted() {
			t.Fatalf("object %q deleted %v; record exists %v deleted %v", obj, del, rec.Exists(), rec.Deleted())
		}
		if obj == nil {
			return
		}
		var got, want map[string]json.RawMessage
		if err := json.Unmarshal(obj, &got); err != nil {
			t.Fatalf("object %q: %v", obj, err)
		}
		if err := json.Unmarshal(rec.JSON(), &want); err != nil {
			t.Fatalf("record JSON %q: %v", rec.JSON(), err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("object %s, record JSON %s", obj, rec.JSON())
		}
	})
}
