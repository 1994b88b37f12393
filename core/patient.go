package core

import (
	"net/mail"
	"strings"
	"unicode"
)

// ConsentFlags are the patient's standing choices about contact and data use;
// notifications and telemedicine check them before acting.
type ConsentFlags struct {
	SMS          bool `json:"sms"`
	Email        bool `json:"email"`
	Telemedicine bool `json:"telemedicine"`
	DataSharing  bool `json:"data_sharing"`
}

// Patient is a person the clinic cares for: demographics, contacts and
// consent flags. Every field is PHI.
type Patient struct {
	Meta
	Name             string       `json:"name"`
	DOB              Date         `json:"dob"`
	Sex              string       `json:"sex"`
	Phone            string       `json:"phone"`
	Email            string       `json:"email"`
	Address          string       `json:"address"`
	EmergencyContact string       `json:"emergency_contact"`
	InsurerName      string       `json:"insurer_name"`
	InsuranceNumber  string       `json:"insurance_number"`
	Consent          ConsentFlags `json:"consent"`
}

func init() { register(KindPatient, func() Entity { return &Patient{} }) }

// Kind is KindPatient.
func (*Patient) Kind() Kind { return KindPatient }

// Validate checks every field and lists all that are wrong.
func (p *Patient) Validate() error {
	c := &checker{kind: KindPatient}
	if c.require("name", p.Name) {
		c.maxLen("name", p.Name, 120)
	}
	if c.require("dob", string(p.DOB)) {
		if !p.DOB.valid() {
			c.add("dob", "must be a date like 1984-03-27")
		} else if !p.CreatedAt.IsZero() && string(p.DOB) > p.CreatedAt.Format(dateLayout) {
			c.add("dob", "is in the future")
		} else if string(p.DOB) < "1880-01-01" {
			c.add("dob", "is before 1880")
		}
	}
	switch p.Sex {
	case "", "female", "male", "other", "unknown":
	default:
		c.add("sex", "must be female, male, other or unknown")
	}
	if p.Phone != "" && !ValidPhone(p.Phone) {
		c.add("phone", "must be 6 to 15 digits, with an optional leading + and spaces or dashes")
	}
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			c.add("email", "must be an address like name@example.org")
		}
	}
	c.maxLen("address", p.Address, 300)
	c.maxLen("emergency_contact", p.EmergencyContact, 200)
	c.maxLen("insurance_number", p.InsuranceNumber, 40)
	c.freeText(p)
	return c.err()
}

// ValidPhone reports whether s is a plausible phone number: 6 to 15 digits,
// an optional leading +, and spaces, dashes, dots or brackets between.
func ValidPhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case unicode.IsDigit(r) && r < unicode.MaxASCII:
			digits++
		case r == '+' && i == 0:
		case strings.ContainsRune(" -.()", r):
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 15
}

// PhoneDigits strips a phone number to its digits, the form search compares.
func PhoneDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
