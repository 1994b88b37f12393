// Package nurse is the nurse's home screen: today's visits across the
// clinic, the patients waiting first, and the refill requests queued for
// a doctor. One key opens the selected patient's chart, where the nurse
// records vitals, asks for refills, sets reminders and records doses
// taken, missed or late.
//
// It asks the root for the chart by route; it imports tui/ui and core
// only, never the root or another screen.
package nurse
