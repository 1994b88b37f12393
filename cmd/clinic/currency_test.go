package main

import (
	"strings"
	"testing"
)

// Every clinic billed in EUR: no command set the organisation's currency.
// clinic init --currency does, fees and invoices follow it, and a code that
// is not ISO 4217 is refused before anything is written.
func TestInitSetsTheClinicCurrency(t *testing.T) {
	bad := newCLI(t)
	bad.as("admin", "admin-pass")
	bad.expect(exitValidation, `currency "francs" is not an ISO 4217 code`, "init", "--org", "Bad", "--admin", "admin", "--currency", "francs")
	bad.expect(exitStore, ``, "user", "list")

	c := newCLI(t)
	c.as("admin", "admin-pass")
	c.must("init", "--org", "Swiss Clinic", "--admin", "admin", "--zone", "Europe/Zurich", "--currency", "chf")
	c.vars["CLINIC_NEW_PASSPHRASE"] = "staff-pass"
	c.must("user", "add", "--role", "billing", "billing")
	c.as("billing", "staff-pass")
	c.must("fee", "add", "CONS", "--price", "45.00", "--desc", "Consultation")
	if out := c.must("fee", "list"); !strings.Contains(out, "45.00 CHF") || strings.Contains(out, "EUR") {
		t.Errorf("fee list in a CHF clinic:\n%s", out)
	}
}
