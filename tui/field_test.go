package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

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
		f := newField(10, "")
		for _, k := range tt.keys {
			f.Update(k.(tea.KeyMsg))
		}
		if f.Value() != tt.want {
			t.Errorf("after %v: %q, want %q", tt.keys, f.Value(), tt.want)
		}
	}
}

func TestFieldViewKeepsWidth(t *testing.T) {
	st := newHarness(t, 80, 24).m.c.styles
	f := newField(6, "")
	f.SetValue("王小明王小明王小明")
	checkSize(t, f.View(st, true), 6, 1)
	f.mask = true
	if v := f.View(st, false); v != "******" {
		t.Fatalf("masked view %q", v)
	}
}
