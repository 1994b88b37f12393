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
