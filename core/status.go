package core

import (
	"fmt"
	"sort"
	"strings"
)

// ErrTransition is returned (wrapped in a *TransitionError) when a status
// change is not allowed by the record's status machine.
var ErrTransition = NewError(ClassValidation, "core: status change not allowed")

// TransitionError names the record kind and both states of a refused change.
type TransitionError struct {
	Kind     Kind
	From, To string
}

// Error reads "appointment: cannot go from completed to cancelled".
func (e *TransitionError) Error() string {
	return fmt.Sprintf("%s: cannot go from %s to %s", e.Kind, e.From, e.To)
}

// Unwrap lets errors.Is(err, ErrTransition) match.
func (e *TransitionError) Unwrap() error { return ErrTransition }

// machine is a status machine: for each state, the states it may move to.
type machine[S ~string] struct {
	kind Kind
	next map[S][]S
}

// valid reports whether s is a state of the machine.
func (m machine[S]) valid(s S) bool {
	_, ok := m.next[s]
	return ok
}

// check returns nil when from → to is allowed, or a *TransitionError.
func (m machine[S]) check(from, to S) error {
	for _, n := range m.next[from] {
		if n == to {
			return nil
		}
	}
	return &TransitionError{Kind: m.kind, From: string(from), To: string(to)}
}

// checkState adds a field error to c when s is not a state of the machine,
// listing the states that are.
func (m machine[S]) checkState(c *checker, field string, s S) {
	if m.valid(s) {
		return
	}
	names := make([]string, 0, len(m.next))
	for st := range m.next {
		names = append(names, string(st))
	}
	sort.Strings(names)
	c.add(field, "must be one of "+strings.Join(names, ", "))
}
