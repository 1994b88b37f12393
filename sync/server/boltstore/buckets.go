package boltstore

// SchemaVersion is the layout this code reads and writes. A file written by
// a newer version is refused.
const SchemaVersion = 1

// Bucket names and keys: the whole layout, in one place.
var (
	// bucketMeta holds the schema version.
	bucketMeta = []byte("meta")
	// bucketOrgs holds one nested bucket per organisation ID, holding:
	//   keyOrg → the organisation (JSON)
	//   bucketDevices: device ID → device (JSON)
	//   bucketBatches: server sequence (u64) → batch (see encodeBatch)
	//   bucketAcks: one bucket per device ID: first sequence (u64) →
	//     last sequence (u64) ‖ server sequence (u64)
	bucketOrgs    = []byte("orgs")
	bucketDevices = []byte("devices")
	bucketBatches = []byte("batches")
	bucketAcks    = []byte("acks")
	// bucketNonces holds nonceKey(org, device, nonce) → received at (u64
	// Unix nanoseconds); bucketNonceTimes the same entries by time
	// (u64 ‖ nonce key → nothing), so old ones are pruned in order.
	bucketNonces     = []byte("nonces")
	bucketNonceTimes = []byte("nonce_times")

	keySchema = []byte("schema")
	keyOrg    = []byte("org")
)

// topBuckets are created when a file is first opened.
var topBuckets = [][]byte{bucketMeta, bucketOrgs, bucketNonces, bucketNonceTimes}
