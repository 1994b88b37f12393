package core

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// Changes are stored and travel as the JSON json.Marshal writes for them,
// and json.Unmarshal decodes that by reflection, a map entry at a time.
// DecodeChangeJSON and DecodeChangesJSON read that exact form in one
// pass; anything else (another order of keys, escapes in a name, a field
// they do not know, white space) goes to json.Unmarshal, so the result is
// always what json.Unmarshal makes of the bytes. Field values are
// sub-slices of the bytes read, not copies: the caller must not change
// those bytes afterwards.

// DecodeChangeJSON decodes b, a JSON change, into c, giving what
// json.Unmarshal gives (and its error).
func DecodeChangeJSON(b []byte, c *Change) error {
	r := &changeReader{b: b, ok: true, check: true}
	r.change(c)
	if r.ok && len(r.b) == 0 {
		return nil
	}
	*c = Change{}
	return json.Unmarshal(b, c)
}

// DecodeTrustedChangeJSON is DecodeChangeJSON for bytes a store sealed
// itself and has just opened under its AEAD key (its outbox): what its
// own encoder wrote. It leaves out the check DecodeChangeJSON's reader
// makes of each field value (validJSON), so that on valid JSON it gives
// exactly what DecodeChangeJSON gives, at a lower cost; on other bytes it
// never panics, but it may accept bytes json.Unmarshal refuses (a field
// value that is not JSON), which is why bytes from anywhere else must go
// through DecodeChangeJSON. Bytes the reader does not take go to
// DecodeChangeJSON.
func DecodeTrustedChangeJSON(b []byte, c *Change) error {
	r := &changeReader{b: b, ok: true}
	r.change(c)
	if r.ok && len(r.b) == 0 {
		return nil
	}
	return DecodeChangeJSON(b, c)
}

// DecodeChangesJSON decodes b, a JSON array of changes, giving what
// json.Unmarshal into a nil []Change gives (and its error).
func DecodeChangesJSON(b []byte) ([]Change, error) {
	if out, ok := decodeChangesFast(b); ok {
		return out, nil
	}
	var out []Change
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// decodeChangesFast reads b as json.Marshal writes a []Change, or reports
// false.
func decodeChangesFast(b []byte) ([]Change, bool) {
	r := &changeReader{b: b, ok: true, check: true, names: map[string]string{}, shapes: map[Kind][]string{}}
	r.lit(`[`)
	if r.peek(`]`) {
		r.lit(`]`)
		return []Change{}, r.ok && len(r.b) == 0
	}
	out := make([]Change, 0, bytes.Count(b, []byte(`{"kind":`)))
	for r.ok {
		out = append(out, Change{})
		r.change(&out[len(out)-1])
		if r.peek(`]`) {
			r.lit(`]`)
			break
		}
		r.lit(`,`)
	}
	return out, r.ok && len(r.b) == 0
}

// changeReader walks the bytes of compact JSON in the form json.Marshal
// writes a change, and fails (ok false) on any other.
//
// With check set it takes only valid JSON, so that the bytes need no
// json.Valid pass before it: everything between the literal parts of the
// form it checks itself as it goes, each string (no escape, no control
// character, valid UTF-8), number (digits, no leading zero) and field
// value (validJSON, with no white space around it) as json.Valid would,
// and what those parts make up is valid JSON. Without check (bytes the
// store wrote itself) it does not look into field values.
type changeReader struct {
	b     []byte
	ok    bool
	check bool
	// names, when not nil, holds the strings read so far that changes
	// repeat (kinds, field names, authors, devices), each allocated once;
	// recent the last kind, author and device read; shapes the field
	// names of the last change of each kind, in order.
	names  map[string]string
	recent [recentSlots]string
	shapes map[Kind][]string
}

// lit consumes s or fails.
func (r *changeReader) lit(s string) {
	if !r.ok || len(r.b) < len(s) || string(r.b[:len(s)]) != s {
		r.ok = false
		return
	}
	r.b = r.b[len(s):]
}

// peek reports whether the bytes go on with s.
func (r *changeReader) peek(s string) bool {
	return r.ok && len(r.b) >= len(s) && string(r.b[:len(s)]) == s
}

// str reads a JSON string without escapes.
func (r *changeReader) str() string {
	return string(r.strBytes())
}

// common reads a JSON string without escapes that changes repeat, the
// same as the one read last in its slot (recent) or not: the same string
// for the same bytes, allocated once.
func (r *changeReader) common(slot int) string {
	v := r.strBytes()
	if r.names == nil || !r.ok {
		return string(v)
	}
	if r.recent[slot] == string(v) && r.recent[slot] != "" {
		return r.recent[slot]
	}
	s := r.intern(v)
	r.recent[slot] = s
	return s
}

// Slots of changeReader.recent.
const (
	recentKind = iota
	recentAuthor
	recentDevice
	recentSlots
)

// intern is string(v), allocated once per reader for the strings
// changes repeat (names), when it keeps them.
func (r *changeReader) intern(v []byte) string {
	if r.names == nil {
		return string(v)
	}
	if s, ok := r.names[string(v)]; ok {
		return s
	}
	s := string(v)
	if len(r.names) < maxNames {
		r.names[s] = s
	}
	return s
}

// noteShape remembers the field names of a change of kind k, when the
// reader keeps names: the next change of that kind mostly has the same,
// and takes each without a look-up.
func (r *changeReader) noteShape(k Kind, members []member) {
	if r.shapes == nil {
		return
	}
	shape := r.shapes[k]
	if len(shape) == len(members) {
		same := true
		for i := range members {
			if shape[i] != members[i].name {
				same = false
				break
			}
		}
		if same {
			return
		}
	}
	if len(r.shapes) >= maxNames {
		return
	}
	shape = make([]string, len(members))
	for i := range members {
		shape[i] = members[i].name
	}
	r.shapes[k] = shape
}

// maxNames bounds the strings a reader keeps for reuse.
const maxNames = 4096

// strBytes reads a JSON string without escapes, control characters or
// invalid UTF-8 (which json.Unmarshal would replace) and returns what is
// between its quotes.
func (r *changeReader) strBytes() []byte {
	if !r.ok || len(r.b) == 0 || r.b[0] != '"' {
		r.ok = false
		return nil
	}
	high := false
	for i := 1; i < len(r.b); i++ {
		switch strByte[r.b[i]] {
		case strQuote:
			v := r.b[1:i:i]
			if high && !utf8.Valid(v) {
				r.ok = false
				return nil
			}
			r.b = r.b[i+1:]
			return v
		case strRefused:
			r.ok = false
			return nil
		case strHigh:
			high = true
		}
	}
	r.ok = false
	return nil
}

// What strBytes makes of each byte of a string.
const (
	strPlain = iota
	strQuote
	strRefused // an escape or a control character
	strHigh    // part of a multi-byte UTF-8 sequence
)

var strByte = func() (t [256]uint8) {
	for b := range 0x20 {
		t[b] = strRefused
	}
	t['\\'] = strRefused
	t['"'] = strQuote
	for b := 0x80; b < 0x100; b++ {
		t[b] = strHigh
	}
	return t
}()

// uint reads an unsigned integer.
func (r *changeReader) uint() uint64 {
	i := 0
	for i < len(r.b) && r.b[i] >= '0' && r.b[i] <= '9' {
		i++
	}
	if !r.ok || i == 0 || i > 1 && r.b[0] == '0' {
		r.ok = false
		return 0
	}
	v, err := strconv.ParseUint(string(r.b[:i]), 10, 64)
	if err != nil {
		r.ok = false
	}
	r.b = r.b[i:]
	return v
}

// base64 reads a base64 string, as json.Marshal writes a []byte.
func (r *changeReader) base64() []byte {
	s := r.str()
	if !r.ok {
		return nil
	}
	v, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		r.ok = false
	}
	return v
}

// value reads one JSON value of an object's member and returns its bytes:
// up to the next member or the object's end. It fails on white space
// around the value (json.Unmarshal leaves it out), and, with check set,
// on a value that is not JSON.
func (r *changeReader) value() []byte {
	if !r.ok {
		return nil
	}
	// A value without white space, what json.Marshal writes, is found
	// and checked in one pass; any other is found, then checked.
	if n := compactLen(r.b, 0); n > 0 && n < len(r.b) && (r.b[n] == ',' || r.b[n] == '}') {
		return r.take(n)
	}
	v := r.valueBytes()
	if !r.ok {
		return nil
	}
	if space(v[0]) || space(v[len(v)-1]) || r.check && !validJSON(v) {
		r.ok = false
		return nil
	}
	return v
}

// space reports whether b is JSON white space.
func space(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// valueBytes finds the bytes of value, which are valid JSON when the
// member is.
func (r *changeReader) valueBytes() []byte {
	if !r.ok {
		return nil
	}
	depth := 0
	for i := 0; i < len(r.b); i++ {
		switch r.b[i] {
		case '"':
			for i++; i < len(r.b) && r.b[i] != '"'; i++ {
				if r.b[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return r.take(i)
			}
			depth--
		case ',':
			if depth == 0 {
				return r.take(i)
			}
		}
	}
	r.ok = false
	return nil
}

// take returns the first n bytes, which may not be empty, and moves past
// them.
func (r *changeReader) take(n int) []byte {
	if n == 0 {
		r.ok = false
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

// change reads one change as json.Marshal writes a Change into c, leaving
// r.ok false when the bytes are in another form.
func (r *changeReader) change(c *Change) {
	*c = Change{}
	r.lit(`{"kind":`)
	c.Kind = Kind(r.common(recentKind))
	r.lit(`,"id":`)
	c.ID = ID(r.str())
	r.lit(`,"fields":`)
	if r.peek(`null`) {
		r.lit(`null`)
	} else {
		r.lit(`{`)
		// The members as json.Marshal writes them, sorted by name (so no
		// two alike), then the map made to their number.
		var few [32]member
		members := few[:0]
		shape := r.shapes[c.Kind]
		for r.ok && !r.peek(`}`) {
			if len(members) > 0 {
				r.lit(`,`)
			}
			name := r.strBytes()
			r.lit(`:`)
			v := r.value()
			if !r.ok || len(members) > 0 && string(name) <= members[len(members)-1].name {
				r.ok = false
				return
			}
			k := len(members)
			if k < len(shape) && shape[k] == string(name) {
				members = append(members, member{shape[k], v})
			} else {
				members = append(members, member{r.intern(name), v})
			}
		}
		c.Fields = make(map[string]json.RawMessage, len(members))
		for _, m := range members {
			c.Fields[m.name] = m.value
		}
		r.noteShape(c.Kind, members)
		r.lit(`}`)
	}
	r.lit(`,"author":`)
	c.Author = r.common(recentAuthor)
	r.lit(`,"device":`)
	c.Device = r.common(recentDevice)
	r.lit(`,"seq":`)
	c.Seq = r.uint()
	r.lit(`,"hlc":`)
	c.HLC = HLC(r.uint())
	if r.peek(`,"prev":`) {
		r.lit(`,"prev":`)
		c.Prev = r.base64()
	}
	if r.peek(`,"sig":`) {
		r.lit(`,"sig":`)
		c.Sig = r.base64()
	}
	r.lit(`}`)
}
