package boltstore

import (
	"errors"
	"fmt"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// A group in which one write fails after writing and another panics
// commits the others, and neither the failed write's nor the panicking
// write's changes; a refusal does not stop its group.
func TestGroupLeavesOutWhatFails(t *testing.T) {
	s := openTest(t)
	put := func(key string) func(tx *bolt.Tx) error {
		return func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put([]byte(key), []byte("v")) }
	}
	errDisk := errors.New("disk says no")
	ran := 0
	ops := []write{
		{what: "one", fn: put("one")},
		{what: "refused", fn: func(tx *bolt.Tx) error { return refuse(errors.New("gap")) }},
		{what: "fails", fn: func(tx *bolt.Tx) error {
			ran++
			if err := put("failed")(tx); err != nil {
				return err
			}
			return errDisk
		}},
		{what: "two", fn: put("two")},
		{what: "panics", fn: func(tx *bolt.Tx) error {
			put("panicked")(tx)
			var m map[string]int
			m["x"] = 1
			return nil
		}},
		{what: "three", fn: put("three")},
	}
	errs := s.commitGroup(ops)
	for i, want := range []string{"ok", "refused", "disk", "ok", "corrupt", "ok"} {
		var got string
		switch err := errs[i]; {
		case err == nil:
			got = "ok"
		case errors.As(err, new(refusal)):
			got = "refused"
		case errors.Is(err, errDisk):
			got = "disk"
		case errors.Is(err, ErrCorrupt):
			got = "corrupt"
		default:
			got = err.Error()
		}
		if got != want {
			t.Errorf("%s: %s, want %s", ops[i].what, got, want)
		}
	}
	if ran != 2 {
		t.Errorf("the failed write ran %d times, want twice (in its group, then alone)", ran)
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		for key, want := range map[string]bool{"one": true, "two": true, "three": true, "failed": false, "panicked": false} {
			if got := tx.Bucket(bucketMeta).Get([]byte(key)) != nil; got != want {
				return fmt.Errorf("%s stored: %v, want %v", key, got, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}
