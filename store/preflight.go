package store

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// bbolt's file layout, as far as the preflight check reads it: two meta
// pages at the start, each a 16-byte page header followed by the meta.
const (
	boltMagic       = 0xED0CDAED
	metaMagicAt     = 16
	metaPageSizeAt  = 16 + 8
	metaHighWaterAt = 16 + 40
	metaReadLen     = 16 + 64
)

// preflight refuses, before bbolt maps the file, what would make bbolt write
// to it or fault on it: an empty file, a file too short for its header, or
// one cut shorter than its meta pages say it is. It returns ErrNotStore or
// ErrCorrupt naming the file, or nil.
func preflight(path string, size int64) error {
	if size == 0 {
		return fmt.Errorf("%w: %s is empty", ErrNotStore, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("store: opening %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, metaReadLen)
	if _, err := io.ReadFull(f, head); err != nil {
		return fmt.Errorf("%w: %s is too short to be a store", ErrNotStore, path)
	}
	if binary.LittleEndian.Uint32(head[metaMagicAt:]) != boltMagic {
		return fmt.Errorf("%w: %s", ErrNotStore, path)
	}
	pageSize := int64(binary.LittleEndian.Uint32(head[metaPageSizeAt:]))
	if pageSize < 512 || pageSize > 1<<20 || size < 2*pageSize {
		return fmt.Errorf("%w: %s is damaged (bad page size)", ErrCorrupt, path)
	}
	// Both meta pages must fit; the newer one decides the length.
	hw := int64(0)
	for i := int64(0); i < 2; i++ {
		if _, err := f.ReadAt(head, i*pageSize); err != nil {
			return fmt.Errorf("%w: %s is damaged (no second meta page)", ErrCorrupt, path)
		}
		if binary.LittleEndian.Uint32(head[metaMagicAt:]) != boltMagic {
			continue
		}
		if n := int64(binary.LittleEndian.Uint64(head[metaHighWaterAt:])); n > hw {
			hw = n
		}
	}
	if hw*pageSize > size {
		return fmt.Errorf("%w: %s is cut short (%d of %d bytes)", ErrCorrupt, path, size, hw*pageSize)
	}
	return nil
}
