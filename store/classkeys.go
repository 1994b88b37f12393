package store

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/nacl/box"

	"medisecure/core"
)

// Role-scoped keys. Every kind belongs to one seal class. Front-desk
// records are sealed under the store key, which every login unlocks;
// clinical and billing records under a key of their class, which only the
// logins of roles that may read the class open. So the permission table
// in core decides, and the keys make it hold on a stolen disk: with
// reception's passphrase and the file, a note does not decrypt.
//
// Each store has its own random secret per class. It is kept in
// bucketClassKeys sealed to every user whose role holds the class (an anonymous
// nacl box to their X25519 key, which needs no passphrase to write), and
// under the organisation's class key of the current epoch for users this
// store has not met yet. Its public half (X25519) is in clear, so a
// workstation where no holder is logged in can still put aside, for them,
// what it cannot read (pending.go).

// sealClass names the key that seals a kind's records and changes.
type sealClass byte

// The seal classes. sealDesk is the store key (at rest) and the org key
// (in sync); the others have keys of their own.
const (
	sealDesk     sealClass = 0
	sealClinical sealClass = 'c'
	sealBilling  sealClass = 'b'
)

// sealClasses are the classes with keys of their own.
var sealClasses = []sealClass{sealClinical, sealBilling}

// classOfKind declares the class of every kind that is not front-desk.
var classOfKind = map[core.Kind]sealClass{
	core.KindNote: sealClinical, core.KindNoteDraft: sealClinical, core.KindAddendum: sealClinical,
	core.KindProblem: sealClinical, core.KindAllergy: sealClinical, core.KindMedication: sealClinical,
	core.KindPrescription: sealClinical, core.KindRefill: sealClinical, core.KindVital: sealClinical,
	core.KindReminder: sealClinical, core.KindAdherence: sealClinical, core.KindDocument: sealClinical,
	core.KindInvoice: sealBilling, core.KindPayment: sealBilling, core.KindClaim: sealBilling,
	// The fee schedule is a price list that every role reads and that
	// says nothing of a patient: it stays front desk, so that doctors and
	// nurses, who read fees, hold no billing key.
}

// classOf is the seal class of a kind.
func classOf(k core.Kind) sealClass { return classOfKind[k] }

// String names the class for messages.
func (c sealClass) String() string {
	switch c {
	case sealClinical:
		return "clinical"
	case sealBilling:
		return "billing"
	}
	return "front-desk"
}

// roleHolds reports whether a role is given the key of a class: when the
// permission table lets it read some kind of the class. Admins hold every
// class: they hold the org root key, from which the organisation's class
// keys are derived (classgrants.go), so that they can grant them to new
// staff; the permission table still keeps them from reading clinical
// records.
func roleHolds(r core.Role, c sealClass) bool {
	if c == sealDesk || r == core.RoleAdmin {
		return true
	}
	for k, kc := range classOfKind {
		if kc == c && core.Authorize(core.Principal{Role: r}, core.ActRead, k) == nil {
			return true
		}
	}
	return false
}

// roleWritesOnly reports whether a role creates records of a class whose
// key it is not given (reception takes payments at the desk and reads no
// billing record): it writes them sealed to the class's public key
// (deskpay.go), and cannot read them back.
func roleWritesOnly(r core.Role, c sealClass) bool {
	if roleHolds(r, c) {
		return false
	}
	for k, kc := range classOfKind {
		if kc == c && core.Authorize(core.Principal{Role: r}, core.ActCreate, k) == nil {
			return true
		}
	}
	return false
}

// ErrSealed is returned when records of a class are asked of a store
// whose logins so far hold no key of the class.
var ErrSealed = core.NewError(core.ClassStore, "store: these records are sealed under a key this login does not hold")

// classKey is a store's key of one class, opened.
type classKey struct {
	secret  []byte
	records *sealer
	boxPub  [32]byte
	boxPriv [32]byte
}

// newClassKey derives a class key's parts from its secret.
func newClassKey(secret []byte) (*classKey, error) {
	k := &classKey{secret: secret}
	var err error
	if k.records, err = newSealer(derive(secret, "medisecure class records v1")); err != nil {
		return nil, err
	}
	copy(k.boxPriv[:], derive(secret, "medisecure class box v1"))
	pub, err := curve25519.X25519(k.boxPriv[:], curve25519.Basepoint)
	if err != nil {
		return nil, fmt.Errorf("store: deriving a class key: %w", err)
	}
	copy(k.boxPub[:], pub)
	return k, nil
}

// derive is HMAC-SHA256(key, label): a sub-key for one purpose.
func derive(key []byte, label string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(label))
	return mac.Sum(nil)
}

// classSet is the class keys a process has opened; logins add to it.
type classSet struct {
	mu   sync.RWMutex
	keys map[sealClass]*classKey
	// orgKeys are the organisation's class keys opened so far, by
	// grantName.
	orgKeys map[string][]byte
}

// get returns the opened key of a class, or nil.
func (s *classSet) get(c sealClass) *classKey {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.keys[c]
}

// put adds an opened key.
func (s *classSet) put(c sealClass, k *classKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys == nil {
		s.keys = map[sealClass]*classKey{}
	}
	s.keys[c] = k
}

// Keys of a class's entries in bucketClassKeys.
func metaClassPub(c sealClass) []byte { return []byte(c.String() + "/pub") }
func metaClassUser(c sealClass, user string) []byte {
	return []byte(c.String() + "/user/" + user)
}
func metaClassEpoch(c sealClass, epoch int) []byte {
	return []byte(fmt.Sprintf("%s/epoch/%d", c, epoch))
}

// sealerOf returns the sealer of records of kind k: the store key's for
// front-desk kinds, the class key's for the others, or ErrSealed.
func (k *storeKeys) sealerOf(kind core.Kind) (*sealer, error) {
	c := classOf(kind)
	if c == sealDesk {
		return k.store, nil
	}
	ck := k.classes.get(c)
	if ck == nil {
		return nil, fmt.Errorf("%w: %s records open only to the %s key", ErrSealed, kind, c)
	}
	return ck.records, nil
}

// createClassKeys makes a new store's class secrets in tx, seals each to
// every holder in the directory and returns them opened.
func createClassKeys(tx *bolt.Tx, root []byte) (map[sealClass]*classKey, error) {
	out := map[sealClass]*classKey{}
	b, err := tx.CreateBucketIfNotExists(bucketClassKeys)
	if err != nil {
		return nil, err
	}
	for _, c := range sealClasses {
		k, err := newClassKey(randomKey())
		if err != nil {
			return nil, err
		}
		if err := b.Put(metaClassPub(c), k.boxPub[:]); err != nil {
			return nil, err
		}
		out[c] = k
	}
	_, err = wrapForHolders(tx, root, out, true)
	return out, err
}

// wrapForHolders seals each opened class secret to every user of the
// directory whose role holds the class and who has no copy yet, and drops
// the copies of users whose role no longer holds it; it reports whether
// anything was out of step, and writes only when write is set.
func wrapForHolders(tx *bolt.Tx, root []byte, keys map[sealClass]*classKey, write bool) (bool, error) {
	meta := tx.Bucket(bucketClassKeys)
	if meta == nil {
		return false, corrupt("the class keys", nil)
	}
	stale := false
	err := tx.Bucket(bucketDirectory).ForEach(func(name, v []byte) error {
		e, err := decodeDirEntry(v)
		if err != nil || verifyEntry(tx, root, e) != nil {
			return nil // an entry that does not verify is given nothing
		}
		for c, k := range keys {
			key := metaClassUser(c, e.User.Name)
			have := meta.Get(key) != nil
			holds := roleHolds(e.User.Role, c) && !e.User.Disabled
			if holds == have {
				continue
			}
			stale = true
			switch {
			case !write:
			case holds:
				sealed, err := e.sealTo(k.secret)
				if err != nil {
					return err
				}
				if err := meta.Put(key, sealed); err != nil {
					return err
				}
			default:
				if err := meta.Delete(key); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return stale, err
}

// openClassKeys opens, for a user who just logged in, the store's secret of
// every class their role holds that the process has not opened yet: their
// own sealed copy, or the copy under the organisation's class key of the
// current epoch (orgClass gives it, nil when the user holds none). It
// reports whether it opened anything.
func (db *DB) openClassKeys(entry *dirEntry, keys *userKeys, epoch int, orgClass func(sealClass) []byte) (bool, error) {
	opened := false
	for _, c := range sealClasses {
		if !roleHolds(entry.User.Role, c) || db.keys.classes.get(c) != nil {
			continue
		}
		var secret []byte
		err := db.bolt.View(func(tx *bolt.Tx) error {
			meta := tx.Bucket(bucketClassKeys)
			if meta == nil {
				return corrupt("the class keys of "+db.path, nil)
			}
			if v := meta.Get(metaClassUser(c, entry.User.Name)); v != nil {
				if s, ok := keys.openSealed(v); ok {
					secret = s
					return nil
				}
			}
			org := orgClass(c)
			v := meta.Get(metaClassEpoch(c, epoch))
			if org == nil || v == nil {
				return nil
			}
			s, err := newSealer(org)
			if err != nil {
				return err
			}
			if secret, err = s.open(bucketClassKeys, metaClassEpoch(c, epoch), v); err != nil {
				return corrupt("the "+c.String()+" key of "+db.path, nil)
			}
			return nil
		})
		if err != nil {
			return opened, err
		}
		if len(secret) != 32 {
			continue // sealed to no key of this user: waits for a holder here
		}
		k, err := newClassKey(secret)
		if err != nil {
			return opened, err
		}
		db.keys.classes.put(c, k)
		opened = true
	}
	return opened, nil
}

// maintainClassWraps brings the store's sealed copies of the class
// secrets this process holds in step with the directory and the epoch: one
// per holder, one under the organisation's class key of the current epoch
// when the process has opened it. It writes only when something changed.
func (db *DB) maintainClassWraps() error {
	held := map[sealClass]*classKey{}
	for _, c := range sealClasses {
		if k := db.keys.classes.get(c); k != nil {
			held[c] = k
		}
	}
	if len(held) == 0 {
		return nil
	}
	var stale bool
	epoch := db.epochNow()
	err := db.bolt.View(func(tx *bolt.Tx) (err error) {
		stale, err = db.writeClassWraps(tx, epoch, held, false)
		return err
	})
	if err != nil || !stale {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		_, err := db.writeClassWraps(tx, epoch, held, true)
		return err
	})
}

// writeClassWraps reports whether the wraps of held are out of step, and
// when write is set brings them in step.
func (db *DB) writeClassWraps(tx *bolt.Tx, epoch int, held map[sealClass]*classKey, write bool) (bool, error) {
	stale, err := wrapForHolders(tx, db.root, held, write)
	if err != nil {
		return stale, err
	}
	meta := tx.Bucket(bucketClassKeys)
	for c, k := range held {
		key := metaClassEpoch(c, epoch)
		org := db.keys.classes.org(grantName(epoch, c))
		if org == nil || meta.Get(key) != nil {
			continue
		}
		stale = true
		if !write {
			continue
		}
		s, err := newSealer(org)
		if err != nil {
			return stale, err
		}
		if err := meta.Put(key, s.seal(bucketClassKeys, key, k.secret)); err != nil {
			return stale, err
		}
	}
	return stale, nil
}

// epochNow is the store's current key epoch; never call it inside a
// transaction (a rotation holds db.mu while it waits for one).
func (db *DB) epochNow() int {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.org.Epoch
}

// unlockClasses opens, after a login or a directory refresh, the class
// keys the user holds, makes sure every user has the grants and copies
// their role holds, and merges what waited for a key now opened.
func (s *Session) unlockClasses() error {
	if s.user.Role == core.RoleAdmin {
		if err := s.ensureClassGrants(); err != nil {
			return err
		}
	}
	epoch := s.db.epochNow()
	// The process keeps every organisation class key the user holds, so
	// that changes pulled under any epoch open whoever is logged in when
	// they arrive.
	for e := 1; e <= epoch; e++ {
		for _, c := range sealClasses {
			s.orgClassKey(e, c)
		}
	}
	opened, err := s.db.openClassKeys(s.dir(), s.keys, epoch, func(c sealClass) []byte { return s.orgClassKey(epoch, c) })
	if err != nil {
		return err
	}
	if err := s.db.maintainClassWraps(); err != nil {
		return err
	}
	if !opened {
		return nil
	}
	return s.mergePending()
}

// sealToClass seals plain to a class's public key, for a holder to open
// later: what a workstation keeps for a class whose key it lacks.
func sealToClass(tx *bolt.Tx, c sealClass, plain []byte) ([]byte, error) {
	var pub []byte
	if b := tx.Bucket(bucketClassKeys); b != nil {
		pub = b.Get(metaClassPub(c))
	}
	if len(pub) != 32 {
		return nil, corrupt("the public "+c.String()+" key", nil)
	}
	var p [32]byte
	copy(p[:], pub)
	return box.SealAnonymous(nil, plain, &p, rand.Reader)
}

// openFromClass reverses sealToClass with the opened class key.
func (k *classKey) openFromClass(sealed []byte) ([]byte, error) {
	plain, ok := box.OpenAnonymous(nil, sealed, &k.boxPub, &k.boxPriv)
	if !ok {
		return nil, errors.New("does not open under the class key")
	}
	return plain, nil
}

// migrateWithdrawClassCopies (v11) deletes the store's copies of its class
// secrets sealed to users whose role does not hold the class: reception's
// copy of the billing key, since reception reads no billing record. It
// needs no key, so it runs at Open, before anyone logs in. The grants of
// the organisation's billing keys in reception's directory entries are
// signed and can only be withdrawn by an admin: the first admin login does
// it (ensureClassGrants), and the next key epoch is out of their reach.
func migrateWithdrawClassCopies(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketClassKeys)
	if meta == nil {
		return nil
	}
	var drop [][]byte
	err := tx.Bucket(bucketDirectory).ForEach(func(_, v []byte) error {
		e, err := decodeDirEntry(v)
		if err != nil {
			return nil // an entry that does not decode holds nothing here
		}
		for _, c := range sealClasses {
			if key := metaClassUser(c, e.User.Name); !roleHolds(e.User.Role, c) && meta.Get(key) != nil {
				drop = append(drop, key)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range drop {
		if err := meta.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
