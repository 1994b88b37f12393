package ui

import "strings"

// LabelWidth is the width of a form's labels.
const LabelWidth = 14

// FormRow draws a labelled form line with a "> " marker on the focused row.
func FormRow(st Styles, label, input string, focused bool) string {
	mark := "  "
	lbl := st.Label.Render(PadRight(label, LabelWidth))
	if focused {
		mark = "> "
		lbl = st.Focused.Render(PadRight(label, LabelWidth))
	}
	return mark + lbl + "[" + input + "]"
}

// RowLine is a form line whose value is not typed, such as a choice.
func RowLine(st Styles, label, value string, focused bool) string {
	if focused {
		return "> " + st.Focused.Render(PadRight(label, LabelWidth)) + value
	}
	return "  " + st.Label.Render(PadRight(label, LabelWidth)) + value
}

// Indent puts prefix before every line of s.
func Indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

// OrDash is s, or "-" when it is empty.
func OrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
