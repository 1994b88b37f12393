package core

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func validInvoice(tb testing.TB) *Invoice {
	tb.Helper()
	return &Invoice{
		Meta: sampleMeta(90), PatientID: sampleID(1), AppointmentID: sampleID(2), Number: "2025-0042",
		Items: []InvoiceItem{
			{Description: "Consultation", Quantity: 1, UnitPrice: Money{Minor: 6000, Currency: "EUR"}, Code: "C01"},
			{Description: "Dressing", Quantity: 3, UnitPrice: Money{Minor: 250, Currency: "EUR"}},
		},
		Currency: "EUR", Status: InvoiceIssued, IssuedAt: sampleAt, DueDate: "2025-04-13", Notes: "thank you",
	}
}

func validPayment(tb testing.TB) *Payment {
	tb.Helper()
	return &Payment{
		Meta: sampleMeta(91), InvoiceID: sampleID(90), PatientID: sampleID(1), Amount: Money{Minor: 2000, Currency: "EUR"},
		Method: PaymentCard, ReceivedAt: sampleAt, ReceivedBy: "reception1", Reference: "slip 8812",
	}
}

func TestInvoiceValidate(t *testing.T) {
	assertValid(t, validInvoice(t))
	t.Run("empty draft", func(t *testing.T) {
		inv := validInvoice(t)
		inv.Items, inv.Status, inv.IssuedAt, inv.AppointmentID, inv.DueDate = nil, InvoiceDraft, time.Time{}, "", ""
		assertValid(t, inv)
	})
	runInvalid(t, validInvoice, []invalidCase[*Invoice]{
		{"no patient", func(inv *Invoice) { inv.PatientID = "" }, []string{"patient"}},
		{"malformed appointment", func(inv *Invoice) { inv.AppointmentID = "a" }, []string{"appointment"}},
		{"no number", func(inv *Invoice) { inv.Number = "" }, []string{"number"}},
		{"long number", func(inv *Invoice) { inv.Number = strings.Repeat("9", 41) }, []string{"number"}},
		{"bad currency", func(inv *Invoice) { inv.Currency = "eur" }, []string{"currency", "items[0].unit_price", "items[1].unit_price"}},
		{"bad status", func(inv *Invoice) { inv.Status = "overdue" }, []string{"status"}},
		{"issued without items", func(inv *Invoice) { inv.Items = nil }, []string{"items"}},
		{"too many items", func(inv *Invoice) {
			for len(inv.Items) <= maxInvoiceItems {
				inv.Items = append(inv.Items, inv.Items[1])
			}
		}, []string{"items"}},
		{"no description", func(inv *Invoice) { inv.Items[1].Description = "" }, []string{"items[1].description"}},
		{"zero quantity", func(inv *Invoice) { inv.Items[0].Quantity = 0 }, []string{"items[0].quantity"}},
		{"other currency", func(inv *Invoice) { inv.Items[1].UnitPrice.Currency = "USD" }, []string{"items[1].unit_price"}},
		{"negative price", func(inv *Invoice) { inv.Items[1].UnitPrice.Minor = -1 }, []string{"items[1].unit_price"}},
		{"absurd price", func(inv *Invoice) { inv.Items[1].UnitPrice.Minor = maxUnitMinor + 1 }, []string{"items[1].unit_price"}},
		{"long code", func(inv *Invoice) { inv.Items[0].Code = strings.Repeat("c", 21) }, []string{"items[0].code"}},
		{"issued when?", func(inv *Invoice) { inv.IssuedAt = time.Time{} }, []string{"issued_at"}},
		{"bad due date", func(inv *Invoice) { inv.DueDate = "2025-04-31" }, []string{"due_date"}},
		{"long notes", func(inv *Invoice) { inv.Notes = strings.Repeat("x", 2001) }, []string{"notes"}},
	})
}

func TestInvoiceStatus(t *testing.T) {
	states := []InvoiceStatus{InvoiceDraft, InvoiceIssued, InvoicePartiallyPaid, InvoicePaid, InvoiceCancelled}
	assertMachine(t, InvoiceStatus.CheckTransition, states, map[[2]InvoiceStatus]bool{
		{InvoiceDraft, InvoiceIssued}:         true,
		{InvoiceIssued, InvoicePartiallyPaid}: true,
		{InvoiceIssued, InvoicePaid}:          true,
		{InvoiceIssued, InvoiceCancelled}:     true,
		{InvoicePartiallyPaid, InvoicePaid}:   true,
		{InvoicePartiallyPaid, InvoiceIssued}: true,
		{InvoicePaid, InvoicePartiallyPaid}:   true,
		{InvoicePaid, InvoiceIssued}:          true,
	})
	assertParse(t, ParseInvoiceStatus, states)
}

func TestInvoiceTotal(t *testing.T) {
	t.Run("sums quantity times price", func(t *testing.T) {
		got, err := validInvoice(t).Total()
		if err != nil {
			t.Fatal(err)
		}
		if want := (Money{Minor: 6750, Currency: "EUR"}); got != want {
			t.Errorf("Total = %v, want %v", got, want)
		}
	})
	t.Run("empty", func(t *testing.T) {
		inv := validInvoice(t)
		inv.Items = nil
		if got, err := inv.Total(); err != nil || got != (Money{Currency: "EUR"}) {
			t.Errorf("Total = %v, %v; want 0.00 EUR", got, err)
		}
	})
	t.Run("currency mismatch", func(t *testing.T) {
		inv := validInvoice(t)
		inv.Items[1].UnitPrice.Currency = "USD"
		_, err := inv.Total()
		if !errors.Is(err, ErrCurrency) {
			t.Fatalf("got %v, want ErrCurrency", err)
		}
		if !strings.Contains(err.Error(), "Dressing") {
			t.Errorf("message %q does not name the item", err)
		}
	})
	t.Run("overflow", func(t *testing.T) {
		inv := validInvoice(t)
		inv.Items[0].UnitPrice.Minor = math.MaxInt64 / 2
		inv.Items[1].UnitPrice.Minor = math.MaxInt64 / 2
		if _, err := inv.Total(); err == nil {
			t.Error("overflowing total accepted")
		}
	})
}

func TestPaymentValidate(t *testing.T) {
	assertValid(t, validPayment(t))
	for _, m := range PaymentMethods {
		t.Run(string(m), func(t *testing.T) {
			p := validPayment(t)
			p.Method = m
			assertValid(t, p)
		})
	}
	runInvalid(t, validPayment, []invalidCase[*Payment]{
		{"no invoice", func(p *Payment) { p.InvoiceID = "" }, []string{"invoice"}},
		{"malformed invoice", func(p *Payment) { p.InvoiceID = "inv" }, []string{"invoice"}},
		{"no patient", func(p *Payment) { p.PatientID = "" }, []string{"patient"}},
		{"zero", func(p *Payment) { p.Amount.Minor = 0 }, []string{"amount"}},
		{"absurd", func(p *Payment) { p.Amount.Minor = 1 << 62 }, []string{"amount"}},
		{"no currency", func(p *Payment) { p.Amount.Currency = "" }, []string{"amount"}},
		{"bad method", func(p *Payment) { p.Method = "barter" }, []string{"method"}},
		{"no time", func(p *Payment) { p.ReceivedAt = time.Time{} }, []string{"received_at"}},
		{"no receiver", func(p *Payment) { p.ReceivedBy = "" }, []string{"received_by"}},
		{"long reference", func(p *Payment) { p.Reference = strings.Repeat("x", 101) }, []string{"reference"}},
	})
}

func TestInvoiceAccount(t *testing.T) {
	eur := func(minor int64) Payment {
		return Payment{InvoiceID: sampleID(90), Amount: Money{Minor: minor, Currency: "EUR"}}
	}
	tests := []struct {
		name     string
		status   InvoiceStatus
		payments []Payment
		want     InvoiceStatus
		balance  int64
		wantErr  error
	}{
		{"nothing paid", InvoiceIssued, nil, InvoiceIssued, 6750, nil},
		{"part paid", InvoiceIssued, []Payment{eur(2000)}, InvoicePartiallyPaid, 4750, nil},
		{"paid in one", InvoiceIssued, []Payment{eur(6750)}, InvoicePaid, 0, nil},
		{"paid in parts", InvoiceIssued, []Payment{eur(2000), eur(4000), eur(750)}, InvoicePaid, 0, nil},
		{"refunded back to part paid", InvoiceIssued, []Payment{eur(6750), eur(-750)}, InvoicePartiallyPaid, 750, nil},
		{"refunded in full", InvoiceIssued, []Payment{eur(6750), eur(-6750)}, InvoiceIssued, 6750, nil},
		{"overpaid", InvoiceIssued, []Payment{eur(6750), eur(6750)}, InvoicePaid, -6750, nil},
		{"untouched draft", InvoiceDraft, nil, InvoiceDraft, 0, nil},
		{"cancelled owes nothing", InvoiceCancelled, nil, InvoiceCancelled, 0, nil},
		{"paid after cancelling is credit", InvoiceCancelled, []Payment{eur(100)}, InvoiceCancelled, -100, nil},
		{"currency mismatch", InvoiceIssued, []Payment{eur(2000), {InvoiceID: sampleID(90), Amount: Money{Minor: 10, Currency: "USD"}}}, "", 0, ErrCurrency},
		{"another invoice", InvoiceIssued, []Payment{{InvoiceID: sampleID(91), Amount: Money{Minor: 10, Currency: "EUR"}}}, "", 0, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv := validInvoice(t)
			inv.Status = tc.status
			got, err := InvoiceAccount(inv, tc.payments)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Errorf("got %+v, %v; want error %v", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got.Status != tc.want || got.Balance.Minor != tc.balance {
				t.Errorf("got %+v, %v; want %q balance %d", got, err, tc.want, tc.balance)
			}
			if got.Overpaid() != (tc.balance < 0) {
				t.Errorf("Overpaid = %v with balance %d", got.Overpaid(), tc.balance)
			}
		})
	}
}

func TestInvoiceTotalsDiscountAndTax(t *testing.T) {
	inv := validInvoice(t)
	// 60.00 less 10.00 at 19% is 50.00 + 9.50; 3 × 2.50 at 7% is 7.50 + 0.525 → 0.53.
	inv.Items[0].Discount = Money{Minor: 1000, Currency: "EUR"}
	inv.Items[0].Tax = 1900
	inv.Items[1].Tax = 700
	assertValid(t, inv)
	got, err := inv.Totals()
	if err != nil {
		t.Fatal(err)
	}
	want := Totals{Net: Money{5750, "EUR"}, Tax: Money{1003, "EUR"}, Gross: Money{6753, "EUR"}}
	if got != want {
		t.Errorf("Totals = %+v, want %+v", got, want)
	}
	runInvalid(t, validInvoice, []invalidCase[*Invoice]{
		{"discount above the line", func(inv *Invoice) { inv.Items[1].Discount = Money{Minor: 751, Currency: "EUR"} }, []string{"items[1].discount"}},
		{"negative discount", func(inv *Invoice) { inv.Items[1].Discount = Money{Minor: -1, Currency: "EUR"} }, []string{"items[1].discount"}},
		{"discount in dollars", func(inv *Invoice) { inv.Items[1].Discount = Money{Minor: 1, Currency: "USD"} }, []string{"items[1].discount"}},
		{"tax above 100%", func(inv *Invoice) { inv.Items[0].Tax = 10001 }, []string{"items[0].tax"}},
		{"cancelled without credit note", func(inv *Invoice) { inv.Status = InvoiceCancelled }, []string{"credit_note", "cancel_reason", "cancelled_at"}},
	})
}

func TestRefundValidate(t *testing.T) {
	refund := func(tb testing.TB) *Payment {
		p := validPayment(tb)
		p.Amount.Minor, p.RefundOf, p.Reason = -500, sampleID(92), "charged twice"
		return p
	}
	assertValid(t, refund(t))
	runInvalid(t, refund, []invalidCase[*Payment]{
		{"refund of nothing", func(p *Payment) { p.RefundOf = "" }, []string{"refund_of"}},
		{"refund without reason", func(p *Payment) { p.Reason = " " }, []string{"reason"}},
		{"payment naming a refund", func(p *Payment) { p.Amount.Minor = 500 }, []string{"refund_of"}},
	})
}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]Rate{"0.19": 1900, "19%": 1900, "7.5%": 750, "0": 0, "0.075": 750, "1": 10000, "100%": 10000, "0.1234": 1234} {
		if got, err := ParseRate(in); err != nil || got != want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-0.1", "1.5", "101%", "abc", "0.12345", "7.555%"} {
		if _, err := ParseRate(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseRate(%q) = %v, want ErrInvalid", in, err)
		}
	}
	if s := Rate(750).String(); s != "7.5%" {
		t.Errorf("String = %q", s)
	}
	if s := Rate(1900).String(); s != "19%" {
		t.Errorf("String = %q", s)
	}
}

func TestRateRoundsHalfAwayFromZero(t *testing.T) {
	for _, tc := range []struct {
		minor int64
		r     Rate
		want  int64
	}{{750, 700, 53}, {50, 1000, 5}, {5, 1000, 1}, {4, 1000, 0}, {-5, 1000, -1}, {maxUnitMinor * maxItemQuantity, 10000, maxUnitMinor * maxItemQuantity}} {
		if got := tc.r.of(tc.minor); got != tc.want {
			t.Errorf("%v of %d = %d, want %d", tc.r, tc.minor, got, tc.want)
		}
	}
}

func TestParseAmount(t *testing.T) {
	for in, want := range map[string]int64{"20": 2000, "20.5": 2050, "20.50": 2050, "20.50 EUR": 2050, "EUR 0.01": 1} {
		if got, err := ParseAmount(in, "EUR"); err != nil || got != (Money{want, "EUR"}) {
			t.Errorf("ParseAmount(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseAmount("20 USD", "EUR"); !errors.Is(err, ErrCurrency) {
		t.Errorf("other currency: %v", err)
	}
	if _, err := ParseAmount("20.505", "EUR"); !errors.Is(err, ErrInvalid) {
		t.Errorf("three decimals: %v", err)
	}
}

func TestDayEndAndAgeing(t *testing.T) {
	day := DateOf(sampleAt, time.UTC)
	pay := func(desk, user string, m PaymentMethod, minor int64, at time.Time) Payment {
		return Payment{Desk: desk, ReceivedBy: user, Method: m, Amount: Money{minor, "EUR"}, ReceivedAt: at}
	}
	ps := []Payment{
		pay("d1", "desk", PaymentCash, 2000, sampleAt),
		pay("d1", "desk", PaymentCash, -500, sampleAt),
		pay("d2", "billing", PaymentCard, 4000, sampleAt),
		pay("d1", "desk", PaymentCash, 999, sampleAt.AddDate(0, 0, 1)),
	}
	r := DayEnd(day, time.UTC, "EUR", ps)
	if r.Total.Minor != 5500 || r.ByMethod[PaymentCash].Minor != 1500 || r.ByMethod[PaymentCard].Minor != 4000 || len(r.Lines) != 2 {
		t.Fatalf("DayEnd = %+v", r)
	}
	if l := r.Lines[0]; l.Desk != "d1" || l.Count != 2 || l.Refunds.Minor != -500 || l.Total.Minor != 1500 {
		t.Errorf("line = %+v", l)
	}
	for _, tc := range []struct {
		days int
		want AgeBand
	}{{0, Age0to30}, {30, Age0to30}, {31, Age31to60}, {60, Age31to60}, {61, Age61to90}, {90, Age61to90}, {91, AgeOver90}} {
		if got := AgeOf(day, day.AddDays(tc.days)); got != tc.want {
			t.Errorf("%d days: %s, want %s", tc.days, got, tc.want)
		}
	}
}
