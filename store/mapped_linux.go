package store

import (
	"syscall"
	"unsafe"

	bolt "go.etcd.io/bbolt"
)

// dropMapped hands back to the kernel every page of the store file's map
// that this process has read so far, once what it needed of them is copied
// out (the search shards an unlock opens, above all: 7 MB at 100,000
// patients). The pages stay in the page cache, shared with any other
// reader, but stop counting in this process's resident memory; a page read
// again comes back from the cache, without a disk read. bbolt maps the file
// read-only and writes through the file, so the map holds nothing to lose.
// at is a value read in tx; nothing is dropped unless it lies in the map.
func dropMapped(tx *bolt.Tx, at []byte) {
	if len(at) == 0 {
		return
	}
	data, size := tx.DB().Info().Data, uintptr(tx.Size())
	p := unsafe.Pointer(unsafe.SliceData(at))
	if uintptr(p) < data || uintptr(p) >= data+size {
		return
	}
	start := unsafe.Add(p, -int(uintptr(p)-data))
	// Only advice: when the kernel refuses it, the pages merely stay.
	_ = syscall.Madvise(unsafe.Slice((*byte)(start), size), syscall.MADV_DONTNEED)
}
