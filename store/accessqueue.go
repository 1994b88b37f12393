package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// The access log's group commit. A search shows its results the moment
// its access-log entries are written, not when a commit of them has been
// synced to disk: they go first to a journal next to the store file (one
// sealed record per search, a plain write that outlives the process the
// instant it returns), and a committer folds whatever has gathered into
// the hash-chained log in one bbolt transaction, so that many keystrokes
// share one fsync. A process killed after a search returned loses
// nothing: the next unlock folds the journal in. The meta key
// metaAccessFolded, written in the same commit as the entries, says how
// far the journal is folded, so that no record is folded twice. A
// transaction that logs access itself folds the journal first, which
// keeps the log in the order things happened.

// accessJournalSuffix names the journal: the store file's path and this.
const accessJournalSuffix = "-access"

// accessLabel binds a sealed journal record to the journal.
var accessLabel = []byte("access journal")

// maxAccessRecord bounds one journal record as read back.
const maxAccessRecord = 1 << 20

// errNothingQueued rolls back a fold that found another transaction had
// folded everything.
var errNothingQueued = errors.New("store: nothing queued for the access log")

// accessQueue is the journal of access-log entries not yet in the log.
type accessQueue struct {
	mu       sync.Mutex
	f        *os.File
	next     uint64
	pending  []accessRecord
	delay    time.Duration
	kick     chan struct{}
	stop     chan struct{}
	finished chan struct{}
	closing  sync.Once
}

// accessRecord is one journal record: the entries one search logged.
type accessRecord struct {
	N       uint64         `json:"n"`
	Entries []queuedAccess `json:"entries"`
}

// queuedAccess is an access-log entry before the log gives it its
// sequence and chain hash.
type queuedAccess struct {
	At      time.Time `json:"at"`
	User    string    `json:"user"`
	Role    core.Role `json:"role"`
	Patient core.ID   `json:"patient_id"`
	Action  string    `json:"action"`
	Reason  string    `json:"reason"`
}

// openAccessQueue opens the journal of the store at path with the store
// key just unlocked, folds in what an earlier process left there, and
// starts the committer.
func (db *DB) openAccessQueue(keys *storeKeys) error {
	name := db.path + accessJournalSuffix
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("store: opening the access journal %s: %w", name, err)
	}
	q := &accessQueue{f: f, delay: db.opts.AccessCommitDelay, kick: make(chan struct{}, 1), stop: make(chan struct{}), finished: make(chan struct{})}
	records, valid, err := readAccessJournal(f, keys.store)
	if err == nil {
		// What follows the last record that opens (a write a power cut
		// tore) is cut off, so that records written from now on are
		// read back.
		err = f.Truncate(valid)
	}
	if err != nil {
		f.Close()
		return fmt.Errorf("store: reading the access journal %s: %w", name, err)
	}
	var folded uint64
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		folded = accessFolded(tx)
		return nil
	}); err != nil {
		f.Close()
		return err
	}
	q.next = folded + 1
	for _, r := range records {
		if r.N > folded {
			q.pending = append(q.pending, r)
		}
		q.next = max(q.next, r.N+1)
	}
	db.access = q
	if err := db.foldAccess(keys); err != nil {
		return err
	}
	go db.commitAccess(keys)
	return nil
}

// readAccessJournal reads the journal's records in order, and how many
// bytes they fill; a record that does not open ends it (a write cut short
// by a power cut).
func readAccessJournal(f *os.File, s *sealer) ([]accessRecord, int64, error) {
	raw, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<62))
	if err != nil {
		return nil, 0, err
	}
	var out []accessRecord
	valid := int64(0)
	for len(raw) >= 12 {
		n, size := binary.BigEndian.Uint64(raw), binary.BigEndian.Uint32(raw[8:])
		if size > maxAccessRecord || int(size) > len(raw)-12 {
			break
		}
		plain, err := s.open(accessLabel, u64(n), raw[12:12+size])
		var r accessRecord
		if err != nil || json.Unmarshal(plain, &r) != nil || r.N != n {
			break
		}
		out = append(out, r)
		raw = raw[12+size:]
		valid += int64(12 + size)
	}
	return out, valid, nil
}

// queueAccess writes entries to the journal as one record and wakes the
// committer. When it returns, the entries outlive the process.
func (db *DB) queueAccess(keys *storeKeys, entries []queuedAccess) error {
	q := db.access
	q.mu.Lock()
	defer q.mu.Unlock()
	r := accessRecord{N: q.next, Entries: entries}
	sealed := keys.store.seal(accessLabel, u64(r.N), mustJSON(r))
	buf := binary.BigEndian.AppendUint64(make([]byte, 0, 12+len(sealed)), r.N)
	buf = append(binary.BigEndian.AppendUint32(buf, uint32(len(sealed))), sealed...)
	if _, err := q.f.Write(buf); err != nil {
		return fmt.Errorf("store: writing the access log: %w", err)
	}
	q.next++
	q.pending = append(q.pending, r)
	select {
	case q.kick <- struct{}{}:
	default:
	}
	return nil
}

// commitAccess is the committer: it folds the journal whenever entries
// come, after the group-commit delay, until the queue is closed.
func (db *DB) commitAccess(keys *storeKeys) {
	q := db.access
	defer close(q.finished)
	for {
		select {
		case <-q.kick:
		case <-q.stop:
			return
		}
		if q.delay > 0 {
			select {
			case <-time.After(q.delay):
			case <-q.stop:
				return
			}
		}
		// A fold that fails leaves the entries in the journal: the next
		// transaction that logs access, or Close, folds them.
		db.foldAccess(keys)
	}
}

// foldAccess folds every journal record into the log in one commit.
func (db *DB) foldAccess(keys *storeKeys) error {
	if db.access.waiting() == 0 {
		return nil
	}
	t := &txn{keys: keys}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		t.tx = tx
		if err := t.openLog(db); err != nil {
			return err
		}
		if t.folded == 0 {
			return errNothingQueued
		}
		return t.saveHead()
	})
	if errors.Is(err, errNothingQueued) {
		return nil
	}
	if err != nil {
		return err
	}
	db.access.folded(t.folded)
	return nil
}

// flushAccess folds the journal now, for a reader of the log.
func (db *DB) flushAccess() error {
	if db.access == nil {
		return nil
	}
	db.mu.Lock()
	keys := db.keys
	db.mu.Unlock()
	return db.foldAccess(keys)
}

// closeAccess stops the committer and folds what is left; closing again
// does nothing.
func (db *DB) closeAccess() error {
	q := db.access
	if q == nil {
		return nil
	}
	var err error
	q.closing.Do(func() {
		close(q.stop)
		<-q.finished
		err = errors.Join(db.flushAccess(), q.f.Close())
	})
	return err
}

// waiting counts the records not yet folded.
func (q *accessQueue) waiting() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.pending)
}

// unfolded returns the records after the one numbered folded.
func (q *accessQueue) unfolded(folded uint64) []accessRecord {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []accessRecord
	for _, r := range q.pending {
		if r.N > folded {
			out = append(out, r)
		}
	}
	return out
}

// folded forgets the records up to through, now committed to the log,
// and empties the journal when nothing else waits in it.
func (q *accessQueue) folded(through uint64) {
	if through == 0 {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	keep := q.pending[:0]
	for _, r := range q.pending {
		if r.N > through {
			keep = append(keep, r)
		}
	}
	q.pending = keep
	if len(q.pending) == 0 {
		// Folded records are skipped when read again, so a failed
		// truncation costs only their space.
		q.f.Truncate(0)
	}
}

// accessFolded is the number of the last journal record in the log.
func accessFolded(tx *bolt.Tx) uint64 {
	if v := tx.Bucket(bucketMeta).Get(metaAccessFolded); len(v) == 8 {
		return be64(v)
	}
	return 0
}

// foldQueued appends the journal's unfolded records to the log in this
// transaction, before anything it logs itself.
func (t *txn) foldQueued(db *DB) error {
	if db.access == nil {
		return nil
	}
	through := accessFolded(t.tx)
	records := db.access.unfolded(through)
	if len(records) == 0 {
		return nil
	}
	for _, r := range records {
		for _, e := range r.Entries {
			if err := t.appendAccess(e); err != nil {
				return err
			}
		}
		through = r.N
	}
	t.folded = through
	return t.tx.Bucket(bucketMeta).Put(metaAccessFolded, u64(through))
}
