package ui

import (
	"strings"
	"unicode"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// Field is a one-line text input. It is ours rather than bubbles/textinput
// because that one pulls in a clipboard package and a blinking cursor; a
// still cursor keeps golden files stable.
type Field struct {
	value       []rune
	pos         int
	width       int
	Mask        bool
	placeholder string
}

// NewField makes an input width cells wide.
func NewField(width int, placeholder string) Field {
	return Field{width: width, placeholder: placeholder}
}

// Value is the text typed.
func (f *Field) Value() string { return string(f.value) }

// SetValue replaces the text and puts the cursor at its end.
func (f *Field) SetValue(s string) {
	f.value = []rune(s)
	f.pos = len(f.value)
}

// Update edits the text for one key and reports whether it changed. Keys
// that do not edit (enter, tab, esc, arrows up and down) are left to the
// screen.
func (f *Field) Update(k tea.KeyMsg) bool {
	before := string(f.value)
	switch k.Type {
	case tea.KeyRunes, tea.KeySpace:
		f.insert(k.Runes)
	case tea.KeyBackspace, tea.KeyCtrlH:
		if f.pos > 0 {
			f.value = append(f.value[:f.pos-1], f.value[f.pos:]...)
			f.pos--
		}
	case tea.KeyDelete, tea.KeyCtrlD:
		if f.pos < len(f.value) {
			f.value = append(f.value[:f.pos], f.value[f.pos+1:]...)
		}
	case tea.KeyLeft, tea.KeyCtrlB:
		f.pos = max(0, f.pos-1)
	case tea.KeyRight, tea.KeyCtrlF:
		f.pos = min(len(f.value), f.pos+1)
	case tea.KeyHome, tea.KeyCtrlA:
		f.pos = 0
	case tea.KeyEnd, tea.KeyCtrlE:
		f.pos = len(f.value)
	case tea.KeyCtrlU:
		f.value, f.pos = f.value[f.pos:], 0
	case tea.KeyCtrlK:
		f.value = f.value[:f.pos]
	case tea.KeyCtrlW:
		f.deleteWord()
	}
	return string(f.value) != before
}

// insert types runes at the cursor, dropping control characters a paste
// may carry.
func (f *Field) insert(rs []rune) {
	var clean []rune
	for _, r := range rs {
		if !unicode.IsControl(r) {
			clean = append(clean, r)
		}
	}
	tail := append(clean, f.value[f.pos:]...)
	f.value = append(f.value[:f.pos], tail...)
	f.pos += len(clean)
}

// deleteWord removes the word before the cursor.
func (f *Field) deleteWord() {
	i := f.pos
	for i > 0 && f.value[i-1] == ' ' {
		i--
	}
	for i > 0 && f.value[i-1] != ' ' {
		i--
	}
	f.value = append(f.value[:i], f.value[f.pos:]...)
	f.pos = i
}

// View draws the text, scrolled to keep the cursor in sight; the cursor is
// drawn only when the field has focus. An empty field shows its hint.
func (f *Field) View(st Styles, focused bool) string {
	shown := f.value
	if f.Mask {
		shown = []rune(strings.Repeat("*", len(f.value)))
	}
	if len(shown) == 0 {
		if !focused {
			return PadRight(st.Subtle.Render(f.placeholder), f.width)
		}
		// The hint stays while the field is empty, after the cursor.
		return PadRight(st.Cursor.Render(st.CursorCell(" "))+st.Subtle.Render(Truncate(f.placeholder, f.width-1)), f.width)
	}
	start, end := 0, len(shown)
	if focused {
		start, end = f.scroll(shown), len(shown)+1 // room for the cursor after the text
	}
	var b strings.Builder
	w := 0
	for i := start; i < end && w < f.width; i++ {
		ch := " "
		if i < len(shown) {
			ch = string(shown[i])
		}
		cw := max(1, ansi.StringWidth(ch))
		if w+cw > f.width {
			break
		}
		if focused && i == f.pos {
			b.WriteString(st.Cursor.Render(st.CursorCell(ch)))
		} else {
			b.WriteString(ch)
		}
		w += cw
	}
	return PadRight(b.String(), f.width)
}

// scroll is the first rune shown so the cursor fits inside the width.
func (f *Field) scroll(shown []rune) int {
	start := 0
	for {
		w := 1 // the cursor cell
		for i := start; i < f.pos && i < len(shown); i++ {
			w += max(1, ansi.StringWidth(string(shown[i])))
		}
		if w <= f.width || start >= f.pos {
			return start
		}
		start++
	}
}
