package core

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"
)

// Free text typed by one person is shown on another person's terminal, on
// this workstation and, after sync, on every other. A terminal obeys control
// characters and escape sequences (clear the screen, set the title, write the
// clipboard with OSC 52) and bidi overrides reorder what a reader sees, so
// core refuses them in every free-text field (Validate) and SafeText renders
// anything that got in anyway as harmless visible text.
//
// A field is single-line unless its struct tag says `text:"multiline"`;
// multi-line fields may hold \n and \t, never \r or any other control.

// Messages of the free-text rule, as FieldError.Message.
const (
	msgUnsafeText = "must not contain control characters or escape sequences"
	msgOneLine    = "must be a single line"
)

// textTag is the struct tag key that marks a multi-line field.
const textTag = "text"

// unsafeRune reports whether r must never appear in free text. \n and \t are
// judged by the caller, since multi-line fields allow them.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true // C0 (including ESC), DEL, C1 (including CSI 0x9b)
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true // bidi embeddings, overrides and isolates
	case r == 0x2028 || r == 0x2029:
		return true // line and paragraph separators
	}
	return false
}

// textProblem returns the FieldError message for s, or "" when s is safe
// free text. Invalid UTF-8 counts as unsafe.
func textProblem(s string, multiline bool) string {
	if plainASCII(s) {
		return ""
	}
	lineBreak := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n == 1:
			return msgUnsafeText
		case r == '\n' || r == '\t':
			if !multiline {
				lineBreak = true
			}
		case unsafeRune(r):
			return msgUnsafeText
		}
	}
	if lineBreak {
		return msgOneLine
	}
	return ""
}

// plainASCII reports whether s is printable ASCII only: the common case,
// checked without decoding runes.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x20 || b >= 0x7f {
			return false
		}
	}
	return true
}

// CheckText returns nil when s is safe single-line free text (multiline
// false) or safe multi-line text, or a *ValidationError naming field.
func CheckText(kind Kind, field, s string, multiline bool) error {
	if msg := textProblem(s, multiline); msg != "" {
		return &ValidationError{Kind: kind, Fields: []FieldError{{Field: field, Message: msg}}}
	}
	return nil
}

// text adds a field error when s is not safe free text.
func (c *checker) text(field, s string, multiline bool) {
	if msg := textProblem(s, multiline); msg != "" {
		c.add(field, msg)
	}
}

// freeText checks every string a record holds (fields, nested items, list
// entries, map keys and values) against the free-text rule, naming each
// broken one by its JSON path ("items[2].description"). v is a pointer to
// a struct or a struct.
func (c *checker) freeText(v any) {
	walkText(reflect.ValueOf(v), "", false, c.text)
}

// walkText calls fn for every string inside v, with its JSON path and
// whether its top-level field is multi-line.
func walkText(v reflect.Value, path string, multiline bool, fn func(path, s string, multiline bool)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkText(v.Elem(), path, multiline, fn)
		}
	case reflect.String:
		fn(path, v.String(), multiline)
	case reflect.Struct:
		walkStruct(v, path, multiline, fn)
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes: sealed content, digests, never shown as text
		}
		for i := 0; i < v.Len(); i++ {
			walkText(v.Index(i), fmt.Sprintf("%s[%d]", path, i), multiline, fn)
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			key := fmt.Sprint(iter.Key().Interface())
			walkText(iter.Key(), path, false, fn)
			if path != "" {
				key = path + "." + key
			}
			walkText(iter.Value(), key, multiline, fn)
		}
	}
}

// walkStruct walks the exported fields of a struct, embedded structs (Meta)
// flattened as JSON flattens them.
func walkStruct(v reflect.Value, path string, multiline bool, fn func(path, s string, multiline bool)) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			walkText(v.Field(i), path, multiline, fn)
			continue
		}
		if path != "" {
			name = path + "." + name
		}
		walkText(v.Field(i), name, multiline || f.Tag.Get(textTag) == "multiline", fn)
	}
}

// multilineFields lists, per kind, the top-level JSON fields that may hold
// several lines, read from the struct tags of the kind's type on first use
// (after every entity file's init has registered its type).
var multilineFields = sync.OnceValue(func() map[Kind]map[string]bool {
	out := map[Kind]map[string]bool{}
	for k, f := range constructors {
		t := reflect.TypeOf(f()).Elem()
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			if sf.Tag.Get(textTag) != "multiline" {
				continue
			}
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if out[k] == nil {
				out[k] = map[string]bool{}
			}
			out[k][name] = true
		}
	}
	return out
})

// checkChangeText applies the free-text rule to the fields a change sets,
// so that a change made elsewhere (and arriving by sync) is held to the
// same rule as a local write. A JSON value with no backslash, no DEL and no
// byte above 0x7F cannot hold an unsafe rune (JSON escapes C0 controls), so
// most values are passed without decoding.
func checkChangeText(c *Change) error {
	multi := multilineFields()[c.Kind]
	ch := &checker{kind: c.Kind}
	for name, raw := range c.Fields {
		if plainJSON(raw) {
			continue
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("core: change field %q is not JSON", name)
		}
		walkText(reflect.ValueOf(v), name, multi[name], ch.text)
	}
	return ch.err()
}

// plainJSON reports whether raw holds only printable ASCII and no escapes.
func plainJSON(raw []byte) bool {
	for _, b := range raw {
		if b == '\\' || b < 0x20 || b >= 0x7f {
			return false
		}
	}
	return true
}
