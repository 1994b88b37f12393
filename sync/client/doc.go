// Package client is the workstation side of sync: it drains a store
// session's outbox to the central server in sealed, signed batches and
// pulls, verifies, opens and merges what the organisation's other
// workstations pushed.
//
// One Client syncs one logged-in store.Session over one gRPC connection
// (Dial). SyncOnce registers the organisation or this device when the
// server does not know it yet, pushes, then pulls; Watch repeats it with
// backoff. Every step resumes where it stopped: the store acknowledges
// pushed changes only when the server has stored them, and saves the pull
// cursor in the same transaction as the changes it merges, so a link cut
// at any byte loses nothing and applies nothing twice.
//
// Pushed batches hold at most 500 changes and 256 KiB sealed, for slow
// links. A batch is sealed once and kept in the store before it is
// pushed, so a retry sends the same bytes; pulled batches are kept as
// they came. Pulls ask the server to leave out this device's own batches
// (omit_own), merge several batches per transaction, skip batches the
// store keeps already, and are skipped when the push showed that nothing
// but this device's batches came since the cursor (later unset).
//
// The server is untrusted and may be restored from an older copy. Each
// sync starts by comparing what the server lists per device (Devices)
// with what the store keeps: batches the server lost are handed back
// verbatim (this device's own as pushed, others' with resupply, checked
// by the server against their device's signature), and the whole log is
// pulled again when its sequences cannot be trusted. When the server
// holds changes of this device that the store did not make, the store is
// a copy of another workstation's (ErrStoreBehind names clinic sync
// new-device). A batch that does not verify or open, and a change the
// store refuses (quarantine), are kept aside and never block the rest.
// Status says in one line where sync stands.
//
// Batches carry the key directory too (envelope.Payload): whenever this
// device's copy of the directory differs from the one the server last
// acknowledged from it, the first batch of the next push carries every
// entry, or a batch of its own under a reserved device sequence when
// nothing else is pending. Receivers import the entries (verified against
// the org root key the store pins) before the changes that follow them,
// so a user added on one workstation can log in, and make changes, on all
// others.
//
// It may import the standard library, gRPC, core, store and the other sync
// packages except the server; never tui or Bubble Tea.
package client
