package claims

import (
	"medisecure/core"
	"medisecure/tui/ui"
)

// Port is what the claims worklist needs of a session.
type Port interface {
	ui.NamesPort
	// Claims lists the claims in a status ("" for all), oldest first.
	Claims(status core.ClaimStatus) ([]core.Claim, error)
	// SetClaimStatus moves a claim along its status machine; paid posts
	// the insurer's payment (amount zero: the claim's amount).
	SetClaimStatus(id core.ID, to core.ClaimStatus, reason string, amount core.Money) (core.Claim, error)
}
