package store

import (
	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// SchemaVersion is the layout this code reads and writes. A store written by
// a newer version is refused; an older one is brought up to it by the
// numbered steps of migrations (migrate.go).
const SchemaVersion = 14

// Bucket names: every bucket the store uses, in one place.
var (
	// bucketMeta holds the schema version, the organisation, this device,
	// the wrapped store key, the clock and sequence counters.
	bucketMeta = []byte("meta")
	// bucketDirectory holds one signed entry per user: role, public keys,
	// private keys sealed under the passphrase, and grants of the org key.
	bucketDirectory = []byte("directory")
	// bucketLockout holds failed-login counters by user name.
	bucketLockout = []byte("lockout")
	// bucketRecords holds one nested bucket per kind: record ID → sealed
	// merge state.
	bucketRecords = []byte("records")
	// bucketOutbox holds local changes not yet acknowledged by the server,
	// by device sequence.
	bucketOutbox = []byte("outbox")
	// bucketSchedule indexes appointments by day, doctor and room, and by
	// patient and start (keyed hashes), with their times, so conflict
	// checks decrypt nothing.
	bucketSchedule = []byte("schedule")
	// bucketSearch holds the patient search index in 256 sealed shards.
	bucketSearch = []byte("search")
	// bucketAudit holds the sealed, hash-chained PHI access log by sequence.
	bucketAudit = []byte("audit")
	// bucketKept holds the sync batches this workstation pushed and
	// pulled, sealed and signed as they travelled, by device ‖ 0x00 ‖
	// first sequence (u64), so it can hand them back to a server that
	// lost them; bucketHave the highest contiguous sequence kept per
	// device; bucketQuarantine the changes and batches it refused, sealed.
	// The sync client creates them on first use.
	bucketKept       = []byte("sync_kept")
	bucketHave       = []byte("sync_have")
	bucketQuarantine = []byte("quarantine")
)

// bucketPending holds the clinical and billing changes pulled while no
// login of this process held their class key, by class ‖ device ‖ 0x00 ‖
// sequence ‖ record ID, still sealed (pending.go). The sync client's
// first pull creates it.
var bucketPending = []byte("pending")

// bucketClassKeys holds this store's clinical and billing key secrets,
// each sealed to every user whose role holds it and under the
// organisation's key of the class and epoch, and their public halves
// (classkeys.go).
var bucketClassKeys = []byte("class_keys")

// bucketShares holds the device shares of key epochs (devicegrants.go):
// epoch (u64) ‖ device ID → the share as it travels.
var bucketShares = []byte("device_shares")

// Keys in bucketMeta (and, for metaClock and metaSeq, bucketCounters).
var (
	metaSchema     = []byte("schema")
	metaOrg        = []byte("org")
	metaDevice     = []byte("device")
	metaDeviceKey  = []byte("device_key")
	metaStoreKey   = []byte("store_key")
	metaRoot       = []byte("root")
	metaClock      = []byte("clock")
	metaSeq        = []byte("seq")
	metaAcked      = []byte("acked")
	metaAuditHead  = []byte("audit_head")
	metaPullCursor = []byte("pull_cursor")
	metaPulledAt   = []byte("pulled_at")
	metaServer     = []byte("server")
	// metaNotesIndexed marked a v1 store whose notes had been indexed by
	// patient; migration 2 does that for every store and removes it.
	metaNotesIndexed = []byte("notes_indexed")
	metaAuditCount   = []byte("audit_seq")
	// metaAccessFolded is the last access-journal record in the log.
	metaAccessFolded = []byte("access_folded")
)

// bucketCounters holds what every local write moves: the device sequence
// (metaSeq), the clock (metaClock) and each author's chain head
// (metaAuthorHead + name). Until schema 13 they were in bucketMeta, which
// the organisation, the device and the wrapped keys make larger than
// bbolt's inline size, so every commit wrote its page; on their own they
// stay under it (up to a dozen authors or so), bbolt keeps them in the
// root page that every commit writes anyway, and a write dirties no page
// for them. Create makes it; it is not in allBuckets because a store
// before schema 13 has none until its first unlock (counters).
var bucketCounters = []byte("counters")

// bucketAppointments holds the appointment records (record ID → sealed
// merge state) at the top level since schema 14; every other kind's
// records are a bucket of their own inside bucketRecords. A booking writes
// an appointment, and as a bucket inside records its header would make
// every booking write the records bucket's page as well; at the top level
// its header lives in the root page, which every commit writes anyway.
// A record seals under "records/appointment" wherever it lives
// (recordKey), so moving the bucket reseals nothing. Like bucketCounters
// it is not in allBuckets: a store before schema 14 has none until Open
// migrates it.
var bucketAppointments = []byte(core.KindAppointment)

// appointmentsSchema is the schema that moved the appointment records to
// the top level (bucketAppointments).
const appointmentsSchema = 14

// kindBucket is the bucket of kind k's records: bucketAppointments for
// appointments, or, in a store before schema 14, which only Open and the
// earlier migrations see, records/appointment; records/<k> for every
// other kind.
func kindBucket(tx *bolt.Tx, k core.Kind) *bolt.Bucket {
	if k == core.KindAppointment {
		if b := tx.Bucket(bucketAppointments); b != nil {
			return b
		}
	}
	return tx.Bucket(bucketRecords).Bucket([]byte(k))
}

// kindPath is the path from the root to kind k's bucket in a store of
// this schema (readBucket, copyTree).
func kindPath(k core.Kind) [][]byte {
	if k == core.KindAppointment {
		return [][]byte{bucketAppointments}
	}
	return [][]byte{bucketRecords, []byte(k)}
}

// createKindBucket makes kind k's bucket in a store of this schema when
// it is missing.
func createKindBucket(tx *bolt.Tx, k core.Kind) (*bolt.Bucket, error) {
	if k == core.KindAppointment {
		return tx.CreateBucketIfNotExists(bucketAppointments)
	}
	return tx.Bucket(bucketRecords).CreateBucketIfNotExists([]byte(k))
}

// allBuckets are created by Create, in this order.
var allBuckets = [][]byte{bucketMeta, bucketDirectory, bucketLockout, bucketRecords, bucketOutbox, bucketSchedule, bucketSearch, bucketAudit}

// Document buckets (documents.go, docsearch.go), local to this workstation
// and created on first use, so they need no migration: bucketDocChunks holds
// each distinct 1 MiB piece of document content, sealed, by a keyed hash of
// its bytes (identical files share their chunks); bucketDocFiles the sealed
// list of a document's chunk keys by document ID (a document whose content
// has not arrived has none); bucketDocSearch the document text index in 256
// sealed shards; bucketDocSettings this workstation's OCR settings.
var (
	bucketDocChunks   = []byte("doc_chunks")
	bucketDocFiles    = []byte("doc_files")
	bucketDocSearch   = []byte("doc_search")
	bucketDocSettings = []byte("doc_settings")
)
