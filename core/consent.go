package core

import (
	"time"
)

// ErrNoConsent is returned when a patient has not agreed to be contacted on a
// channel or to telemedicine, or cannot be reached on the channel they chose.
var ErrNoConsent = NewError(ClassValidation, "core: no consent")

// ConsentType is what a patient agrees (or declines) to.
type ConsentType string

// The consent types.
const (
	ConsentTreatment    ConsentType = "treatment"
	ConsentSMS          ConsentType = "sms"
	ConsentEmail        ConsentType = "email"
	ConsentTelemedicine ConsentType = "telemedicine"
	ConsentDataSharing  ConsentType = "data_sharing"
	ConsentResearch     ConsentType = "research"
)

// ConsentTypes lists every consent type.
var ConsentTypes = []ConsentType{ConsentTreatment, ConsentSMS, ConsentEmail, ConsentTelemedicine, ConsentDataSharing, ConsentResearch}

// Valid reports whether t is one of ConsentTypes.
func (t ConsentType) Valid() bool {
	for _, x := range ConsentTypes {
		if x == t {
			return true
		}
	}
	return false
}

// Consent records one decision of a patient: what they agreed to or
// declined, who took it down and when, until when it holds, and the signed
// form when there is one. The patient's standing flags follow the latest
// decision of each type (ApplyConsent).
type Consent struct {
	Meta
	PatientID  ID          `json:"patient_id"`
	Type       ConsentType `json:"type"`
	Granted    bool        `json:"granted"`
	RecordedBy string      `json:"recorded_by"`
	RecordedAt time.Time   `json:"recorded_at"`
	Expires    Date        `json:"expires"`
	// Document is the scanned, signed form, when there is one.
	Document ID `json:"document_id"`
}

func init() { register(KindConsent, func() Entity { return &Consent{} }) }

// Kind is KindConsent.
func (*Consent) Kind() Kind { return KindConsent }

// Validate checks every field and lists all that are wrong.
func (c *Consent) Validate() error {
	ch := &checker{kind: KindConsent}
	ch.refID("patient", c.PatientID, "a patient")
	if !c.Type.Valid() {
		ch.add("type", "must be one of treatment, sms, email, telemedicine, data_sharing, research")
	}
	ch.staff("recorded_by", c.RecordedBy)
	if c.RecordedAt.IsZero() {
		ch.add("recorded_at", "is required")
	}
	ch.optDay("expires", c.Expires)
	ch.optRefID("document", c.Document, "a document")
	ch.freeText(c)
	return ch.err()
}

// ApplyConsent sets the patient's flag for the consent's type (SMS, e-mail,
// telemedicine, data sharing) to whether it was granted. Treatment and
// research consents have no flag and leave p as it is. The caller applies
// only a patient's latest, unexpired consent of each type.
func ApplyConsent(p *Patient, c *Consent) {
	switch c.Type {
	case ConsentSMS:
		p.Consent.SMS = c.Granted
	case ConsentEmail:
		p.Consent.Email = c.Granted
	case ConsentTelemedicine:
		p.Consent.Telemedicine = c.Granted
	case ConsentDataSharing:
		p.Consent.DataSharing = c.Granted
	}
}
