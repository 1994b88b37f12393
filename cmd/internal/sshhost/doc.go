// Package sshhost is the clinic host: it serves the terminal UI to thin
// terminals over SSH, one Bubble Tea program with its own renderer, window
// size, login and idle lock per SSH session, all on the one store this
// process owns, and runs the clinic commands sent as SSH exec requests.
//
// A terminal is let in only by an SSH public key an admin registered to a
// user (clinic user key add); the person then logs in with their
// passphrase, as at a desk. Nothing of one session's screens is shared
// with another's.
//
// It imports the store, the tui and the deskapp adapter; it runs commands
// through a function the clinic binary passes in, so it never imports the
// command tree.
package sshhost
