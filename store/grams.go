package store

import (
	"slices"
)

// gramBits sizes the trigram table: trigrams hash into 2^gramBits lists.
// Collisions only add candidates, which the exact check then drops.
const gramBits = 18

// grams is an inverted index from trigrams (of bytes of the folded text) to
// the positions of the entries that hold them, built in two passes over the
// joined text: count, then fill. Every list is sorted and free of repeats.
type grams struct {
	offsets  []int32 // list k is postings[offsets[k]:offsets[k+1]]
	postings []int32
}

// gramKey hashes the three bytes at b[i:].
func gramKey(b []byte, i int) uint32 {
	h := uint32(b[i])*0x9E3779B1 ^ uint32(b[i+1])*0x85EBCA77 ^ uint32(b[i+2])*0xC2B2AE3D
	return h >> (32 - gramBits)
}

// buildGrams indexes every entry of flat; starts[n] is where entry n's text
// begins, and each text ends one byte before the next start.
func buildGrams(flat []byte, starts []int) *grams {
	n := len(starts) - 1
	counts := make([]int32, 1<<gramBits+1)
	last := make([]int32, 1<<gramBits)
	for i := range last {
		last[i] = -1
	}
	each := func(fn func(k uint32, e int32)) {
		for e := 0; e < n; e++ {
			text := flat[starts[e] : starts[e+1]-1]
			for i := 0; i+3 <= len(text); i++ {
				k := gramKey(text, i)
				if last[k] != int32(e) {
					last[k] = int32(e)
					fn(k, int32(e))
				}
			}
		}
	}
	each(func(k uint32, _ int32) { counts[k+1]++ })
	for k := 1; k < len(counts); k++ {
		counts[k] += counts[k-1]
	}
	g := &grams{offsets: counts, postings: make([]int32, counts[len(counts)-1])}
	fill := slices.Clone(counts[:len(counts)-1])
	for i := range last {
		last[i] = -1
	}
	each(func(k uint32, e int32) {
		g.postings[fill[k]] = e
		fill[k]++
	})
	return g
}

// candidates lists, in order, the entries that hold every trigram of word
// (len(word) >= 3): the intersection of its trigram lists.
func (g *grams) candidates(word []byte) []int32 {
	lists := make([][]int32, 0, len(word)-2)
	for i := 0; i+3 <= len(word); i++ {
		k := gramKey(word, i)
		lists = append(lists, g.postings[g.offsets[k]:g.offsets[k+1]])
	}
	slices.SortFunc(lists, func(a, b []int32) int { return len(a) - len(b) })
	out := slices.Clone(lists[0])
	for _, l := range lists[1:] {
		out = intersect(out, l)
		if len(out) == 0 {
			break
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
