package nurse

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"medisecure/core"
	"medisecure/tui/ui"
)

// rank orders visits: the patients waiting first, then those with the
// doctor, then those still to come, then the day's finished visits.
var rank = map[core.AppointmentStatus]int{
	core.ApptCheckedIn: 0, core.ApptInProgress: 1, core.ApptBooked: 2, core.ApptCompleted: 3, core.ApptNoShow: 4,
}

// sortVisits puts the longest waiting first, the rest by start.
func sortVisits(vs []visit) {
	sort.SliceStable(vs, func(i, j int) bool {
		a, b := vs[i].appt, vs[j].appt
		if rank[a.Status] != rank[b.Status] {
			return rank[a.Status] < rank[b.Status]
		}
		if a.Status == core.ApptCheckedIn && !a.CheckedInAt.Equal(b.CheckedInAt) {
			return a.CheckedInAt.Before(b.CheckedInAt)
		}
		return a.Start.Before(b.Start)
	})
}

// chartHelp says what the nurse does in a chart, so the whole round is
// on the screen.
const chartHelp = "In the chart: 3 vitals, a records a set · 4 meds, f asks a doctor for a refill, m sets reminder times · 6 reminders, t taken, x missed, L late."

// View draws today's visits over the refill requests, and the chart's
// keys.
func (s *Screen) View() string {
	st := s.S.Styles
	if !s.loaded {
		line := "  " + s.S.Spinner() + " Loading today…"
		if s.err != "" {
			line = st.Error.Render(s.err)
		}
		return ui.Fit("\n"+line, max(1, s.Width), max(1, s.Height))
	}
	waiting := 0
	for _, v := range s.visits {
		if v.appt.Status == core.ApptCheckedIn {
			waiting++
		}
	}
	reqLines := min(len(s.requests), max(1, (s.Height-8)/3))
	visitLines := max(1, s.Height-8-max(1, reqLines))
	lines := []string{st.Title.Render(fmt.Sprintf("Today, %s: %d visits, %d waiting", ui.DayName(s.day), len(s.visits), waiting))}
	if len(s.visits) == 0 {
		lines = append(lines, st.Subtle.Render("  No visits today."))
	}
	start, end := ui.Window(len(s.visits), s.sel[listVisits], visitLines)
	for i := start; i < end; i++ {
		lines = append(lines, s.row(listVisits, i, s.visitLine(s.visits[i])))
	}
	lines = append(lines, "", st.Bold.Render(fmt.Sprintf("Refill requests waiting for a doctor (%d)", len(s.requests))))
	if len(s.requests) == 0 {
		lines = append(lines, st.Subtle.Render("  None waiting."))
	}
	start, end = ui.Window(len(s.requests), s.sel[listRefills], reqLines)
	for i := start; i < end; i++ {
		r := s.requests[i]
		lines = append(lines, s.row(listRefills, i, s.S.When(r.refill.CreatedAt)+"  "+ui.PadRight(r.patient, 20)+"  "+r.drug+st.Subtle.Render("  by "+ui.Text(r.refill.RequestedBy))))
	}
	lines = append(lines, "")
	for _, l := range strings.Split(ansi.Wordwrap(chartHelp, max(10, s.Width), " "), "\n") {
		lines = append(lines, st.Subtle.Render(l))
	}
	switch {
	case s.err != "":
		lines = append(lines, st.Error.Render(s.err))
	case s.flash != "":
		lines = append(lines, st.OK.Render(ui.Text(s.flash)))
	}
	return ui.Fit(strings.Join(lines, "\n"), max(1, s.Width), max(1, s.Height))
}

// row marks the selected row of the list in focus.
func (s *Screen) row(l list, i int, text string) string {
	if l == s.focus && i == s.sel[l] {
		return s.S.Styles.Selected.Render(ui.Truncate("> "+text, max(1, s.Width)))
	}
	return ui.Truncate("  "+text, max(1, s.Width))
}

// visitLine is one visit: how long the patient has waited, the time,
// patient, doctor, reason and status.
func (s *Screen) visitLine(v visit) string {
	wait := ""
	if v.appt.Status == core.ApptCheckedIn && !v.appt.CheckedInAt.IsZero() {
		wait = fmt.Sprintf("%d min", int(s.S.Now().Sub(v.appt.CheckedInAt).Minutes()))
	}
	return fmt.Sprintf("%-7s %s  %s  %s  %s", wait, s.S.Clock(v.appt.Start), ui.PadRight(v.patient, 20), ui.PadRight(s.S.DoctorLabel(v.appt.Doctor), 20), core.StatusWord(string(v.appt.Status))) +
		s.S.Styles.Subtle.Render("  "+v.appt.Reason)
}
