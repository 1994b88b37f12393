// Package conflicts lists the open conflicts sync found (a doctor, room or
// patient booked twice by offline desks, a refill approved twice by
// offline doctors) and resolves one with a key: keep one appointment and
// cancel or move the other; for a refill, say whether both dispensings
// stand or the second was recalled, with a reason. Neither side is ever
// dropped unasked.
//
// It imports tui/ui and core only, never the root or another screen.
package conflicts
