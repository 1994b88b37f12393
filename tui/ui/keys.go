package ui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every key binding of the interface. Screens pick the bindings
// they offer from this one map, so a key means the same thing everywhere.
type KeyMap struct {
	Up, Down, Left, Right key.Binding
	PrevDay, NextDay      key.Binding
	Today, Week, Refresh  key.Binding

	Open, Back, Help, Quit, Lock, Logout key.Binding

	Search, NewPatient, SearchNew key.Binding
	Book, Chart, Conflicts, Edit  key.Binding

	CheckIn, Start, Complete, NoShow, Cancel, Move, Undo key.Binding

	NextField, PrevField, Toggle, Submit, TakeNext, TakeNow key.Binding

	KeepLeft, KeepRight, MoveOther key.Binding

	// Pay takes a payment: on a completed visit in the schedule, on an
	// invoice in billing's screens.
	Pay key.Binding
}

// DefaultKeyMap returns the bindings: arrows and vim keys both move.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return KeyMap{
		Up:      b([]string{"up", "k"}, "k/up", "up"),
		Down:    b([]string{"down", "j"}, "j/down", "down"),
		Left:    b([]string{"left", "h"}, "h/left", "doctor"),
		Right:   b([]string{"right", "l"}, "l/right", "doctor"),
		PrevDay: b([]string{"[", "pgup"}, "[", "day before"),
		NextDay: b([]string{"]", "pgdown"}, "]", "day after"),
		Today:   b([]string{"t"}, "t", "today"),
		Week:    b([]string{"w"}, "w", "week/day"),
		Refresh: b([]string{"r"}, "r", "refresh"),

		Open:   b([]string{"enter"}, "enter", "open"),
		Back:   b([]string{"esc"}, "esc", "back"),
		Help:   b([]string{"?", "f1"}, "?", "help"),
		Quit:   b([]string{"ctrl+c"}, "ctrl+c", "quit"),
		Lock:   b([]string{"ctrl+l"}, "ctrl+l", "lock"),
		Logout: b([]string{"ctrl+x"}, "ctrl+x", "log out"),

		Search:     b([]string{"/"}, "/", "find patient"),
		NewPatient: b([]string{"n"}, "n", "new patient"),
		SearchNew:  b([]string{"ctrl+n"}, "ctrl+n", "new patient"),
		Book:       b([]string{"b"}, "b", "book"),
		Chart:      b([]string{"v"}, "v", "chart"),
		Conflicts:  b([]string{"!"}, "!", "conflicts"),
		Edit:       b([]string{"e"}, "e", "edit"),

		CheckIn:  b([]string{"c"}, "c", "check in"),
		Start:    b([]string{"s"}, "s", "start"),
		Complete: b([]string{"d"}, "d", "done"),
		NoShow:   b([]string{"x"}, "x", "no-show"),
		Cancel:   b([]string{"C"}, "C", "cancel"),
		Move:     b([]string{"m"}, "m", "move"),
		Undo:     b([]string{"u"}, "u", "undo status"),

		NextField: b([]string{"tab", "down"}, "tab", "next field"),
		PrevField: b([]string{"shift+tab", "up"}, "shift+tab", "previous field"),
		Toggle:    b([]string{" "}, "space", "toggle"),
		Submit:    b([]string{"enter", "ctrl+s"}, "enter", "save"),
		TakeNext:  b([]string{"t", "enter"}, "t", "take next free"),
		TakeNow:   b([]string{"ctrl+t"}, "ctrl+t", "take next free"),

		KeepLeft:  b([]string{"1"}, "1", "keep left"),
		KeepRight: b([]string{"2"}, "2", "keep right"),
		MoveOther: b([]string{"m"}, "m", "keep marked, move other"),

		Pay: b([]string{"$"}, "$", "take payment"),
	}
}

// WithHelp is b with other help text, for a screen where the key reads
// differently ("enter" saves in a form, opens in a list).
func WithHelp(b key.Binding, k, desc string) key.Binding {
	b.SetHelp(k, desc)
	return b
}
