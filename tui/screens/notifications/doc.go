// Package notifications is the list of what waits for the user in the
// app: unread messages, refill requests to decide, open conflicts, new
// documents and patient notifications that failed. Enter opens the page
// where each is dealt with. It imports core and tui/ui only.
package notifications
