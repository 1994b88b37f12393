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
		{"negative", func(p *Payment) { p.Amount.Minor = -100 }, []string{"amount"}},
		{"no currency", func(p *Payment) { p.Amount.Currency = "" }, []string{"amount"}},
		{"bad method", func(p *Payment) { p.Method = "barter" }, []string{"method"}},
		{"no time", func(p *Payment) { p.ReceivedAt = time.Time{} }, []string{"received_at"}},
		{"no receiver", func(p *Payment) { p.ReceivedBy = "" }, []string{"received_by"}},
		{"long reference", func(p *Payment) { p.Reference = strings.Repeat("x", 101) }, []string{"reference"}},
	})
}

func TestInvoiceStatusAfter(t *testing.T) {
	eur := func(minor int64) Payment {
		return Payment{InvoiceID: sampleID(90), Amount: Money{Minor: minor, Currency: "EUR"}}
	}
	tests := []struct {
		name     string
		status   InvoiceStatus
		payments []Payment
		want     InvoiceStatus
		wantErr  error
	}{
		{"nothing paid", InvoiceIssued, nil, InvoiceIssued, nil},
		{"part paid", InvoiceIssued, []Payment{eur(2000)}, InvoicePartiallyPaid, nil},
		{"paid in one", InvoiceIssued, []Payment{eur(6750)}, InvoicePaid, nil},
		{"paid in parts", InvoicePartiallyPaid, []Payment{eur(2000), eur(4000), eur(750)}, InvoicePaid, nil},
		{"still part paid", InvoicePartiallyPaid, []Payment{eur(2000), eur(4000)}, InvoicePartiallyPaid, nil},
		{"already paid", InvoicePaid, []Payment{eur(6750)}, InvoicePaid, nil},
		{"untouched draft", InvoiceDraft, nil, InvoiceDraft, nil},
		{"overpaid", InvoiceIssued, []Payment{eur(6000), eur(751)}, "", ErrOverpaid},
		{"currency mismatch", InvoiceIssued, []Payment{eur(2000), {InvoiceID: sampleID(90), Amount: Money{Minor: 10, Currency: "USD"}}}, "", ErrCurrency},
		{"another invoice", InvoiceIssued, []Payment{{InvoiceID: sampleID(91), Amount: Money{Minor: 10, Currency: "EUR"}}}, "", ErrInvalid},
		{"zero payment", InvoiceIssued, []Payment{eur(0)}, "", ErrInvalid},
		{"payment on a draft", InvoiceDraft, []Payment{eur(6750)}, "", ErrTransition},
		{"payment on a cancelled invoice", InvoiceCancelled, []Payment{eur(100)}, "", ErrTransition},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv := validInvoice(t)
			inv.Status = tc.status
			got, err := InvoiceStatusAfter(inv, tc.payments)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Errorf("got %q, %v; want error %v", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	t.Run("mixed item currencies", func(t *testing.T) {
		inv := validInvoice(t)
		inv.Items[0].UnitPrice.Currency = "USD"
		if _, err := InvoiceStatusAfter(inv, []Payment{eur(100)}); !errors.Is(err, ErrCurrency) {
			t.Errorf("got %v, want ErrCurrency", err)
		}
	})
}
