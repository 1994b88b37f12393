package notify

import (
	"strings"
	"testing"

	"medisecure/core"
	"medisecure/store"
)

// In-app notifications: an unread message waits for its recipient until
// read, and a patient notification that failed for good waits for the
// desk; neither line names the patient.
func TestStaffNotifications(t *testing.T) {
	ws, patient := clinic(t, 1)
	w := ws[0]
	doc, err := w.db.Login(doctor, deskPass)
	must(t, err)
	m, err := w.desk.SendMessage(core.Message{To: []string{doctor}, Subject: "Ann called", Body: "Please ring back"})
	must(t, err)
	list, err := doc.StaffNotifications()
	must(t, err)
	if len(list) != 1 || list[0].Purpose != core.PurposeMessage || list[0].Ref != m.ID || list[0].Channel != core.ChannelInApp {
		t.Fatalf("doctor's notifications: %+v", list)
	}
	_, _, err = doc.ReadMessage(m.ID)
	must(t, err)
	if list, err = doc.StaffNotifications(); err != nil || len(list) != 0 {
		t.Fatalf("after reading: %+v, %v", list, err)
	}

	gw := startSMS(t)
	w.configure("", gw.url, "", store.NotifySecrets{SMSToken: "tok"})
	gw.refuse = true
	w.book(patient, 9, 30)
	if rep := w.run(Options{}); rep.Failed != 1 {
		t.Fatalf("a refused number: %+v, want failed for good", rep)
	}
	list, err = w.desk.StaffNotifications()
	must(t, err)
	if len(list) != 1 || !strings.Contains(list[0].Subject, "SMS confirmation to a patient failed") || strings.Contains(list[0].Subject, "Ann") {
		t.Fatalf("desk's notifications: %+v", list)
	}
}
