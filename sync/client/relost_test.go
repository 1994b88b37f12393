package client_test

import (
	"encoding/binary"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// lastStoredSeq is the highest server sequence in the server's file.
func lastStoredSeq(t *testing.T, path, org string) uint64 {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	must(t, err)
	defer db.Close()
	var seq uint64
	must(t, db.View(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket([]byte("orgs")).Bucket([]byte(org)).Bucket([]byte("batches")).Cursor().Last()
		seq = binary.BigEndian.Uint64(k)
		return nil
	}))
	return seq
}

// TestBatchLostAgainIsHandedBackAgain deletes a batch from the server's
// file, lets the workstation that made it hand it back, then deletes it
// again before anything else was pushed: the workstation hands it back
// again, and the other one, which never had it, ends with it.
func TestBatchLostAgainIsHandedBackAgain(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 2)
	online(t, srv, wss)
	converge(t, wss)
	a, b := wss[0], wss[1]
	ids := map[string]core.ID{"B1": addPatient(t, b, "B1")}
	b.sync()
	lose := func() {
		t.Helper()
		srv.halt()
		deleteStoredBatch(t, srv.path, b.db.Org().ID, lastStoredSeq(t, srv.path, b.db.Org().ID))
		srv.start()
	}
	lose()
	if rep := b.sync(); rep.Restored == 0 {
		t.Fatalf("b did not hand back its lost batch: %+v", rep)
	}
	// Lost again, the same batch: the log looks as it did before.
	srv.halt()
	deleteStoredBatch(t, srv.path, b.db.Org().ID, lastStoredSeq(t, srv.path, b.db.Org().ID))
	srv.start()
	if rep := b.sync(); rep.Restored == 0 {
		t.Fatalf("b did not hand back its batch lost again: %+v", rep)
	}
	a.sync()
	syncState(t, a, true, "synced")
	hasPatients(t, wss, ids)
}
