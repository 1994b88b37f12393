package store

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"medisecure/core"
)

// searchChildEnv makes the test binary a workstation process that opens
// the store it names, searches once and waits to be killed.
const searchChildEnv = "STORE_TEST_SEARCH_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(searchChildEnv); path != "" {
		os.Exit(searchAndWait(path))
	}
	os.Exit(m.Run())
}

// searchAndWait is the child: its group commit would wait an hour, so
// the search's entries are in the journal alone when it is killed.
func searchAndWait(path string) int {
	db, err := Open(path, Options{KDF: testKDF, AccessCommitDelay: time.Hour})
	if err != nil {
		fmt.Println("open:", err)
		return 1
	}
	desk, err := db.Login("desk", "desk-pass")
	if err != nil {
		fmt.Println("login:", err)
		return 1
	}
	found, err := desk.FindPatients("zoe", 5)
	if err != nil {
		fmt.Println("search:", err)
		return 1
	}
	fmt.Printf("found %d\n", len(found))
	select {}
}

// TestSearchLogSurvivesSIGKILL kills a real process (SIGKILL) the moment
// its search returned, before its access log was committed: after
// reopening, the log holds the search, and the chain verifies.
func TestSearchLogSurvivesSIGKILL(t *testing.T) {
	f := newFixture(t)
	p := registerSearchPatients(t, f)
	f.close(t)
	killAfterSearch(t, f)
	f.open(t)
	hasSearch(t, f, p.zoe.ID)
	if journal, _ := os.ReadFile(f.path + accessJournalSuffix); len(journal) != 0 {
		t.Errorf("the journal keeps %d bytes after its records were folded", len(journal))
	}
}

// TestSearchLogAfterATornWrite leaves the tail of a record cut short in
// the journal, as a power cut would, before a process searches and is
// killed: the journal is cut back to its last whole record, so the
// search written after it is read back.
func TestSearchLogAfterATornWrite(t *testing.T) {
	f := newFixture(t)
	p := registerSearchPatients(t, f)
	f.close(t)
	torn := []byte{0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 200, 1, 2, 3}
	must(t, os.WriteFile(f.path+accessJournalSuffix, torn, 0o600))
	killAfterSearch(t, f)
	f.open(t)
	hasSearch(t, f, p.zoe.ID)
}

// killAfterSearch runs the child on f's store and kills it (SIGKILL) the
// moment its search of Zoë returned.
func killAfterSearch(t *testing.T, f *fixture) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), searchChildEnv+"="+f.path)
	out, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	line, _ := bufio.NewReader(out).ReadString('\n')
	must(t, cmd.Process.Signal(syscall.SIGKILL))
	cmd.Wait()
	if line != "found 1\n" {
		t.Fatalf("the child said %q, want \"found 1\"", line)
	}
	if journal, err := os.ReadFile(f.path + accessJournalSuffix); err != nil || len(journal) == 0 {
		t.Fatalf("the killed process left no access journal (%d bytes, %v): the test did not kill it before its commit", len(journal), err)
	}
}

// hasSearch fails unless the access log holds the child's search of the
// patient zoe and verifies.
func hasSearch(t *testing.T, f *fixture, zoe core.ID) {
	t.Helper()
	entries, err := f.admin.AuditList(zoe)
	must(t, err)
	found := false
	for _, e := range entries {
		found = found || e.Action == core.AccessSearch && e.User == "desk" && strings.Contains(e.Reason, `search "zoe"`)
	}
	if !found {
		t.Fatalf("the access log lacks the killed process's search of Zoë: %+v", entries)
	}
	if _, err := f.admin.AuditVerify(); err != nil {
		t.Fatalf("the access log does not verify after the fold: %v", err)
	}
}

// TestSearchCommitsNothingBeforeItReturns searches with a group commit
// that waits: the results come back without a write to the store file,
// the entries reach the log with the next commit, and none of the
// search's words is on disk in clear.
func TestSearchCommitsNothingBeforeItReturns(t *testing.T) {
	f := newFixture(t)
	registerSearchPatients(t, f)
	f.close(t)
	db, err := Open(f.path, Options{Now: f.clock.now, KDF: testKDF, AccessCommitDelay: time.Hour})
	must(t, err)
	desk, err := db.Login("desk", "desk-pass")
	must(t, err)
	writes := func() int64 { st := db.bolt.Stats(); return st.TxStats.GetWrite() }
	before := writes()
	for _, q := range []string{"a", "an", "ann", "łukasiewicz"} {
		if _, err := desk.FindPatients(q, 5); err != nil {
			t.Fatal(err)
		}
	}
	if n := writes() - before; n != 0 {
		t.Fatalf("four searches wrote %d pages to the store before returning, want 0 (the journal holds them)", n)
	}
	journal, err := os.ReadFile(f.path + accessJournalSuffix)
	must(t, err)
	if bytes.Contains(journal, []byte("ukasiewicz")) || bytes.Contains(journal, []byte("desk")) {
		t.Fatal("the access journal holds a search's words or a user name in clear")
	}
	admin, err := db.Login("admin", "admin-pass")
	must(t, err)
	entries, err := admin.AuditList("")
	must(t, err)
	searches := 0
	for _, e := range entries {
		if e.Action == core.AccessSearch {
			searches++
		}
	}
	if searches < 4 {
		t.Fatalf("the log holds %d search entries after the fold, want at least 4", searches)
	}
	must(t, db.Close())
	f.open(t)
}
