package server

import (
	"context"
	"crypto/ed25519"
	"errors"
	"time"
)

// Backend is the server's storage: organisations, their devices, the log of
// sealed batches each organisation's devices pushed, and the nonces of
// recent requests. It stores what it is given and never sees plaintext.
// Implementations are safe for concurrent use and pass the conformance
// suite in sync/server/backendtest.
type Backend interface {
	// RegisterOrg creates an organisation with its first device. It
	// returns ErrOrgExists when the organisation exists.
	RegisterOrg(ctx context.Context, org Org, first Device) error

	// Org returns an organisation, or ErrUnknownOrg.
	Org(ctx context.Context, id string) (Org, error)

	// AddDevice adds a device to an organisation. It returns
	// ErrUnknownOrg, or ErrDeviceExists when a device with that ID exists,
	// revoked or not, whatever its key.
	AddDevice(ctx context.Context, org string, d Device) error

	// Device returns one device of an organisation, or ErrUnknownOrg or
	// ErrUnknownDevice.
	Device(ctx context.Context, org, id string) (Device, error)

	// RevokeDevice marks a device revoked at the time at and raises the
	// organisation's minimum epoch to epoch, returning the new minimum.
	// Revoking a revoked device keeps its first revocation time. It
	// returns ErrUnknownOrg, ErrUnknownDevice, or ErrStaleEpoch (changing
	// nothing) when epoch is below the organisation's minimum.
	RevokeDevice(ctx context.Context, org, id string, epoch uint32, at time.Time) (uint32, error)

	// Devices returns an organisation's devices ordered by ID, or
	// ErrUnknownOrg.
	Devices(ctx context.Context, org string) ([]Device, error)

	// Append files a batch at the end of the organisation's log and
	// returns its server sequence, which starts at 1 and grows by one per
	// stored batch. A device's batches are contiguous: b.First must be
	// the device's LastSeq plus one. It is idempotent by (device,
	// b.First): a batch with the same device, sequences and envelope
	// bytes as a stored one stores nothing and returns the stored one's
	// server sequence with duplicate set; when the log lost that stored
	// batch (its acknowledgement remains), Append files it again under
	// its old server sequence, also with duplicate set. It returns
	// ErrUnknownOrg, ErrUnknownDevice, ErrRevoked when the device is
	// revoked, ErrSeqConflict when the batch overlaps the device's
	// stored batches otherwise (another envelope for the same sequences,
	// or First at or below the device's LastSeq), ErrSeqGap when First
	// is above LastSeq plus one, and ErrStaleEpoch when b.Epoch is below
	// the organisation's minimum; each such check and the write are one
	// atomic step.
	Append(ctx context.Context, org string, b Batch) (seq uint64, duplicate bool, err error)

	// Log describes the organisation's log, or returns ErrUnknownOrg.
	Log(ctx context.Context, org string) (LogInfo, error)

	// Range returns, in order, at most limit (1 or more) stored batches of
	// the organisation with server sequences above after, or
	// ErrUnknownOrg.
	Range(ctx context.Context, org string, after uint64, limit int) ([]Stored, error)

	// SeenNonce records that a device used nonce in a request received at
	// the time at, and reports whether it had been recorded before. A
	// backend remembers a nonce for at least ReplayWindow after at and
	// may forget it later. It returns ErrUnknownOrg.
	SeenNonce(ctx context.Context, org, device string, nonce []byte, at time.Time) (bool, error)
}

// NoncedAppender is a Backend that records a push's request nonce and
// files its batch in one atomic step, one commit where two would be, as
// the server then does for every push.
type NoncedAppender interface {
	// AppendNonced records n as SeenNonce does and, unless it was
	// recorded before, files b as Append does, in one atomic step. It
	// returns ErrReplayed, filing nothing, when n was recorded before;
	// the nonce stays recorded when Append's rules refuse the batch.
	AppendNonced(ctx context.Context, org string, n Nonce, b Batch) (seq uint64, duplicate bool, err error)
}

// Follower is a Backend that says, without reading a batch, whether an
// organisation's log holds a batch after a server sequence, as a push's
// answer tells the client.
type Follower interface {
	// HasAfter reports whether the organisation's log holds a batch
	// with a server sequence above seq, or returns ErrUnknownOrg.
	HasAfter(ctx context.Context, org string, seq uint64) (bool, error)
}

// Nonce is a request nonce of a device, received at the time At.
type Nonce struct {
	Device string
	Nonce  []byte
	At     time.Time
}

// ReplayWindow is how long a backend must remember a request nonce. The
// server refuses requests stamped more than MaxClockSkew from its clock,
// so a replay arrives within 2×MaxClockSkew of the original or is refused
// for its time.
const ReplayWindow = 2 * MaxClockSkew

// Errors a Backend returns, wrapped or as they are.
var (
	// ErrOrgExists is returned when registering an organisation that
	// exists.
	ErrOrgExists = errors.New("server: organisation already registered")
	// ErrUnknownOrg is returned when an organisation is not registered.
	ErrUnknownOrg = errors.New("server: unknown organisation")
	// ErrDeviceExists is returned when adding a device whose ID is taken.
	ErrDeviceExists = errors.New("server: device already registered")
	// ErrUnknownDevice is returned when a device is not registered.
	ErrUnknownDevice = errors.New("server: unknown device")
	// ErrRevoked is returned when a revoked device pushes or calls.
	ErrRevoked = errors.New("server: device revoked")
	// ErrStaleEpoch is returned when a batch or a revocation names an
	// epoch below the organisation's minimum.
	ErrStaleEpoch = errors.New("server: epoch below the organisation's minimum")
	// ErrSeqConflict is returned when a batch overlaps a device's stored
	// batches without being one of them.
	ErrSeqConflict = errors.New("server: batch overlaps stored sequences")
	// ErrSeqGap is returned when a batch does not follow the device's
	// last stored sequence: the server lost batches (restored from an
	// older copy) that the device must supply first.
	ErrSeqGap = errors.New("server: batch leaves a gap after the device's stored sequences")
	// ErrReplayed is returned by AppendNonced when the request's nonce
	// was recorded before.
	ErrReplayed = errors.New("server: request nonce already used")
)

// LogInfo is the state of an organisation's log.
type LogInfo struct {
	// Head is the highest server sequence handed out, 0 before the
	// first batch.
	Head uint64
	// Missing counts server sequences up to Head whose batch the log no
	// longer holds (damage, an operator's mistake): the workstations
	// that kept those batches supply them again.
	Missing uint64
}

// Org is an organisation as the server knows it.
type Org struct {
	ID string
	// RootKey is the org root Ed25519 key that endorses devices and
	// admins.
	RootKey ed25519.PublicKey
	// MinEpoch is the lowest key epoch batches may be sealed under.
	MinEpoch uint32
	Created  time.Time
}

// Device is a device of an organisation.
type Device struct {
	ID        string
	PublicKey ed25519.PublicKey
	// Record is the signed device record it was added with, opaque to
	// the backend, so that clients can check who endorsed it.
	Record []byte
	Added  time.Time
	// AddedBy names the signer of Record, for operators.
	AddedBy   string
	Revoked   bool
	RevokedAt time.Time
	// LastSeq is the highest device sequence of the device's stored
	// batches, 0 before the first.
	LastSeq uint64
}

// Batch is a sealed batch as the server files it: the clear header fields
// it needs and the envelope bytes it relays unchanged.
type Batch struct {
	Device   string
	First    uint64
	Last     uint64
	Epoch    uint32
	Envelope []byte
}

// Stored is a batch with its server sequence.
type Stored struct {
	Seq uint64
	Batch
}
