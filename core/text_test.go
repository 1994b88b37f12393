package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// evilName is the patient name of issue 7: it clears the screen and sets the
// terminal title when printed raw.
const evilName = "Evil\x1b[2J\x1b]0;PWNED\x1b\\Mallory"

// hostile are strings no free-text field may hold, single- or multi-line.
var hostile = map[string]string{
	"escape sequences": evilName,
	"OSC 52 clipboard": "Bob\x1b]52;c;ZWNobyBwd25lZA==\x07",
	"carriage return":  "Alice\rMallory",
	"C1 CSI":           "Bob\u009b2J",
	"DEL":              "Bob\x7f",
	"NUL":              "Bob\x00",
	"bidi override":    "Bob\u202Egnp.exe",
	"bidi isolate":     "Bob\u2066x\u2069",
	"line separator":   "Bob\u2028x",
	"invalid UTF-8":    "Bob\xff",
}

// poison sets every string inside v (growing empty slices and arrays of
// structs or strings by one element) to s and returns the JSON paths set,
// as freeText names them.
func poison(v reflect.Value, path string, s string) []string {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
		return []string{path}
	case reflect.Struct:
		var out []string
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.Anonymous {
				out = append(out, poison(v.Field(i), path, s)...)
				continue
			}
			if path != "" {
				name = path + "." + name
			}
			out = append(out, poison(v.Field(i), name, s)...)
		}
		return out
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil
		}
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		return poison(v.Index(0), path+"[0]", s)
	case reflect.Array:
		var out []string
		for i := 0; i < v.Len(); i++ {
			out = append(out, poison(v.Index(i), fmt.Sprintf("%s[%d]", path, i), s)...)
		}
		return out
	}
	return nil
}

// textMessage is the free-text rule's message for field in ve, or "".
func textMessage(ve *ValidationError, field string) string {
	for _, f := range ve.Fields {
		if f.Field == field && (f.Message == msgUnsafeText || f.Message == msgOneLine) {
			return f.Message
		}
	}
	return ""
}

// isMultiline reports whether the field at path is multi-line by its tag.
func isMultiline(k Kind, path string) bool {
	top, _, _ := strings.Cut(path, ".")
	top, _, _ = strings.Cut(top, "[")
	return multilineFields()[k][top]
}

func TestEveryFreeTextFieldRefusesControls(t *testing.T) {
	for _, k := range Kinds {
		for what, bad := range hostile {
			t.Run(string(k)+"/"+what, func(t *testing.T) {
				e, err := New(k)
				if err != nil {
					t.Fatal(err)
				}
				paths := poison(reflect.ValueOf(e).Elem(), "", bad)
				var ve *ValidationError
				if err := e.Validate(); !errors.As(err, &ve) {
					t.Fatalf("Validate = %v, want a *ValidationError", err)
				}
				for _, p := range paths {
					if textMessage(ve, p) != msgUnsafeText {
						t.Errorf("%s: not refused (all: %v)", p, ve)
					}
				}
			})
		}
	}
}

func TestSingleLineFieldsRefuseLineBreaks(t *testing.T) {
	for _, k := range Kinds {
		t.Run(string(k), func(t *testing.T) {
			e, _ := New(k)
			paths := poison(reflect.ValueOf(e).Elem(), "", "two\nlines\tand a tab")
			var ve *ValidationError
			if err := e.Validate(); !errors.As(err, &ve) {
				t.Fatalf("Validate = %v, want a *ValidationError", err)
			}
			for _, p := range paths {
				want := msgOneLine
				if isMultiline(k, p) {
					want = ""
				}
				if got := textMessage(ve, p); got != want {
					t.Errorf("%s: message %q, want %q", p, got, want)
				}
			}
		})
	}
}

func TestMultilineFieldsAreDeclared(t *testing.T) {
	want := map[Kind][]string{
		KindNote: {"assessment", "objective", "plan", "subjective"}, KindNoteDraft: {"assessment", "objective", "plan", "subjective"}, KindAddendum: {"text"},
		KindMessage: {"body"}, KindNotification: {"body"}, KindDocument: {"extracted_text"},
		KindInvoice: {"notes"}, KindPrescription: {"notes"},
	}
	for _, k := range Kinds {
		var got []string
		for f := range multilineFields()[k] {
			got = append(got, f)
		}
		if fmt.Sprint(sorted(got)) != fmt.Sprint(want[k]) {
			t.Errorf("%s: multi-line fields %v, want %v", k, sorted(got), want[k])
		}
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestPatientNameWithEscapesIsRefused(t *testing.T) {
	p := Patient{Name: evilName, DOB: "1984-03-27", Address: "Main St 1\x1b[31m", EmergencyContact: "Ann \u202Eevil", InsurerName: "AOK\r"}
	err := p.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("Validate = %v, want a *ValidationError", err)
	}
	for _, f := range []string{"name", "address", "emergency_contact", "insurer_name"} {
		if textMessage(ve, f) == "" {
			t.Errorf("no error for %s in %v", f, ve)
		}
	}
	if !strings.Contains(err.Error(), "name must not contain control characters or escape sequences") {
		t.Errorf("error %q does not name the field and the rule", err)
	}
	if strings.ContainsRune(err.Error(), 0x1b) {
		t.Errorf("the error repeats the escape: %q", err)
	}
}

func TestSafeTextIsAllowed(t *testing.T) {
	for _, s := range []string{"Seán O'Brien", "de la Cruz", "Müller-Lüdenscheidt", "王小明", "محمد", "Zoë 👩‍⚕️", ""} {
		if msg := textProblem(s, false); msg != "" {
			t.Errorf("%q refused: %s", s, msg)
		}
	}
	if msg := textProblem("S: cough\n\tO: clear", true); msg != "" {
		t.Errorf("a multi-line note refused: %s", msg)
	}
}

func TestUserDisplayNameRefusesEscapes(t *testing.T) {
	u := User{Name: "desk", Role: RoleReception, DisplayName: "Front\x1b]0;x\x07Desk"}
	var ve *ValidationError
	if err := u.Validate(); !errors.As(err, &ve) || ve.For("display_name") != msgUnsafeText {
		t.Fatalf("Validate = %v", err)
	}
}

// remoteChange is a change as another workstation would send it.
func remoteChange(k Kind, fields map[string]any) *Change {
	c := &Change{Kind: k, ID: "0123456789abcdef01234567", Author: "desk", Device: "dev1", Seq: 1, HLC: HLC(1)}
	c.Fields = map[string]json.RawMessage{}
	for name, v := range fields {
		b, _ := json.Marshal(v)
		c.Fields[name] = b
	}
	return c
}

func TestChangeValidateAppliesTheFreeTextRule(t *testing.T) {
	cases := []struct {
		name   string
		kind   Kind
		fields map[string]any
		field  string // "" when the change is fine
	}{
		{"evil name", KindPatient, map[string]any{"name": evilName}, "name"},
		{"C1 as raw UTF-8", KindPatient, map[string]any{"name": "Bob\u009b2J"}, "name"},
		{"bidi as raw UTF-8", KindAppointment, map[string]any{"room": "Room \u202E1"}, "room"},
		{"newline in a room", KindAppointment, map[string]any{"room": "Room\n1"}, "room"},
		{"schedule rooms", KindSchedule, map[string]any{"rooms": []string{"ok", "bad\x1b[2J"}}, "rooms[1]"},
		{"invoice item", KindInvoice, map[string]any{"items": []map[string]any{{"description": "x\x07"}}}, "items[0].description"},
		{"note body with lines", KindNote, map[string]any{"plan": "rest\n\tfluids"}, ""},
		{"note body with CR", KindNote, map[string]any{"plan": "rest\rfluids"}, "plan"},
		{"plain", KindPatient, map[string]any{"name": "Seán O'Brien", "dob": "1984-03-27"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := remoteChange(tc.kind, tc.fields).Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || textMessage(ve, tc.field) == "" {
				t.Fatalf("Validate = %v, want an error naming %s", err, tc.field)
			}
		})
	}
}

func TestSafeText(t *testing.T) {
	cases := []struct{ name, in, line, block string }{
		{"plain", "Seán O'Brien", "Seán O'Brien", "Seán O'Brien"},
		{"issue 7 name", evilName, "Evil␛[2J␛]0;PWNED␛\\Mallory", "Evil␛[2J␛]0;PWNED␛\\Mallory"},
		{"OSC 52", "x\x1b]52;c;cHduZWQ=\x07", "x␛]52;c;cHduZWQ=␇", "x␛]52;c;cHduZWQ=␇"},
		{"carriage return", "Alice\rMallory", "Alice␍Mallory", "Alice␍Mallory"},
		{"newline", "a\nb", "a↵b", "a\nb"},
		{"tab", "a\tb", "a␉b", "a    b"},
		{"DEL", "a\x7fb", "a␡b", "a␡b"},
		{"C1 CSI", "a\u009b2J", `a\x9b2J`, `a\x9b2J`},
		{"bidi override", "abc\u202Efdp.exe", "abc<U+202E>fdp.exe", "abc<U+202E>fdp.exe"},
		{"bidi isolate", "\u2066x\u2069", "<U+2066>x<U+2069>", "<U+2066>x<U+2069>"},
		{"invalid UTF-8", "a\xffb", `a\xffb`, `a\xffb`},
		{"CJK and emoji", "王小明 👩‍⚕️", "王小明 👩‍⚕️", "王小明 👩‍⚕️"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := SafeText(tc.in); got != tc.line {
				t.Errorf("SafeText(%q) = %q, want %q", tc.in, got, tc.line)
			}
			if got := SafeBlock(tc.in); got != tc.block {
				t.Errorf("SafeBlock(%q) = %q, want %q", tc.in, got, tc.block)
			}
		})
	}
}

// terminalUnsafe reports a rune that SafeText must never let through.
func terminalUnsafe(s string, block bool) (rune, bool) {
	for _, r := range s {
		if r == '\n' && block {
			continue
		}
		if unsafeRune(r) || r == '\n' || r == '\t' {
			return r, true
		}
	}
	return 0, false
}

func FuzzSafeText(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Add("plain")
	f.Add("a\nb\tc\r")
	f.Fuzz(func(t *testing.T, s string) {
		line, block := SafeText(s), SafeBlock(s)
		if r, bad := terminalUnsafe(line, false); bad {
			t.Fatalf("SafeText(%q) = %q holds %U", s, line, r)
		}
		if r, bad := terminalUnsafe(block, true); bad {
			t.Fatalf("SafeBlock(%q) = %q holds %U", s, block, r)
		}
		if textProblem(line, false) != "" || textProblem(block, true) != "" {
			t.Fatalf("rendered text fails the free-text rule: %q %q", line, block)
		}
		if textProblem(s, false) == "" && line != s {
			t.Fatalf("safe text %q changed to %q", s, line)
		}
	})
}

func TestFreeTextKeepsOtherErrors(t *testing.T) {
	a := Appointment{PatientID: "0123456789abcdef01234567", Doctor: "ana", Start: time.Now(), Minutes: 15, Room: "R\x1b[1", Status: ApptBooked}
	var ve *ValidationError
	if err := a.Validate(); !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.For("room") != msgUnsafeText {
		t.Fatalf("Validate = %v, want only the room refused", err)
	}
}
