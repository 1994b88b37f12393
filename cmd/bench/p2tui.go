package main

import (
	"fmt"
	"sort"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"medisecure/cmd/internal/deskapp"
	"medisecure/store"
)

// resultsShown finds the search screen's line under fresh results ("No
// patient matches", "1 patient.", "12 patients.", "The first 50
// patients"); it is hidden while a newer keystroke's search is still
// running. It is looked for in every frame the timed keystrokes draw, so
// it is a scan for a few words, not a backtracking regular expression
// costing as much as the frame.
func resultsShown(v string) bool {
	if strings.Contains(v, "No patient matches") || strings.Contains(v, "1 patient.") {
		return true
	}
	for rest, at := v, 0; ; {
		i := strings.Index(rest[at:], " patients")
		if i < 0 {
			return false
		}
		i += at
		d := i
		for d > 0 && rest[d-1] >= '0' && rest[d-1] <= '9' {
			d--
		}
		if d < i && (strings.HasPrefix(rest[i:], " patients.") || strings.HasSuffix(rest[:d], "The first ")) {
			return true
		}
		at = i + 1
	}
}

// tuiSearch times keystrokes in the TUI's patient search: from the key
// message reaching Update to the view showing that query's results (the
// search runs in a Cmd, as in the program). It returns the sorted times.
func tuiSearch(db *store.DB, queries []string) ([]time.Duration, error) {
	now := func() time.Time { return fixedNow }
	m, _, err := tuiFirstSchedule(deskapp.Backend{DB: db}, "desk", benchPass, now, 120, 40)
	if err != nil {
		return nil, err
	}
	d := newDriver(m)
	defer d.stop()
	var times []time.Duration
	for _, q := range queries {
		d.send(tea.KeyMsg{Type: tea.KeyEsc})
		d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'/'}})
		for _, r := range q {
			t0 := time.Now()
			d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
			if _, err := d.waitView(resultsShown, time.Minute); err != nil {
				return nil, fmt.Errorf("typing %q: %w", q, err)
			}
			times = append(times, time.Since(t0))
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	return times, nil
}
