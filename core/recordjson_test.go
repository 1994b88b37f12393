package core

import (
	"encoding/json"
	"testing"
)

// TestRecordJSONIsMarshalOfItsValues checks Record.JSON, which writes
// field names without encoding/json, against json.Marshal of the same
// values, for plain names and names that need escapes.
func TestRecordJSONIsMarshalOfItsValues(t *testing.T) {
	values := map[string]json.RawMessage{
		"name": json.RawMessage(`"Zoë"`), "created_at": json.RawMessage(`"2026-12-02T00:00:00Z"`),
		"minutes": json.RawMessage(`15`), "a<b&c": json.RawMessage(`true`), `q"x\y`: json.RawMessage(`null`),
		"é": json.RawMessage(`[1,2]`), "line\u2028sep": json.RawMessage(`{}`), "x.y-z": json.RawMessage(`0`),
	}
	r := NewRecord(KindPatient, "")
	for n, v := range values {
		r.Fields[n] = Field{Value: v}
	}
	want, err := json.Marshal(values)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.JSON(); string(got) != string(want) {
		t.Fatalf("Record.JSON:\n%s\nwant json.Marshal's:\n%s", got, want)
	}
}
