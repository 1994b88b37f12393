package core

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// NoteDraft is a note being written: it can be saved and changed any
// number of times, by its author only, until it is signed, when it
// becomes a Note (append-only) whose ID is drawn from the draft's and the
// text signed (SignedNoteID). A draft is a record like
// any other, so it survives a lock, a crash and a restart.
type NoteDraft struct {
	Meta
	PatientID     ID     `json:"patient_id"`
	AppointmentID ID     `json:"appointment_id"`
	Author        string `json:"author"`
	Subjective    string `json:"subjective" text:"multiline"`
	Objective     string `json:"objective" text:"multiline"`
	Assessment    string `json:"assessment" text:"multiline"`
	Plan          string `json:"plan" text:"multiline"`
}

func init() { register(KindNoteDraft, func() Entity { return &NoteDraft{} }) }

// Kind is KindNoteDraft.
func (*NoteDraft) Kind() Kind { return KindNoteDraft }

// maxNotePart bounds each SOAP part of a note.
const maxNotePart = 20000

// Validate checks every field and lists all that are wrong. A draft may be
// empty; signing it may not.
func (d *NoteDraft) Validate() error {
	c := &checker{kind: KindNoteDraft}
	c.refID("patient", d.PatientID, "a patient")
	c.optRefID("appointment", d.AppointmentID, "an appointment")
	c.staff("author", d.Author)
	for _, f := range []struct{ name, v string }{{"subjective", d.Subjective}, {"objective", d.Objective}, {"assessment", d.Assessment}, {"plan", d.Plan}} {
		c.maxLen(f.name, f.v, maxNotePart)
	}
	c.freeText(d)
	return c.err()
}

// Empty reports whether nothing was written in any part.
func (d *NoteDraft) Empty() bool {
	return strings.TrimSpace(d.Subjective+d.Objective+d.Assessment+d.Plan) == ""
}

// Signed is the note the draft becomes when its author signs it at t: the
// same patient, appointment and text, under SignedNoteID.
func (d *NoteDraft) Signed(t time.Time) Note {
	return Note{
		Meta:      Meta{ID: SignedNoteID(d), CreatedAt: t},
		PatientID: d.PatientID, AppointmentID: d.AppointmentID, Author: d.Author,
		Subjective: d.Subjective, Objective: d.Objective, Assessment: d.Assessment, Plan: d.Plan,
		SignedAt: t, DraftID: d.ID,
	}
}

// SignedNoteID is the ID of the note a draft becomes, from the draft's ID
// and everything signed. A draft synced to two workstations and signed on
// both offline gives one note when the texts agree, and two notes when
// they differ, so merging never rewrites a signed note with another.
func SignedNoteID(d *NoteDraft) ID {
	h := sha256.New()
	for _, part := range []string{"note", string(d.ID), string(d.PatientID), string(d.AppointmentID), d.Author, d.Subjective, d.Objective, d.Assessment, d.Plan} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return ID(hex.EncodeToString(h.Sum(nil)[:12]))
}

// parts are the four SOAP texts.
func (d *NoteDraft) parts() [4]string {
	return [4]string{d.Subjective, d.Objective, d.Assessment, d.Plan}
}

// SignedIn reports whether everything written in the draft is in the
// notes signed from it (those naming it, or under its ID or SignedNoteID):
// each part not empty reads the same in one of them. A draft signed on one
// workstation and edited offline on another, before or after, is not: the
// store keeps it a draft until that text is signed too.
func (d *NoteDraft) SignedIn(notes []Note) bool {
	signed := SignedNoteID(d)
	for i, p := range d.parts() {
		if strings.TrimSpace(p) == "" {
			continue
		}
		found := false
		for _, n := range notes {
			if n.DraftID != d.ID && n.ID != d.ID && n.ID != signed {
				continue
			}
			if [4]string{n.Subjective, n.Objective, n.Assessment, n.Plan}[i] == p {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
