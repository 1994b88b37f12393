package store

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"runtime/debug"
	"sync"

	"medisecure/core"
)

// scan is one version of the patient index as a search reads it, in a few
// flat arrays rather than a map of strings (100,000 patients fit in about
// 16 MB with their trigram lists): entry n's 12 ID bytes are
// ids[12n:12n+12], its name names[nameAt[n]:nameAt[n+1]], and its folded
// text flat[starts[n]:starts[n+1]-1]: the stored text ("name|phone
// digits|date of birth"), then "|" and the folded name squashed (squash),
// each entry preceded by a NUL and the last one followed by one. slots maps
// an ID to its entry number. A scan is never changed once built, so
// searches read it without locks; its trigram lists are built on first use.
type scan struct {
	ids    []byte
	flat   []byte
	starts []uint32
	names  []byte
	nameAt []uint32
	// slots is an open-addressing table of entry numbers plus one (0 is an
	// empty slot), by idHash; its length is a power of two.
	slots []uint32

	gramsOnce sync.Once
	grams     *grams
	// settle says to hand the memory garbage holds back to the system
	// once the trigram lists are built (loadSearch).
	settle bool
}

// scanFill is a window onto the arrays of a scan being filled: appending to
// it writes entries in place, from entry first on. Windows over disjoint
// ranges may be filled at the same time.
type scanFill struct {
	ids, flat, names []byte
	starts, nameAt   []uint32
	flatBase         int // where flat begins in the scan's flat
	nameBase         int // where names begins in the scan's names
}

// entrySize is what an entry adds to a scan's flat and names arrays.
func entrySize(name, text []byte) (flat, names int) {
	return 2 + len(text) + squashLen(foldedPart(text)), len(name)
}

// foldedPart is the folded name at the head of a stored text.
func foldedPart(text []byte) []byte {
	n, _, _ := bytes.Cut(text, []byte("|"))
	return n
}

// newScan allocates a scan for n entries whose sizes (entrySize) add up to
// flat and names bytes; fill then writes them.
func newScan(n, flat, names int) *scan {
	sc := &scan{
		ids:    make([]byte, 12*n),
		flat:   make([]byte, flat+1), // the last byte is the final NUL
		starts: make([]uint32, n+1),
		names:  make([]byte, names),
		nameAt: make([]uint32, n+1),
	}
	sc.starts[n] = uint32(flat + 1)
	sc.nameAt[n] = uint32(names)
	return sc
}

// fill is the window onto entries first to first+n, whose flat bytes begin
// at flatOff and name bytes at nameOff.
func (sc *scan) fill(first, n, flatOff, flatLen, nameOff, nameLen int) *scanFill {
	return &scanFill{
		ids:      sc.ids[12*first : 12*first : 12*(first+n)],
		starts:   sc.starts[first:first:(first + n)],
		nameAt:   sc.nameAt[first:first:(first + n)],
		flat:     sc.flat[flatOff:flatOff:(flatOff + flatLen)],
		names:    sc.names[nameOff:nameOff:(nameOff + nameLen)],
		flatBase: flatOff,
		nameBase: nameOff,
	}
}

// add writes one entry: its 12 ID bytes, its name and its stored text.
func (f *scanFill) add(id, name, text []byte) {
	f.ids = append(f.ids, id...)
	f.nameAt = append(f.nameAt, uint32(f.nameBase+len(f.names)))
	f.names = append(f.names, name...)
	f.flat = append(f.flat, 0)
	f.starts = append(f.starts, uint32(f.flatBase+len(f.flat)))
	f.flat = append(f.flat, text...)
	// The name once more without spaces and punctuation, so that "obrien"
	// finds O'Brien and "delacruz" de la Cruz; memory only, never in the
	// stored shards.
	f.flat = appendSquash(append(f.flat, '|'), foldedPart(text))
}

// copyFrom writes entry n of old unchanged.
func (f *scanFill) copyFrom(old *scan, n int) {
	f.ids = append(f.ids, old.ids[12*n:12*n+12]...)
	f.nameAt = append(f.nameAt, uint32(f.nameBase+len(f.names)))
	f.names = append(f.names, old.name(n)...)
	f.starts = append(f.starts, uint32(f.flatBase+len(f.flat)+1))
	f.flat = append(f.flat, old.flat[old.starts[n]-1:old.starts[n+1]-1]...)
}

// size is the number of entries.
func (sc *scan) size() int { return len(sc.starts) - 1 }

// text is entry n's searched text.
func (sc *scan) text(n int) []byte { return sc.flat[sc.starts[n] : sc.starts[n+1]-1] }

// stored is entry n's text as the shards store it, without the squashed
// name.
func (sc *scan) stored(n int) []byte {
	t := sc.text(n)
	return t[:bytes.LastIndexByte(t, '|')]
}

// name is entry n's name.
func (sc *scan) name(n int) []byte { return sc.names[sc.nameAt[n]:sc.nameAt[n+1]] }

// rawID is entry n's 12 ID bytes.
func (sc *scan) rawID(n int) []byte { return sc.ids[12*n : 12*n+12] }

// id is entry n's ID.
func (sc *scan) id(n int) core.ID { return core.ID(hex.EncodeToString(sc.rawID(n))) }

// entry is entry n as a searchEntry.
func (sc *scan) entry(n int) searchEntry {
	return searchEntry{name: string(sc.name(n)), text: string(sc.stored(n))}
}

// idKey is the 12 bytes behind a well-formed ID.
func idKey(id core.ID) ([12]byte, bool) {
	var k [12]byte
	if _, err := core.ParseID(string(id)); err != nil {
		return k, false
	}
	_, err := hex.Decode(k[:], []byte(id))
	return k, err == nil
}

// idHash spreads IDs over the slots by their last four bytes, random ones.
func idHash(id []byte) uint32 { return binary.LittleEndian.Uint32(id[8:12]) * 0x9E3779B1 }

// index fills the slots; it reports false when an ID is there twice.
func (sc *scan) index() bool {
	n := sc.size()
	size := 16
	for size < 2*n {
		size *= 2
	}
	sc.slots = make([]uint32, size)
	mask := uint32(size - 1)
	for e := 0; e < n; e++ {
		id := sc.rawID(e)
		for h := idHash(id) & mask; ; h = (h + 1) & mask {
			if sc.slots[h] == 0 {
				sc.slots[h] = uint32(e + 1)
				break
			}
			if bytes.Equal(sc.rawID(int(sc.slots[h]-1)), id) {
				return false
			}
		}
	}
	return true
}

// lookup is the entry number of an ID, or -1.
func (sc *scan) lookup(k [12]byte) int {
	mask := uint32(len(sc.slots) - 1)
	for h := idHash(k[:]) & mask; ; h = (h + 1) & mask {
		s := sc.slots[h]
		if s == 0 {
			return -1
		}
		if bytes.Equal(sc.rawID(int(s-1)), k[:]) {
			return int(s - 1)
		}
	}
}

// trigrams are the scan's trigram lists, built on first use.
func (sc *scan) trigrams() *grams {
	sc.gramsOnce.Do(func() {
		sc.grams = buildGrams(sc.flat, sc.starts)
		if sc.settle {
			debug.FreeOSMemory()
		}
	})
	return sc.grams
}

// emptyScan is the scan of an index with no entries.
func emptyScan() *scan {
	sc := newScan(0, 0, 0)
	sc.index()
	return sc
}
