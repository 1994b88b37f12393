package core

import "time"

// Note is a signed encounter note in SOAP form, written by a clinician
// about a patient, optionally tied to an appointment. A note is written as
// a NoteDraft and becomes a Note when its author signs it; notes are
// append-only: a correction is an Addendum that references the note.
type Note struct {
	Meta
	PatientID     ID     `json:"patient_id"`
	AppointmentID ID     `json:"appointment_id"`
	Author        string `json:"author"`
	Subjective    string `json:"subjective" text:"multiline"`
	Objective     string `json:"objective" text:"multiline"`
	Assessment    string `json:"assessment" text:"multiline"`
	Plan          string `json:"plan" text:"multiline"`
	// SignedAt is when the author signed it; notes written before
	// drafts existed leave it zero and count as signed when written.
	SignedAt time.Time `json:"signed_at,omitzero"`
	// DraftID is the draft it was signed from ("" for notes signed before
	// notes named their draft): a draft edited after it was signed
	// elsewhere is a draft again until what was typed is signed
	// (store: Session.Draft).
	DraftID ID `json:"draft_id"`
}

func init() { register(KindNote, func() Entity { return &Note{} }) }

// Kind is KindNote.
func (*Note) Kind() Kind { return KindNote }

// Validate checks every field and lists all that are wrong.
func (n *Note) Validate() error {
	c := &checker{kind: KindNote}
	if c.require("patient", string(n.PatientID)) && n.PatientID.Bytes() == nil {
		c.add("patient", "is not a patient id")
	}
	c.require("author", n.Author)
	c.optRefID("draft", n.DraftID, "a draft")
	if n.Subjective == "" && n.Objective == "" && n.Assessment == "" && n.Plan == "" {
		c.add("note", "needs at least one of subjective, objective, assessment or plan")
	}
	for _, f := range []struct{ name, v string }{{"subjective", n.Subjective}, {"objective", n.Objective}, {"assessment", n.Assessment}, {"plan", n.Plan}} {
		c.maxLen(f.name, f.v, 20000)
	}
	c.freeText(n)
	return c.err()
}
