package main

import (
	"fmt"
	"regexp"
	"sort"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"medisecure/cmd/internal/deskapp"
	"medisecure/store"
)

// resultsShown matches the search screen's line under fresh results; it is
// hidden while a newer keystroke's search is still running.
var resultsShown = regexp.MustCompile(`No patient matches|1 patient\.|\d+ patients\.|The first \d+ patients`)

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
			if _, err := d.waitView(resultsShown.MatchString, time.Minute); err != nil {
				return nil, fmt.Errorf("typing %q: %w", q, err)
			}
			times = append(times, time.Since(t0))
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	return times, nil
}
