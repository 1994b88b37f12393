package core

import (
	"strings"
	"testing"
	"time"
)

func TestPatientValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(p *Patient)
		want map[string]string
	}{
		{"valid", func(*Patient) {}, nil},
		{"only the required fields", func(p *Patient) { *p = Patient{Meta: p.Meta, Name: p.Name, DOB: p.DOB} }, nil},
		{"accented name", func(p *Patient) { p.Name = "José Núñez-García" }, nil},
		{"CJK name", func(p *Patient) { p.Name = "李小龍" }, nil},
		{"Icelandic name", func(p *Patient) { p.Name = "Þórunn Ólafsdóttir" }, nil},
		{"name of 120 letters", func(p *Patient) { p.Name = strings.Repeat("ż", 120) }, nil},
		{"no name", func(p *Patient) { p.Name = "" }, map[string]string{"name": "is required"}},
		{"blank name", func(p *Patient) { p.Name = " \t " }, map[string]string{"name": "is required"}},
		{"name of 121 letters", func(p *Patient) { p.Name = strings.Repeat("ż", 121) }, map[string]string{"name": "at most 120 characters"}},
		{"no dob", func(p *Patient) { p.DOB = "" }, map[string]string{"dob": "is required"}},
		{"dob not zero-padded", func(p *Patient) { p.DOB = "1984-3-27" }, map[string]string{"dob": "must be a date like 1984-03-27"}},
		{"dob not a day", func(p *Patient) { p.DOB = "1984-02-30" }, map[string]string{"dob": "must be a date"}},
		{"dob in words", func(p *Patient) { p.DOB = "yesterday" }, map[string]string{"dob": "must be a date"}},
		{"born the day the record was made", func(p *Patient) { p.DOB = "2024-03-04" }, nil},
		{"born after the record was made", func(p *Patient) { p.DOB = "2024-03-05" }, map[string]string{"dob": "is in the future"}},
		{"born in 1880", func(p *Patient) { p.DOB = "1880-01-01" }, nil},
		{"born before 1880", func(p *Patient) { p.DOB = "1879-12-31" }, map[string]string{"dob": "is before 1880"}},
		{"sex not given", func(p *Patient) { p.Sex = "" }, nil},
		{"sex male", func(p *Patient) { p.Sex = "male" }, nil},
		{"sex other", func(p *Patient) { p.Sex = "other" }, nil},
		{"sex unknown", func(p *Patient) { p.Sex = "unknown" }, nil},
		{"sex abbreviated", func(p *Patient) { p.Sex = "F" }, map[string]string{"sex": "must be female, male, other or unknown"}},
		{"sex capitalised", func(p *Patient) { p.Sex = "Female" }, map[string]string{"sex": "must be"}},
		{"no phone", func(p *Patient) { p.Phone = "" }, nil},
		{"phone too short", func(p *Patient) { p.Phone = "12345" }, map[string]string{"phone": "6 to 15 digits"}},
		{"phone with letters", func(p *Patient) { p.Phone = "030 CALL ME" }, map[string]string{"phone": "6 to 15 digits"}},
		{"no email", func(p *Patient) { p.Email = "" }, nil},
		{"email with a display name", func(p *Patient) { p.Email = "Zoë <zoe@example.org>" }, map[string]string{"email": "like name@example.org"}},
		{"email with a space", func(p *Patient) { p.Email = " zoe@example.org" }, map[string]string{"email": "like name@example.org"}},
		{"email without @", func(p *Patient) { p.Email = "zoe.example.org" }, map[string]string{"email": "like name@example.org"}},
		{"address of 300", func(p *Patient) { p.Address = strings.Repeat("ß", 300) }, nil},
		{"address of 301", func(p *Patient) { p.Address = strings.Repeat("ß", 301) }, map[string]string{"address": "at most 300 characters"}},
		{"emergency contact of 201", func(p *Patient) { p.EmergencyContact = strings.Repeat("x", 201) }, map[string]string{"emergency_contact": "at most 200 characters"}},
		{"insurance number of 40", func(p *Patient) { p.InsuranceNumber = strings.Repeat("9", 40) }, nil},
		{"insurance number of 41", func(p *Patient) { p.InsuranceNumber = strings.Repeat("9", 41) }, map[string]string{"insurance_number": "at most 40 characters"}},
		{"everything wrong at once", func(p *Patient) {
			p.Name, p.DOB, p.Sex, p.Phone, p.Email = "", "1984-99-99", "x", "1", "@"
		}, map[string]string{"name": "is required", "dob": "must be a date", "sex": "must be", "phone": "digits", "email": "name@example.org"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := zoePatient(t)
			tt.edit(p)
			assertFieldErrors(t, p.Validate(), KindPatient, tt.want)
		})
	}
}

// TestPatientFutureDOBUsesCreationDay checks that the future-birth rule
// compares with the day the record was made, not the machine's clock.
func TestPatientFutureDOBUsesCreationDay(t *testing.T) {
	p := zoePatient(t)
	p.CreatedAt = time.Date(1990, 6, 1, 12, 0, 0, 0, time.UTC)
	p.DOB = "1990-06-02"
	assertFieldErrors(t, p.Validate(), KindPatient, map[string]string{"dob": "is in the future"})
	p.DOB = "1990-06-01"
	assertFieldErrors(t, p.Validate(), KindPatient, nil)
}

func TestValidPhone(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"+49 30 1234567", true},
		{"030-1234567", true},
		{"(030) 123.4567", true},
		{"+1 (555) 010-9999", true},
		{"123456", true},
		{"123456789012345", true},
		{"", false},
		{"+", false},
		{"12345", false},
		{"1234567890123456", false},
		{"12+3456789", false},
		{"++49123456", false},
		{"030/1234567", false},
		{"0301234567x", false},
		{"030 1234567 ext 5", false},
		{"٠١٢٣٤٥٦٧", false},
		{"１２３４５６７", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := ValidPhone(tt.in); got != tt.want {
				t.Fatalf("ValidPhone(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestPhoneDigits(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+49 (30) 123-4567", "49301234567"},
		{"030.123", "030123"},
		{"", ""},
		{"١٢٣", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := PhoneDigits(tt.in); got != tt.want {
				t.Fatalf("PhoneDigits(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
