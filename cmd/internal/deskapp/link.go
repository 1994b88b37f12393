package deskapp

import (
	"errors"
	"fmt"
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
	{client.ErrServerLost, "server lost data"},
}

// linkText is the status bar's few words for what the sync client last
// reported (its full State line is for clinic sync status), or "" when
// there is nothing to say beyond online or offline.
func linkText(st client.Status) string {
	switch {
	case st.Err != nil:
		return errText(st.Err)
	case st.Restored > 0:
		return fmt.Sprintf("server lost data, restored %d", st.Restored)
	case st.Missing > 0:
		return fmt.Sprintf("server lost data, %d missing", st.Missing)
	case st.Quarantined > 0:
		return fmt.Sprintf("%d quarantined", st.Quarantined)
	case strings.Contains(st.State, "clock off"):
		return "clock off: set the time"
	}
	return ""
}

// errText is the status bar's words for the error that stopped a sync.
func errText(err error) string {
	if errors.Is(err, client.ErrUnreachable) {
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
