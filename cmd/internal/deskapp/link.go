package deskapp

import (
	"errors"
	"strings"

	"medisecure/sync/client"
)

// linkWords is the one table from what the sync client last reported to
// the few words the status bar shows in place of "online": what the
// server said, not merely that it answered. Unreachable is plain offline.
var linkWords = []struct {
	err   error
	words string
}{
	{client.ErrNotRegistered, "refused: not registered"},
	{client.ErrRefused, "refused by the server"},
	{client.ErrRejected, "server rejects our changes"},
	{client.ErrServerFailed, "server failing"},
	{client.ErrBadBatch, "bad batch from server, kept aside"},
	{client.ErrUnknownDevice, "unknown device's batch, kept aside"},
	{client.ErrStoreBehind, "server ahead of this store"},
}

// linkText is the status bar's words for the last sync error, or "" when
// there is nothing to say beyond online or offline.
func linkText(err error) string {
	if err == nil || errors.Is(err, client.ErrUnreachable) {
		return ""
	}
	if errors.Is(err, client.ErrRefused) && strings.Contains(err.Error(), "revoked") {
		return "refused: device revoked"
	}
	for _, w := range linkWords {
		if errors.Is(err, w.err) {
			return w.words
		}
	}
	return "sync failing"
}
