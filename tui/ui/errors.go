package ui

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"medisecure/core"
)

// packagePrefixes are the package names Go errors start their messages
// with; a person at the desk has no use for them.
var packagePrefixes = map[string]bool{"core": true, "store": true, "sync": true, "tui": true, "bbolt": true}

// Describe turns an error into one sentence for the screen: what happened,
// without Go's chain of package prefixes.
func Describe(err error) string {
	if err == nil {
		return ""
	}
	var (
		locked *core.LockedError
		denied *core.DeniedError
		clash  *core.ClashError
		inval  *core.ValidationError
		trans  *core.TransitionError
	)
	switch {
	case errors.Is(err, core.ErrAuth):
		return core.ErrAuth.Error()
	case errors.As(err, &locked):
		return locked.Error()
	case errors.As(err, &denied):
		return Sentence(denied.Error())
	case errors.Is(err, core.ErrDenied):
		return "You are not permitted to do that."
	case errors.As(err, &clash):
		return Sentence("that time clashes: " + stripPrefixes(clash.Error()))
	case errors.As(err, &inval):
		return Sentence("please check " + fieldList(inval))
	case errors.As(err, &trans):
		return Sentence(string(trans.Kind) + " cannot go from " + StatusWord(trans.From) + " to " + StatusWord(trans.To))
	}
	return Sentence(stripPrefixes(err.Error()))
}

// stripPrefixes drops every "core: ", "store: " … part of an error chain.
func stripPrefixes(msg string) string {
	parts := strings.Split(msg, ": ")
	kept := parts[:0]
	for _, p := range parts {
		if !packagePrefixes[p] {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ": ")
}

// fieldList reads a validation error as "name is required; dob is in the
// future".
func fieldList(e *core.ValidationError) string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = FieldLabel(f.Field) + " " + f.Message
	}
	return strings.Join(parts, "; ")
}

// FieldLabel is how the screen names a record field.
func FieldLabel(f string) string {
	switch f {
	case "dob":
		return "date of birth"
	case "minutes":
		return "length"
	case "email":
		return "e-mail"
	case "emergency_contact":
		return "emergency contact"
	}
	return strings.ReplaceAll(f, "_", " ")
}

// Sentence starts msg with a capital and ends it with a full stop.
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
