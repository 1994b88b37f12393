package store

import (
	"bytes"
	"errors"
	"testing"

	"medisecure/core"
)

func TestRotationReachesOtherWorkstationsThroughTheDirectory(t *testing.T) {
	f := newFixture(t)
	other := replica(t, f)
	before, err := f.admin.OrgKey(1)
	must(t, err)
	epoch, err := f.admin.RotateEpoch()
	must(t, err)
	if epoch != 2 || f.admin.Epoch() != 2 {
		t.Fatalf("epoch after rotation = %d (session says %d), want 2", epoch, f.admin.Epoch())
	}
	after, err := f.admin.OrgKey(2)
	must(t, err)
	if bytes.Equal(before, after) {
		t.Fatal("the new epoch has the old org key")
	}
	if old, err := f.admin.OrgKey(1); err != nil || !bytes.Equal(old, before) {
		t.Errorf("the old epoch's key is gone: %v", err)
	}
	// This workstation still opens after the rotation.
	f.reopen(t)
	if f.desk.Epoch() != 2 {
		t.Errorf("after reopening the epoch is %d", f.desk.Epoch())
	}

	entries, err := f.admin.DirectoryEntries()
	must(t, err)
	if _, err := other.ImportDirectory(entries); err != nil {
		t.Fatalf("import of the rotated directory: %v", err)
	}
	s, err := other.Login("desk", "desk-pass")
	must(t, err)
	if s.Epoch() != 2 {
		t.Fatalf("the other workstation stayed on epoch %d", s.Epoch())
	}
	got, err := s.OrgKey(2)
	if err != nil || !bytes.Equal(got, after) {
		t.Errorf("the other workstation's epoch-2 key differs: %v", err)
	}
	// Still one store key: existing data opens.
	if _, err := s.FindPatients("anyone", 5); err != nil {
		t.Errorf("search after moving epochs: %v", err)
	}
}

func TestOnlyAdminsRotate(t *testing.T) {
	f := newFixture(t)
	if _, err := f.desk.RotateEpoch(); !errors.Is(err, core.ErrDenied) {
		t.Errorf("reception rotating keys: %v", err)
	}
}
