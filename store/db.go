package store

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"medisecure/core"
)

// Options tune a store. The zero value is right for production.
type Options struct {
	// Now is the wall clock; tests inject a fixed one.
	Now func() time.Time
	// KDF is the Argon2id cost for new users; zero means DefaultKDF.
	KDF KDF
	// NoSync skips fsync on commit; only benchmarks that build fixtures
	// set it.
	NoSync bool
	// AccessCommitDelay is how long the access log's group commit
	// gathers entries before it commits them; zero commits as soon as
	// the previous commit is done. Entries are safe from a crash of the
	// process either way (accessqueue.go).
	AccessCommitDelay time.Duration
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now().UTC()
	}
	return time.Now().UTC()
}

func (o Options) kdf() KDF {
	if o.KDF == (KDF{}) {
		return DefaultKDF
	}
	return o.KDF
}

// Org describes the organisation a store belongs to.
type Org struct {
	// ID names the organisation to the sync server; it is random and holds
	// no PHI.
	ID   string `json:"id"`
	Name string `json:"name"`
	// Zone is the clinic's IANA time zone; times are stored in UTC and shown
	// in it.
	Zone    string    `json:"zone"`
	Epoch   int       `json:"epoch"`
	Created time.Time `json:"created"`
	// Currency is the clinic's ISO 4217 currency; empty means EUR.
	Currency string `json:"currency"`
}

// device is this workstation as the store knows it.
type device struct {
	ID     string `json:"id"`
	Public []byte `json:"public"`
}

// DB is an open store file. Sessions of several users may share it (the SSH
// server runs one per terminal); it is safe for concurrent use.
type DB struct {
	bolt  guarded
	path  string
	opts  Options
	org   Org
	zone  *time.Location
	dev   device
	root  ed25519.PublicKey
	clock *core.Clock

	// writes orders Session.update's write transactions with their
	// in-memory effects: a write's search changes reach the index before
	// the next write starts, so a write that reseals shards from memory
	// never leaves out a change an earlier commit made.
	writes sync.Mutex
	// recordsTidied is set, under writes, once this process's first
	// write has looked at the records bucket's pages (recordstidy.go).
	recordsTidied bool
	mu            sync.Mutex // guards keys, search and repairs while they are first loaded
	keys          *storeKeys
	search        *searchIndex
	// repairs are what unlocking repaired, for the user (Repairs).
	repairs []string
	// access is the access log's group commit, from the first unlock.
	access *accessQueue
	// docs is the document text index, loaded on first use (docsearch.go).
	docs docIndex
	// dirs memoises verified directory entries (dircache.go).
	dirs verifiedDir
	// scheds keeps the doctors' schedules bookings read (schedindex.go).
	scheds schedCache
}

// storeKeys are the keys a first login unlocks for the whole process.
type storeKeys struct {
	store  *sealer
	index  []byte
	epoch  int
	orgKey []byte
	device ed25519.PrivateKey
	// classes are the clinical and billing keys the logins of this
	// process opened (classkeys.go).
	classes classSet
	// shares are this device's shares of key epochs, once opened
	// (devicegrants.go).
	shares shareCache
}

// InitOptions are what Create needs to start an organisation's first store.
type InitOptions struct {
	Org        string
	Zone       string
	Admin      string
	Passphrase string
	// Currency is the clinic's ISO 4217 currency (every fee, invoice and
	// payment is in it); empty means EUR. Workstations that join take it
	// from the organisation record they are handed.
	Currency string
}

// Create makes a new store file at path for a new organisation: the org key
// of epoch 1, the org root signing key, a store key, this device's key and the
// first admin. It refuses to overwrite anything.
func Create(path string, in InitOptions, opts Options) error {
	if in.Org == "" {
		return fmt.Errorf("%w: the organisation needs a name", core.ErrInvalid)
	}
	if err := core.ValidUserName(in.Admin); err != nil {
		return fmt.Errorf("%w: %s", core.ErrInvalid, trimPrefix(err))
	}
	if len(in.Passphrase) < 8 {
		return fmt.Errorf("%w: the passphrase must be at least 8 characters", core.ErrInvalid)
	}
	zone := in.Zone
	if zone == "" {
		zone = "UTC"
	}
	if _, err := time.LoadLocation(zone); err != nil {
		return fmt.Errorf("%w: %q is not an IANA time zone like Europe/Berlin", core.ErrInvalid, zone)
	}
	if in.Currency != "" {
		code, err := core.ParseCurrency(in.Currency)
		if err != nil {
			return err
		}
		in.Currency = code
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%w: %s", ErrExists, path)
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("store: creating %s: %w", path, err)
	}
	err = b.Update(func(tx *bolt.Tx) error { return initialise(tx, in, zone, opts) })
	if cerr := b.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// initialise writes a new store's buckets, keys and first admin.
func initialise(tx *bolt.Tx, in InitOptions, zone string, opts Options) error {
	orgID := make([]byte, 16)
	rand.Read(orgID)
	org := Org{ID: hex.EncodeToString(orgID), Name: in.Org, Zone: zone, Epoch: 1, Created: opts.now(), Currency: in.Currency}
	orgKey := randomKey()
	rootPub, rootPriv, _ := ed25519.GenerateKey(rand.Reader)
	_, devPriv, _ := ed25519.GenerateKey(rand.Reader)
	admin, _, err := newUserEntry(core.User{Name: in.Admin, Role: core.RoleAdmin}, in.Passphrase, opts.kdf())
	if err != nil {
		return err
	}
	if err := admin.grant(org.Epoch, orgKey); err != nil {
		return err
	}
	if admin.RootGrant, err = admin.sealTo(rootPriv.Seed()); err != nil {
		return err
	}
	admin.sign(rootSigner, rootPriv)
	if err := createBuckets(tx); err != nil {
		return err
	}
	if err := writeKeys(tx, org, rootPub, orgKey, devPriv); err != nil {
		return err
	}
	if err := putEntry(tx, admin); err != nil {
		return err
	}
	_, err = createClassKeys(tx, rootPub)
	return err
}

// createBuckets makes every bucket of a new store.
func createBuckets(tx *bolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucket(name); err != nil {
			return fmt.Errorf("store: creating bucket %s: %w", name, err)
		}
	}
	for _, k := range core.Kinds {
		if _, err := createKindBucket(tx, k); err != nil {
			return fmt.Errorf("store: creating bucket %s: %w", k, err)
		}
	}
	if _, err := tx.CreateBucket(bucketCounters); err != nil {
		return fmt.Errorf("store: creating bucket %s: %w", bucketCounters, err)
	}
	return nil
}

// counters is the bucket of the write counters (bucketCounters), or, in a
// store before schema 13, which only Open and the earlier migrations see,
// bucketMeta where they were.
func counters(tx *bolt.Tx) *bolt.Bucket {
	if b := tx.Bucket(bucketCounters); b != nil {
		return b
	}
	return tx.Bucket(bucketMeta)
}

// writeKeys writes what every new store holds besides its buckets: the
// schema version, the organisation, the pinned root key, a fresh store key
// wrapped under the org key of the current epoch, and this device's key
// sealed under the store key.
func writeKeys(tx *bolt.Tx, org Org, root ed25519.PublicKey, orgKey []byte, devPriv ed25519.PrivateKey) error {
	storeKey := randomKey()
	orgSealer, err := newSealer(orgKey)
	if err != nil {
		return err
	}
	storeSealer, err := newSealer(storeKey)
	if err != nil {
		return err
	}
	devPub := devPriv.Public().(ed25519.PublicKey)
	puts := []struct{ k, v []byte }{
		{metaSchema, u64(SchemaVersion)},
		{metaOrg, mustJSON(org)},
		{metaDevice, mustJSON(device{ID: DeviceIDOf(devPub), Public: devPub})},
		{metaDeviceKey, storeSealer.seal(bucketMeta, metaDeviceKey, devPriv.Seed())},
		{metaStoreKey, orgSealer.seal(bucketMeta, metaStoreKey, storeKey)},
		{metaRoot, root},
	}
	for _, p := range puts {
		if err := tx.Bucket(bucketMeta).Put(p.k, p.v); err != nil {
			return fmt.Errorf("store: writing %s: %w", p.k, err)
		}
	}
	return nil
}

// DeviceIDOf is the device ID that goes with a device's public key.
func DeviceIDOf(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// Open opens an existing store. It reads only what is not secret; Login
// unlocks the rest. It returns ErrNotStore for a file that is not a store,
// ErrCorrupt for a damaged one, ErrNewerSchema for one from a newer version,
// and ErrInUse when another process holds it.
func Open(path string, opts Options) (db *DB, err error) {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s does not exist", ErrNotStore, path)
		}
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%w: %s is a directory", ErrNotStore, path)
	}
	if err := preflight(path, st.Size()); err != nil {
		return nil, err
	}
	// bbolt panics or faults on some damaged pages; a user sees one
	// sentence, and the half-opened file is let go.
	var file *os.File
	openFile := func(name string, flag int, mode os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, mode)
		file = f
		return f, err
	}
	var b *bolt.DB
	err = guard(path, func() (err error) {
		b, err = bolt.Open(path, 0o600, boltOptions(opts, openFile))
		return err
	})
	if isDamaged(err) && file != nil {
		file.Close()
	}
	if err != nil {
		switch {
		case errors.Is(err, bolterrors.ErrTimeout):
			return nil, fmt.Errorf("%w: %s", ErrInUse, path)
		case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrVersionMismatch):
			return nil, fmt.Errorf("%w: %s", ErrNotStore, path)
		case errors.Is(err, bolterrors.ErrChecksum):
			return nil, fmt.Errorf("%w: %s is damaged", ErrCorrupt, path)
		case isDamaged(err):
			return nil, err
		}
		return nil, fmt.Errorf("%w: %s cannot be read as a store", ErrNotStore, path)
	}
	db = &DB{bolt: guarded{b}, path: path, opts: opts}
	if err := db.load(); err != nil {
		b.Close()
		return nil, err
	}
	return db, nil
}

// boltOptions are the bbolt options a store opens with. The freelist is
// bbolt's hashmap kind (in memory only: the file's freelist page is the
// same): it hands out single free pages from runs of one first, leaving
// longer runs whole, so a commit's pages are written in fewer separate
// runs; over a P1 run, 11.5-11.8 runs of ~13.5 pages per booking with
// the array kind, 10.6-11.0 with the hashmap (strace, 296 commits).
func boltOptions(opts Options, openFile func(string, int, os.FileMode) (*os.File, error)) *bolt.Options {
	return &bolt.Options{Timeout: time.Second, NoSync: opts.NoSync, OpenFile: openFile, FreelistType: bolt.FreelistMapType}
}

// load reads the clear metadata and migrates an older layout.
func (db *DB) load() error {
	if err := db.migrate(); err != nil {
		return err
	}
	return db.bolt.View(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if tx.Bucket(name) == nil {
				return fmt.Errorf("%w: %s lacks its %s bucket", ErrCorrupt, db.path, name)
			}
		}
		// The buckets later schemas brought: without the counters, say,
		// the sequence and the clock would silently start again from
		// zero, and this device would reuse sequences it has pushed.
		v, _ := schemaOf(tx)
		for _, need := range []struct {
			from uint64
			name []byte
		}{{countersSchema, bucketCounters}, {appointmentsSchema, bucketAppointments}} {
			if v >= need.from && tx.Bucket(need.name) == nil {
				return fmt.Errorf("%w: %s lacks its %s bucket", ErrCorrupt, db.path, need.name)
			}
		}
		meta := tx.Bucket(bucketMeta)
		if err := json.Unmarshal(meta.Get(metaOrg), &db.org); err != nil {
			return corrupt(db.path+" organisation record", err)
		}
		if err := json.Unmarshal(meta.Get(metaDevice), &db.dev); err != nil {
			return corrupt(db.path+" device record", err)
		}
		db.root = append(ed25519.PublicKey(nil), meta.Get(metaRoot)...)
		if len(db.root) != ed25519.PublicKeySize {
			return corrupt(db.path+" org root key", nil)
		}
		zone, err := time.LoadLocation(db.org.Zone)
		if err != nil {
			return corrupt(db.path+" clinic time zone", err)
		}
		db.zone = zone
		last := core.HLC(0)
		if v := counters(tx).Get(metaClock); len(v) == 8 {
			last = core.HLC(binary.BigEndian.Uint64(v))
		}
		db.clock = core.NewClock(db.opts.now, last)
		return nil
	})
}

// Close releases the file.
func (db *DB) Close() error { return errors.Join(db.closeAccess(), db.bolt.Close()) }

// Path is the store file.
func (db *DB) Path() string { return db.path }

// Org is the organisation the store belongs to.
func (db *DB) Org() Org { return db.org }

// Zone is the clinic's time zone.
func (db *DB) Zone() *time.Location { return db.zone }

// DeviceID is this workstation's device ID.
func (db *DB) DeviceID() string { return db.dev.ID }

// unlock opens the store key with the org key, once per process, and loads
// the patient search index.
func (db *DB) unlock(orgKey []byte) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.keys != nil {
		return nil
	}
	orgSealer, err := newSealer(orgKey)
	if err != nil {
		return err
	}
	keys := &storeKeys{epoch: db.org.Epoch, orgKey: orgKey}
	var searchErr error  // a damaged search index, rebuilt below
	searchStale := false // one a sync catch-up left unsaved, rebuilt below
	err = db.bolt.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		sk, err := orgSealer.open(bucketMeta, metaStoreKey, meta.Get(metaStoreKey))
		if err != nil {
			return corrupt(db.path+" store key", nil)
		}
		if keys.store, err = newSealer(sk); err != nil {
			return err
		}
		mac := hmac.New(sha256.New, sk)
		mac.Write([]byte("medisecure index key v1"))
		keys.index = mac.Sum(nil)
		seed, err := keys.store.open(bucketMeta, metaDeviceKey, meta.Get(metaDeviceKey))
		if err != nil || len(seed) != ed25519.SeedSize {
			return corrupt(db.path+" device key", nil)
		}
		keys.device = ed25519.NewKeyFromSeed(seed)
		if meta.Get(metaSearchStale) != nil {
			searchStale = true
			return nil
		}
		db.search, err = loadSearch(tx, keys.store)
		if errors.Is(err, ErrCorrupt) {
			searchErr, err = err, nil
		}
		return err
	})
	if err != nil {
		return err
	}
	if searchErr != nil || searchStale {
		ix, n, err := db.rebuildSearch(keys)
		if err != nil {
			return err
		}
		db.search = ix
		why := "was damaged"
		if searchStale {
			why = "was not saved when a sync catch-up was cut short"
		}
		db.repairs = append(db.repairs, fmt.Sprintf("the patient search index %s and has been rebuilt from the %d patient records", why, n))
	}
	db.keys = keys
	if err := db.migrateKeyed(); err != nil {
		return err
	}
	return db.openAccessQueue(keys)
}

// u64 encodes n big-endian, the order bbolt sorts keys in.
func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

// mustJSON encodes values that cannot fail to encode (plain structs).
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("store: encoding " + fmt.Sprintf("%T", v) + ": " + err.Error())
	}
	return b
}

// trimPrefix removes the "core: " prefix from a core error for messages
// that already say which part is speaking.
func trimPrefix(err error) string {
	s := err.Error()
	if len(s) > 6 && s[:6] == "core: " {
		return s[6:]
	}
	return s
}

// sha256Sum is the SHA-256 of b as a slice.
func sha256Sum(b []byte) []byte {
	sum := sha256.Sum256(b)
	return sum[:]
}
