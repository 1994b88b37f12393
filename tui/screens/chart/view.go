package chart

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"medisecure/core"
	"medisecure/tui/ui"
)

// View draws the patient's line, the tab line, the tab in front and the
// flash or error line.
func (s *Screen) View() string {
	st := s.S.Styles
	head := st.Title.Render(ui.Text(s.name))
	if s.loaded {
		head += st.Subtle.Render("  born " + string(s.chart.Patient.DOB))
	}
	lines := []string{head, s.tabLine()}
	switch {
	case s.edit != nil:
		lines = append(lines, s.edit.view(st, s.Width)...)
	case s.form != nil:
		lines = append(lines, s.form.view(st)...)
	case s.err != "":
		lines = append(lines, "", st.Error.Render(s.err))
	case !s.loaded:
		lines = append(lines, "", s.S.Spinner()+" Opening the chart…")
	default:
		body := s.lines()
		start := min(s.scroll, max(0, len(body)-1))
		end := min(len(body), start+s.bodyHeight())
		lines = append(lines, body[start:end]...)
	}
	if s.flash != "" && s.form == nil && s.edit == nil {
		for len(lines) < s.Height-1 {
			lines = append(lines, "")
		}
		lines = append(lines, st.OK.Render(ui.Text(s.flash)))
	}
	return ui.Fit(strings.Join(lines, "\n"), max(1, s.Width), max(1, s.Height))
}

// bodyHeight is how many lines of the tab fit.
func (s *Screen) bodyHeight() int {
	h := s.Height - 2
	if s.flash != "" {
		h--
	}
	return max(1, h)
}

// tabLine names the tabs with their keys; the one in front is marked
// with brackets, so it shows without colour too.
func (s *Screen) tabLine() string {
	st := s.S.Styles
	parts := make([]string, tabCount)
	for i, n := range tabNames {
		label := fmt.Sprintf("%d %s", i+1, n)
		if tab(i) == s.tab {
			parts[i] = st.Focused.Render("[" + label + "]")
		} else {
			parts[i] = st.Subtle.Render(" " + label + " ")
		}
	}
	return strings.Join(parts, "")
}

// lines is the body of the tab in front, one string a line.
func (s *Screen) lines() []string {
	switch s.tab {
	case tabNotes:
		return s.notesLines()
	case tabVitals:
		return s.vitalsLines()
	case tabMeds:
		return s.medsLines()
	case tabRefills:
		return s.refillLines()
	case tabReminders:
		return s.reminderLines()
	}
	return s.summaryLines()
}

// wrap breaks text, made safe with its line breaks kept, to the width.
func (s *Screen) wrap(text string, indent string) []string {
	w := max(10, s.Width-len(indent))
	return strings.Split(ui.Indent(ansi.Wordwrap(ui.Block(text), w, " "), indent), "\n")
}

// allergyLines is the banner that opens the summary: the allergies in
// capitals with "!!", or the words "none known" or "NOT ASKED".
func (s *Screen) allergyLines() []string {
	st := s.S.Styles
	state, listed := s.chart.AllergyState()
	switch state {
	case core.AllergiesNoneKnown:
		return []string{st.OK.Render("Allergies: none known (NKA)")}
	case core.AllergiesNotAsked:
		return []string{st.Warning.Bold(true).Render("!! ALLERGIES NOT ASKED")}
	}
	parts := make([]string, len(listed))
	for i, a := range listed {
		parts[i] = a.Substance + " (" + strings.ReplaceAll(string(a.Severity), "_", "-")
		if a.Reaction != "" {
			parts[i] += ": " + a.Reaction
		}
		parts[i] += ")"
	}
	out := s.wrap("!! ALLERGIES: "+strings.Join(parts, "; "), "")
	for i := range out {
		out[i] = st.Error.Bold(true).Render(out[i])
	}
	return out
}

// summaryLines is the allergies, then active problems and current
// medications beside the last vitals and upcoming appointments (one
// column below 76 cells).
func (s *Screen) summaryLines() []string {
	st := s.S.Styles
	left := []string{st.Bold.Render("Active problems")}
	act := s.chart.ActiveProblems()
	if len(act) == 0 {
		left = append(left, st.Subtle.Render("  none"))
	}
	for i, p := range act {
		mark := "  "
		if i == s.sel {
			mark = "> "
		}
		line := mark + ui.Text(p.Description)
		if p.Code != "" {
			line += " " + st.Subtle.Render(ui.Text(p.Code))
		}
		left = append(left, line)
	}
	left = append(left, "", st.Bold.Render("Current medications"))
	meds := s.chart.CurrentMedications()
	if len(meds) == 0 {
		left = append(left, st.Subtle.Render("  none"))
	}
	for _, m := range meds {
		left = append(left, "  "+ui.Text(strings.Join(nonEmpty(m.Drug, m.Dose, string(m.Route), m.Frequency), " ")))
	}
	right := []string{st.Bold.Render("Last vitals")}
	vit := s.chart.LastVitals()
	if len(vit) == 0 {
		right = append(right, st.Subtle.Render("  none recorded"))
	}
	for _, v := range vit {
		right = append(right, fmt.Sprintf("  %-12s %s %s  %s", metricLabel(v.Metric), core.FormatValue(v.Value), ui.Text(v.Unit), st.Subtle.Render(s.S.When(v.TakenAt))))
	}
	right = append(right, "", st.Bold.Render("Upcoming appointments"))
	if len(s.chart.Upcoming) == 0 {
		right = append(right, st.Subtle.Render("  none booked"))
	}
	for _, a := range s.chart.Upcoming {
		right = append(right, "  "+s.S.When(a.Start)+"  "+s.S.DoctorLabel(a.Doctor))
	}
	out := append(s.allergyLines(), "")
	if s.Width < 76 {
		return append(append(append(out, left...), ""), right...)
	}
	colW := s.Width / 2
	for i := range left {
		left[i] = ui.PadRight(left[i], colW-1)
	}
	for i := range right {
		right[i] = ui.Truncate(right[i], s.Width-colW)
	}
	joined := lipgloss.JoinHorizontal(lipgloss.Top, strings.Join(left, "\n"), " ", strings.Join(right, "\n"))
	return append(out, strings.Split(joined, "\n")...)
}

// nonEmpty keeps the strings that are not empty.
func nonEmpty(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// medsLines is the current medications, then every prescription with its
// status.
func (s *Screen) medsLines() []string {
	st := s.S.Styles
	out := []string{st.Bold.Render("Prescriptions")}
	if len(s.chart.Prescriptions) == 0 {
		out = append(out, st.Subtle.Render("  none"))
	}
	row := 0
	for _, p := range s.chart.Prescriptions {
		for _, d := range p.Medications {
			mark := "  "
			if row == s.medSel {
				mark = "> "
			}
			row++
			line := fmt.Sprintf("%s%s  %-9s %s", mark, p.StartDate, p.Status, ui.Text(strings.Join(nonEmpty(d.Drug, d.Dose, string(d.Route), d.Frequency), " ")))
			line += fmt.Sprintf("  qty %d, refills %d/%d", d.Quantity, d.RefillsUsed, d.RefillsAllowed)
			out = append(out, line)
		}
		for _, a := range p.Alerts {
			out = append(out, st.Warning.Render(ui.Truncate("    overridden "+ui.Text(a.String()), max(1, s.Width))))
		}
		if len(p.Alerts) > 0 {
			out = append(out, st.Warning.Render(ui.Truncate("    reason: "+ui.Text(p.Override), max(1, s.Width))))
		}
		if p.StatusReason != "" {
			out = append(out, st.Subtle.Render("    "+ui.Text(p.StatusReason)))
		}
	}
	out = append(out, "", st.Bold.Render("Medication list (from elsewhere)"))
	n := 0
	for _, m := range s.chart.Medications {
		if m.Deleted {
			continue
		}
		state := "stopped"
		if m.Active {
			state = "active"
		}
		out = append(out, "  "+ui.Text(strings.Join(nonEmpty(m.Drug, m.Dose, m.Frequency), " "))+"  "+state)
		n++
	}
	if n == 0 {
		out = append(out, st.Subtle.Render("  none"))
	}
	return out
}

// refillLines is every refill request, newest first.
func (s *Screen) refillLines() []string {
	st := s.S.Styles
	if len(s.chart.Refills) == 0 {
		return []string{st.Subtle.Render("No refill requests.")}
	}
	drug := map[core.ID]core.Prescription{}
	for _, p := range s.chart.Prescriptions {
		drug[p.ID] = p
	}
	var out []string
	for _, r := range s.chart.Refills {
		name := "?"
		if p, ok := drug[r.PrescriptionID]; ok && r.DrugIndex < len(p.Medications) {
			name = p.Medications[r.DrugIndex].Drug
		}
		line := fmt.Sprintf("%s  %-9s %s  asked by %s", s.S.When(r.CreatedAt), r.Status, ui.Text(name), ui.Text(r.RequestedBy))
		if r.DecidedBy != "" {
			line += "; " + ui.Text(r.DecidedBy)
			if r.DecisionNote != "" {
				line += ": " + ui.Text(r.DecisionNote)
			}
		}
		out = append(out, line)
	}
	return out
}

// reminderLines is every reminder with its times and the adherence over
// the last 30 days.
func (s *Screen) reminderLines() []string {
	st := s.S.Styles
	if len(s.chart.Reminders) == 0 {
		return []string{st.Subtle.Render("No medication reminders.")}
	}
	since := s.S.Now().AddDate(0, 0, -30)
	var out []string
	for i, r := range s.chart.Reminders {
		mark := "  "
		if i == s.remSel {
			mark = "> "
		}
		taken, total := 0, 0
		for _, a := range s.chart.Adherence {
			if a.ReminderID == r.ID && !a.Due.Before(since) {
				total++
				if a.Taken {
					taken++
				}
			}
		}
		state := "active"
		if !r.Active {
			state = "stopped"
		}
		adh := "no doses recorded"
		if total > 0 {
			adh = fmt.Sprintf("%d of %d doses taken (%d%%)", taken, total, taken*100/total)
		}
		out = append(out, fmt.Sprintf("%s%s at %s  %s", mark, ui.Text(r.Drug), strings.Join(r.Times, ", "), state))
		out = append(out, st.Subtle.Render("    last 30 days: "+adh))
	}
	return out
}
