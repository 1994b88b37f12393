package core

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Fee is one line of the clinic's fee schedule: a service with its code,
// what the invoice calls it, its price and its tax rate.
//
// A fee's ID depends only on its code (FeeID), so two desks that add the
// same code while offline edit one record, merged field by field, rather
// than two that disagree.
type Fee struct {
	Meta
	Code        string `json:"code"`
	Description string `json:"description"`
	Price       Money  `json:"price"`
	Tax         Rate   `json:"tax"`
	// Visit, above zero, makes this a visit fee: the fee for a visit of up
	// to that many minutes, which an invoice for a completed appointment
	// suggests (SuggestItems). Fees written before it read as zero.
	Visit int `json:"visit"`
}

// maxVisitMinutes is the longest visit a fee may be for: a day.
const maxVisitMinutes = 24 * 60

// SuggestItems are the invoice lines a completed appointment suggests from
// the fee schedule: the visit fee for its length, which is the shortest
// visit fee at least as long as the appointment, or the longest one when
// the visit ran longer than any. It is nil when no fee is a visit fee.
func SuggestItems(a Appointment, fees []Fee) []InvoiceItem {
	var fit, longest *Fee
	for i := range fees {
		f := &fees[i]
		if f.Visit <= 0 {
			continue
		}
		if f.Visit >= a.Minutes && (fit == nil || f.Visit < fit.Visit) {
			fit = f
		}
		if longest == nil || f.Visit > longest.Visit {
			longest = f
		}
	}
	if fit == nil {
		fit = longest
	}
	if fit == nil {
		return nil
	}
	return []InvoiceItem{fit.Item(1)}
}

func init() { register(KindFee, func() Entity { return &Fee{} }) }

// Kind is KindFee.
func (*Fee) Kind() Kind { return KindFee }

// FeeID is the ID of the fee with a code, the same on every workstation.
func FeeID(code string) ID {
	sum := sha256.Sum256([]byte("fee\x00" + NormalizeFeeCode(code)))
	return ID(hex.EncodeToString(sum[:12]))
}

// NormalizeFeeCode is the form codes are kept in: trimmed, upper case.
func NormalizeFeeCode(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// validFeeCode reports whether code is 1 to 20 of A-Z, 0-9, '.', '-'.
func validFeeCode(code string) bool {
	if code == "" || len(code) > 20 {
		return false
	}
	for _, r := range code {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}

// Validate checks every field and lists all that are wrong.
func (f *Fee) Validate() error {
	c := &checker{kind: KindFee}
	if !validFeeCode(f.Code) {
		c.add("code", "must be 1 to 20 of A-Z, 0-9, '.' and '-'")
	} else if f.ID != "" && f.ID != FeeID(f.Code) {
		c.add("code", "does not match the fee's id")
	}
	if c.require("description", f.Description) {
		c.maxLen("description", f.Description, 200)
	}
	switch {
	case !validCurrency(f.Price.Currency):
		c.add("price", "must have an ISO 4217 currency like EUR")
	case f.Price.Minor < 0:
		c.add("price", "must not be negative")
	case f.Price.Minor > maxUnitMinor:
		c.add("price", "must be at most "+Money{Minor: maxUnitMinor, Currency: f.Price.Currency}.String())
	}
	if !f.Tax.valid() {
		c.add("tax", "must be between 0% and 100%")
	}
	if f.Visit < 0 || f.Visit > maxVisitMinutes {
		c.add("visit", "must be 0 (not a visit fee) to 1440 minutes")
	}
	c.freeText(f)
	return c.err()
}

// Item is the invoice line for qty of this fee.
func (f *Fee) Item(qty int) InvoiceItem {
	return InvoiceItem{Code: f.Code, Description: f.Description, Quantity: qty, UnitPrice: f.Price, Tax: f.Tax}
}
