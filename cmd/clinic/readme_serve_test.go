package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tourPassphrases are the passphrases the README's tour gives the users
// its thin-terminal walkthrough logs in as, and their roles.
var tourPassphrases = map[string][2]string{
	"desk":      {"desk passphrase", "reception"},
	"dr.okafor": {"demo users passphrase", "doctor"},
}

// readBlock returns the indented lines between the README's markers.
func readBlock(t *testing.T, begin, end string) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	must(t, err)
	text := string(raw)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("README.md has no block between %q and %q", begin, end)
	}
	var out []string
	for _, line := range strings.Split(text[i:j], "\n")[1:] {
		if strings.HasPrefix(line, "    ") {
			out = append(out, strings.TrimSpace(line))
		} else if strings.TrimSpace(line) != "" {
			t.Fatalf("the block holds text that is not a command: %q", line)
		}
	}
	return out
}

// needTools skips the test when a tool is missing, except in CI
// (CI=true), whose .ci/run installs them.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed; .ci/run installs it", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
}

// walkthrough is the state of the README's thin-terminal walkthrough.
type walkthrough struct {
	t     *testing.T
	c     *cli
	work  string
	port  string
	keys  map[string]string
	found map[string]string
	tmux  []string
	panes []string
	host  *os.Process
	ended <-chan error
	log   *syncBuffer
	// reads are the commands run over ssh without a terminal and what
	// they printed, to compare with the same commands run locally.
	reads [][2]string
}

// TestREADMEThinTerminals runs the README's thin-terminal walkthrough
// after its tour, as written: the clinic lines as clinic (clinic serve as
// a real process), the ssh lines with the OpenSSH client, the interactive
// ones in tmux, where the test types the passphrases and reads the
// screens. Two people log in at once and land on their homes; commands
// over ssh print what they print locally; SIGTERM tells both terminals.
func TestREADMEThinTerminals(t *testing.T) {
	needTools(t, "ssh", "ssh-keygen", "tmux")
	lines := readBlock(t, "<!-- thin terminals", "<!-- end of thin terminals -->")
	c, found := runTour(t, readTour(t))
	w := &walkthrough{t: t, c: c, work: t.TempDir(), port: freePort(t), keys: map[string]string{}, found: found, log: &syncBuffer{}}
	w.tmux = []string{"tmux", "-S", filepath.Join(w.work, "tmux.sock")}
	t.Cleanup(func() { exec.Command(w.tmux[0], append(w.tmux[1:], "kill-server")...).Run() })
	for _, line := range lines {
		switch {
		case strings.HasPrefix(line, "ssh "):
			// parseShell reads clinic lines; an ssh line has the same
			// words after its first.
			cmd, err := parseShell("clinic " + strings.TrimPrefix(line, "ssh "))
			if err != nil {
				t.Fatalf("README line %q: %v", line, err)
			}
			w.ssh(line, cmd)
		default:
			cmd, err := parseShell(line)
			if err != nil {
				t.Fatalf("README line %q: %v", line, err)
			}
			w.clinic(cmd)
		}
	}
	if len(w.panes) < 2 || w.host == nil || len(w.reads) == 0 {
		t.Fatalf("the walkthrough no longer serves, logs two people in and runs a command: %q", lines)
	}
	w.stop()
}

// clinic runs one clinic line: clinic serve as a process that stays, the
// rest in this process; a key file named and not there is made with
// ssh-keygen, as the person would on their terminal.
func (w *walkthrough) clinic(cmd tourCommand) {
	t := w.t
	args := tourArgs(t, cmd, w.c.dir, w.found)
	if len(args) >= 5 && args[0] == "user" && args[1] == "key" && args[2] == "add" {
		user, file := args[len(args)-2], filepath.Join(w.work, args[len(args)-1])
		if _, err := os.Stat(file); err != nil {
			private := strings.TrimSuffix(file, ".pub")
			if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", user, "-f", private).CombinedOutput(); err != nil {
				t.Fatalf("ssh-keygen: %v: %s", err, out)
			}
			w.keys[user] = private
		}
		args[len(args)-1] = file
	}
	if args[0] == "serve" {
		w.serve(cmd, args)
		return
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), args, w.c.env(&out, &errOut)); code != exitOK {
		t.Fatalf("%s\nexit %d: %s", cmd.line, code, errOut.String())
	}
	t.Logf("$ %s\n%s", cmd.line, out.String())
}

// serve starts clinic serve as a real process on the test's port, with
// the user and passphrase the tour exported.
func (w *walkthrough) serve(cmd tourCommand, args []string) {
	t := w.t
	for i, a := range args {
		if a == ":2222" {
			args[i] = "127.0.0.1:" + w.port
		}
	}
	p := exec.Command(os.Args[0], args...)
	p.Env = append(os.Environ(), childEnv+"=1", "CLINIC_USER="+w.c.vars["CLINIC_USER"], "CLINIC_PASSPHRASE="+w.c.vars["CLINIC_PASSPHRASE"])
	p.Stdout, p.Stderr = w.log, w.log
	must(t, p.Start())
	ended := make(chan error, 1)
	go func() { ended <- p.Wait() }()
	t.Cleanup(func() { p.Process.Kill() })
	w.host, w.ended = p.Process, ended
	deadline := time.Now().Add(termWait)
	for {
		b, err := os.ReadFile(filepath.Join(w.c.dir, "clinic", servingFile))
		var s serving
		if err == nil && json.Unmarshal(b, &s) == nil && s.PID == p.Process.Pid {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never started serving: %s", cmd.line, w.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ssh runs one ssh line with OpenSSH: a login or a command that asks for
// a passphrase (-t) in tmux, any other command directly.
func (w *walkthrough) ssh(line string, cmd tourCommand) {
	t := w.t
	args := []string{"-F", "/dev/null", "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=accept-new",
		"-o", "UserKnownHostsFile=" + filepath.Join(w.work, "known_hosts"), "-o", "LogLevel=ERROR"}
	user, command, terminal := "", []string(nil), false
	for i := 0; i < len(cmd.args); i++ {
		a := cmd.args[i]
		switch {
		case a == "-p" && i+1 < len(cmd.args):
			if cmd.args[i+1] != "2222" {
				t.Fatalf("%s: the walkthrough's port is 2222", line)
			}
			args = append(args, "-p", w.port)
			i++
		case a == "-t":
			terminal = true
			args = append(args, a)
		case strings.Contains(a, "@"):
			user = a[:strings.IndexByte(a, '@')]
			args = append(args, "-i", w.keys[user], user+"@"+strings.Replace(a[len(user)+1:], "localhost", "127.0.0.1", 1))
			command = cmd.args[i+1:]
			i = len(cmd.args)
		default:
			args = append(args, a)
		}
	}
	if w.keys[user] == "" {
		t.Fatalf("%s: no key was added for %s before", line, user)
	}
	args = append(args, command...)
	switch {
	case len(command) == 0:
		pane := w.tmuxRun(args)
		w.panes = append(w.panes, pane)
		pass := tourPassphrases[user]
		w.see(pane, "Log in")
		w.keysTo(pane, user)
		w.keysTo(pane, pass[0])
		// Reception's home is the schedule with the waiting room; a
		// doctor's is their own column ("< Dr … >") of today.
		home := []string{user + " (" + pass[1] + ")", "Waiting room"}
		if pass[1] == "doctor" {
			home = append(home, "today", "< Dr ")
		}
		w.see(pane, home...)
	case terminal:
		pane := w.tmuxRun(args)
		w.see(pane, "passphrase for "+user+":")
		w.keysTo(pane, tourPassphrases[user][0])
		screen := w.see(pane, "[exit 0]")
		if cmd.prints != "" {
			id := regexp.MustCompile(`(?m)^[0-9a-f]{24}$`).FindString(screen)
			if id == "" {
				t.Fatalf("%s printed no ID:\n%s", line, screen)
			}
			w.found[cmd.prints] = id
		}
	default:
		var out, errOut bytes.Buffer
		p := exec.Command("ssh", args...)
		p.Stdout, p.Stderr = &out, &errOut
		if err := p.Run(); err != nil {
			t.Fatalf("%s: %v: %s", line, err, errOut.String())
		}
		w.reads = append(w.reads, [2]string{strings.Join(command, " "), out.String()})
		t.Logf("$ %s\n%s", line, out.String())
	}
}

// tmuxRun starts ssh args in a new tmux window of 100x30 and returns its
// name; the pane stays after ssh ends, showing its exit status.
func (w *walkthrough) tmuxRun(args []string) string {
	t := w.t
	name := fmt.Sprintf("t%d", len(w.panes)+len(w.found))
	quoted := []string{"ssh"}
	for _, a := range args {
		quoted = append(quoted, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
	}
	script := strings.Join(quoted, " ") + `; echo "[exit $?]"; sleep 600`
	p := exec.Command(w.tmux[0], append(w.tmux[1:], "new-session", "-d", "-s", name, "-x", "100", "-y", "30", script)...)
	p.Env = append(os.Environ(), "TERM=xterm-256color")
	if out, err := p.CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v: %s", err, out)
	}
	return name
}

// keysTo types text and enter into a tmux pane.
func (w *walkthrough) keysTo(pane, text string) {
	for _, keys := range [][]string{{"-l", text}, {"Enter"}} {
		if out, err := exec.Command(w.tmux[0], append(append(w.tmux[1:], "send-keys", "-t", pane), keys...)...).CombinedOutput(); err != nil {
			w.t.Fatalf("tmux send-keys: %v: %s", err, out)
		}
	}
}

// see waits until a tmux pane shows every text, and returns the screen.
func (w *walkthrough) see(pane string, texts ...string) string {
	w.t.Helper()
	deadline := time.Now().Add(termWait)
	for {
		out, _ := exec.Command(w.tmux[0], append(w.tmux[1:], "capture-pane", "-p", "-t", pane)...).Output()
		screen, missing := string(out), ""
		for _, s := range texts {
			if !strings.Contains(screen, s) {
				missing = s
				break
			}
		}
		if missing == "" {
			return screen
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("tmux pane %s never showed %q; it shows:\n%s\nhost log:\n%s", pane, missing, screen, w.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends the host SIGTERM: every terminal is told, the host exits 0,
// and then each command run over ssh prints the same run locally.
func (w *walkthrough) stop() {
	t := w.t
	must(t, w.host.Signal(syscall.SIGTERM))
	for _, pane := range w.panes {
		w.see(pane, "The clinic host is shutting down", "[exit 0]")
	}
	select {
	case err := <-w.ended:
		if err != nil {
			t.Fatalf("clinic serve after SIGTERM: %v\n%s", err, w.log.String())
		}
	case <-time.After(termWait):
		t.Fatalf("clinic serve did not stop on SIGTERM:\n%s", w.log.String())
	}
	for _, r := range w.reads {
		cmd, err := parseShell("clinic " + r[0])
		must(t, err)
		var out, errOut bytes.Buffer
		code := run(context.Background(), append(cmd.args, "--data", filepath.Join(w.c.dir, "clinic")), w.c.env(&out, &errOut))
		if code != exitOK || out.String() != r[1] {
			t.Errorf("%s over ssh printed\n%s\nlocally (exit %d)\n%s%s", r[0], r[1], code, out.String(), errOut.String())
		}
	}
}

// freePort is a loopback port nothing listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}
