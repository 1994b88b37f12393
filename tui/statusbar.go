package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"medisecure/tui/ui"
)

// statusBar is the last line of every screen: who is logged in, whether
// the link is up, what the server has not yet acknowledged, when sync last
// pulled, and the open conflicts. It says "synced" only when the server
// acknowledged every change and a pull has completed while online.
func (m *model) statusBar() string {
	st := m.styles
	if m.sess == nil {
		return st.Status.Render(ui.PadRight(" not logged in", m.width))
	}
	p := m.c.Who
	sep := st.Status.Render(" | ")
	left := []string{st.Status.Render(fmt.Sprintf(" %s (%s)", ui.Text(p.User), p.Role))}
	left = append(left, m.syncParts()...)
	line := strings.Join(left, sep)
	right := m.noticeBadge() + m.conflictBadge() + st.Status.Render(" ")
	gap := m.width - lipgloss.Width(line) - lipgloss.Width(right)
	if gap < 1 {
		return ui.Truncate(line+sep+right, m.width)
	}
	return line + st.Status.Render(strings.Repeat(" ", gap)) + right
}

// syncParts are the link, pending and last-sync parts of the status bar.
func (m *model) syncParts() []string {
	st, s, c := m.styles, m.sync, m.c
	online := st.StatusBad.Render("offline")
	switch {
	case s.Link != "":
		online = st.StatusBad.Render(ui.Text(s.Link))
	case s.Online:
		online = st.StatusGood.Render("online")
	}
	pending := st.StatusWarn.Render(fmt.Sprintf("%d pending", s.Pending))
	if synced(s) {
		pending = st.StatusGood.Render("synced")
	}
	last := "never"
	if !s.LastPull.IsZero() {
		last = c.Clock(s.LastPull)
		if s.LastPull.In(c.Zone()).Format("2006-01-02") != string(c.Today()) {
			last = s.LastPull.In(c.Zone()).Format("2 Jan 15:04")
		}
	}
	return []string{online, pending, st.Status.Render("last sync " + last)}
}

// synced is the only condition under which the bar may claim it.
func synced(s SyncStatus) bool {
	return s.Pending == 0 && s.Online && s.Link == "" && !s.LastPull.IsZero()
}

// noticeBadge counts the in-app notifications waiting (I opens them).
func (m *model) noticeBadge() string {
	if n := m.sync.Notices; n > 0 {
		return m.styles.Badge.Render(fmt.Sprintf("[%d new: I]", n)) + m.styles.Status.Render(" ")
	}
	return ""
}

// conflictBadge counts the open conflicts.
func (m *model) conflictBadge() string {
	switch n := m.sync.Conflicts; n {
	case 0:
		return m.styles.Status.Render("no conflicts")
	case 1:
		return m.styles.Badge.Render("[1 conflict]")
	default:
		return m.styles.Badge.Render(fmt.Sprintf("[%d conflicts]", n))
	}
}
