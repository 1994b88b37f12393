package documents

import (
	"fmt"
	"strings"

	"medisecure/core"
	"medisecure/tui/ui"
)

// View is the list, one document's text, or the add form.
func (s *Screen) View() string {
	st := s.S.Styles
	if !s.ready {
		return "\n  " + s.S.Spinner() + " Loading documents…"
	}
	var lines []string
	switch {
	case s.form != nil:
		lines = s.formLines()
	case s.open != nil:
		lines = s.textLines()
	default:
		lines = s.listLines()
	}
	switch {
	case s.busy:
		lines = append(lines, s.S.Spinner()+" Working…")
	case s.err != "":
		lines = append(lines, st.Error.Render(ui.Truncate(s.err, max(1, s.Width))))
	case s.flash != "":
		lines = append(lines, st.OK.Render(ui.Truncate(s.flash, max(1, s.Width))))
	}
	return strings.Join(lines, "\n")
}

// unreviewed counts the documents not yet reviewed.
func (s *Screen) unreviewed() int {
	n := 0
	for _, d := range s.list {
		if !d.Reviewed() {
			n++
		}
	}
	return n
}

// listLines are the heading and the rows that fit.
func (s *Screen) listLines() []string {
	st := s.S.Styles
	lines := []string{st.Bold.Render(ui.Truncate(fmt.Sprintf("Documents (%d, %d new)", len(s.list), s.unreviewed()), max(1, s.Width)))}
	if len(s.list) == 0 {
		hint := "No documents yet."
		if s.S.Can(core.ActCreate, core.KindDocument) {
			hint += " Press a to add a scan or a letter by its path."
		}
		return append(lines, "", "  "+st.Subtle.Render(ui.Truncate(hint, max(1, s.Width-2))))
	}
	start, end := ui.Window(len(s.list), s.sel, max(1, s.Height-3))
	for i := start; i < end; i++ {
		lines = append(lines, s.row(i))
	}
	return lines
}

// row is one document: new or not, its date, type and title, and where
// its text stands.
func (s *Screen) row(i int) string {
	d := s.list[i]
	mark := "  "
	if i == s.sel {
		mark = "> "
	}
	state := "    "
	if !d.Reviewed() {
		state = "NEW "
	}
	titleW := max(8, s.Width-31-26)
	row := fmt.Sprintf("%s%s %s  %-8s  %s  %s", mark, state, docDate(d), d.Type, ui.PadRight(ui.Truncate(ui.Text(d.Title), titleW), titleW), s.textState(d))
	row = ui.Truncate(row, max(1, s.Width))
	if i == s.sel {
		return s.S.Styles.Selected.Render(row)
	}
	return row
}

// textState says where a document's text stands, in a few words.
func (s *Screen) textState(d core.Document) string {
	switch {
	case d.ID == s.reading:
		return s.progress()
	case d.TextState == core.TextRead:
		return "text read"
	case s.missing[d.ID]:
		return "file not here yet"
	case d.TextState == core.TextFailed:
		return fmt.Sprintf("text failed %d×", d.TextAttempts)
	}
	return "text waiting"
}

// docDate is the date on a document, else the day it was added.
func docDate(d core.Document) string {
	if d.Date != "" {
		return string(d.Date)
	}
	return d.CreatedAt.Format("2006-01-02")
}

// textLines are an opened document's details and the lines of its text
// from the scroll position.
func (s *Screen) textLines() []string {
	st, d, w := s.S.Styles, s.open, max(1, s.Width)
	review := "reviewed by " + ui.Text(d.ReviewedBy)
	if !d.Reviewed() {
		review = "NEW, not reviewed"
	}
	lines := []string{
		st.Bold.Render(ui.Truncate(ui.Text(d.Title), w)),
		ui.Truncate(fmt.Sprintf("%s · %s · %s · %.1f KiB · added by %s · %s", d.Type, docDate(*d), d.MIMEType, float64(d.SizeBytes)/1024, ui.Text(d.UploadedBy), review), w),
		"",
	}
	var body []string
	switch d.TextState {
	case core.TextRead:
		body = strings.Split(ui.Block(d.ExtractedText), "\n")
	case core.TextFailed:
		body = []string{st.Warning.Render("The text could not be read: " + ui.Text(d.TextError))}
	default:
		body = []string{st.Subtle.Render("The text has not been read yet.")}
	}
	room := max(1, s.Height-len(lines)-1)
	s.scroll = min(s.scroll, max(0, len(body)-room))
	for _, l := range body[s.scroll:min(len(body), s.scroll+room)] {
		lines = append(lines, ui.Truncate(l, w))
	}
	return lines
}

// formLines draw the add form.
func (s *Screen) formLines() []string {
	st, f, w := s.S.Styles, s.form, max(1, s.Width)
	lines := []string{
		st.Bold.Render("Add a document"),
		"",
		ui.FormRow(st, "File", f.path.View(st, f.focus == rowPath), f.focus == rowPath),
		ui.RowLine(st, "Type", string(core.DocumentTypes[f.typ])+st.Subtle.Render("  (space for the next)"), f.focus == rowType),
		ui.FormRow(st, "Title", f.title.View(st, f.focus == rowTitle), f.focus == rowTitle),
		"",
		st.Subtle.Render("A PDF, PNG, JPEG or TIFF of at most 50 MiB; its text is read in the background."),
	}
	for i, l := range lines {
		lines[i] = ui.Truncate(l, w)
	}
	return lines
}
