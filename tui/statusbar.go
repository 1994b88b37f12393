package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// statusBar is the last line of every screen: who is logged in, whether
// the link is up, what the server has not yet acknowledged, when sync last
// pulled, and the open conflicts. It says "synced" only when the server
// acknowledged every change and a pull has completed while online.
func (m *model) statusBar() string {
	st := m.c.styles
	if m.c.sess == nil {
		return st.Status.Render(padRight(" not logged in", m.width))
	}
	p := m.c.principal()
	sep := st.Status.Render(" | ")
	left := []string{st.Status.Render(fmt.Sprintf(" %s (%s)", p.User, p.Role))}
	left = append(left, syncParts(m.c)...)
	line := strings.Join(left, sep)
	right := conflictBadge(m.c) + st.Status.Render(" ")
	gap := m.width - lipgloss.Width(line) - lipgloss.Width(right)
	if gap < 1 {
		return truncate(line+sep+right, m.width)
	}
	return line + st.Status.Render(strings.Repeat(" ", gap)) + right
}

// syncParts are the link, pending and last-sync parts of the status bar.
func syncParts(c *workspace) []string {
	st, s := c.styles, c.sync
	online := st.StatusBad.Render("offline")
	if s.Online {
		online = st.StatusGood.Render("online")
	}
	pending := st.StatusWarn.Render(fmt.Sprintf("%d pending", s.Pending))
	if synced(s) {
		pending = st.StatusGood.Render("synced")
	}
	last := "never"
	if !s.LastPull.IsZero() {
		last = c.clock(s.LastPull)
		if s.LastPull.In(c.zone()).Format("2006-01-02") != string(c.today()) {
			last = s.LastPull.In(c.zone()).Format("2 Jan 15:04")
		}
	}
	return []string{online, pending, st.Status.Render("last sync " + last)}
}

// synced is the only condition under which the bar may claim it.
func synced(s SyncStatus) bool { return s.Pending == 0 && s.Online && !s.LastPull.IsZero() }

// conflictBadge counts the open conflicts.
func conflictBadge(c *workspace) string {
	switch n := c.sync.Conflicts; n {
	case 0:
		return c.styles.Status.Render("no conflicts")
	case 1:
		return c.styles.Badge.Render("[1 conflict]")
	default:
		return c.styles.Badge.Render(fmt.Sprintf("[%d conflicts]", n))
	}
}
