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
		{"negative visit", func(f *Fee) { f.Visit = -15 }, []string{"visit"}},
		{"visit over a day", func(f *Fee) { f.Visit = 1441 }, []string{"visit"}},
	})
}

// TestSuggestItems: a completed visit suggests the visit fee for its
// length: the shortest at least as long, else the longest; fees that are
// not visit fees are never suggested.
func TestSuggestItems(t *testing.T) {
	fee := func(code string, visit int) Fee {
		return Fee{Code: code, Description: code, Price: Money{Minor: int64(visit+1) * 100, Currency: "EUR"}, Visit: visit}
	}
	schedule := []Fee{fee("DRESS", 0), fee("CONS30", 30), fee("CONS15", 15), fee("CONS60", 60)}
	for _, tt := range []struct {
		minutes int
		fees    []Fee
		want    string
	}{
		{10, schedule, "CONS15"},
		{15, schedule, "CONS15"},
		{16, schedule, "CONS30"},
		{45, schedule, "CONS60"},
		{90, schedule, "CONS60"},
		{20, []Fee{fee("DRESS", 0)}, ""},
		{20, nil, ""},
	} {
		got := SuggestItems(Appointment{Minutes: tt.minutes}, tt.fees)
		code := ""
		if len(got) == 1 {
			code = got[0].Code
			if got[0].Quantity != 1 {
				t.Errorf("%d minutes: quantity %d", tt.minutes, got[0].Quantity)
			}
		}
		if code != tt.want || len(got) > 1 {
			t.Errorf("%d minutes: suggested %+v, want %q", tt.minutes, got, tt.want)
		}
	}
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
