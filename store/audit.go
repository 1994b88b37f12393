package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"medisecure/core"
)

// ErrAuditBroken is returned (wrapped in an *AuditError) when the access log
// fails verification.
var ErrAuditBroken = core.NewError(core.ClassStore, "store: access log broken")

// AuditError names the first access-log entry that fails verification.
type AuditError struct {
	// Seq is the sequence number of the first bad entry.
	Seq    uint64
	Reason string
}

// Error reads "access log entry 17: it was edited or moved".
func (e *AuditError) Error() string {
	return fmt.Sprintf("access log entry %d: %s", e.Seq, e.Reason)
}

// Unwrap lets errors.Is(err, ErrAuditBroken) match.
func (e *AuditError) Unwrap() error { return ErrAuditBroken }

// auditHead is the sealed pointer to the newest entry, so that removing the
// last entries is detected too.
type auditHead struct {
	Seq  uint64 `json:"seq"`
	Hash []byte `json:"hash"`
}

// logAccess appends an entry to the access log in this transaction. The
// head moves in memory and is sealed once, when the transaction finishes.
func (t *txn) logAccess(patient core.ID, action, reason string) error {
	if err := t.openLog(t.s.db); err != nil {
		return err
	}
	return t.appendAccess(queuedAccess{At: t.now, User: t.s.user.Name, Role: t.s.user.Role, Patient: patient, Action: action, Reason: reason})
}

// openLog reads the access log's head, once per transaction, and folds
// in the entries queued before this transaction (accessqueue.go).
func (t *txn) openLog(db *DB) error {
	if t.head != nil {
		return nil
	}
	head, err := t.auditHead()
	if err != nil {
		return err
	}
	t.head = &head
	return t.foldQueued(db)
}

// appendAccess appends q to the log after the head openLog read.
func (t *txn) appendAccess(q queuedAccess) error {
	e := core.AccessEntry{
		Seq: t.head.Seq + 1, At: q.At, User: q.User, Role: q.Role,
		PatientID: q.Patient, Action: q.Action, Reason: q.Reason, Prev: t.head.Hash,
	}
	if err := e.Validate(); err != nil {
		return fmt.Errorf("store: writing the access log: %w", err)
	}
	key := u64(e.Seq)
	log := t.tx.Bucket(bucketAudit)
	log.FillPercent = appendFill
	if err := log.Put(key, t.keys.store.seal(bucketAudit, key, mustJSON(e))); err != nil {
		return err
	}
	t.head = &auditHead{Seq: e.Seq, Hash: e.Hash()}
	return nil
}

// saveHead seals the moved head of the access log.
func (t *txn) saveHead() error {
	if t.head == nil {
		return nil
	}
	return t.tx.Bucket(bucketMeta).Put(metaAuditHead, t.keys.store.seal(bucketMeta, metaAuditHead, mustJSON(t.head)))
}

// auditHead reads the newest entry's sequence and hash.
func (t *txn) auditHead() (auditHead, error) {
	v := t.tx.Bucket(bucketMeta).Get(metaAuditHead)
	if v == nil {
		return auditHead{Hash: make([]byte, core.AccessHashSize)}, nil
	}
	plain, err := t.keys.store.open(bucketMeta, metaAuditHead, v)
	var h auditHead
	if err != nil || json.Unmarshal(plain, &h) != nil || len(h.Hash) != core.AccessHashSize {
		return h, &AuditError{Seq: 0, Reason: "the pointer to the newest entry was altered"}
	}
	return h, nil
}

// readAudit opens every entry in order, stopping at the first that does not
// open or decode.
func (t *txn) readAudit() ([]core.AccessEntry, error) {
	var out []core.AccessEntry
	c := t.tx.Bucket(bucketAudit).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		seq := uint64(len(out) + 1)
		if !bytes.Equal(k, u64(seq)) {
			return out, &AuditError{Seq: seq, Reason: "it is missing or out of order"}
		}
		e, err := decodeAccess(t.keys.store, k, v)
		if err != nil {
			return out, &AuditError{Seq: seq, Reason: "it was edited or moved (" + err.Error() + ")"}
		}
		out = append(out, e)
	}
	return out, nil
}

// decodeAccess opens and parses one stored entry.
func decodeAccess(s *sealer, key, sealed []byte) (core.AccessEntry, error) {
	var e core.AccessEntry
	plain, err := s.open(bucketAudit, key, sealed)
	if err != nil {
		return e, errors.New("it fails its integrity check")
	}
	if err := json.Unmarshal(plain, &e); err != nil {
		return e, errors.New("it does not decode")
	}
	return e, nil
}

// AuditVerify checks the whole access log: every entry opens, the hash
// chain holds, and the newest entry is the one the head points at. It
// returns the number of entries, or an *AuditError naming the first bad one.
func (s *Session) AuditVerify() (int, error) {
	if err := s.authorize(core.ActRead, core.KindAccessLog); err != nil {
		return 0, err
	}
	if err := s.db.flushAccess(); err != nil {
		return 0, err
	}
	n := 0
	err := s.view(func(t *txn) error {
		entries, err := t.readAudit()
		if err != nil {
			return err
		}
		if bad, err := core.VerifyChain(entries); err != nil {
			return &AuditError{Seq: entries[bad].Seq, Reason: "the chain breaks here: " + trimPrefix(err)}
		}
		head, err := t.auditHead()
		if err != nil {
			return err
		}
		last := auditHead{Hash: make([]byte, core.AccessHashSize)}
		if len(entries) > 0 {
			e := entries[len(entries)-1]
			last = auditHead{Seq: e.Seq, Hash: e.Hash()}
		}
		switch {
		case head.Seq > last.Seq:
			return &AuditError{Seq: last.Seq + 1, Reason: "it and the entries after it were removed"}
		case head.Seq < last.Seq:
			return &AuditError{Seq: head.Seq + 1, Reason: "it was added behind the log's back"}
		case !bytes.Equal(head.Hash, last.Hash):
			return &AuditError{Seq: last.Seq, Reason: "it was edited"}
		}
		n = len(entries)
		return nil
	})
	return n, err
}

// AuditList returns the access log, oldest first, optionally only the
// entries about one patient (admins only).
func (s *Session) AuditList(patient core.ID) ([]core.AccessEntry, error) {
	if err := s.authorize(core.ActRead, core.KindAccessLog); err != nil {
		return nil, err
	}
	if err := s.db.flushAccess(); err != nil {
		return nil, err
	}
	var out []core.AccessEntry
	err := s.view(func(t *txn) error {
		entries, err := t.readAudit()
		for _, e := range entries {
			if patient == "" || e.PatientID == patient {
				out = append(out, e)
			}
		}
		return err
	})
	return out, err
}
