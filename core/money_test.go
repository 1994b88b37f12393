package core

import (
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in     string
		want   Money
		errHas string
	}{
		{"12.50 EUR", Money{1250, "EUR"}, ""},
		{"12.5 EUR", Money{1250, "EUR"}, ""},
		{"12 EUR", Money{1200, "EUR"}, ""},
		{"0.05 USD", Money{5, "USD"}, ""},
		{"EUR 12.50", Money{1250, "EUR"}, ""},
		{"12.50 eur", Money{1250, "EUR"}, ""},
		{"  12.50\tEUR ", Money{1250, "EUR"}, ""},
		{"1000 JPY", Money{1000, "JPY"}, ""},
		{"JPY 1000", Money{1000, "JPY"}, ""},
		{"1.234 BHD", Money{1234, "BHD"}, ""},
		{"1.5 BHD", Money{1500, "BHD"}, ""},
		{"-12.50 EUR", Money{-1250, "EUR"}, ""},
		{"EUR -0.01", Money{-1, "EUR"}, ""},
		{"-500 JPY", Money{-500, "JPY"}, ""},
		{"0 EUR", Money{0, "EUR"}, ""},
		{"1000000000.00 EUR", Money{100000000000, "EUR"}, ""},
		{"12.505 EUR", Money{}, "more decimals than EUR allows"},
		{"1000.5 JPY", Money{}, "more decimals than JPY allows"},
		{"1.2345 BHD", Money{}, "more decimals than BHD allows"},
		{"12.50 EU", Money{}, "no ISO currency code"},
		{"12.50 EURO", Money{}, "no ISO currency code"},
		{"12.50 E1R", Money{}, "no ISO currency code"},
		{"12.50 €", Money{}, "no ISO currency code"},
		{"12.50", Money{}, "not an amount"},
		{"", Money{}, "not an amount"},
		{"12.50 EUR extra", Money{}, "not an amount"},
		{"- 12.50 EUR", Money{}, "not an amount"},
		{"abc EUR", Money{}, "not an amount"},
		{"12,50 EUR", Money{}, "not an amount"},
		{".50 EUR", Money{}, "not an amount"},
		{"- EUR", Money{}, "not an amount"},
		{"--12 EUR", Money{}, "not an amount"},
		{"+12 EUR", Money{}, "not an amount"},
		{"12.-5 EUR", Money{}, "not an amount"},
		{"1e3 EUR", Money{}, "not an amount"},
		{"EUR EUR", Money{}, "not an amount"},
		{"99999999999999999999 EUR", Money{}, "not an amount"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMoney(tt.in)
			if tt.errHas != "" {
				if err == nil {
					t.Fatalf("ParseMoney(%q) = %+v, want an error", tt.in, got)
				}
				if msg := err.Error(); !strings.HasPrefix(msg, "core: ") || !strings.Contains(msg, tt.errHas) {
					t.Errorf("error = %q, want a core: error containing %q", msg, tt.errHas)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseMoney(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestMoneyString(t *testing.T) {
	tests := []struct {
		m    Money
		want string
	}{
		{Money{1250, "EUR"}, "12.50 EUR"},
		{Money{5, "EUR"}, "0.05 EUR"},
		{Money{0, "USD"}, "0.00 USD"},
		{Money{-1250, "EUR"}, "-12.50 EUR"},
		{Money{-5, "EUR"}, "-0.05 EUR"},
		{Money{1000, "JPY"}, "1000 JPY"},
		{Money{-1000, "JPY"}, "-1000 JPY"},
		{Money{1234, "BHD"}, "1.234 BHD"},
		{Money{7, "KWD"}, "0.007 KWD"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.m.String(); got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestMoneyRoundTrip checks that every amount reads back from its own
// rendering unchanged.
func TestMoneyRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := Money{
			Minor:    rapid.Int64Range(-1e15, 1e15).Draw(t, "minor"),
			Currency: rapid.SampledFrom([]string{"EUR", "USD", "JPY", "BHD", "CHF"}).Draw(t, "currency"),
		}
		got, err := ParseMoney(m.String())
		if err != nil || got != m {
			t.Fatalf("ParseMoney(%q) = %+v, %v; want %+v", m.String(), got, err, m)
		}
	})
}

func TestMoneyAdd(t *testing.T) {
	tests := []struct {
		name string
		a, b Money
		want Money
		ok   bool
	}{
		{"same currency", Money{500, "EUR"}, Money{725, "EUR"}, Money{1225, "EUR"}, true},
		{"to a refund", Money{500, "EUR"}, Money{-500, "EUR"}, Money{0, "EUR"}, true},
		{"zero value takes the other currency", Money{}, Money{500, "EUR"}, Money{500, "EUR"}, true},
		{"adding the zero value", Money{500, "EUR"}, Money{}, Money{500, "EUR"}, true},
		{"zero in another currency", Money{0, "USD"}, Money{500, "EUR"}, Money{500, "EUR"}, true},
		{"adding zero in another currency", Money{500, "EUR"}, Money{0, "USD"}, Money{500, "EUR"}, true},
		{"different currencies", Money{500, "EUR"}, Money{500, "USD"}, Money{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.a.Add(tt.b)
			if !tt.ok {
				if err == nil || !strings.Contains(err.Error(), "cannot add USD to EUR") {
					t.Fatalf("Add = %+v, %v; want a currency error", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Add = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}
