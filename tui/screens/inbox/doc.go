// Package inbox is the user's staff messages: the list with the unread
// count, newest first, and one message opened (which marks it read, with
// an append-only receipt in the store).
//
// It imports tui/ui and core only, never the root or another screen.
package inbox
