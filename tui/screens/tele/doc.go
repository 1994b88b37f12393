// Package tele is the video consultation of one appointment, opened from
// the doctor's day list (V): book it (the patient's consent is checked and
// the join link sent to them), start it, end it, with its link and how
// long it lasted. It imports core and tui/ui only.
package tele
