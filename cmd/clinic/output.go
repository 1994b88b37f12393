package main

import (
	"encoding/json"
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"medisecure/core"
)

// table prints rows under a header, or v as indented JSON when asJSON is
// set. Every cell goes through core.SafeText, so a stored name can never
// drive the terminal, and columns are padded by display width, so a
// column stays aligned below a wide (CJK) or combining name.
func table(w io.Writer, asJSON bool, v any, header []string, rows [][]string) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	all := rows
	if header != nil {
		all = append([][]string{header}, rows...)
	}
	var widths []int
	for i, r := range all {
		safe := make([]string, len(r))
		for j, c := range r {
			safe[j] = core.SafeText(c)
			if j == len(widths) {
				widths = append(widths, 0)
			}
			widths[j] = max(widths[j], ansi.StringWidth(safe[j]))
		}
		all[i] = safe
	}
	var b strings.Builder
	for _, r := range all {
		for j, c := range r {
			b.WriteString(c)
			if j < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[j]-ansi.StringWidth(c)+2))
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
