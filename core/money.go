package core

import (
	"fmt"
	"strings"
)

// Money is an amount in the currency's minor unit (cents for EUR and USD) and
// an ISO 4217 currency code. It is never a float.
type Money struct {
	Minor    int64  `json:"minor"`
	Currency string `json:"currency"`
}

// minorDigits lists currencies whose minor unit is not one hundredth.
var minorDigits = map[string]int{"JPY": 0, "KRW": 0, "ISK": 0, "BHD": 3, "KWD": 3, "JOD": 3, "OMR": 3, "TND": 3}

// digits is the number of decimals of the currency's minor unit.
func digits(currency string) int {
	if d, ok := minorDigits[currency]; ok {
		return d
	}
	return 2
}

// ParseCurrency reads a clinic's currency as typed: an ISO 4217 code in
// any case (" chf" is CHF). Anything else is an error wrapping ErrInvalid.
func ParseCurrency(s string) (string, error) {
	code := strings.ToUpper(strings.TrimSpace(s))
	if !validCurrency(code) {
		return "", fmt.Errorf("%w: currency %q is not an ISO 4217 code like EUR or CHF", ErrInvalid, s)
	}
	return code, nil
}

// validCurrency reports whether s looks like an ISO 4217 code.
func validCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// String renders the amount with its decimals and code: "12.50 EUR".
func (m Money) String() string {
	d := digits(m.Currency)
	sign, v := "", m.Minor
	if v < 0 {
		sign, v = "-", -v
	}
	if d == 0 {
		return fmt.Sprintf("%s%d %s", sign, v, m.Currency)
	}
	p := int64(1)
	for range d {
		p *= 10
	}
	return fmt.Sprintf("%s%d.%0*d %s", sign, v/p, d, v%p, m.Currency)
}

// ParseMoney reads "12.50 EUR", "12 EUR" or "EUR 12.50".
func ParseMoney(s string) (Money, error) {
	parts := strings.Fields(strings.ToUpper(s))
	if len(parts) != 2 {
		return Money{}, fmt.Errorf("core: %q is not an amount like 12.50 EUR", s)
	}
	amt, cur := parts[0], parts[1]
	if validCurrency(amt) {
		amt, cur = cur, amt
	}
	if !validCurrency(cur) {
		return Money{}, fmt.Errorf("core: %q has no ISO currency code", s)
	}
	whole, frac, _ := strings.Cut(amt, ".")
	d := digits(cur)
	if len(frac) > d {
		return Money{}, fmt.Errorf("core: %q has more decimals than %s allows", s, cur)
	}
	frac += strings.Repeat("0", d-len(frac))
	var minor int64
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	if whole == "" {
		return Money{}, fmt.Errorf("core: %q is not an amount like 12.50 EUR", s)
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' || minor > (1<<62)/10 {
			return Money{}, fmt.Errorf("core: %q is not an amount like 12.50 EUR", s)
		}
		minor = minor*10 + int64(r-'0')
	}
	if neg {
		minor = -minor
	}
	return Money{Minor: minor, Currency: cur}, nil
}

// Add sums two amounts of the same currency.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency && m.Minor != 0 && o.Minor != 0 {
		return Money{}, fmt.Errorf("core: cannot add %s to %s", o.Currency, m.Currency)
	}
	cur := m.Currency
	if cur == "" || m.Minor == 0 && o.Currency != "" {
		cur = o.Currency
	}
	return Money{Minor: m.Minor + o.Minor, Currency: cur}, nil
}

// ParseAmount reads an amount in the clinic's currency: "20", "20.5",
// "20.50" or "20.50 EUR" (the code, when given, must be currency).
func ParseAmount(s, currency string) (Money, error) {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, " \t") {
		s += " " + currency
	}
	m, err := ParseMoney(s)
	if err != nil {
		return Money{}, fmt.Errorf("%w: %s", ErrInvalid, StripPrefixes(err.Error()))
	}
	if m.Currency != currency {
		return Money{}, fmt.Errorf("%w: %s is not in the clinic's currency %s", ErrCurrency, m, currency)
	}
	return m, nil
}

// Neg is the amount with its sign turned, for a refund.
func (m Money) Neg() Money { return Money{Minor: -m.Minor, Currency: m.Currency} }

// IsZero reports whether the amount is nothing.
func (m Money) IsZero() bool { return m.Minor == 0 }

// Rate is a tax rate in basis points: 1900 is 19%.
type Rate int

// maxRate is 100%.
const maxRate Rate = 10000

// ParseRate reads a tax rate as a fraction ("0.19"), a percentage ("19%",
// "7.5%") or "0". More than two decimals of a percent, negative rates and
// rates above 100% are refused.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	pct := strings.HasSuffix(s, "%")
	s = strings.TrimSuffix(s, "%")
	whole, frac, _ := strings.Cut(s, ".")
	scale := 4 // a fraction: 0.1900 → 1900 basis points
	if pct {
		scale = 2
	}
	if whole == "" || len(frac) > scale || strings.Trim(whole+frac, "0123456789") != "" || len(whole) > 5 {
		return 0, fmt.Errorf("%w: tax rate %q is not like 0.19 or 19%%", ErrInvalid, s)
	}
	frac += strings.Repeat("0", scale-len(frac))
	var v int
	for _, r := range whole + frac {
		v = v*10 + int(r-'0')
	}
	if Rate(v) > maxRate {
		return 0, fmt.Errorf("%w: tax rate %q is above 100%%", ErrInvalid, s)
	}
	return Rate(v), nil
}

// String renders the rate as a percentage: "19%", "7.5%", "0%".
func (r Rate) String() string {
	s := fmt.Sprintf("%d.%02d", r/100, r%100)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

// valid reports whether the rate is between 0% and 100%.
func (r Rate) valid() bool { return r >= 0 && r <= maxRate }

// of is the rate applied to an amount in minor units, rounded half away
// from zero to the minor unit.
func (r Rate) of(minor int64) int64 {
	// Split minor so that no product overflows: a line total of up to
	// 10^16 minor units times 10^4 basis points would.
	hi, lo := minor/int64(maxRate), minor%int64(maxRate)
	q := hi * int64(r)
	p := lo * int64(r)
	q += p / int64(maxRate)
	rem := p % int64(maxRate)
	switch {
	case rem*2 >= int64(maxRate):
		q++
	case rem*2 <= -int64(maxRate):
		q--
	}
	return q
}
