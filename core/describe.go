package core

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Describe turns an error into what a person reads and the CLI's exit
// code, for the TUI and the CLI alike: one sentence, capitalised and ending
// in a full stop, without Go's package prefixes, with every time in the
// clinic's zone and every character made safe for a terminal (SafeText).
// The sentence comes from the first row of the wording table the error
// matches, else from the error's own text with the prefixes dropped; the
// exit code from the error's Class. nil gives "" and 0.
func Describe(err error, zone *time.Location) (sentence string, exit int) {
	if err == nil {
		return "", 0
	}
	if zone == nil {
		zone = time.UTC
	}
	msg := ""
	for _, row := range wording {
		if errors.Is(err, row.is) {
			msg = row.say(err, zone)
			break
		}
	}
	if msg == "" {
		msg = StripPrefixes(err.Error())
	}
	return Sentence(SafeText(msg)), ClassOf(err).Exit()
}

// wording is the one table from error to user wording: the first row whose
// sentinel the error matches (errors.Is) says it. Rows for typed errors
// read the type's fields (times in the zone); the more specific rows come
// first (a StatusTimeError also matches ErrInvalid).
var wording = []struct {
	is  error
	say func(err error, zone *time.Location) string
}{
	{ErrAuth, func(error, *time.Location) string { return "wrong user or passphrase" }},
	{ErrLocked, sayLocked},
	{ErrDenied, sayDenied},
	{ErrClash, sayClash},
	{ErrStatusTime, sayStatusTime},
	{ErrTransition, sayTransition},
	{ErrInvalid, sayInvalid},
}

// sayLocked says until when, in the clinic's zone.
func sayLocked(err error, zone *time.Location) string {
	var e *LockedError
	if !errors.As(err, &e) {
		return "this user is locked out for now; try again later"
	}
	return "too many failed logins; try again after " + e.Until.In(zone).Format("15:04:05 MST")
}

// sayDenied names the role, the action and the reason.
func sayDenied(err error, _ *time.Location) string {
	var e *DeniedError
	if !errors.As(err, &e) {
		return "you are not permitted to do that"
	}
	return e.Error()
}

// sayClash names what the time collides with and the next free slot.
func sayClash(err error, zone *time.Location) string {
	var e *ClashError
	if !errors.As(err, &e) {
		return "that time clashes with another appointment"
	}
	msg := "that time clashes: " + StripPrefixes(e.Error())
	switch {
	case e.HasNext:
		msg += "; next free slot: " + e.Next.In(zone).Format("Mon 2 Jan 2006 15:04")
	case e.SearchedDays > 0:
		msg += fmt.Sprintf("; no free slot in the next %d days", e.SearchedDays)
	}
	return msg
}

// sayStatusTime says on which day, or after which time, the change can be
// made.
func sayStatusTime(err error, zone *time.Location) string {
	var e *StatusTimeError
	if !errors.As(err, &e) {
		return "that status change cannot be made now"
	}
	start := e.Start.In(zone)
	if e.Early {
		return fmt.Sprintf("this appointment can be %s only after it starts at %s", statusVerbs[e.To], start.Format("15:04"))
	}
	return fmt.Sprintf("this appointment can be %s only on its day, %s", statusVerbs[e.To], start.Format("Mon 2 Jan 2006"))
}

// sayTransition names both states in words.
func sayTransition(err error, _ *time.Location) string {
	var e *TransitionError
	if !errors.As(err, &e) {
		return "that status change is not allowed"
	}
	if e.To == "moved" {
		return "only booked appointments can be moved; this one is " + StatusWord(e.From)
	}
	return fmt.Sprintf("%s cannot go from %s to %s", e.Kind, StatusWord(e.From), StatusWord(e.To))
}

// sayInvalid lists every broken field rule by the field's label.
func sayInvalid(err error, _ *time.Location) string {
	var e *ValidationError
	if !errors.As(err, &e) {
		return ""
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = FieldLabel(f.Field) + " " + f.Message
	}
	return "please check " + strings.Join(parts, "; ")
}

// fieldLabels name record fields as a screen does, where the JSON name is
// not the word a person uses.
var fieldLabels = map[string]string{
	"dob":     "date of birth",
	"minutes": "length",
	"email":   "e-mail",
}

// FieldLabel is how a person reads a record field: "date of birth" for dob,
// "emergency contact" for emergency_contact.
func FieldLabel(field string) string {
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	return strings.ReplaceAll(field, "_", " ")
}

// StatusWord is a status in words: "checked in", "no-show".
func StatusWord(s string) string {
	if s == string(ApptNoShow) {
		return "no-show"
	}
	return strings.ReplaceAll(s, "_", " ")
}

// errorPrefixes are the package names Go error messages start with (and
// repeat at every wrapped part); a person has no use for them. This is the
// only such list.
var errorPrefixes = map[string]bool{
	"core": true, "store": true, "seed": true, "sync": true, "client": true, "server": true,
	"invite": true, "envelope": true, "auth": true, "boltstore": true, "tui": true, "clinic": true, "bbolt": true, "ocr": true,
}

// StripPrefixes drops every "core: ", "store: " … part of an error chain's
// text.
func StripPrefixes(msg string) string {
	parts := strings.Split(msg, ": ")
	kept := parts[:0]
	for _, p := range parts {
		if !errorPrefixes[p] {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ": ")
}

// Sentence starts msg with a capital letter and ends it with a full stop.
func Sentence(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(msg)
	msg = string(unicode.ToUpper(r)) + msg[n:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}
