package envelope

import "errors"

var (
	// ErrBadSignature is returned when a batch's signature does not verify
	// under the device key: the batch was altered after it was sealed, or
	// another key signed it.
	ErrBadSignature = errors.New("envelope: batch signature does not verify")

	// ErrTampered is returned when a batch's signature holds but its
	// ciphertext does not open under the org key of its epoch: it was sealed
	// under another key or altered by someone holding the device key.
	ErrTampered = errors.New("envelope: batch does not open under the org key")

	// ErrUnknownEpoch is returned by Open when the caller has no org key for
	// the batch's epoch.
	ErrUnknownEpoch = errors.New("envelope: no org key for the batch's epoch")

	// ErrTooLarge is returned when a batch, sealed or opened, exceeds
	// MaxSize, or its plaintext exceeds MaxPlainSize.
	ErrTooLarge = errors.New("envelope: batch too large")

	// ErrMalformed is returned when bytes are not a batch envelope, or a
	// batch's header is out of range.
	ErrMalformed = errors.New("envelope: malformed batch")

	// ErrBadContent is returned when a batch opens but does not hold a list
	// of its device's changes within its sequence range.
	ErrBadContent = errors.New("envelope: batch content is not what its header says")

	// ErrInvalid is returned when Seal is given something it cannot seal.
	ErrInvalid = errors.New("envelope: invalid batch")
)
