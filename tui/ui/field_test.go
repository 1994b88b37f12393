package ui

import (
	"io"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// typeText is the key presses that type s.
func typeText(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return out
}

// press is the key named s: a special key such as "backspace", or one rune.
func press(s string) tea.Msg {
	named := map[string]tea.KeyType{"backspace": tea.KeyBackspace, "left": tea.KeyLeft, "ctrl+u": tea.KeyCtrlU}
	if t, ok := named[s]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// asciiStyles are the styles drawn without colour.
func asciiStyles() Styles {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return NewStyles(r)
}

func TestFieldEditing(t *testing.T) {
	tests := []struct {
		keys []tea.Msg
		want string
	}{
		{typeText("Zoë Ä"), "Zoë Ä"},
		{append(typeText("abc"), press("backspace")), "ab"},
		{append(typeText("abc"), press("left"), press("left"), press("backspace")), "bc"},
		{append(typeText("one two"), tea.KeyMsg{Type: tea.KeyCtrlW}), "one "},
		{append(typeText("abc"), press("ctrl+u")), ""},
		{append(typeText("bc"), tea.KeyMsg{Type: tea.KeyHome}, press("a")), "abc"},
		{[]tea.Msg{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("pa\x07ste\n"), Paste: true}}, "paste"},
	}
	for _, tt := range tests {
		f := NewField(10, "")
		for _, k := range tt.keys {
			f.Update(k.(tea.KeyMsg))
		}
		if f.Value() != tt.want {
			t.Errorf("after %v: %q, want %q", tt.keys, f.Value(), tt.want)
		}
	}
}

func TestFieldViewKeepsWidth(t *testing.T) {
	st := asciiStyles()
	f := NewField(6, "")
	f.SetValue("王小明王小明王小明")
	if v := f.View(st, true); strings.Contains(v, "\n") || ansi.StringWidth(v) > 6 {
		t.Fatalf("view %q is wider than 6 cells", v)
	}
	f.Mask = true
	if v := f.View(st, false); v != "******" {
		t.Fatalf("masked view %q", v)
	}
}
