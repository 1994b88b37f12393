package store

import "medisecure/core"

// decodeChange decodes an outbox change, which mustJSON wrote and the
// store has just opened under its own key, in one pass over the form
// json.Marshal writes, without the validation pass bytes from elsewhere
// need (core.DecodeTrustedChangeJSON), with what json.Unmarshal makes of
// any other bytes.
func decodeChange(b []byte, c *core.Change) error { return core.DecodeTrustedChangeJSON(b, c) }
