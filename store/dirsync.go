package store

import (
	"bytes"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// ErrBadDirectory is returned when a directory entry from elsewhere does not
// verify against the org root key; nothing of it is applied.
var ErrBadDirectory = core.NewError(core.ClassStore, "store: directory entry does not verify")

// DirectoryEntries returns every directory entry as the bytes a sync client
// ships to other workstations, by user name. Entries hold no PHI: names,
// roles, public keys, grants sealed to each user, and private keys sealed
// under each user's passphrase; then the device shares of key epochs
// (devicegrants.go), each sealed to one device.
func (s *Session) DirectoryEntries() ([][]byte, error) {
	var out [][]byte
	err := s.db.bolt.View(func(tx *bolt.Tx) error {
		err := tx.Bucket(bucketDirectory).ForEach(func(_, v []byte) error {
			out = append(out, append([]byte(nil), v...))
			return nil
		})
		if b := tx.Bucket(bucketShares); err == nil && b != nil {
			err = b.ForEach(func(_, v []byte) error {
				out = append(out, append([]byte(nil), v...))
				return nil
			})
		}
		return err
	})
	return out, err
}

// ImportDirectory adds or replaces directory entries received from other
// workstations. Every entry must verify, through its signer chain, against
// this store's pinned org root key — using the entries already here and the
// others in the same import. An entry replaces a local one only when its
// version is higher (or the local one does not verify). It returns how many entries changed. On any
// bad entry it applies nothing and returns ErrBadDirectory naming it.
func (db *DB) ImportDirectory(entries [][]byte) (int, error) {
	changed := 0
	entries, shares := splitShares(entries)
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		parsed := make([]*dirEntry, 0, len(entries))
		for i, raw := range entries {
			e, err := decodeDirEntry(raw)
			if err != nil {
				return fmt.Errorf("%w: entry %d: %v", ErrBadDirectory, i, err)
			}
			if core.ValidUserName(e.User.Name) != nil {
				return fmt.Errorf("%w: entry %d has a malformed user name", ErrBadDirectory, i)
			}
			parsed = append(parsed, e)
		}
		// Signers before the users they signed: the root's entries first.
		sort.SliceStable(parsed, func(i, j int) bool {
			return parsed[i].SignedBy == rootSigner && parsed[j].SignedBy != rootSigner
		})
		b := tx.Bucket(bucketDirectory)
		for _, e := range parsed {
			kept := e
			if cur := b.Get([]byte(e.User.Name)); cur != nil {
				if old, err := decodeDirEntry(cur); err == nil {
					kept = keptEntry(old, e)
				}
				if bytes.Equal(cur, mustJSON(kept)) {
					continue // ours is newer or the same
				}
			}
			if err := putEntry(tx, kept); err != nil {
				return err
			}
			changed++
		}
		for _, e := range parsed {
			if err := verifyEntry(tx, db.root, e); err != nil {
				return fmt.Errorf("%w: user %s: %v", ErrBadDirectory, e.User.Name, err)
			}
		}
		n, err := importShares(tx, db.root, shares)
		changed += n
		return err
	})
	if err != nil {
		return 0, err
	}
	if changed > 0 && db.keys != nil {
		// New holders get their copies of the class keys this process
		// holds; a user whose role no longer holds one loses it.
		if err := db.maintainClassWraps(); err != nil {
			return changed, err
		}
	}
	return changed, nil
}
