package boltstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"medisecure/sync/server"
	"medisecure/sync/server/internal/group"
)

// Store is a Backend in one bbolt file. It is safe for concurrent use by
// one process; bbolt locks the file against others.
type Store struct {
	db   *bolt.DB
	path string
	// group commits pushes and nonces together (group.go).
	group *group.Committer[write]
}

var (
	_ server.Backend        = (*Store)(nil)
	_ server.NoncedAppender = (*Store)(nil)
	_ server.Follower       = (*Store)(nil)
)

var (
	// ErrInUse is returned by Open when another process holds the file.
	ErrInUse = errors.New("boltstore: file in use by another process")
	// ErrNotStore is returned by Open for a file that is not a server
	// store.
	ErrNotStore = errors.New("boltstore: not a sync server data file")
	// ErrCorrupt is returned when the file or a value in it is damaged.
	// It wraps server.ErrDamaged, so that the server tells the caller.
	ErrCorrupt error = damaged{}
	// ErrNewerSchema is returned by Open for a file written by a newer
	// version.
	ErrNewerSchema = errors.New("boltstore: data file from a newer version")
)

// Open opens the store at path, creating it (mode 0600) if it does not
// exist. It returns ErrInUse, ErrNotStore, ErrCorrupt or ErrNewerSchema.
func Open(path string) (*Store, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%w: %s is a directory", ErrNotStore, path)
	}
	var db *bolt.DB
	err := guard(path, func() (err error) {
		db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
		return err
	})
	if err != nil {
		switch {
		case errors.Is(err, bolterrors.ErrTimeout):
			return nil, fmt.Errorf("%w: %s", ErrInUse, path)
		case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrVersionMismatch):
			return nil, fmt.Errorf("%w: %s", ErrNotStore, path)
		case errors.Is(err, bolterrors.ErrChecksum), errors.Is(err, ErrCorrupt):
			return nil, fmt.Errorf("%w: %s", ErrCorrupt, path)
		}
		return nil, fmt.Errorf("boltstore: opening %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	s.group = s.newCommitter()
	if err := s.write(path, s.initialise); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// initialise creates the layout in a new file and checks the version of an
// existing one.
func (s *Store) initialise(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		empty := true
		tx.ForEach(func([]byte, *bolt.Bucket) error {
			empty = false
			return nil
		})
		if !empty {
			return fmt.Errorf("%w: %s is another program's bbolt file", ErrNotStore, s.path)
		}
		for _, name := range topBuckets {
			if _, err := tx.CreateBucket(name); err != nil {
				return fmt.Errorf("boltstore: creating bucket %s: %w", name, err)
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, u64(SchemaVersion))
	}
	v := meta.Get(keySchema)
	if len(v) != 8 {
		return fmt.Errorf("%w: %s has no schema version", ErrNotStore, s.path)
	}
	switch version := binary.BigEndian.Uint64(v); {
	case version > SchemaVersion:
		return fmt.Errorf("%w: %s has schema %d, this program reads up to %d", ErrNewerSchema, s.path, version, SchemaVersion)
	case version < SchemaVersion:
		return fmt.Errorf("%w: %s has unknown schema %d", ErrCorrupt, s.path, version)
	}
	for _, name := range topBuckets {
		if tx.Bucket(name) == nil {
			return fmt.Errorf("%w: %s lacks its %s bucket", ErrCorrupt, s.path, name)
		}
	}
	return nil
}

// damaged is ErrCorrupt's type.
type damaged struct{}

func (damaged) Error() string { return "boltstore: data file damaged" }
func (damaged) Unwrap() error { return server.ErrDamaged }

// Close releases the file.
func (s *Store) Close() error { return s.db.Close() }

// Path is the file the store is in.
func (s *Store) Path() string { return s.path }

// u64 encodes n big-endian, the order bbolt sorts keys in.
func u64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }
