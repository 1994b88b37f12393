package core

import "errors"

// Class is what kind of failure an error is: it decides what a person is
// told to do about it and the CLI's exit code. Errors carry their class:
// every sentinel of core, store and sync is made with NewError, and any
// error type may implement Classifier.
type Class int

// The classes of failure. The zero value, ClassUnknown, is an error that
// carries no class; it is treated as a store failure (exit 4).
const (
	ClassUnknown Class = iota
	// ClassUsage: the command line itself was wrong (exit 1).
	ClassUsage
	// ClassAuth: wrong user or passphrase, locked out, or not permitted
	// (exit 2).
	ClassAuth
	// ClassValidation: the input breaks a rule; correct it (exit 3).
	ClassValidation
	// ClassConflict: the input collides with what is stored (a taken slot,
	// an existing user); choose something else (exit 3).
	ClassConflict
	// ClassStore: the local store cannot do it (damaged, in use, newer)
	// (exit 4).
	ClassStore
	// ClassSync: the sync server or the link failed (exit 4).
	ClassSync
)

// classes is the one table of classes: name and exit code.
var classes = map[Class]struct {
	name string
	exit int
}{
	ClassUnknown:    {"unknown", 4},
	ClassUsage:      {"usage", 1},
	ClassAuth:       {"auth", 2},
	ClassValidation: {"validation", 3},
	ClassConflict:   {"conflict", 3},
	ClassStore:      {"store", 4},
	ClassSync:       {"sync", 4},
}

// Exit is the CLI exit code of the class: 1 usage, 2 auth or permission, 3
// validation or conflict, 4 store or sync.
func (c Class) Exit() int { return classes[c].exit }

// String names the class.
func (c Class) String() string { return classes[c].name }

// Classifier is an error that knows its class.
type Classifier interface {
	error
	ErrorClass() Class
}

// classedError is a sentinel error with a class.
type classedError struct {
	msg   string
	class Class
}

func (e *classedError) Error() string     { return e.msg }
func (e *classedError) ErrorClass() Class { return e.class }

// NewError makes a sentinel error of a class, for "var ErrX = …"
// declarations: errors.Is matches it as errors.New's would, and ClassOf
// finds its class through any wrapping.
func NewError(class Class, msg string) error { return &classedError{msg: msg, class: class} }

// ClassOf is the class of the first error in err's chain that has one, or
// ClassUnknown.
func ClassOf(err error) Class {
	var c Classifier
	if errors.As(err, &c) {
		return c.ErrorClass()
	}
	return ClassUnknown
}
