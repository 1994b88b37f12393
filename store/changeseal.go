package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/nacl/box"

	"medisecure/core"
)

// A clinical or billing change never leaves its record's transaction with
// its fields in clear: the outbox, the sync batches, the kept copies, the
// quarantine and the pending bucket hold it with its fields replaced by
// one field, sealedField, whose value is a role-key envelope (a JSON
// string, standard base64):
//
//	version (1) ‖ form (1) ‖ class (1) ‖ epoch (4, big-endian) ‖ body
//
// Forms:
//   - 'o' (org): body is nonce (24) ‖ XChaCha20-Poly1305 of the fields'
//     JSON under the organisation's class key of the epoch; what travels.
//   - 'l' (local): the same under this store's class key, epoch 0; what the
//     outbox holds when the writer had no organisation class key yet
//     (a store upgraded before an admin granted them). Never travels:
//     the push opens it and seals it again.
//   - 'w' (write-only): body is an anonymous nacl box, to the
//     organisation's write-only public key of the class and epoch
//     (deskpay.go), of the digest of the associated data below and the
//     fields' JSON; what a login that writes a class without reading it
//     (the desk taking a payment) pushes. It travels.
//   - 'p' (public): an anonymous nacl box of the fields' JSON to this
//     store's public class key, epoch 0; what a workstation keeps of a
//     change in clear (from a workstation not yet upgraded) that no login
//     here can read yet. Never travels.
//
// The associated data of the AEAD forms binds the envelope to the change's
// kind, ID, author, device, sequence and clock, so it cannot be moved to
// another change.

// sealedField is the one field of a sealed change.
const sealedField = "~sealed"

// The envelope's version and forms.
const (
	sealedVersion = 1
	formOrg       = 'o'
	formLocal     = 'l'
	formPublic    = 'p'
	formWrite     = 'w'
	sealedHeader  = 7
)

// changeDomain starts the associated data of a sealed change.
const changeDomain = "medisecure sealed change v1\x00"

// sealedFields is a decoded role-key envelope.
type sealedFields struct {
	form  byte
	class sealClass
	epoch uint32
	body  []byte
}

// errNotSealed marks a change whose fields are in clear.
var errNotSealed = errors.New("not sealed")

// decodeSealedFields parses an envelope's bytes. It never panics.
func decodeSealedFields(b []byte) (sealedFields, error) {
	if len(b) < sealedHeader {
		return sealedFields{}, fmt.Errorf("sealed fields are %d bytes, too short", len(b))
	}
	f := sealedFields{form: b[1], class: sealClass(b[2]), epoch: binary.BigEndian.Uint32(b[3:7]), body: b[sealedHeader:]}
	switch {
	case b[0] != sealedVersion:
		return sealedFields{}, fmt.Errorf("sealed fields of unknown version %d", b[0])
	case f.class != sealClinical && f.class != sealBilling:
		return sealedFields{}, fmt.Errorf("sealed fields of unknown class %d", b[2])
	case f.travels() && f.epoch == 0:
		return sealedFields{}, errors.New("sealed fields under epoch 0")
	case f.form != formOrg && f.form != formLocal && f.form != formPublic && f.form != formWrite:
		return sealedFields{}, fmt.Errorf("sealed fields of unknown form %d", b[1])
	case !f.travels() && f.epoch != 0:
		return sealedFields{}, errors.New("sealed fields of a local form name an epoch")
	case f.form == formWrite && len(f.body) < box.AnonymousOverhead+sha256.Size:
		return sealedFields{}, errors.New("write-only sealed fields are too short for their box")
	case f.form != formPublic && f.form != formWrite && len(f.body) < chacha20poly1305.NonceSizeX+chacha20poly1305.Overhead:
		return sealedFields{}, errors.New("sealed fields are too short for their cipher")
	}
	return f, nil
}

// travels reports whether the form is one that leaves the workstation,
// under a key of the organisation and an epoch.
func (f sealedFields) travels() bool { return f.form == formOrg || f.form == formWrite }

// header is the envelope's first bytes.
func (f sealedFields) header() []byte {
	h := []byte{sealedVersion, f.form, byte(f.class), 0, 0, 0, 0}
	binary.BigEndian.PutUint32(h[3:], f.epoch)
	return h
}

// sealedOf returns the envelope a change carries; errNotSealed when its
// fields are in clear.
func sealedOf(c *core.Change) (sealedFields, error) {
	v, ok := c.Fields[sealedField]
	if !ok {
		return sealedFields{}, errNotSealed
	}
	if len(c.Fields) != 1 {
		return sealedFields{}, errors.New("a sealed change sets other fields beside its envelope")
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return sealedFields{}, errors.New("sealed fields are not a string")
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return sealedFields{}, errors.New("sealed fields are not base64")
	}
	return decodeSealedFields(b)
}

// withEnvelope returns c carrying f in place of its fields.
func withEnvelope(c core.Change, f sealedFields) core.Change {
	s := base64.StdEncoding.EncodeToString(append(f.header(), f.body...))
	c.Fields = map[string]json.RawMessage{sealedField: json.RawMessage(`"` + s + `"`)}
	return c
}

// changeAD is the associated data of a change's envelope.
func changeAD(c *core.Change, header []byte) []byte {
	b := make([]byte, 0, 128)
	b = append(b, changeDomain...)
	for _, s := range []string{string(c.Kind), string(c.ID), c.Author, c.Device} {
		b = appendString(b, s)
	}
	b = binary.BigEndian.AppendUint64(b, c.Seq)
	b = binary.BigEndian.AppendUint64(b, uint64(c.HLC))
	return append(b, header...)
}

// sealFieldsWith seals a change's fields under key in form (org or
// local).
func sealFieldsWith(c core.Change, form byte, class sealClass, epoch int, key []byte) (core.Change, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return c, fmt.Errorf("store: sealing a change: %w", err)
	}
	plain, err := json.Marshal(c.Fields)
	if err != nil {
		return c, fmt.Errorf("store: sealing a change: %w", err)
	}
	f := sealedFields{form: form, class: class, epoch: uint32(epoch)}
	nonce := make([]byte, chacha20poly1305.NonceSizeX, chacha20poly1305.NonceSizeX+len(plain)+aead.Overhead())
	rand.Read(nonce)
	f.body = aead.Seal(nonce, nonce, plain, changeAD(&c, f.header()))
	return withEnvelope(c, f), nil
}

// openFieldsWith opens an AEAD envelope of c under key.
func openFieldsWith(c *core.Change, f sealedFields, key []byte) (map[string]json.RawMessage, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	n := chacha20poly1305.NonceSizeX
	plain, err := aead.Open(nil, f.body[:n], f.body[n:], changeAD(c, f.header()))
	if err != nil {
		return nil, errors.New("the sealed fields do not open")
	}
	return decodeFields(plain)
}

// decodeFields parses opened fields.
func decodeFields(plain []byte) (map[string]json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(plain, &fields); err != nil || len(fields) == 0 {
		return nil, errors.New("the sealed fields are malformed")
	}
	return fields, nil
}

// localChangeKey is the AEAD key of the local form.
func (k *classKey) localChangeKey() []byte { return derive(k.secret, "medisecure class changes v1") }

// currentEpoch is the key epoch the store records, read in the
// transaction (db.mu may be held by a rotation waiting for this one).
func (t *txn) currentEpoch() int { return epochIn(t.tx) }

// epochIn is the key epoch the store records in tx.
func epochIn(tx *bolt.Tx) int {
	var org Org
	if json.Unmarshal(tx.Bucket(bucketMeta).Get(metaOrg), &org) != nil {
		return 0
	}
	return org.Epoch
}

// sealForRest returns a local change as the outbox keeps it: a
// front-desk change as it is, a clinical or billing one in the org form
// when the organisation's class key of the current epoch is at hand, in
// the local form otherwise.
func (t *txn) sealForRest(c *core.Change) (core.Change, error) {
	class := classOf(c.Kind)
	if class == sealDesk {
		return *c, nil
	}
	epoch := t.currentEpoch()
	if key := t.s.orgClassKey(epoch, class); key != nil {
		return sealFieldsWith(*c, formOrg, class, epoch, key)
	}
	ck := t.keys.classes.get(class)
	if ck == nil {
		return *c, fmt.Errorf("%w: %s changes are written only by a login that holds the %s key", ErrSealed, c.Kind, class)
	}
	return sealFieldsWith(*c, formLocal, class, 0, ck.localChangeKey())
}

// forPush turns an outbox entry into what travels: the org form as kept,
// a local form sealed again under the organisation's class key (or, with
// none yet, opened, to travel under the org key alone as before class
// keys). It reports false when this process holds no key to do so.
func (t *txn) forPush(c *core.Change) (core.Change, bool, error) {
	f, err := sealedOf(c)
	if errors.Is(err, errNotSealed) || err == nil && f.travels() {
		return *c, true, nil
	}
	if err != nil {
		return *c, false, corrupt("an outbox entry's sealed fields", err)
	}
	plain, ok, err := t.openLocal(c, f)
	if !ok || err != nil {
		return *c, ok, err
	}
	epoch := t.currentEpoch()
	if key := t.s.orgClassKey(epoch, f.class); key != nil {
		out, err := sealFieldsWith(plain, formOrg, f.class, epoch, key)
		return out, err == nil, err
	}
	return plain, true, nil
}

// openLocal opens a change in a local form with this process's class key;
// false when it holds none.
func (t *txn) openLocal(c *core.Change, f sealedFields) (core.Change, bool, error) {
	ck := t.keys.classes.get(f.class)
	if ck == nil {
		return *c, false, nil
	}
	var fields map[string]json.RawMessage
	var err error
	if f.form == formPublic {
		var plain []byte
		if plain, err = ck.openFromClass(f.body); err == nil {
			fields, err = decodeFields(plain)
		}
	} else {
		fields, err = openFieldsWith(c, f, ck.localChangeKey())
	}
	if err != nil {
		return *c, false, corrupt(fmt.Sprintf("the sealed fields of %s %s", c.Kind, c.ID), err)
	}
	out := *c
	out.Fields = fields
	return out, true, nil
}

// unsealed is what unsealRemote makes of a change from elsewhere.
type unsealed struct {
	// plain is the change to merge, nil when it is put aside or refused.
	plain *core.Change
	// wait is set when no key here opens it yet: it goes to the pending
	// bucket, for a holder's login.
	wait bool
	// why, when set, is why it is refused.
	why string
}

// unsealRemote opens a change pulled from elsewhere, or says why it
// waits or is refused. It writes nothing.
func (t *txn) unsealRemote(c *core.Change) unsealed {
	class := classOf(c.Kind)
	f, err := sealedOf(c)
	switch {
	case errors.Is(err, errNotSealed) && class == sealDesk:
		return unsealed{plain: c}
	case errors.Is(err, errNotSealed):
		// From a workstation that seals no changes yet.
		if t.keys.classes.get(class) == nil {
			return unsealed{wait: true}
		}
		return unsealed{plain: c}
	case err != nil:
		return unsealed{why: "malformed: " + err.Error()}
	case class == sealDesk || f.class != class:
		return unsealed{why: fmt.Sprintf("malformed: a %s change sealed under the %s key", c.Kind, f.class)}
	case !f.travels():
		return unsealed{why: "malformed: sealed with another workstation's own key"}
	case f.form == formWrite:
		return t.openWriteOnly(c, f)
	}
	key := t.s.orgClassKey(int(f.epoch), class)
	if key == nil || t.keys.classes.get(class) == nil {
		return unsealed{wait: true}
	}
	fields, err := openFieldsWith(c, f, key)
	if err != nil {
		return unsealed{why: fmt.Sprintf("tampered: its sealed fields do not open under the %s key of epoch %d", class, f.epoch)}
	}
	plain := *c
	plain.Fields = fields
	return unsealed{plain: &plain}
}

// openOwn opens a change of this store's outbox, in whatever form it is
// kept or pushed, to be written again.
func (t *txn) openOwn(c *core.Change) (*core.Change, error) {
	f, err := sealedOf(c)
	switch {
	case errors.Is(err, errNotSealed):
		return c, nil
	case err != nil:
		return nil, corrupt("an outbox entry's sealed fields", err)
	case f.form == formWrite:
		u := t.openWriteOnly(c, f)
		if u.plain != nil {
			return u.plain, nil
		}
		if u.why != "" {
			return nil, corrupt("an outbox entry's sealed fields", errors.New(u.why))
		}
		return nil, fmt.Errorf("%w: %s changes are opened only by a login that holds the %s key", ErrSealed, c.Kind, f.class)
	case f.form != formOrg:
		plain, ok, err := t.openLocal(c, f)
		if err == nil && !ok {
			err = fmt.Errorf("%w: %s changes are opened only by a login that holds the %s key", ErrSealed, c.Kind, f.class)
		}
		return &plain, err
	}
	key := t.s.orgClassKey(int(f.epoch), f.class)
	if key == nil {
		return nil, fmt.Errorf("%w: %s changes are opened only by a login that holds the %s key", ErrSealed, c.Kind, f.class)
	}
	fields, err := openFieldsWith(c, f, key)
	if err != nil {
		return nil, corrupt("an outbox entry's sealed fields", err)
	}
	plain := *c
	plain.Fields = fields
	return &plain, nil
}

// OpenChange opens a change as it travels in a sync batch with every key
// this process and login hold, as a merge would, and reports whether it
// opened (a front-desk change is open as it is). It writes nothing; the
// tests that show what a login can read of a server's file use it.
func (s *Session) OpenChange(c core.Change) (core.Change, bool) {
	var out core.Change
	ok := false
	s.view(func(t *txn) error {
		if u := t.unsealRemote(&c); u.plain != nil {
			out, ok = *u.plain, true
		}
		return nil
	})
	return out, ok
}
