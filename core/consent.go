package core

import (
	"slices"
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

// ConsentMethod is how a patient gave or withdrew a consent.
type ConsentMethod string

// The consent methods.
const (
	ConsentVerbal  ConsentMethod = "verbal"
	ConsentWritten ConsentMethod = "written"
	ConsentPortal  ConsentMethod = "portal"
)

// ConsentMethods lists every consent method.
var ConsentMethods = []ConsentMethod{ConsentVerbal, ConsentWritten, ConsentPortal}

// Valid reports whether m is one of ConsentMethods.
func (m ConsentMethod) Valid() bool { return slices.Contains(ConsentMethods, m) }

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
	// Method is how the patient told us: verbally, on a signed form, or
	// through the portal.
	Method  ConsentMethod `json:"method"`
	Expires Date          `json:"expires"`
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
	if !c.Method.Valid() {
		ch.add("method", "must be one of verbal, written, portal")
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

// ContactChannels are the consent types the consent commands and screens
// record, in the order they show them.
var ContactChannels = []ConsentType{ConsentSMS, ConsentEmail, ConsentTelemedicine, ConsentDataSharing}

// LatestConsents returns, for each type, the patient's latest decision in
// history (by the time it was recorded, then by ID, so every workstation
// picks the same one whatever order the records arrived in).
func LatestConsents(history []Consent) map[ConsentType]Consent {
	out := map[ConsentType]Consent{}
	for _, c := range history {
		old, ok := out[c.Type]
		if !ok || c.RecordedAt.After(old.RecordedAt) || (c.RecordedAt.Equal(old.RecordedAt) && c.ID > old.ID) {
			out[c.Type] = c
		}
	}
	return out
}

// CurrentConsent is what the patient agrees to today: a channel is allowed
// only when the patient's flag allows it and, once any decision of that
// type was recorded, the latest one granted it and has not expired. So a
// withdrawal, recorded or ticked off on the patient's record, always
// stops contact; the history is the truth that merges, as it is
// append-only.
func CurrentConsent(p Patient, history []Consent, today Date) ConsentFlags {
	for ty, c := range LatestConsents(history) {
		if c.Granted && (c.Expires == "" || c.Expires >= today) {
			continue
		}
		ApplyConsent(&p, &Consent{Type: ty, Granted: false})
	}
	return p.Consent
}

// CheckContact is the check before every SMS, e-mail or telemedicine
// session: nil when the patient's current consent (CurrentConsent) allows
// the channel (ChannelSMS, ChannelEmail, or telemedicine with
// ConsentTelemedicine) and they can be reached on it; otherwise an error
// wrapping ErrNoConsent.
func CheckContact(p Patient, history []Consent, today Date, channel Channel) error {
	p.Consent = CurrentConsent(p, history, today)
	return CheckConsent(&p, channel)
}

// CheckTelemedicine is CheckContact for a telemedicine session.
func CheckTelemedicine(p Patient, history []Consent, today Date) error {
	p.Consent = CurrentConsent(p, history, today)
	return CheckTelemedicineConsent(&p)
}
