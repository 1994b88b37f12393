package rx

import "medisecure/core"

// Port is what prescribing needs of a session.
type Port interface {
	// Prescribe saves a prescription after the safety checks; alerts
	// without an override reason are a *core.SafetyError and save
	// nothing.
	Prescribe(p core.Prescription, override string) (core.Prescription, error)
}
