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
}

// encode is the payload's plaintext.
func (p *Payload) encode() ([]byte, error) {
	if len(p.Directory) == 0 {
		return json.Marshal(p.Changes)
	}
	if p.Changes == nil {
		return json.Marshal(Payload{Changes: []core.Change{}, Directory: p.Directory})
	}
	return json.Marshal(p)
}

// decodePayload parses either form of a payload's plaintext.
func decodePayload(plain []byte) (Payload, error) {
	var p Payload
	trimmed := bytes.TrimLeft(plain, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		if err := json.Unmarshal(plain, &p); err != nil {
			return Payload{}, err
		}
		return p, nil
	}
	if err := json.Unmarshal(plain, &p.Changes); err != nil {
		return Payload{}, err
	}
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
