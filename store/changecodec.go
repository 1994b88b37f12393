package store

import "medisecure/core"

// decodeChange decodes a change that mustJSON wrote, in one pass over the
// form json.Marshal writes (core.DecodeChangeJSON), with what
// json.Unmarshal makes of any other bytes.
func decodeChange(b []byte, c *core.Change) error { return core.DecodeChangeJSON(b, c) }
