package chart

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// Keys of the medications and reminders tabs.
var (
	keyStop     = key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "stop prescription"))
	keyAskFill  = key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "ask for refill"))
	keyReminder = key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "reminder times"))
	keyTaken    = key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "dose taken"))
	keyMissed   = key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "missed"))
	keyLate     = key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "late"))
)

// The outcomes of a dose as the session takes them.
const (
	doseTaken  = "taken"
	doseMissed = "missed"
	doseLate   = "late"
)

// medRow is one drug line of a prescription on the medications tab.
type medRow struct {
	rx   core.Prescription
	drug int
}

// medRows are the prescriptions' drug lines in the order the tab shows
// them.
func (s *Screen) medRows() []medRow {
	var out []medRow
	for _, p := range s.chart.Prescriptions {
		for i := range p.Medications {
			out = append(out, medRow{rx: p, drug: i})
		}
	}
	return out
}

// selectedMed is the drug line selected on the medications tab.
func (s *Screen) selectedMed() (medRow, bool) {
	rows := s.medRows()
	if s.medSel >= len(rows) {
		return medRow{}, false
	}
	return rows[s.medSel], true
}

// medsKey stops a prescription, asks a doctor for a refill or sets
// reminder times, for the selected drug.
func (s *Screen) medsKey(k tea.KeyMsg) tea.Cmd {
	r, ok := s.selectedMed()
	if !ok {
		return nil
	}
	drug := ui.Text(r.rx.Medications[r.drug].Drug)
	active := r.rx.Status == core.PrescriptionActive
	switch {
	case key.Matches(k, keyStop) && s.S.Can(core.ActUpdate, core.KindPrescription):
		if !active {
			s.flash = "That prescription is " + string(r.rx.Status) + " already."
			return nil
		}
		id := r.rx.ID
		s.form = newForm("Stop "+drug, func(v []string) tea.Cmd {
			return saveCmd(s.ID(), "Stopped "+drug+"; the reason is on the prescription.", func() error {
				_, err := s.port.CancelPrescription(id, v[0])
				return err
			})
		}, formField{"Reason", "why it stops, e.g. rash on day 3"})
	case key.Matches(k, keyAskFill) && s.S.Can(core.ActCreate, core.KindRefill):
		s.loading = true
		id, i := r.rx.ID, r.drug
		return saveCmd(s.ID(), "Refill of "+drug+" asked for; it waits for a doctor.", func() error {
			_, err := s.port.RequestRefill(id, i)
			return err
		})
	case key.Matches(k, keyReminder) && s.S.Can(core.ActCreate, core.KindReminder):
		id := r.rx.ID
		s.form = newForm("Remind the patient to take "+ui.Text(r.rx.Medications[0].Drug), func(v []string) tea.Cmd {
			return saveCmd(s.ID(), "Reminders set at "+ui.Text(v[0])+".", func() error {
				_, err := s.port.AddReminder(id, splitTimes(v[0]))
				return err
			})
		}, formField{"Times", "times of day, e.g. 08:00, 20:00"})
	}
	return nil
}

// splitTimes splits "08:00, 20:00" into its times.
func splitTimes(v string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, t)
	}
	return out
}

// remindersKey records whether the selected reminder's latest dose was
// taken, missed or late.
func (s *Screen) remindersKey(k tea.KeyMsg) tea.Cmd {
	if s.remSel >= len(s.chart.Reminders) || !s.S.Can(core.ActCreate, core.KindAdherence) {
		return nil
	}
	r := s.chart.Reminders[s.remSel]
	outcome := ""
	switch {
	case key.Matches(k, keyTaken):
		outcome = doseTaken
	case key.Matches(k, keyMissed):
		outcome = doseMissed
	case key.Matches(k, keyLate):
		outcome = doseLate
	default:
		return nil
	}
	s.loading = true
	id := r.ID
	return saveCmd(s.ID(), "Recorded: "+ui.Text(r.Drug)+" dose "+outcome+".", func() error {
		_, err := s.port.RecordAdherence(id, outcome)
		return err
	})
}

// medsHelp is the medications tab's keys the user may use.
func (s *Screen) medsHelp() []key.Binding {
	var out []key.Binding
	if s.S.Can(core.ActCreate, core.KindPrescription) {
		out = append(out, keyPrescribe)
	}
	if s.S.Can(core.ActUpdate, core.KindPrescription) {
		out = append(out, keyStop)
	}
	if s.S.Can(core.ActCreate, core.KindRefill) {
		out = append(out, keyAskFill)
	}
	if s.S.Can(core.ActCreate, core.KindReminder) {
		out = append(out, keyReminder)
	}
	return out
}

// remindersHelp is the reminders tab's keys the user may use.
func (s *Screen) remindersHelp() []key.Binding {
	if !s.S.Can(core.ActCreate, core.KindAdherence) {
		return nil
	}
	return []key.Binding{keyTaken, keyMissed, keyLate}
}
