package storetest

import (
	"errors"
	"testing"

	"medisecure/core"
)

func testRegister(t *testing.T, c *clinic) {
	c.need(t, "patients")
	p := c.patient(t, "Zoë Łukasiewicz", "1984-03-27")
	if p.ID.Bytes() == nil || p.CreatedAt.IsZero() {
		t.Errorf("registered without an ID or time: %+v", p)
	}
	got, err := c.Patients.Patient(p.ID, "check")
	if err != nil || got.Name != p.Name || got.DOB != p.DOB {
		t.Errorf("Patient = %+v, %v", got, err)
	}
	_, err = c.Patients.AddPatient(core.Patient{DOB: "1984-03-27"})
	field(t, err, "name")
	_, err = c.Patients.AddPatient(core.Patient{Name: "Ann", DOB: "27/03/1984"})
	field(t, err, "dob")
	if _, err := c.Patients.Patient("0123456789abcdef01234567", "check"); err == nil {
		t.Error("an unknown patient was opened")
	}
}

func testFreeText(t *testing.T, c *clinic) {
	c.need(t, "patients")
	_, err := c.Patients.AddPatient(core.Patient{Name: "Evil\x1b[2J\x1b]0;PWNED\x1b\\Mallory", DOB: "1984-03-27"})
	field(t, err, "name")
	p := c.patient(t, "Ann Smith", "1990-01-02")
	p.Address = "Main St 1\r\nX"
	_, err = c.Patients.UpdatePatient(p)
	field(t, err, "address")
	if found, _ := c.Patients.FindPatients("mallory", 5); len(found) != 0 {
		t.Errorf("a refused patient is found: %+v", found)
	}
}

func testEdit(t *testing.T, c *clinic) {
	c.need(t, "patients")
	p := c.patient(t, "Ann Smith", "1990-01-02")
	p.Phone, p.Address, p.EmergencyContact = "+49 30 1234567", "Hauptstraße 1, Berlin", "Tom Smith"
	p.InsurerName, p.InsuranceNumber = "AOK", "A123456789"
	if _, err := c.Patients.UpdatePatient(p); err != nil {
		t.Fatalf("edit: %v", err)
	}
	got, err := c.Patients.Patient(p.ID, "check")
	if err != nil || got.Phone != p.Phone || got.Address != p.Address || got.EmergencyContact != p.EmergencyContact ||
		got.InsurerName != p.InsurerName || got.InsuranceNumber != p.InsuranceNumber {
		t.Errorf("after the edit: %+v, %v", got, err)
	}
	p.Phone = "call me"
	_, err = c.Patients.UpdatePatient(p)
	field(t, err, "phone")
	p.ID = "0123456789abcdef01234567"
	if _, err := c.Patients.UpdatePatient(p); err == nil {
		t.Error("an unknown patient was edited")
	}
}

func testFind(t *testing.T, c *clinic) {
	c.need(t, "patients")
	zoe := c.patient(t, "Zoë Łukasiewicz", "1984-03-27")
	obrien := c.patient(t, "Seán O'Brien", "1975-06-15")
	cruz := c.patient(t, "Maria de la Cruz", "1988-09-09")
	c.patient(t, "Bob Jones", "1980-05-06")
	for _, tc := range []struct {
		query string
		want  []core.Patient
	}{
		{"zoe", []core.Patient{zoe}},
		{"ŁUKASIEWICZ", []core.Patient{zoe}},
		{"kasie", []core.Patient{zoe}},
		{"1984-03-27", []core.Patient{zoe}},
		{"obrien", []core.Patient{obrien}},
		{"o'brien", []core.Patient{obrien}},
		{"delacruz", []core.Patient{cruz}},
		{"de la cruz", []core.Patient{cruz}},
		{"nobody", nil},
	} {
		got, err := c.Patients.FindPatients(tc.query, 10)
		if err != nil || !samePatients(got, tc.want...) {
			t.Errorf("find %q = %d patients (%v), want %d", tc.query, len(got), err, len(tc.want))
		}
	}
	if got, _ := c.Patients.FindPatients("o", 1); len(got) > 1 {
		t.Errorf("limit 1 gave %d", len(got))
	}
}

func testDuplicates(t *testing.T, c *clinic) {
	c.need(t, "patients")
	ann := c.patient(t, "Ann Smith", "1990-01-02")
	c.patient(t, "Ann Smith", "1991-01-02")
	got, err := c.Patients.LikelyDuplicates("ANN SMITH", "1990-01-02")
	if err != nil || !samePatients(got, ann) {
		t.Errorf("duplicates = %+v, %v, want Ann of 1990", got, err)
	}
	if got, err := c.Patients.LikelyDuplicates("Ann Smyth", "1990-01-02"); err != nil || len(got) != 0 {
		t.Errorf("duplicates of another name = %+v, %v", got, err)
	}
}

func testSchedules(t *testing.T, c *clinic) {
	c.need(t, "schedules")
	if _, err := c.Schedules.Schedule(c.Doctor); err == nil {
		t.Errorf("%s has hours before any were set", c.Doctor)
	}
	docs, err := c.Schedules.Doctors()
	found := false
	for _, d := range docs {
		found = found || d.Name == c.Doctor
	}
	if err != nil || !found {
		t.Errorf("Doctors = %+v, %v, want %s among them", docs, err, c.Doctor)
	}
	c.hours(t)
	sc, err := c.Schedules.Schedule(c.Doctor)
	if err != nil || sc.SlotMinutes != 15 || len(sc.Hours[1]) != 2 || len(sc.Rooms) != 1 {
		t.Errorf("Schedule = %+v, %v", sc, err)
	}
	sc.SlotMinutes = 3
	_, err = c.Schedules.SetSchedule(sc)
	field(t, err, "slot_minutes")
	_, err = c.Schedules.SetSchedule(core.Schedule{Doctor: "nobody", SlotMinutes: 15})
	if err == nil || !errors.Is(err, core.ErrInvalid) {
		t.Errorf("hours for someone who is not a doctor: %v, want ErrInvalid", err)
	}
}
