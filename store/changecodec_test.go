package store

import (
	"encoding/json"
	"reflect"
	"testing"

	"pgregory.net/rapid"

	"medisecure/core"
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

// TestDecodeChangeIsJSONUnmarshal checks that decodeChange makes of any
// change json.Marshal wrote, and of those bytes damaged, what
// json.Unmarshal makes of them.
func TestDecodeChangeIsJSONUnmarshal(t *testing.T) {
	word := rapid.OneOf(rapid.StringMatching(`[a-z_~]{0,12}`), rapid.String())
	rapid.Check(t, func(t *rapid.T) {
		c := core.Change{
			Kind: core.Kind(word.Draw(t, "kind")), ID: core.ID(word.Draw(t, "id")),
			Author: word.Draw(t, "author"), Device: word.Draw(t, "device"),
			Seq: rapid.Uint64().Draw(t, "seq"), HLC: core.HLC(rapid.Uint64().Draw(t, "hlc")),
		}
		if rapid.Bool().Draw(t, "has fields") {
			c.Fields = map[string]json.RawMessage{}
			for range rapid.IntRange(0, 6).Draw(t, "fields") {
				c.Fields[word.Draw(t, "name")] = mustJSON(jsonValue(t, 0))
			}
		}
		if rapid.Bool().Draw(t, "signed") {
			c.Prev = rapid.SliceOfN(rapid.Byte(), 0, 32).Draw(t, "prev")
			c.Sig = rapid.SliceOfN(rapid.Byte(), 0, 64).Draw(t, "sig")
		}
		b := mustJSON(c)
		if rapid.Bool().Draw(t, "damaged") {
			b = append([]byte(nil), b...)
			for range rapid.IntRange(1, 3).Draw(t, "damages") {
				i := rapid.IntRange(0, len(b)-1).Draw(t, "at")
				b[i] = rapid.SampledFrom([]byte(`{}[]",:\ 0a-.e`)).Draw(t, "byte")
			}
		}
		var want, got core.Change
		werr := json.Unmarshal(b, &want)
		gerr := decodeChange(b, &got)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%s: json.Unmarshal says %v, decodeChange %v", b, werr, gerr)
		}
		if werr == nil && !reflect.DeepEqual(want, got) {
			t.Fatalf("%s:\njson.Unmarshal %#v\ndecodeChange   %#v", b, want, got)
		}
	})
}
