package store

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// gramBits sizes the trigram table: trigrams hash into 2^gramBits lists.
// Collisions only add candidates, which the exact check then drops.
const gramBits = 18

// grams is an inverted index from trigrams (of bytes of the folded text) to
// the numbers of the entries that hold them, built in two passes over the
// joined text: measure, then fill. Every list is sorted and free of
// repeats, and kept as the gaps between its numbers in uvarints (the first
// counted from -1): mostly one byte a posting instead of four.
type grams struct {
	offsets  []uint32 // list k is postings[offsets[k]:offsets[k+1]]
	postings []byte
}

// gramKey hashes the three bytes at b[i:].
func gramKey(b []byte, i int) uint32 {
	h := uint32(b[i])*0x9E3779B1 ^ uint32(b[i+1])*0x85EBCA77 ^ uint32(b[i+2])*0xC2B2AE3D
	return h >> (32 - gramBits)
}

// uvarintLen is the length of x as a uvarint.
func uvarintLen(x uint32) uint32 { return uint32(bits.Len32(x|1)+6) / 7 }

// buildGrams indexes every entry of flat; starts[n] is where entry n's text
// begins, and each text ends one byte before the next start.
func buildGrams[S ~int | ~uint32](flat []byte, starts []S) *grams {
	n := len(starts) - 1
	last := make([]int32, 1<<gramBits)
	each := func(fn func(k uint32, gap uint32)) {
		for i := range last {
			last[i] = -1
		}
		for e := 0; e < n; e++ {
			text := flat[starts[e] : starts[e+1]-1]
			for i := 0; i+3 <= len(text); i++ {
				k := gramKey(text, i)
				if last[k] != int32(e) {
					fn(k, uint32(int32(e)-last[k]))
					last[k] = int32(e)
				}
			}
		}
	}
	// offsets[k+1] first counts list k's bytes; summed, offsets[k] is
	// where list k starts, and it moves along while list k is filled, to
	// end where list k+1 starts; one shift puts every start back.
	offsets := make([]uint32, 1<<gramBits+1)
	each(func(k, gap uint32) { offsets[k+1] += uvarintLen(gap) })
	for k := 1; k < len(offsets); k++ {
		offsets[k] += offsets[k-1]
	}
	g := &grams{offsets: offsets, postings: make([]byte, offsets[len(offsets)-1])}
	each(func(k, gap uint32) {
		offsets[k] += uint32(binary.PutUvarint(g.postings[offsets[k]:], uint64(gap)))
	})
	copy(offsets[1:], offsets[:len(offsets)-1])
	offsets[0] = 0
	return g
}

// list is trigram list k.
func (g *grams) list(k uint32) []byte { return g.postings[g.offsets[k]:g.offsets[k+1]] }

// next decodes the posting at l[i:] after prev, and where the one after
// it starts.
func next(l []byte, i int, prev int32) (int32, int) {
	if b := l[i]; b < 0x80 {
		return prev + int32(b), i + 1
	}
	gap, w := binary.Uvarint(l[i:])
	return prev + int32(gap), i + w
}

// candidates lists, in order, the entries that hold every trigram of word
// (len(word) >= 3): the intersection of its trigram lists.
func (g *grams) candidates(word []byte) []int32 {
	lists := make([][]byte, 0, len(word)-2)
	for i := 0; i+3 <= len(word); i++ {
		lists = append(lists, g.list(gramKey(word, i)))
	}
	slices.SortFunc(lists, func(a, b []byte) int { return len(a) - len(b) })
	out := make([]int32, 0, len(lists[0]))
	for i, e := 0, int32(-1); i < len(lists[0]); {
		e, i = next(lists[0], i, e)
		out = append(out, e)
	}
	for _, l := range lists[1:] {
		out = intersectList(out, l)
		if len(out) == 0 {
			break
		}
	}
	return out
}

// intersectList keeps the elements of a (sorted) also in the list l, in
// place.
func intersectList(a []int32, l []byte) []int32 {
	out := a[:0]
	j := 0
	for i, e := 0, int32(-1); i < len(l) && j < len(a); {
		e, i = next(l, i, e)
		for j < len(a) && a[j] < e {
			j++
		}
		if j < len(a) && a[j] == e {
			out = append(out, e)
			j++
		}
	}
	return out
}

// intersect keeps the elements of a (sorted) also in b (sorted), in place.
func intersect(a, b []int32) []int32 {
	out := a[:0]
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j < len(b) && b[j] == x {
			out = append(out, x)
		}
	}
	return out
}
