package store

import (
	"medisecure/core"
)

// Every derived index of the store lives in bucketSchedule under keys whose
// first byte says which index it is. The classes are declared here, once,
// so no two indexes can share one (a test checks).
const (
	classDoctor = 'd' // day ‖ 'd' ‖ doctor hash ‖ appointment: a doctor's day
	classRoom   = 'r' // day ‖ 'r' ‖ room hash ‖ appointment: a room's day
	// classPatient was a patient's day until schema 12: day ‖ 'p' ‖
	// patient hash ‖ appointment. The visit index answers it now
	// (visitsOn); migration 12 deletes those keys, and 'p' stays taken.
	classPatient = 'p'
	classSched   = 'S' // 'S' ‖ doctor hash → schedule ID
	classNote    = 'N' // 'N' ‖ patient hash ‖ note ID: a chart's notes
	// classVisit indexes appointments by patient and time: 'V' ‖ keyed
	// hash of the patient ‖ start (Unix ms) ‖ appointment ID, valued like
	// a slot, so a patient's history and upcoming visits read in order
	// without scanning the days.
	classVisit = 'V'
	// classClinical indexes the clinical records of the chart by patient:
	// 'K' ‖ keyed hash of kind and patient ‖ record ID. (Until schema 7 it
	// shared 'C' with the conflicts.)
	classClinical = 'K'
	classConflict = 'C' // 'C' ‖ appointment ID ‖ conflict ID: derived, written by putConflict
	classPayment  = 'P' // 'P' ‖ invoice ID ‖ payment ID: an invoice's payments
	classInvoice  = 'I' // 'I' ‖ patient hash ‖ invoice ID: a patient's invoices
	// classDeskPayment files the payments taken at the desk, which name
	// no invoice, under their patient: 'A' ‖ keyed hash of the patient ‖
	// payment ID (deskpay.go).
	classDeskPayment = 'A'
	// classGlass holds break-the-glass accesses (breakglass.go): 'G' ‖
	// keyed hash of user and patient → until when. Local, not derived.
	classGlass = 'G'
	// classDocument files documents under their patient: 'D' ‖ keyed hash
	// of the patient ‖ document ID (documents.go).
	classDocument = 'D'
)

// index is one derived index that local writes, remote merges and
// migrations keep in step with the records: the kinds that feed it and how
// a record's new state (and, when before is set, its old state, to remove
// old keys) updates it.
type index struct {
	name   string
	kinds  []core.Kind
	before bool
	update func(t *txn, before, after core.Entity) error
}

// indexes is the one table of indexes. txn.apply (local writes and
// ApplyRemote alike) runs the rows of a changed record's kind, and
// migrations rebuild indexes through the same rows (reindexAll). The
// conflict index is not here: conflicts are derived after the merge, not
// written as changes.
var indexes = []index{
	{"patient search", []core.Kind{core.KindPatient}, false, indexSearch},
	{"appointments by day, doctor and room, and each patient's visits by start", []core.Kind{core.KindAppointment}, true, indexAppointmentEntity},
	{"each doctor's schedule", []core.Kind{core.KindSchedule}, false, func(t *txn, _, after core.Entity) error { return t.indexSchedule(after.(*core.Schedule)) }},
	{"clinical notes by patient", []core.Kind{core.KindNote}, false, func(t *txn, _, after core.Entity) error { return t.indexNote(after.(*core.Note)) }},
	{"the chart's clinical records by patient", clinicalKindList, false, func(t *txn, _, after core.Entity) error { return t.indexClinical(after) }},
	{"invoices by patient", []core.Kind{core.KindInvoice}, false, func(t *txn, _, after core.Entity) error { return t.indexInvoice(after.(*core.Invoice)) }},
	{"payments by invoice", []core.Kind{core.KindPayment}, false, func(t *txn, _, after core.Entity) error { return t.indexPayment(after.(*core.Payment)) }},
	{"documents by patient, and their text for search", []core.Kind{core.KindDocument}, false, func(t *txn, _, after core.Entity) error { return t.indexDocument(after.(*core.Document)) }},
}

// clinicalKindList are the kinds filed under their patient for the chart.
var clinicalKindList = []core.Kind{
	core.KindAllergy, core.KindProblem, core.KindMedication, core.KindVital, core.KindPrescription,
	core.KindRefill, core.KindReminder, core.KindAdherence, core.KindAddendum, core.KindNoteDraft,
}

// indexesOf lists the rows of the table each kind feeds.
var indexesOf = func() map[core.Kind][]index {
	out := map[core.Kind][]index{}
	for _, ix := range indexes {
		for _, k := range ix.kinds {
			out[k] = append(out[k], ix)
		}
	}
	return out
}()

// hasIndex reports whether records of kind k feed an index: only those are
// decoded on every write.
func hasIndex(k core.Kind) bool { return len(indexesOf[k]) > 0 }

// needsBefore reports whether an index of kind k must see a record's old
// state (appointments: their old day and owners' keys go).
func needsBefore(k core.Kind) bool {
	for _, ix := range indexesOf[k] {
		if ix.before {
			return true
		}
	}
	return false
}

// reindex runs every index of after's kind. before is the record as it
// was, or nil when it is new or no index of the kind needs it.
func (t *txn) reindex(before, after core.Entity) error {
	for _, ix := range indexesOf[after.Kind()] {
		if err := ix.update(t, before, after); err != nil {
			return err
		}
	}
	return nil
}

// reindexAll files every record of the kinds through their indexes again,
// as a migration does when an index is new or moved. Filing a record twice
// writes the same keys.
func (t *txn) reindexAll(kinds ...core.Kind) error {
	for _, k := range kinds {
		err := t.each(k, func(rec *core.Record) error {
			if !rec.Exists() {
				return nil
			}
			e, err := decodeEntity(rec)
			if err != nil {
				return err
			}
			return t.reindex(nil, e)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// indexSearch stages a patient's search entry (or its removal) for the
// commit.
func indexSearch(t *txn, _, after core.Entity) error {
	p := after.(*core.Patient)
	if p.Deleted {
		t.search.stage(p.ID, nil)
		return nil
	}
	if e := t.freshEntry; e != nil {
		t.search.stage(p.ID, e) // prepared ahead with p (merge)
		return nil
	}
	e := entryFor(p)
	t.search.stage(p.ID, &e)
	return nil
}

// indexAppointmentEntity replaces an appointment's index entries and marks
// it for the conflict check at commit.
func indexAppointmentEntity(t *txn, before, after core.Entity) error {
	a := after.(*core.Appointment)
	var old *core.Appointment
	if before != nil {
		old = before.(*core.Appointment)
	}
	t.appts[a.ID] = a
	return t.indexAppointment(old, a)
}
