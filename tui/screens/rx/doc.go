// Package rx is the prescription form: drug, dose, route, frequency,
// duration, quantity and refills, checked by the session against the
// shipped formulary before it is saved. A safety alert blocks saving and
// is shown until the prescriber gives an override reason, which is saved
// with the alerts.
//
// It imports tui/ui and core only, never the root or another screen.
package rx
