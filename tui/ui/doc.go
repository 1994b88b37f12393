// Package ui is the kit every screen of the terminal interface uses: the
// Screen contract, the one KeyMap and Styles passed down in Shared, typed
// route requests to the root, text fields, form rows, confirmation
// prompts, layout helpers, error wording and the safe text renderer that
// every string from a record or a user passes through.
//
// It imports core, Bubble Tea, bubbles and lipgloss only; it never imports
// a screen package or the root (the dependency test in the project root
// fails when it does).
package ui
