//go:build goexperiment.jsonv2

package core

// decodeFast is off when encoding/json is built on json/v2, whose v1
// emulation the fast path in recorddecode.go was not written against:
// Record.Decode takes the json.Unmarshal path for every record.
func decodeFast(*Record, Entity) bool { return false }
