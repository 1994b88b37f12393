package envelope

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"medisecure/core"
)

// Payload is what a batch carries once opened: a device's changes and,
// when the device's copy of the key directory changed since the server
// last acknowledged it, the directory's entries (signed user records that
// hold no PHI; the workstation store verifies them against the org root
// key before it uses them). Sealing the directory inside batches keeps it
// under the org key like everything else and orders it before the changes
// its new users make.
//
// The plaintext of a batch is the JSON array of its changes when it has no
// directory entries (the first form, which every batch of this version can
// still be), otherwise the JSON object {"changes":[…],"directory":[…]}
// whose directory entries are JSON objects. A batch of directory entries
// alone has no changes; it still covers at least one device sequence.
type Payload struct {
	Changes   []core.Change     `json:"changes"`
	Directory []json.RawMessage `json:"directory,omitempty"`
	// Digests, in an opened payload, are the digests of Changes as
	// opened (core.RestoreChain computes them restoring each Prev), for
	// core.VerifyAuthorsDigested: it takes them only for this very slice
	// and changes not replaced since (core.Digests). Not sealed.
	Digests *core.Digests `json:"-"`
}

// encode is the payload's plaintext: the bytes json.Marshal writes, the
// array form written in one pass (core.AppendChangesJSON).
func (p *Payload) encode() ([]byte, error) {
	changes := compactSignatures(p.Changes)
	if len(p.Directory) == 0 {
		return core.AppendChangesJSON(nil, changes)
	}
	if changes == nil {
		changes = []core.Change{}
	}
	return json.Marshal(Payload{Changes: changes, Directory: p.Directory})
}

// Author signatures travel compacted. Changes by one author form a hash
// chain (core/signature.go), and one signature vouches for every change
// the chain reaches back from it, so a batch carries, per author, the
// signature of the last change of each run only, and a Prev only where it
// is not the digest of the author's previous change in the batch (the
// first of a run). Opening restores every Prev; a change without its own
// Sig verifies through the chain or not at all. A change that travels
// sealed (core.Change.Opaque) vouches for nothing before it: a receiver
// without its key cannot compute its digest.

// compactSignatures returns changes with the redundant Prev and Sig fields
// left out, without touching the caller's changes.
func compactSignatures(changes []core.Change) []core.Change {
	if len(changes) == 0 {
		return changes
	}
	out := make([]core.Change, len(changes))
	copy(out, changes)
	last := map[string]int{}
	for i := range changes {
		c := &changes[i]
		j, ok := last[c.Author]
		last[c.Author] = i
		if !ok || len(c.Prev) != core.DigestSize {
			continue
		}
		if d := changes[j].Digest(); bytes.Equal(c.Prev, d[:]) {
			out[i].Prev = nil
			if len(c.Sig) != 0 && !c.Opaque() {
				out[j].Sig = nil
			}
		}
	}
	return out
}

// restorePrev gives back each change the Prev compactSignatures left out
// (core.RestoreChain): a change without one after a change of its
// author's chain (which has a Prev) follows it. Changes from before
// signatures have none, and keep none. It returns the digests of the
// changes as restored.
func restorePrev(changes []core.Change) *core.Digests {
	return core.RestoreChain(changes)
}

// decodePayload parses either form of a payload's plaintext. The array
// form, nearly every batch, is read in one pass (core.DecodeChangesJSON);
// the changes' field values are sub-slices of plain.
func decodePayload(plain []byte) (Payload, error) {
	var p Payload
	trimmed := bytes.TrimLeft(plain, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		if err := json.Unmarshal(plain, &p); err != nil {
			return Payload{}, err
		}
		p.Digests = restorePrev(p.Changes)
		return p, nil
	}
	changes, err := core.DecodeChangesJSON(plain)
	if err != nil {
		return Payload{}, err
	}
	p.Changes = changes
	p.Digests = restorePrev(p.Changes)
	return p, nil
}

// check reports whether p holds something, all of it the batch device's
// own changes within the batch's range and directory entries that are
// JSON objects.
func (p *Payload) check(b *Batch) error {
	if len(p.Changes) == 0 && len(p.Directory) == 0 {
		return errors.New("a batch holds at least one change or directory entry")
	}
	for i := range p.Changes {
		c := &p.Changes[i]
		if c.Device != b.Device {
			return fmt.Errorf("change %d is from device %q, not %q", i, c.Device, b.Device)
		}
		if c.Seq < b.First || c.Seq > b.Last {
			return fmt.Errorf("change %d has sequence %d outside %d..%d", i, c.Seq, b.First, b.Last)
		}
	}
	for i, e := range p.Directory {
		if len(e) == 0 || e[0] != '{' {
			return fmt.Errorf("directory entry %d is not a JSON object", i)
		}
	}
	return nil
}

// AsOpened is what changes look like once sealed and opened again: the
// signatures a chain makes redundant are gone. A client that compares a
// batch the server holds with its own outbox compares against this.
func AsOpened(changes []core.Change) []core.Change {
	out := compactSignatures(changes)
	restorePrev(out)
	return out
}
