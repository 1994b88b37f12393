// Package notify delivers the clinic's patient notifications: e-mail
// through an SMTP server (STARTTLS when the server offers it, AUTH when a
// login is set) and SMS through an HTTP gateway with a Twilio-compatible
// API. Run is one pass of `clinic notify send-due`; Loop runs it in the
// background of the desk and the clinic host.
//
// The store decides what is due, checks consent in core before every
// attempt and records every attempt and its result; this package only
// talks to the gateways, so the store and core stay free of network I/O.
// It imports the store and core, never the command tree or the TUI.
package notify
