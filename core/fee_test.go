package core

import (
	"strings"
	"testing"
)

func validFee(tb testing.TB) *Fee {
	tb.Helper()
	return &Fee{Meta: Meta{ID: FeeID("CONS"), CreatedAt: sampleAt, UpdatedAt: sampleAt, CreatedBy: "billing"}, Code: "CONS", Description: "Consultation", Price: Money{Minor: 4500, Currency: "EUR"}, Tax: 1900}
}

func TestFeeValidate(t *testing.T) {
	assertValid(t, validFee(t))
	runInvalid(t, validFee, []invalidCase[*Fee]{
		{"no code", func(f *Fee) { f.Code = "" }, []string{"code"}},
		{"lower-case code", func(f *Fee) { f.Code = "cons" }, []string{"code"}},
		{"long code", func(f *Fee) { f.Code = strings.Repeat("C", 21) }, []string{"code"}},
		{"code of another fee", func(f *Fee) { f.Code = "XRAY" }, []string{"code"}},
		{"no description", func(f *Fee) { f.Description = "" }, []string{"description"}},
		{"negative price", func(f *Fee) { f.Price.Minor = -1 }, []string{"price"}},
		{"no currency", func(f *Fee) { f.Price.Currency = "" }, []string{"price"}},
		{"tax above 100%", func(f *Fee) { f.Tax = 10001 }, []string{"tax"}},
	})
}

func TestFeeIDDependsOnlyOnTheCode(t *testing.T) {
	if FeeID("cons ") != FeeID("CONS") || FeeID("CONS") == FeeID("XRAY") {
		t.Error("FeeID does not follow the normalised code")
	}
	it := validFee(t).Item(2)
	if it.Quantity != 2 || it.Code != "CONS" || it.Tax != 1900 || it.UnitPrice.Minor != 4500 {
		t.Errorf("Item = %+v", it)
	}
}
