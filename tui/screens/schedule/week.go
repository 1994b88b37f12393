package schedule

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"medisecure/core"

	"medisecure/tui/ui"
)

// minDayColumn is the narrowest day column of the week; below it the week
// is a list.
const minDayColumn = 16

// weekView draws the selected doctor's week: a column per day when it
// fits, else the days one under another.
func (s *Screen) weekView(h int) string {
	if s.Width/7 >= minDayColumn {
		return s.weekColumns(h)
	}
	return s.weekList(h)
}

// weekDayTitle is "Mon 9", marked when it is today.
func (s *Screen) weekDayTitle(i int) string {
	d := s.weekOf.AddDays(i)
	t, _ := d.Time(time.UTC)
	title := t.Format("Mon 2 Jan")
	if d == s.S.Today() {
		title += " *"
	}
	return title
}

// weekDayEmpty says why a day of the week has nothing.
func (s *Screen) weekDayEmpty(i int) string {
	if sc, ok := s.S.Scheds[s.doctor()]; ok && len(sc.Hours[(i+1)%7]) == 0 {
		return "off"
	}
	return "free"
}

func (s *Screen) weekColumns(h int) string {
	colW := s.Width / 7
	inner := colW - 2
	cols := make([]string, 7)
	for i := range cols {
		title := ui.Truncate(s.weekDayTitle(i), inner)
		if i == s.weekSel {
			title = s.S.Styles.Selected.Render(ui.PadRight(">"+title, inner))
		}
		lines := []string{s.S.Styles.ColumnTitle.Render(title)}
		day := s.weekDays[i]
		if len(day) == 0 {
			lines = append(lines, s.S.Styles.Subtle.Render(s.weekDayEmpty(i)))
		}
		for j, a := range day {
			if j == h-4 && len(day) > j+1 {
				lines = append(lines, s.S.Styles.Subtle.Render(fmt.Sprintf("+%d more", len(day)-j)))
				break
			}
			lines = append(lines, s.weekCell(a, inner))
		}
		style := s.S.Styles.Column
		if i == s.weekSel {
			style = s.S.Styles.ColumnFocused
		}
		cols[i] = style.Width(inner).Height(h - 2).Render(strings.Join(lines, "\n"))
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, cols...)
}

// weekCell is "09:30 Name" in a day column. A cancelled or missed
// appointment reads "10:40 cancelled" instead, so a slot that is free
// again does not look taken without colour.
func (s *Screen) weekCell(a core.Appointment, w int) string {
	what := s.name(a.PatientID)
	if a.Status == core.ApptCancelled || a.Status == core.ApptNoShow {
		what = core.StatusWord(string(a.Status))
	}
	return s.S.Styles.Appt[a.Status].Render(ui.PadRight(s.S.Clock(a.Start)+" "+what, w))
}

// weekList is the narrow week: each day's title, then its appointments.
func (s *Screen) weekList(h int) string {
	var lines []string
	selLine := 0
	for i := range s.weekDays {
		mark := "  "
		if i == s.weekSel {
			mark, selLine = "> ", len(lines)
		}
		day := s.weekDays[i]
		title := fmt.Sprintf("%s%-12s %d", mark, s.weekDayTitle(i), len(day))
		if len(day) == 0 {
			title = fmt.Sprintf("%s%-12s %s", mark, s.weekDayTitle(i), s.weekDayEmpty(i))
		}
		if i == s.weekSel {
			title = s.S.Styles.Selected.Render(title)
		}
		lines = append(lines, title)
		for _, a := range day {
			cell := ui.PadRight(s.S.Clock(a.Start)+" "+s.name(a.PatientID), min(ui.MaxName, s.Width-24))
			lines = append(lines, "      "+s.S.Styles.Appt[a.Status].Render(cell)+"  "+core.StatusWord(string(a.Status)))
		}
	}
	if h <= 0 {
		return ""
	}
	start := min(selLine, max(0, len(lines)-h))
	return strings.Join(lines[start:min(len(lines), start+h)], "\n")
}
