package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
	"medisecure/store"
)

// ms renders a duration in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.3f", float64(d)/float64(time.Millisecond)) }

// benchP1 times booking end to end against one fsynced bbolt commit of a
// 200-byte value.
func benchP1(_ context.Context, c config) (string, error) {
	path, err := fixture(c.dir, 1000, 2000, 4)
	if err != nil {
		return "", err
	}
	work := filepath.Join(c.dir, "p1.db")
	if err := copyFile(path, work); err != nil {
		return "", err
	}
	defer os.Remove(work)
	db, err := store.Open(work, store.Options{Now: func() time.Time { return fixedNow }})
	if err != nil {
		return "", err
	}
	defer db.Close()
	desk, err := db.Login("desk", benchPass)
	if err != nil {
		return "", err
	}
	patients, err := desk.FindPatients("a", c.bookings)
	if err != nil || len(patients) == 0 {
		return "", fmt.Errorf("no patients to book: %v", err)
	}
	doctors, err := desk.Doctors()
	if err != nil {
		return "", err
	}
	// Book far in the future, where every slot is free: each doctor's
	// morning, 15 minutes at a time, day after day.
	day := time.Date(2029, 1, 1, 0, 0, 0, 0, db.Zone())
	var total time.Duration
	n := 0
	for n < c.bookings {
		if day.Weekday() != time.Saturday && day.Weekday() != time.Sunday {
			for slot := 0; slot < 16 && n < c.bookings; slot++ {
				for _, doc := range doctors {
					if n >= c.bookings {
						break
					}
					a := core.Appointment{PatientID: patients[n%len(patients)].ID, Doctor: doc.Name, Start: day.Add(8*time.Hour + time.Duration(slot)*15*time.Minute), Minutes: 15}
					t0 := time.Now()
					if _, err := desk.Book(a); err != nil {
						return "", fmt.Errorf("booking %v: %w", a.Start, err)
					}
					total += time.Since(t0)
					n++
				}
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	limit, err := commitLimit(filepath.Join(c.dir, "p1-limit.db"), c.bookings)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s ms limit %s ms", ms(total/time.Duration(n)), ms(limit)), nil
}

// commitLimit is the mean time of one bbolt commit with fsync of a
// 200-byte value.
func commitLimit(path string, n int) (time.Duration, error) {
	os.Remove(path)
	defer os.Remove(path)
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return 0, err
	}
	defer b.Close()
	val := make([]byte, 200)
	t0 := time.Now()
	for i := 0; i < n; i++ {
		err := b.Update(func(tx *bolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists([]byte("b"))
			if err != nil {
				return err
			}
			return bk.Put([]byte(fmt.Sprintf("k%08d", i)), val)
		})
		if err != nil {
			return 0, err
		}
	}
	return time.Since(t0) / time.Duration(n), nil
}

// benchP2 types names, phone digits and birth dates into patient search,
// one keystroke at a time, over the large store, and reports the p99.
func benchP2(_ context.Context, c config) (string, error) {
	path, err := fixture(c.dir, c.patients, c.appts, 30)
	if err != nil {
		return "", err
	}
	db, err := store.Open(path, store.Options{Now: func() time.Time { return fixedNow }})
	if err != nil {
		return "", err
	}
	defer db.Close()
	desk, err := db.Login("desk", benchPass)
	if err != nil {
		return "", err
	}
	sample, err := desk.FindPatients("e", 200)
	if err != nil {
		return "", err
	}
	var queries []string
	for i := 0; len(queries) < c.keys && len(sample) > 0; i++ {
		p := sample[i%len(sample)]
		var typed string
		switch i % 3 {
		case 0:
			typed = p.Name
		case 1:
			typed = core.PhoneDigits(p.Phone)[2:]
		default:
			typed = string(p.DOB)
		}
		for j := 1; j <= len([]rune(typed)) && len(queries) < c.keys; j++ {
			queries = append(queries, string([]rune(typed)[:j]))
		}
	}
	times := make([]time.Duration, 0, len(queries))
	for _, q := range queries {
		t0 := time.Now()
		if _, err := desk.FindPatients(q, 20); err != nil {
			return "", err
		}
		times = append(times, time.Since(t0))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	// The same typing through the TUI: a shorter run, whole words typed
	// into the search screen.
	var words []string
	for i, n := 0, 0; n < len(queries)/4 && i < len(sample); i++ {
		words = append(words, sample[i].Name)
		n += len([]rune(sample[i].Name))
	}
	tuiTimes, err := tuiSearch(db, words)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s ms (p99 keystroke to results on screen in the TUI, %d keystrokes over %d patients, median %s ms; store search alone, its access-log entries journaled for a group commit: p99 %s ms, median %s ms over %d keystrokes; target 5 ms)",
		ms(p99(tuiTimes)), len(tuiTimes), desk.PatientCount(), ms(tuiTimes[len(tuiTimes)/2]),
		ms(p99(times)), ms(times[len(times)/2]), len(times)), nil
}

// p99 is the 99th percentile of sorted times.
func p99(sorted []time.Duration) time.Duration { return sorted[len(sorted)*99/100] }

// benchP3 starts a fresh process that unlocks the large store and renders
// the day schedule, against one Argon2id derivation.
func benchP3(_ context.Context, c config) (string, error) {
	path, err := fixture(c.dir, c.patients, c.appts, 30)
	if err != nil {
		return "", err
	}
	var best time.Duration
	for i := 0; i < 3; i++ {
		t0 := time.Now()
		out, err := child("p3", path)
		if err != nil {
			return "", err
		}
		d := time.Since(t0)
		if !strings.HasPrefix(out, "ready") {
			return "", fmt.Errorf("child said %q", out)
		}
		if best == 0 || d < best {
			best = d
		}
	}
	t0 := time.Now()
	store.DefaultKDF.Derive(benchPass)
	limit := time.Since(t0)
	return fmt.Sprintf("%s ms limit %s ms (target 100 ms + limit)", ms(best), ms(limit)), nil
}

// benchP10 reads the resident memory of a fresh process with the large
// store unlocked and the patient index loaded.
func benchP10(_ context.Context, c config) (string, error) {
	path, err := fixture(c.dir, c.patients, c.appts, 30)
	if err != nil {
		return "", err
	}
	out, err := child("p10", path)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(out) + " (target 50 MB)", nil
}

// child runs this program with -child and returns its first output line.
func child(mode, path string) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	cmd := exec.Command(self, "-child", mode, path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if err := cmd.Wait(); err != nil {
		return "", err
	}
	return line, nil
}

// copyFile copies a fixture so a benchmark can write to it.
func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o600)
}
