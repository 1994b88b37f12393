package tui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"medisecure/core"
)

// Widths of the day view.
const (
	waitWidth = 26 // the waiting-room panel beside the columns
	minColumn = 26 // the narrowest doctor column; below it, a list
)

// View draws the day or the week.
func (s *scheduleScreen) View() string {
	if !s.ready {
		if s.err != "" {
			return "\n  " + s.c.styles.Error.Render(s.err)
		}
		return "\n  " + s.c.spinner() + " Loading the schedule…"
	}
	if len(s.c.doctors) == 0 {
		return "\n  No doctors yet. An admin adds doctors and their working hours.\n\n" + s.footer()
	}
	footer := s.footer()
	body := s.height - 1 - height(footer)
	var main string
	switch {
	case s.week:
		main = s.weekView(body)
	case s.columns():
		main = s.columnsView(body)
	default:
		main = s.listView(body)
	}
	return s.dayHeader() + "\n" + fit(main, s.width, body) + "\n" + footer
}

// columns reports whether a column per doctor fits.
func (s *scheduleScreen) columns() bool {
	return (s.width-waitWidth)/len(s.c.doctors) >= minColumn
}

// dayHeader names the day or week shown.
func (s *scheduleScreen) dayHeader() string {
	st := s.c.styles
	if s.week {
		return st.Bold.Render(fmt.Sprintf("Week of %s", dayName(s.weekOf))) + "  " +
			s.doctorSwitch()
	}
	h := st.Bold.Render(dayName(s.day))
	if s.day == s.c.today() {
		h += st.Subtle.Render("  today")
	}
	if !s.columns() {
		h += "   " + s.doctorSwitch()
	}
	return h
}

// doctorSwitch names the selected doctor with the keys to change.
func (s *scheduleScreen) doctorSwitch() string {
	return fmt.Sprintf("< %s >  %d/%d", s.c.doctorLabel(s.doctor()), s.doc+1, len(s.c.doctors))
}

// footer is the prompt for a reason to cancel, an error, or the note of
// the last thing done.
func (s *scheduleScreen) footer() string {
	st := s.c.styles
	switch {
	case s.cancelling != nil:
		a := s.cancelling
		prompt := st.Warning.Render(fmt.Sprintf("Cancel %s %s, reason: ", s.c.clock(a.Start), truncate(s.name(a.PatientID), 20))) +
			"[" + s.reason.View(st, true) + "]"
		if s.err != "" {
			prompt = st.Error.Render(s.err) + "\n" + prompt
		}
		return prompt
	case s.err != "":
		return st.Error.Render(s.err)
	case s.flash != "":
		return st.OK.Render(s.flash)
	}
	return ""
}

// columnsView draws a column per doctor and the waiting room beside them.
func (s *scheduleScreen) columnsView(h int) string {
	n := len(s.c.doctors)
	colW := (s.width - waitWidth) / n
	cols := make([]string, 0, n+1)
	for i, d := range s.c.doctors {
		focused := i == s.doc
		inner := colW - 2
		lines := []string{s.c.styles.ColumnTitle.Render(truncate(d.Label(), inner))}
		lines = append(lines, s.columnRows(d.Name, inner, h-3, focused)...)
		style := s.c.styles.Column
		if focused {
			style = s.c.styles.ColumnFocused
		}
		cols = append(cols, style.Width(inner).Height(h-2).Render(strings.Join(lines, "\n")))
	}
	cols = append(cols, s.waitingPanel(s.width-colW*n, h))
	return lipgloss.JoinHorizontal(lipgloss.Top, cols...)
}

// columnRows are one doctor's appointments in rows lines of width w.
func (s *scheduleScreen) columnRows(doctor string, w, rows int, focused bool) []string {
	col := s.column(doctor)
	if len(col) == 0 {
		return []string{s.c.styles.Subtle.Render(s.emptyDay(doctor))}
	}
	sel := -1
	if focused {
		sel = s.sel
	}
	start, end := window(len(col), max(sel, 0), rows)
	out := make([]string, 0, end-start)
	for i := start; i < end; i++ {
		out = append(out, s.apptCell(col[i], w, i == sel))
	}
	return out
}

// emptyDay says why a doctor's day has no appointments.
func (s *scheduleScreen) emptyDay(doctor string) string {
	if sc, ok := s.c.scheds[doctor]; ok && len(sc.Hours[weekday(s.day)]) == 0 {
		return "not working"
	}
	return "no appointments"
}

// apptCell is an appointment in a narrow column: ">09:30 Name  status".
func (s *scheduleScreen) apptCell(a core.Appointment, w int, selected bool) string {
	mark := " "
	if selected {
		mark = ">"
	}
	nameW := max(4, w-17)
	row := mark + s.c.clock(a.Start) + " " + padRight(s.name(a.PatientID), nameW) + " " +
		s.c.styles.Appt[a.Status].Render(padRight(statusShort(a.Status), 9))
	if selected {
		return s.c.styles.Selected.Render(row)
	}
	return row
}

// apptRow is an appointment in the full-width list.
func (s *scheduleScreen) apptRow(a core.Appointment, w int, selected bool) string {
	mark := "  "
	if selected {
		mark = "> "
	}
	room := ""
	if a.Room != "" {
		room = "room " + a.Room
	}
	nameW := min(maxName, max(6, w-34))
	row := mark + s.c.clock(a.Start) + "  " + padRight(s.name(a.PatientID), nameW) + "  " +
		s.c.styles.Appt[a.Status].Render(padRight(statusWord(string(a.Status)), 11)) + "  " + padRight(room, 10)
	if selected {
		return s.c.styles.Selected.Render(row)
	}
	return row
}

// listView is the narrow day: the selected doctor's list, then the
// waiting room.
func (s *scheduleScreen) listView(h int) string {
	wait := s.waitingLines(s.width, 3)
	rows := max(1, h-len(wait)-1)
	col := s.column(s.doctor())
	var lines []string
	if len(col) == 0 {
		lines = append(lines, "  "+s.c.styles.Subtle.Render(s.emptyDay(s.doctor())))
	}
	start, end := window(len(col), s.sel, rows)
	for i := start; i < end; i++ {
		lines = append(lines, s.apptRow(col[i], s.width, i == s.sel))
	}
	for len(lines) < rows {
		lines = append(lines, "")
	}
	return strings.Join(append(append(lines, ""), wait...), "\n")
}

// waiting lists today's checked-in patients, longest waiting first.
func (s *scheduleScreen) waiting() []core.Appointment {
	var out []core.Appointment
	for _, a := range s.today {
		if a.Status == core.ApptCheckedIn {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CheckedInAt.Before(out[j].CheckedInAt) })
	return out
}

// waitLine is one waiting patient with how long they have waited.
func (s *scheduleScreen) waitLine(a core.Appointment, w int) string {
	mins := "?"
	if !a.CheckedInAt.IsZero() {
		mins = fmt.Sprintf("%d min", max(0, int(s.c.now().Sub(a.CheckedInAt).Minutes())))
	}
	return padRight(s.name(a.PatientID), w-len(mins)-1) + " " + mins
}

// waitingLines is the waiting room in at most limit rows under a title.
func (s *scheduleScreen) waitingLines(w, limit int) []string {
	wait := s.waiting()
	lines := []string{s.c.styles.Bold.Render(fmt.Sprintf("Waiting room (%d)", len(wait)))}
	if len(wait) == 0 {
		return append(lines, s.c.styles.Subtle.Render("  nobody is waiting"))
	}
	for i, a := range wait {
		if i == limit && len(wait) > limit+1 {
			return append(lines, s.c.styles.Subtle.Render(fmt.Sprintf("  and %d more", len(wait)-limit)))
		}
		lines = append(lines, "  "+s.waitLine(a, w-2))
	}
	return lines
}

// waitingPanel is the waiting room beside the columns.
func (s *scheduleScreen) waitingPanel(w, h int) string {
	inner := w - 2
	lines := s.waitingLines(inner, h-4)
	for i, l := range lines {
		lines[i] = truncate(l, inner)
	}
	return s.c.styles.Panel.Width(inner).Height(h - 2).Render(strings.Join(lines, "\n"))
}
