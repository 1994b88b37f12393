package conflicts

import (
	"errors"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"medisecure/core"
	"medisecure/tui/ui"
)

// refillSide is what a person decides a refill approved twice on: the
// request as merged, its patient and drug.
type refillSide struct {
	refill  core.Refill
	patient string
	// drug is the drug line in full, name the drug alone.
	drug, name string
}

// settling is a refill conflict whose resolution is being typed: the
// choice made and the reason field.
type settling struct {
	both   bool
	reason ui.Field
}

// errRefillMissing is returned when the request of a refill conflict is
// not among those this session may read.
var errRefillMissing = errors.New("the refill request is not readable here; a doctor settles it")

// refillChoices label the two ways to settle a refill approved twice.
var refillChoices = [2]struct{ title, what string }{
	{"1 both dispensed", "Both dispensings stand: the second counts as one more refill used."},
	{"2 second recalled", "The second dispensing was taken back: one refill used."},
}

// loadRefillRow fetches the request of a refill conflict with its
// patient's name and its drug.
func loadRefillRow(s Port, c core.Conflict, refills []core.Refill, err error) conflictRow {
	row := conflictRow{conflict: c, err: err}
	if err != nil {
		return row
	}
	for _, r := range refills {
		if r.ID == c.Refill {
			row.refill = &refillSide{refill: r, patient: string(r.PatientID.Short()), drug: "?", name: "the drug"}
		}
	}
	if row.refill == nil {
		row.err = errRefillMissing
		return row
	}
	r := row.refill
	if names, err := s.PatientNames([]core.ID{r.refill.PatientID}); err == nil && names[r.refill.PatientID] != "" {
		r.patient = names[r.refill.PatientID]
	}
	if rx, err := s.Prescription(r.refill.PrescriptionID); err == nil && r.refill.DrugIndex < len(rx.Medications) {
		d := rx.Medications[r.refill.DrugIndex]
		r.drug = fmt.Sprintf("%s %s %s (refills %d/%d)", d.Drug, d.Dose, d.Frequency, d.RefillsUsed, d.RefillsAllowed)
		r.name = ui.Text(d.Drug)
	}
	return row
}

// settleRefillCmd writes how a person settled a refill approved twice.
func settleRefillCmd(s Port, to int, refill core.ID, both bool, reason string) tea.Cmd {
	return func() tea.Msg {
		return resolvedMsg{Envelope: ui.Envelope{To: to}, err: s.ResolveRefillConflict(refill, both, reason)}
	}
}

// startSettle opens the reason field for choice (0 both dispensed, 1
// second recalled) of the selected refill conflict.
func (s *Screen) startSettle(r conflictRow, choice int) tea.Cmd {
	if r.err != nil {
		s.err = s.S.Describe(r.err)
		return nil
	}
	if !s.S.Can(core.ActUpdate, core.KindRefill) {
		s.err = "Only a doctor settles a refill approved twice."
		return nil
	}
	s.keep = choice
	s.settle = &settling{both: choice == 0, reason: ui.NewField(50, "what happened, e.g. patient returned the second bottle")}
	return nil
}

// settleKey types the reason, saves it with enter, or gives up with esc.
func (s *Screen) settleKey(k tea.KeyMsg) tea.Cmd {
	switch k.String() {
	case "esc":
		s.settle = nil
		return nil
	case "enter":
		reason := strings.TrimSpace(s.settle.reason.Value())
		if reason == "" {
			s.err = "Say what happened, so the next person knows why."
			return nil
		}
		r := s.rows[s.sel]
		what := refillChoices[1].title[2:]
		if s.settle.both {
			what = refillChoices[0].title[2:]
		}
		s.doing = &resolving{refill: fmt.Sprintf("Settled: %s for %s, %s.", r.refill.name, r.refill.patient, what)}
		return settleRefillCmd(s.port, s.ID(), r.refill.refill.ID, s.settle.both, reason)
	}
	s.settle.reason.Update(k)
	return nil
}

// refillLines draw a refill conflict: the request, then the two ways to
// settle it side by side, the marked one framed.
func (s *Screen) refillLines(r conflictRow) []string {
	st := s.S.Styles
	if r.refill == nil {
		return []string{"Not available: " + s.S.Describe(r.err)}
	}
	f := r.refill.refill
	lines := []string{
		"Patient   " + r.refill.patient,
		"Drug      " + ui.Text(r.refill.drug),
		"Asked     " + s.S.When(f.CreatedAt) + " by " + ui.Text(f.RequestedBy),
		fmt.Sprintf("Approved  twice, on two workstations offline (%d approvals); last kept: %s", len(r.conflict.Approvals), ui.Text(f.DecidedBy)),
		"",
	}
	w := s.Width / 2
	inner := max(1, w-2)
	var boxes []string
	for i, c := range refillChoices {
		style := st.Panel
		title := "  " + c.title
		if i == s.keep {
			style, title = st.PanelFocused, "> "+c.title
		}
		body := []string{st.Bold.Render(ui.Truncate(title, inner)), ""}
		for _, l := range strings.Split(ansi.Wordwrap(c.what, inner, " "), "\n") {
			body = append(body, ui.Truncate(l, inner))
		}
		boxes = append(boxes, style.Width(inner).Render(strings.Join(body, "\n")))
	}
	lines = append(lines, strings.Split(lipgloss.JoinHorizontal(lipgloss.Top, boxes...), "\n")...)
	if s.settle != nil {
		lines = append(lines, ui.FormRow(st, "Reason", s.settle.reason.View(st, true), true))
	}
	return lines
}
