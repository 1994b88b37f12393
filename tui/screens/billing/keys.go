package billing

import "github.com/charmbracelet/bubbles/key"

// The billing screens' own keys; moving, opening, going back and taking a
// payment ("$", ui.KeyMap.Pay) are the shared ones.
var (
	keyRefund = key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "refund"))
	keyDayEnd = key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "day end"))
	keyClaims = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "claims"))
	keyMethod = key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "method"))
	keyCredit = key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "move credit"))
)
