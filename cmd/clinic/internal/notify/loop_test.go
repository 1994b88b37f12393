package notify

import (
	"context"
	"testing"
	"time"

	"medisecure/core"
	"medisecure/store"
)

// The desk and the clinic host send in the background: once a user who
// may send logs in, the loop delivers what is due without anyone running
// send-due; a login that may not send (billing) starts nothing.
func TestLoopSendsInTheBackground(t *testing.T) {
	ws, patient := clinic(t, 1)
	w := ws[0]
	gw := startSMS(t)
	w.configure("", gw.url, "", store.NotifySecrets{SMSToken: "tok"})
	w.book(patient, 9, 30)
	must(t, w.admin.AddUser(core.User{Name: "bill", Role: core.RoleBilling}, deskPass))
	bill, err := w.db.Login("bill", deskPass)
	must(t, err)

	l := NewLoop(context.Background(), 5*time.Millisecond, Options{}, nil)
	defer l.Close()
	l.Start(bill)
	l.mu.Lock()
	started := l.started
	l.mu.Unlock()
	if started {
		t.Fatal("billing's login started the sender")
	}
	l.Start(w.desk)
	deadline := time.Now().Add(10 * time.Second)
	for len(gw.requests()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the background loop sent nothing")
		}
		time.Sleep(5 * time.Millisecond)
	}
	l.Close()
	if n := len(gw.requests()); n != 1 {
		t.Fatalf("gateway got %d requests, want 1", n)
	}
}
