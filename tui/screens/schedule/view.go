package schedule

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"medisecure/core"

	"medisecure/tui/ui"
)

// Widths of the day view.
const (
	waitWidth = 26 // the waiting-room panel beside the columns
	minColumn = 27 // the narrowest doctor column; 80 cells hold two
	// minShown is the fewest columns worth drawing when not every doctor
	// fits; with fewer, one doctor's list reads better.
	minShown = 3
	// stripLines is the most lines the waiting room takes under the
	// columns.
	stripLines = 2
)

// dayLayout is how a day is drawn at the screen's width: a column per
// doctor, or a window of columns that follows the selected doctor when
// not all fit, with the waiting room beside or under them; or, when not
// even minShown columns fit, the selected doctor's list.
type dayLayout struct {
	cols   int // doctor columns shown; 0 means the list
	first  int // the first doctor shown
	colW   int // the width of each column, borders included
	beside bool
}

// layoutDay picks the day's layout: every doctor with the waiting room
// beside them, else every doctor with it underneath, else as many columns
// as fit, else the list.
func (s *Screen) layoutDay() dayLayout {
	n, w := len(s.S.Doctors), s.Width
	beside, under := (w-waitWidth)/minColumn, w/minColumn
	var l dayLayout
	switch {
	case n == 0 || s.own:
		return l
	case beside >= n:
		l = dayLayout{cols: n, beside: true}
	case under >= n:
		l = dayLayout{cols: n}
	case under < minShown:
		return l
	default:
		l = dayLayout{cols: under, beside: beside == under}
	}
	room := w
	if l.beside {
		room -= waitWidth
	}
	l.colW = room / l.cols
	l.first = scrollTo(s.colStart, s.doc, l.cols, n)
	return l
}

// scrollTo is the first of k items shown out of n, moved from start as
// little as keeps sel in sight.
func scrollTo(start, sel, k, n int) int {
	start = min(start, sel)
	if sel >= start+k {
		start = sel - k + 1
	}
	return max(0, min(start, n-k))
}

// followDoctor scrolls the columns so the selected doctor is in sight.
func (s *Screen) followDoctor() {
	if l := s.layoutDay(); l.cols > 0 {
		s.colStart = l.first
	}
}

// View draws the day or the week.
func (s *Screen) View() string {
	var b strings.Builder
	s.WriteView(&b, "", "")
	return b.String()
}

// WriteView writes pre, the day or the week, and post into b: the day's
// columns, the biggest string a frame holds, are drawn straight into it.
func (s *Screen) WriteView(b *strings.Builder, pre, post string) {
	if l := s.layoutDay(); l.cols > 0 && !s.week && s.ready && len(s.S.Doctors) > 0 {
		footer := s.footer()
		if body := s.Height - 1 - ui.Height(footer); body >= 3 {
			s.columnsView(b, l, body, pre+s.dayHeader(l), footer+post)
			return
		}
	}
	v := s.view()
	b.Grow(len(pre) + len(v) + len(post))
	b.WriteString(pre)
	b.WriteString(v)
	b.WriteString(post)
}

// view draws the day or the week but the day's columns.
func (s *Screen) view() string {
	if !s.ready || s.S.Doctors == nil {
		if s.err != "" {
			return "\n  " + s.S.Styles.Error.Render(s.err)
		}
		return "\n  " + s.S.Spinner() + " Loading the schedule…"
	}
	if len(s.S.Doctors) == 0 {
		return "\n  No doctors yet. An admin adds doctors and their working hours.\n\n" + s.footer()
	}
	footer := s.footer()
	body := s.Height - 1 - ui.Height(footer)
	l := s.layoutDay()
	if body < 3 {
		// No room for a day: the heading and the footer, which may be
		// asking for a reason, are what matters.
		return s.dayHeader(l) + "\n" + footer
	}
	var main string
	switch {
	case s.week:
		main = ui.Fit(s.weekView(body), s.Width, body)
	default:
		main = ui.Fit(s.listView(body), s.Width, body)
	}
	return s.dayHeader(l) + "\n" + main + "\n" + footer
}

// dayHeader names the day or week shown, and which doctors.
func (s *Screen) dayHeader(l dayLayout) string {
	st := s.S.Styles
	if s.week {
		return st.Bold.Render(fmt.Sprintf("Week of %s", ui.DayName(s.weekOf))) + "  " +
			s.doctorSwitch()
	}
	h := st.Bold.Render(ui.DayName(s.day))
	if s.day == s.S.Today() {
		h += st.Subtle.Render("  today")
	}
	switch n := len(s.S.Doctors); {
	case l.cols == 0:
		h += "   " + s.doctorSwitch()
	case l.cols < n:
		h += fmt.Sprintf("   < doctors %d-%d of %d >", l.first+1, l.first+l.cols, n)
	}
	return h
}

// doctorSwitch names the selected doctor with the keys to change.
func (s *Screen) doctorSwitch() string {
	return fmt.Sprintf("< %s >  %d/%d", s.S.DoctorLabel(s.doctor()), s.doc+1, len(s.S.Doctors))
}

// footer is the prompt for a reason to cancel, an error, or the note of
// the last thing done.
func (s *Screen) footer() string {
	st := s.S.Styles
	switch {
	case s.asking != nil:
		a := s.asking.appt
		what := "Cancel"
		if s.asking.to != core.ApptCancelled {
			what = "Back to " + core.StatusWord(string(s.asking.to)) + ":"
		}
		prompt := st.Warning.Render(fmt.Sprintf("%s %s %s, reason: ", what, s.S.Clock(a.Start), ui.Truncate(s.name(a.PatientID), 20))) +
			"[" + s.reason.View(st, true) + "]"
		if s.err != "" {
			prompt = st.Error.Render(s.err) + "\n" + prompt
		}
		return prompt
	case s.err != "":
		return st.Error.Render(s.err)
	case s.flash != "":
		return st.OK.Render(s.flash)
	case !s.week && s.layoutDay().cols > 0:
		return st.Subtle.Render(ui.Truncate(s.selectedLine(), s.Width))
	}
	return ""
}

// selectedLine describes the selected appointment in full, for the
// columns, whose cells have room only for the time and the name.
func (s *Screen) selectedLine() string {
	a, ok := s.selected()
	if !ok {
		return ""
	}
	line := fmt.Sprintf("%s-%s %s with %s", s.S.Clock(a.Start), s.S.Clock(a.End()), s.name(a.PatientID), s.S.DoctorLabel(a.Doctor))
	if a.Room != "" {
		line += ", " + roomLabel(a.Room)
	}
	line += ", " + core.StatusWord(string(a.Status))
	if note := apptNote(a); note != "" {
		line += ": " + note
	}
	return line
}

// columnsView writes head, the layout's doctor columns and the waiting
// room beside or under them in exactly h lines, and foot, into b, which
// it grows once for all of it. The day is drawn to size, and copying it
// again would cost the garbage collector.
func (s *Screen) columnsView(b *strings.Builder, l dayLayout, h int, head, foot string) {
	colH := h
	var strip []string
	if !l.beside {
		strip = s.waitingStrip(s.Width, stripLines)
		colH = h - len(strip)
	}
	inner := l.colW - 2
	plain := s.frames.get(&s.S.Styles, false, inner)
	focused := s.frames.get(&s.S.Styles, true, inner)
	boxes := make([]box, 0, l.cols+1)
	for i := l.first; i < l.first+l.cols; i++ {
		f := plain
		if i == s.doc {
			f = focused
		}
		boxes = append(boxes, box{f: f, lines: s.doctorColumn(i, inner, colH-3)})
	}
	if l.beside {
		boxes = append(boxes, s.waitingPanel(s.Width-l.colW*l.cols, h))
	}
	size := len(head) + len(foot) + 2 + joinedSize(boxes, colH)
	for _, line := range strip {
		size += len(line) + 1
	}
	b.Grow(size)
	b.WriteString(head)
	b.WriteByte('\n')
	joinBoxes(b, boxes, colH)
	for _, line := range strip {
		b.WriteByte('\n')
		b.WriteString(line)
	}
	b.WriteByte('\n')
	b.WriteString(foot)
}

// drawnColumn is a doctor's column as drawn for a width, a height, a day
// and the doctor's label.
type drawnColumn struct {
	w, rows int
	day     core.Date
	label   string
	lines   []string
}

// doctorColumn is doctor i's day in lines w cells wide: the name, then
// rows appointments. An unselected doctor's column of appointments is
// kept for the next frame: it changes only with what drops the kept cells.
func (s *Screen) doctorColumn(i, w, rows int) []string {
	d := s.S.Doctors[i]
	label := d.Label()
	if c, ok := s.columns[d.Name]; ok && i != s.doc && c.w == w && c.rows == rows && c.day == s.day && c.label == label {
		return c.lines
	}
	lines := []string{s.S.Styles.ColumnTitle.Render(ui.PadRight(label, w))}
	lines = append(lines, s.columnRows(d.Name, w, rows, i == s.doc)...)
	if i != s.doc && len(s.column(d.Name)) > 0 { // an empty day's words follow the schedules, which load apart
		if s.columns == nil {
			s.columns = make(map[string]drawnColumn)
		}
		s.columns[d.Name] = drawnColumn{w: w, rows: rows, day: s.day, label: label, lines: lines}
	}
	return lines
}

// columnRows are one doctor's appointments in rows lines of width w.
func (s *Screen) columnRows(doctor string, w, rows int, focused bool) []string {
	col := s.column(doctor)
	if len(col) == 0 {
		return []string{s.S.Styles.Subtle.Render(ui.PadRight(s.emptyDay(doctor), w))}
	}
	sel := -1
	if focused {
		sel = s.sel
	}
	start, end := ui.Window(len(col), max(sel, 0), rows)
	out := make([]string, 0, end-start)
	for i := start; i < end; i++ {
		out = append(out, s.apptCell(col[i], w, i == sel))
	}
	return out
}

// emptyDay says why a doctor's day has no appointments.
func (s *Screen) emptyDay(doctor string) string {
	if sc, ok := s.S.Scheds[doctor]; ok && len(sc.Hours[weekday(s.day)]) == 0 {
		return "not working"
	}
	return "no appointments"
}

// cell is a drawn column cell and the width it was drawn for.
type cell struct {
	w int
	s string
}

// apptCell is an appointment in a column w cells wide: ">09:30 Name
// arrived". A booked appointment has no status word, so the others stand
// out and its name gets the room. Unselected cells are kept for the next
// frame.
func (s *Screen) apptCell(a core.Appointment, w int, selected bool) string {
	if c, ok := s.cells[a.ID]; ok && c.w == w && !selected {
		return c.s
	}
	mark := " "
	if selected {
		mark = ">"
	}
	tag := ui.StatusShort(a.Status)
	nameW := w - 7
	if tag != "" {
		nameW -= len(tag) + 1
	}
	row := mark + s.S.Clock(a.Start) + " " + ui.PadRight(s.name(a.PatientID), max(1, nameW))
	if tag != "" {
		row += " " + s.S.Styles.Tags[a.Status]
	}
	if selected {
		return s.S.Styles.Selected.Render(row)
	}
	if s.cells == nil {
		s.cells = make(map[core.ID]cell)
	}
	s.cells[a.ID] = cell{w: w, s: row}
	return row
}

// apptRow is an appointment in the full-width list: time, patient,
// status, room, and where there is room the reason for the visit or for
// the cancellation.
func (s *Screen) apptRow(a core.Appointment, w int, selected bool) string {
	mark := "  "
	if selected {
		mark = "> "
	}
	nameW := max(6, w-34)
	if nameW >= 46 {
		nameW -= 20 // leave the note a little room
	}
	nameW = min(ui.MaxName, nameW)
	row := mark + s.S.Clock(a.Start) + "  " + ui.PadRight(s.name(a.PatientID), nameW) + "  " +
		s.S.Styles.Appt[a.Status].Render(ui.PadRight(core.StatusWord(string(a.Status)), 11)) + "  " + ui.PadRight(roomLabel(a.Room), 10)
	if note := apptNote(a); note != "" {
		if rest := w - lipgloss.Width(row) - 2; rest >= 12 {
			row += "  " + s.S.Styles.Subtle.Render(ui.Truncate(note, rest))
		}
	}
	if selected {
		return s.S.Styles.Selected.Render(row)
	}
	return row
}

// roomLabel names a room: as it is when its name says it is a room
// ("Room 2", "room B"), else with the word in front ("room 2").
func roomLabel(r string) string {
	if r == "" || strings.HasPrefix(strings.ToLower(r), "room") {
		return r
	}
	return "room " + r
}

// apptNote is why an appointment was cancelled or missed, else why it was
// booked.
func apptNote(a core.Appointment) string {
	if a.StatusReason != "" {
		return a.StatusReason
	}
	return a.Reason
}

// listView is the narrow day: the selected doctor's list, then the
// waiting room.
func (s *Screen) listView(h int) string {
	wait := s.waitingLines(s.Width, 3)
	rows := max(1, h-len(wait)-1)
	col := s.column(s.doctor())
	var lines []string
	if len(col) == 0 {
		lines = append(lines, "  "+s.S.Styles.Subtle.Render(s.emptyDay(s.doctor())))
	}
	start, end := ui.Window(len(col), s.sel, rows)
	for i := start; i < end; i++ {
		lines = append(lines, s.apptRow(col[i], s.Width, i == s.sel))
	}
	for len(lines) < rows {
		lines = append(lines, "")
	}
	return strings.Join(append(append(lines, ""), wait...), "\n")
}

// waiting lists today's checked-in patients, longest waiting first.
func (s *Screen) waiting() []core.Appointment { return s.wait }

// checkedIn is the checked-in appointments of a day, longest waiting
// first, picked once per load rather than on every frame.
func checkedIn(day []core.Appointment) []core.Appointment {
	var out []core.Appointment
	for _, a := range day {
		if a.Status == core.ApptCheckedIn {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CheckedInAt.Before(out[j].CheckedInAt) })
	return out
}

// waited is how long a checked-in patient has waited: "12 min".
func (s *Screen) waited(a core.Appointment) string {
	if a.CheckedInAt.IsZero() {
		return "?"
	}
	return fmt.Sprintf("%d min", max(0, int(s.S.Now().Sub(a.CheckedInAt).Minutes())))
}

// waitLine is one waiting patient with how long they have waited, and on
// a wide line whom they wait for.
func (s *Screen) waitLine(a core.Appointment, w int) string {
	mins := s.waited(a)
	nameW := min(ui.MaxName, w/3)
	if w < nameW+8+14 {
		return ui.PadRight(s.name(a.PatientID), w-len(mins)-1) + " " + mins
	}
	line := ui.PadRight(s.name(a.PatientID), nameW) + " " + ui.PadLeft(mins, 7)
	if rest := w - ansi.StringWidth(line) - 2; rest >= 12 {
		line += "  " + ui.Truncate(s.S.Clock(a.Start)+" "+s.S.DoctorLabel(a.Doctor), rest)
	}
	return line
}

// waitingLines is the waiting room in at most limit rows under a title.
func (s *Screen) waitingLines(w, limit int) []string {
	wait := s.waiting()
	lines := []string{s.S.Styles.Bold.Render(fmt.Sprintf("Waiting room (%d)", len(wait)))}
	if len(wait) == 0 {
		return append(lines, s.S.Styles.Subtle.Render("  nobody is waiting"))
	}
	for i, a := range wait {
		if i == limit && len(wait) > limit+1 {
			return append(lines, s.S.Styles.Subtle.Render(fmt.Sprintf("  and %d more", len(wait)-limit)))
		}
		lines = append(lines, "  "+s.waitLine(a, w-2))
	}
	return lines
}

// waitingPanel is the waiting room beside the columns, h lines high.
func (s *Screen) waitingPanel(w, h int) box {
	inner := w - 2
	lines := s.waitingLines(inner, h-4)
	for i, l := range lines {
		lines[i] = ui.PadRight(l, inner)
	}
	return box{f: s.frames.get(&s.S.Styles, false, inner), lines: lines}
}

// waitingStrip is the waiting room under the columns: the title, then the
// waiting patients one after another, in at most limit lines.
func (s *Screen) waitingStrip(w, limit int) []string {
	st := s.S.Styles
	wait := s.waiting()
	line := st.Bold.Render(fmt.Sprintf("Waiting room (%d):", len(wait)))
	if len(wait) == 0 {
		return []string{line + " " + st.Subtle.Render("nobody is waiting")}
	}
	var lines []string
	lineW := lipgloss.Width(line)
	for i, a := range wait {
		item := ui.Truncate(s.name(a.PatientID), ui.MaxName) + " " + s.waited(a)
		itemW := ansi.StringWidth(item)
		if lineW+2+itemW <= w {
			line += "  " + item
			lineW += 2 + itemW
			continue
		}
		if len(lines)+1 == limit {
			line += "  " + st.Subtle.Render(fmt.Sprintf("and %d more", len(wait)-i))
			break
		}
		lines = append(lines, line)
		line, lineW = "  "+item, 2+itemW
	}
	return append(lines, ui.Truncate(line, w))
}
