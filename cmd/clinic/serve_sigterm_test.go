package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// serveProcess runs clinic serve --unlock on c's store as a real process
// (this test binary as clinic) on 127.0.0.1:0, with users' terminal keys
// registered. It returns the host and the process's end; the process is
// killed if the test leaves it running.
func serveProcess(t *testing.T, c *cli, users ...string) (*clinicHost, *os.Process, <-chan error) {
	t.Helper()
	h := &clinicHost{t: t, c: c, keys: registerKeys(t, c, users...), log: &syncBuffer{}}
	cmd := exec.Command(os.Args[0], "serve", "--data", c.dir, "--listen", "127.0.0.1:0", "--unlock")
	cmd.Env = append(os.Environ(), childEnv+"=1", "CLINIC_USER=admin", "CLINIC_PASSPHRASE=admin-pass")
	cmd.Stdout, cmd.Stderr = h.log, h.log
	must(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	deadline := time.Now().Add(termWait)
	for {
		b, err := os.ReadFile(filepath.Join(c.dir, servingFile))
		var s serving
		if err == nil && json.Unmarshal(b, &s) == nil && s.PID == cmd.Process.Pid {
			h.addr = s.Listen
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("clinic serve never started: %s", h.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	pem, err := os.ReadFile(filepath.Join(c.dir, hostKeyFile))
	must(t, err)
	signer, err := gossh.ParsePrivateKey(pem)
	must(t, err)
	h.hostPK = signer.PublicKey()
	return h, cmd.Process, exited
}

// TestSIGTERMStopsTheHostGracefully sends SIGTERM to a real clinic serve
// with two people working: both terminals are told, a form saved before
// stays saved, a form half typed is not written, the store is whole, the
// process exits 0 and leaves no serving.json, and the log names no
// patient.
func TestSIGTERMStopsTheHostGracefully(t *testing.T) {
	c := setup(t)
	h, proc, exited := serveProcess(t, c, "desk", "dr.okafor")
	desk := h.terminal("desk")
	desk.login("desk", "staff-pass", "reception")
	desk.send("n")
	desk.see("New patient")
	desk.send("Zoe Adams")
	desk.send("\t")
	desk.send("1990-01-02")
	desk.send("\r")
	desk.see("Registered Zoe Adams.")
	desk.send("\x1b")
	desk.see("Waiting room")
	desk.send("n")
	desk.see("New patient")
	desk.send("Half Typed")
	desk.see("Half Typed")
	doctor := h.terminal("dr.okafor")
	doctor.login("dr.okafor", "staff-pass", "doctor")

	desk.send("")
	doctor.send("")
	must(t, proc.Signal(syscall.SIGTERM))
	for _, tm := range []*sshTerm{desk, doctor} {
		tm.see("The clinic host is shutting down. Your saved work is kept")
		tm.ended()
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("clinic serve after SIGTERM: %v\n%s", err, h.log.String())
		}
	case <-time.After(termWait):
		t.Fatalf("clinic serve did not stop on SIGTERM:\n%s", h.log.String())
	}
	log := h.log.String()
	if !strings.Contains(log, `msg="shutting down" sessions=2`) || !strings.Contains(log, "msg=stopped") {
		t.Errorf("the log does not tell the shutdown:\n%s", log)
	}
	if strings.Contains(log, "Zoe") || strings.Contains(log, "Half") {
		t.Errorf("a patient's name reached the log:\n%s", log)
	}
	if _, err := os.Stat(filepath.Join(c.dir, servingFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s left behind after SIGTERM", servingFile)
	}
	c.as("desk", "staff-pass")
	if out := c.must("patient", "find", "Zoe"); !strings.Contains(out, "Zoe Adams") {
		t.Errorf("the patient saved before SIGTERM is gone:\n%s", out)
	}
	if out := c.must("patient", "find", "Half"); strings.Contains(out, "Half Typed") {
		t.Errorf("a form never saved was written:\n%s", out)
	}
	c.as("admin", "admin-pass")
	c.must("store", "check")
	c.must("audit", "verify")
}
