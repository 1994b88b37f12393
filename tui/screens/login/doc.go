// Package login is the login form and the lock screen. A successful login
// is a DoneMsg for the root, which starts (or resumes) the session; the
// screen itself keeps nothing of it.
//
// It imports tui/ui and core only, never the root or another screen.
package login
