package core

// Kind names a type of record. Kinds are written into changes and the store,
// so their string values never change once released.
type Kind string

// The kinds of record the workstation keeps.
const (
	KindPatient      Kind = "patient"
	KindSchedule     Kind = "schedule"
	KindAppointment  Kind = "appointment"
	KindPrescription Kind = "prescription"
	KindRefill       Kind = "refill"
	KindNote         Kind = "note"
	KindNoteDraft    Kind = "note_draft"
	KindAddendum     Kind = "addendum"
	KindProblem      Kind = "problem"
	KindAllergy      Kind = "allergy"
	KindMedication   Kind = "medication"
	KindVital        Kind = "vital"
	KindDocument     Kind = "document"
	KindReminder     Kind = "reminder"
	KindAdherence    Kind = "adherence"
	KindTelesession  Kind = "telesession"
	KindNotification Kind = "notification"
	KindMessage      Kind = "message"
	KindAttachment   Kind = "attachment"
	KindReceipt      Kind = "receipt"
	KindInvoice      Kind = "invoice"
	KindPayment      Kind = "payment"
	KindClaim        Kind = "claim"
	KindFee          Kind = "fee"
	KindConsent      Kind = "consent"
	KindConflict     Kind = "conflict"
	// KindNotifyConfig is the clinic's one notification setup; KindDelivery
	// the append-only steps of delivering a notification.
	KindNotifyConfig Kind = "notify_config"
	KindDelivery     Kind = "delivery"
)

// Kinds lists every kind in a fixed order (the order of export).
var Kinds = []Kind{
	KindAddendum, KindAdherence, KindAllergy, KindAppointment, KindAttachment,
	KindClaim, KindConflict, KindConsent, KindDelivery, KindDocument, KindFee, KindInvoice,
	KindMedication, KindMessage, KindNote, KindNoteDraft, KindNotification, KindNotifyConfig, KindPatient,
	KindPayment, KindPrescription, KindProblem, KindReceipt, KindRefill, KindReminder,
	KindSchedule, KindTelesession, KindVital,
}

// appendOnly are the clinical and financial facts that are never edited: a
// correction is a new record (an addendum, a refund) that references the old.
var appendOnly = map[Kind]bool{
	KindNote: true, KindAddendum: true, KindVital: true, KindPayment: true,
	KindAdherence: true, KindMessage: true, KindAttachment: true, KindReceipt: true,
	KindDelivery: true,
}

// AppendOnly reports whether records of kind k are written once and never
// updated or deleted.
func (k Kind) AppendOnly() bool { return appendOnly[k] }

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}
