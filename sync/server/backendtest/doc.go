// Package backendtest is the conformance suite every sync server Backend
// must pass: Run exercises each rule of the server.Backend contract
// (registration once, devices, revocation and epochs, idempotent ordered
// appends, range paging, nonce replay, unknown organisations).
//
// It is imported only by backends' tests. It may import the server package
// and the standard library; never a particular backend, gRPC, core, store
// or tui.
package backendtest
