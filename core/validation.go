package core

import (
	"fmt"
	"strings"
)

// ErrInvalid is returned (wrapped in a *ValidationError) when a record breaks
// one of its field rules.
var ErrInvalid = NewError(ClassValidation, "core: invalid record")

// FieldError is one broken rule, named by the field a person would correct.
type FieldError struct {
	Field   string
	Message string
}

// ValidationError lists every broken field rule of one record.
type ValidationError struct {
	Kind   Kind
	Fields []FieldError
}

// Error reads as one sentence: "patient: name is required; dob must be …".
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + " " + f.Message
	}
	return string(e.Kind) + ": " + strings.Join(parts, "; ")
}

// Unwrap lets errors.Is(err, ErrInvalid) match.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// For returns the message for one field, or "" when that field is fine.
func (e *ValidationError) For(field string) string {
	for _, f := range e.Fields {
		if f.Field == field {
			return f.Message
		}
	}
	return ""
}

// checker gathers field errors while a record is validated.
type checker struct {
	kind Kind
	errs []FieldError
}

func (c *checker) add(field, msg string) { c.errs = append(c.errs, FieldError{field, msg}) }

// require adds "is required" when s is blank.
func (c *checker) require(field, s string) bool {
	if strings.TrimSpace(s) == "" {
		c.add(field, "is required")
		return false
	}
	return true
}

// maxLen adds an error when s is longer than n characters.
func (c *checker) maxLen(field, s string, n int) {
	if len([]rune(s)) > n {
		c.add(field, fmt.Sprintf("must be at most %d characters", n))
	}
}

// err returns the gathered errors as a *ValidationError, or nil.
func (c *checker) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	return &ValidationError{Kind: c.kind, Fields: c.errs}
}
