package store

import (
	"errors"
	"strings"
	"testing"

	"medisecure/core"
)

func TestUpdatePatientEditsContactsAndInsurance(t *testing.T) {
	f := newFixture(t)
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	ann.Address = "Hauptstraße 1, 10115 Berlin"
	ann.EmergencyContact = "Tom Smith +49 30 7654321"
	ann.InsurerName, ann.InsuranceNumber = "AOK Nordost", "A123456789"
	seq := seqOf(t, f)
	if _, err := f.desk.UpdatePatient(ann); err != nil {
		t.Fatalf("edit: %v", err)
	}
	if seqOf(t, f) != seq+1 {
		t.Errorf("the edit queued %d changes, want 1", seqOf(t, f)-seq)
	}
	got, err := f.desk.Patient(ann.ID, "check")
	must(t, err)
	if got.Address != ann.Address || got.EmergencyContact != ann.EmergencyContact || got.InsurerName != ann.InsurerName || got.InsuranceNumber != ann.InsuranceNumber {
		t.Errorf("stored %+v", got)
	}
	entries, err := f.admin.AuditList(ann.ID)
	must(t, err)
	var edit *core.AccessEntry
	for i := range entries {
		if entries[i].Action == core.AccessChange {
			edit = &entries[i]
		}
	}
	if edit == nil || edit.User != "desk" || edit.Reason != "edit: address, emergency_contact, insurance_number, insurer_name" {
		t.Errorf("the edit's access entry: %+v", edit)
	}
	if strings.Contains(edit.Reason, "Hauptstraße") {
		t.Error("the access log holds the new value")
	}

	ann.Address = "Main St 1\x1b]52;c;cHduZWQ=\x07"
	_, err = f.desk.UpdatePatient(ann)
	var ve *core.ValidationError
	if !errors.As(err, &ve) || ve.For("address") == "" {
		t.Errorf("an address with OSC 52: %v, want a validation error naming address", err)
	}
}

func TestStatusCorrectionsAreInTheAccessLog(t *testing.T) {
	f := newFixture(t)
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	a := book(t, f, ann.ID, "drwho", "2026-11-26 10:00", 15, "")
	_, err := f.desk.SetStatus(a.ID, core.ApptCheckedIn, "")
	must(t, err)
	_, err = f.desk.SetStatus(a.ID, core.ApptBooked, "wrong patient checked in")
	must(t, err)
	entries, err := f.admin.AuditList(ann.ID)
	must(t, err)
	last := entries[len(entries)-1]
	if last.Action != core.AccessChange || last.User != "desk" || !strings.HasSuffix(last.Reason, "checked in back to booked: wrong patient checked in") {
		t.Errorf("last access entry %+v", last)
	}
}
