//go:build !linux

package store

import bolt "go.etcd.io/bbolt"

// dropMapped does nothing where the pages of the store file's map are not
// handed back (mapped_linux.go).
func dropMapped(*bolt.Tx, []byte) {}
