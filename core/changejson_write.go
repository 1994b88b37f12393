package core

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// This file writes changes as JSON (AppendChangesJSON), byte for byte what
// json.Marshal writes for them; changejson.go reads them.

// AppendChangesJSON appends to dst exactly the bytes json.Marshal writes
// for changes (null for a nil slice), or returns json.Marshal's error (a
// field value that is not JSON). Strings and field values that need no
// escaping or compacting are copied as they are; anything else is written
// by json.Marshal itself.
func AppendChangesJSON(dst []byte, changes []Change) ([]byte, error) {
	if changes == nil {
		return append(dst, "null"...), nil
	}
	dst = slices.Grow(dst, changesJSONSize(changes))
	dst = append(dst, '[')
	for i := range changes {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendChange(dst, &changes[i]); err != nil {
			return nil, err
		}
	}
	return append(dst, ']'), nil
}

// changesJSONSize is about the bytes AppendChangesJSON writes for
// changes, so that it makes room for them once: what they hold, and the
// JSON around it.
func changesJSONSize(changes []Change) int {
	n := 2
	for i := range changes {
		c := &changes[i]
		n += 96 + len(c.Kind) + len(c.ID) + len(c.Author) + len(c.Device) + (len(c.Prev)+len(c.Sig))*4/3
		for name, v := range c.Fields {
			n += 4 + len(name) + len(v)
		}
	}
	return n
}

// member is a field of a change, named.
type member struct {
	name  string
	value json.RawMessage
}

// appendChange appends json.Marshal's bytes for c.
func appendChange(dst []byte, c *Change) ([]byte, error) {
	dst = append(dst, `{"kind":`...)
	dst = appendJSONString(dst, string(c.Kind))
	dst = append(dst, `,"id":`...)
	dst = appendJSONString(dst, string(c.ID))
	dst = append(dst, `,"fields":`...)
	if c.Fields == nil {
		dst = append(dst, "null"...)
	} else {
		var few [16]member
		members := few[:0]
		for name, v := range c.Fields {
			members = append(members, member{name, v})
		}
		slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.name, b.name) })
		dst = append(dst, '{')
		for i, m := range members {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, m.name)
			dst = append(dst, ':')
			var err error
			if dst, err = appendRawJSON(dst, m.value); err != nil {
				return nil, err
			}
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `,"author":`...)
	dst = appendJSONString(dst, c.Author)
	dst = append(dst, `,"device":`...)
	dst = appendJSONString(dst, c.Device)
	dst = append(dst, `,"seq":`...)
	dst = strconv.AppendUint(dst, c.Seq, 10)
	dst = append(dst, `,"hlc":`...)
	dst = strconv.AppendUint(dst, uint64(c.HLC), 10)
	if len(c.Prev) > 0 {
		dst = append(dst, `,"prev":"`...)
		dst = base64.StdEncoding.AppendEncode(dst, c.Prev)
		dst = append(dst, '"')
	}
	if len(c.Sig) > 0 {
		dst = append(dst, `,"sig":"`...)
		dst = base64.StdEncoding.AppendEncode(dst, c.Sig)
		dst = append(dst, '"')
	}
	return append(dst, '}'), nil
}

// appendJSONString appends s as json.Marshal writes a string: as it is
// when it holds only printable ASCII that needs no escape (json.Marshal
// escapes " \ < > &), by json.Marshal otherwise.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x20 || b > 0x7e || b == '"' || b == '\\' || b == '<' || b == '>' || b == '&' {
			out, _ := json.Marshal(s) // a string always marshals
			return append(dst, out...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// appendRawJSON appends v as json.Marshal writes a json.RawMessage: as it
// is when it is valid JSON without white space outside strings, without
// < > & and without U+2028 or U+2029 (which json.Marshal would compact or
// escape), by json.Marshal otherwise.
func appendRawJSON(dst []byte, v json.RawMessage) ([]byte, error) {
	if v == nil {
		return append(dst, "null"...), nil
	}
	if rawJSONAsIs(v) {
		return append(dst, v...), nil
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(dst, out...), nil
}

// rawJSONAsIs reports whether json.Marshal writes v unchanged.
func rawJSONAsIs(v []byte) bool {
	in := false
	for i := 0; i < len(v); i++ {
		switch b := v[i]; {
		case b == '<' || b == '>' || b == '&':
			return false
		case b == 0xe2 && i+2 < len(v) && v[i+1] == 0x80 && (v[i+2] == 0xa8 || v[i+2] == 0xa9):
			return false
		case in && b == '\\':
			i++
		case b == '"':
			in = !in
		case !in && (b == ' ' || b == '\t' || b == '\n' || b == '\r'):
			return false
		}
	}
	return validJSON(v)
}
