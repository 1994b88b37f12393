package core

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"
)

// ErrChainBroken is returned when the access log's hash chain shows that an
// entry was edited, removed or moved.
var ErrChainBroken = NewError(ClassStore, "core: access log chain broken")

// The actions an access entry records.
const (
	AccessView       = "view"
	AccessSearch     = "search"
	AccessExport     = "export"
	AccessBreakGlass = "break_glass"
	// AccessChange is an edit of a patient's data or a correction made
	// for them (a status taken back); the reason says what changed, never
	// the values.
	AccessChange = "change"
)

// AccessHashSize is the length of an entry's hash and of its Prev link.
const AccessHashSize = sha256.Size

// accessHashDomain starts every hashed encoding, so an entry's hash can never
// equal the hash of some other structure with the same bytes.
const accessHashDomain = "medisecure access entry v1"

// AccessEntry is one line of the PHI access log: who looked at (searched,
// exported, broke the glass on) which patient's data, when and why. It is
// not a record: it never syncs as a change and is never edited. Each entry
// holds the hash of the one before (Prev), so any edit, removal or
// reordering breaks the chain (VerifyChain).
type AccessEntry struct {
	// Seq numbers the entries 1, 2, 3… with no gaps.
	Seq       uint64    `json:"seq"`
	At        time.Time `json:"at"`
	User      string    `json:"user"`
	Role      Role      `json:"role"`
	PatientID ID        `json:"patient_id"`
	// Action is one of AccessView, AccessSearch, AccessExport, AccessBreakGlass.
	Action string `json:"action"`
	// Reason is why the user looked; break-the-glass access must give one.
	Reason string `json:"reason"`
	// Prev is the Hash of the previous entry: AccessHashSize zero bytes for
	// the first.
	Prev []byte `json:"prev"`
}

// Validate checks every field and lists all that are wrong. A search (that
// found nobody) and an export (of every patient) may name no patient; every
// other action names one.
func (e AccessEntry) Validate() error {
	c := &checker{kind: KindAccessLog}
	if e.Seq == 0 {
		c.add("seq", "must be 1 or more")
	}
	if e.At.IsZero() {
		c.add("at", "is required")
	}
	c.staff("user", e.User)
	if _, err := ParseRole(string(e.Role)); err != nil {
		c.add("role", "must be one of admin, reception, doctor, nurse, billing")
	}
	switch e.Action {
	case AccessSearch, AccessExport:
		c.optRefID("patient", e.PatientID, "a patient")
	case AccessView, AccessBreakGlass, AccessChange:
		c.refID("patient", e.PatientID, "a patient")
	default:
		c.add("action", "must be one of view, search, export, break_glass, change")
	}
	if e.Action == AccessBreakGlass {
		c.require("reason", e.Reason)
	}
	c.maxLen("reason", e.Reason, 500)
	if len(e.Prev) != AccessHashSize {
		c.add("prev", fmt.Sprintf("must be %d bytes", AccessHashSize))
	}
	c.freeText(e)
	return c.err()
}

// Hash is the SHA-256 of a canonical encoding of every field, Prev included:
// a domain string, then Seq and At (as Unix nanoseconds) as big-endian
// 64-bit integers, then User, Role, PatientID, Action, Reason and Prev each
// preceded by its length as a big-endian 32-bit integer. The lengths make
// the encoding unambiguous: no two different entries encode alike.
func (e AccessEntry) Hash() []byte {
	h := sha256.New()
	var n [8]byte
	writeField := func(b []byte) {
		binary.BigEndian.PutUint32(n[:4], uint32(len(b)))
		h.Write(n[:4])
		h.Write(b)
	}
	writeField([]byte(accessHashDomain))
	binary.BigEndian.PutUint64(n[:], e.Seq)
	h.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(e.At.UnixNano()))
	h.Write(n[:])
	for _, s := range []string{e.User, string(e.Role), string(e.PatientID), e.Action, e.Reason} {
		writeField([]byte(s))
	}
	writeField(e.Prev)
	return h.Sum(nil)
}

// VerifyChain checks that entries form an unbroken log: numbered 1, 2, 3…
// in order, the first linked to AccessHashSize zero bytes and every other to
// the Hash of the one before. It returns -1 and nil when they do, or the
// index of the first entry that breaks the chain and an error wrapping
// ErrChainBroken that says how.
//
// An edit shows at the entry after the edited one (its link no longer
// matches), a removal or a swap at the first entry out of sequence. A chain
// cannot see its own tail: an edited or removed newest entry is only caught
// by comparing the last hash with one kept elsewhere.
func VerifyChain(entries []AccessEntry) (badIndex int, err error) {
	prev := make([]byte, AccessHashSize)
	for i, e := range entries {
		want := uint64(i) + 1
		if e.Seq != want {
			return i, fmt.Errorf("%w: entry %d has sequence number %d, expected %d (an entry was removed or moved)", ErrChainBroken, i, e.Seq, want)
		}
		if !bytes.Equal(e.Prev, prev) {
			return i, fmt.Errorf("%w: entry %d (sequence %d) does not link to the entry before it (that entry was edited, or this link was)", ErrChainBroken, i, e.Seq)
		}
		prev = e.Hash()
	}
	return -1, nil
}
