package chart

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// tab is one page of the chart.
type tab int

// The tabs, in the order the tab line shows them; the summary comes
// first.
const (
	tabSummary tab = iota
	tabNotes
	tabVitals
	tabMeds
	tabRefills
	tabReminders
	tabCount
)

// tabNames label the tabs.
var tabNames = [tabCount]string{"Summary", "Notes", "Vitals", "Meds", "Refills", "Reminders"}

// Screen is one patient's chart in tabs.
type Screen struct {
	ui.Base
	port      Port
	patientID core.ID
	name      string
	reason    string
	chart     core.Chart
	loaded    bool
	loading   bool
	seq       int
	err       string
	flash     string
	tab       tab
	scroll    int
	// appt is the appointment the chart was opened from, for new notes.
	appt core.ID
	// sel is the active problem selected on the summary, noteSel the
	// entry on the notes tab.
	sel     int
	noteSel int
	// medSel is the drug line selected on the medications tab, remSel
	// the reminder on the reminders tab.
	medSel int
	remSel int
	form   *form
	edit   *editor
}

// New opens the chart of r.Patient (or r.PatientID). The access log
// records why: the appointment it was opened from, or the patient's
// record.
func New(c *ui.Shared, p Port, r ui.Route) *Screen {
	id, name := r.PatientID, ""
	if r.Patient.ID != "" {
		id, name = r.Patient.ID, r.Patient.Name
	}
	reason := "opened from the patient's record"
	if r.Appt != "" {
		reason = "opened from appointment " + r.Appt.Short()
	}
	return &Screen{Base: ui.NewBase(c), port: p, patientID: id, name: name, reason: reason, appt: r.Appt}
}

// Init loads the chart.
func (s *Screen) Init() tea.Cmd { return s.load() }

// load reads the chart again.
func (s *Screen) load() tea.Cmd {
	s.loading = true
	s.seq++
	return tea.Batch(loadCmd(s.port, s.ID(), s.seq, s.patientID, s.reason), s.S.StartSpin())
}

// Title names the screen.
func (s *Screen) Title() string { return "Chart" }

// Busy is set while the chart loads or a form saves.
func (s *Screen) Busy() bool { return s.loading }

// Capturing is set while a form or the editor is open, so letters are
// typed.
func (s *Screen) Capturing() bool { return s.form != nil || s.edit != nil }

// Dirty is set while a form holds typed text or the editor text not yet
// saved as a draft.
func (s *Screen) Dirty() bool {
	return (s.form != nil && s.form.dirty()) || (s.edit != nil && s.edit.dirty)
}

// SetSize records the body's size and shares it with the editor.
func (s *Screen) SetSize(w, h int) {
	s.Base.SetSize(w, h)
	if s.edit != nil {
		s.edit.setSize(w, s.bodyHeight())
	}
}

// Resume shows the note a closed screen (the prescription form) left, and
// reloads.
func (s *Screen) Resume(r ui.Route) tea.Cmd {
	s.flash = r.Flash
	return s.load()
}

// Refresh reloads the chart when it is shown again.
func (s *Screen) Refresh() tea.Cmd {
	if s.form != nil || s.edit != nil {
		return nil
	}
	return s.load()
}

// Update handles results and keys.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case chartMsg:
		if msg.seq != s.seq {
			return nil
		}
		s.loading = false
		if errors.Is(msg.err, core.ErrNoRelationship) && s.S.Can(core.ActRead, core.KindProblem) {
			s.form = s.glassForm()
			return nil
		}
		if msg.err != nil {
			s.err = s.S.Describe(msg.err)
			return nil
		}
		s.chart, s.loaded, s.err = msg.chart, true, ""
		s.name = msg.chart.Patient.Name
		s.sel = min(s.sel, max(0, len(s.chart.ActiveProblems())-1))
		s.noteSel = min(s.noteSel, max(0, len(s.entries())-1))
		s.medSel = min(s.medSel, max(0, len(s.medRows())-1))
		s.remSel = min(s.remSel, max(0, len(s.chart.Reminders)-1))
		return nil
	case draftMsg:
		return s.onDraft(msg)
	case autosaveMsg:
		return s.onAutosave(msg)
	case savedMsg:
		s.loading = false
		if msg.err != nil {
			switch {
			case s.edit != nil:
				s.edit.err = s.S.Describe(msg.err)
			case s.form != nil:
				s.form.err = s.S.Describe(msg.err)
			default:
				s.flash = s.S.Describe(msg.err)
			}
			return nil
		}
		s.form, s.edit, s.flash = nil, nil, msg.done
		s.S.Wrote()
		return s.load()
	case tea.KeyMsg:
		return s.key(msg)
	}
	return nil
}

// key handles a key: the open form first, then tabs, scrolling and the
// summary's actions.
func (s *Screen) key(k tea.KeyMsg) tea.Cmd {
	if s.edit != nil {
		return s.editorKey(k)
	}
	if s.form != nil {
		done, cmd := s.form.key(k, s.S.Keys)
		if done {
			s.form = nil
			if !s.loaded {
				return s.S.Back() // the glass stays unbroken
			}
		}
		if cmd != nil {
			s.loading = true
		}
		return cmd
	}
	keys := s.S.Keys
	s.flash = ""
	switch {
	case key.Matches(k, keys.Back):
		return s.S.Back()
	case k.String() == "tab", key.Matches(k, keys.Right):
		s.setTab((s.tab + 1) % tabCount)
	case k.String() == "shift+tab", key.Matches(k, keys.Left):
		s.setTab((s.tab + tabCount - 1) % tabCount)
	case len(k.Runes) == 1 && k.Runes[0] >= '1' && k.Runes[0] < '1'+rune(tabCount):
		s.setTab(tab(k.Runes[0] - '1'))
	case key.Matches(k, keys.Up):
		s.up()
	case key.Matches(k, keys.Down):
		s.down()
	case key.Matches(k, keys.Refresh):
		return s.load()
	case key.Matches(k, keyDocuments) && s.S.Can(core.ActRead, core.KindDocument):
		return s.S.Push(ui.PageDocuments, ui.Route{Patient: s.chart.Patient, PatientID: s.patientID})
	case !s.loaded:
	case s.tab == tabSummary:
		return s.summaryKey(k)
	case s.tab == tabNotes:
		return s.notesKey(k)
	case s.tab == tabVitals && key.Matches(k, keyVitals) && s.S.Can(core.ActCreate, core.KindVital):
		s.form = s.vitalsForm()
	case (s.tab == tabMeds || s.tab == tabSummary) && key.Matches(k, keyPrescribe) && s.S.Can(core.ActCreate, core.KindPrescription):
		return s.S.Push(ui.PageRx, ui.Route{Patient: s.chart.Patient})
	case s.tab == tabMeds:
		return s.medsKey(k)
	case s.tab == tabReminders:
		return s.remindersKey(k)
	}
	return nil
}

// setTab shows tab t from its top.
func (s *Screen) setTab(t tab) { s.tab, s.scroll = t, 0 }

// up moves the problem selection on the summary, or scrolls.
func (s *Screen) up() {
	switch {
	case s.tab == tabSummary && s.sel > 0:
		s.sel--
		return
	case s.tab == tabNotes && s.noteSel > 0:
		s.noteSel--
		s.scrollToNote()
		return
	case s.tab == tabMeds && s.medSel > 0:
		s.medSel--
		s.scrollToNote()
		return
	case s.tab == tabReminders && s.remSel > 0:
		s.remSel--
		s.scrollToNote()
		return
	}
	s.scroll = max(0, s.scroll-1)
}

// down moves the problem selection on the summary, or scrolls.
func (s *Screen) down() {
	switch s.tab {
	case tabSummary:
		s.sel = min(s.sel+1, max(0, len(s.chart.ActiveProblems())-1))
		return
	case tabNotes:
		s.noteSel = min(s.noteSel+1, max(0, len(s.entries())-1))
		s.scrollToNote()
		return
	case tabMeds:
		s.medSel = min(s.medSel+1, max(0, len(s.medRows())-1))
		s.scrollToNote()
		return
	case tabReminders:
		s.remSel = min(s.remSel+1, max(0, len(s.chart.Reminders)-1))
		s.scrollToNote()
		return
	}
	s.scroll = min(s.scroll+1, max(0, len(s.lines())-s.bodyHeight()))
}

// glassForm asks for the reason to break the glass on a chart outside a
// care relationship.
func (s *Screen) glassForm() *form {
	pid := s.patientID
	f := newForm("Break the glass", func(v []string) tea.Cmd {
		return saveCmd(s.ID(), "Glass broken: the chart is open to you for 4 hours; the access is logged for review.", func() error {
			_, err := s.port.BreakGlass(pid, v[0])
			return err
		})
	}, formField{"Reason", "why you need this chart now"})
	f.intro = []string{
		"You have no appointment with this patient in the past 12 months or the next 30 days.",
		"To open the chart anyway, give a reason: the access is logged as break-the-glass,",
		"expires after 4 hours and is reviewed by an admin. esc goes back.",
	}
	return f
}

// scrollToNote scrolls the tab in front to the selected entry's first
// line, or as little as keeps it in sight.
func (s *Screen) scrollToNote() {
	for i, l := range s.lines() {
		if strings.HasPrefix(l, "> ") {
			if s.tab == tabNotes || i < s.scroll || i >= s.scroll+s.bodyHeight() {
				s.scroll = i
			}
			return
		}
	}
}

// Keys of the summary's actions.
var (
	keyAllergy   = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add allergy"))
	keyNoneKnow  = key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "no known allergies"))
	keyProblem   = key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "add problem"))
	keyResolve   = key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "resolve problem"))
	keyTabs      = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab/1-6", "tabs"))
	keyPrescribe = key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "prescribe"))
	keyDocuments = key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "documents"))
)

// summaryKey opens the summary's forms and resolves problems.
func (s *Screen) summaryKey(k tea.KeyMsg) tea.Cmd {
	pid := s.patientID
	switch {
	case key.Matches(k, keyAllergy) && s.S.Can(core.ActCreate, core.KindAllergy):
		s.form = newForm("Add an allergy", func(v []string) tea.Cmd {
			a := core.Allergy{PatientID: pid, Substance: v[0], Reaction: v[1], Severity: core.Severity(v[2])}
			return saveCmd(s.ID(), "Allergy to "+ui.Text(v[0])+" recorded.", func() error { _, err := s.port.AddAllergy(a); return err })
		}, formField{"Substance", "drug, class (penicillins) or other"}, formField{"Reaction", "e.g. hives"}, formField{"Severity", "mild, moderate, severe, life_threatening"})
	case key.Matches(k, keyNoneKnow) && s.S.Can(core.ActCreate, core.KindAllergy):
		s.loading = true
		return saveCmd(s.ID(), "Recorded: no known allergies.", func() error {
			_, err := s.port.AddAllergy(core.Allergy{PatientID: pid, NoneKnown: true})
			return err
		})
	case key.Matches(k, keyProblem) && s.S.Can(core.ActCreate, core.KindProblem):
		s.form = newForm("Add a problem", func(v []string) tea.Cmd {
			p := core.Problem{PatientID: pid, Description: v[0], Code: v[1], Onset: core.Date(v[2])}
			return saveCmd(s.ID(), "Problem added.", func() error { _, err := s.port.SaveProblem(p); return err })
		}, formField{"Problem", "in words"}, formField{"ICD-10", "optional, e.g. E11.9"}, formField{"Onset", "optional, e.g. 2020-01-31"})
	case key.Matches(k, keyResolve) && s.S.Can(core.ActUpdate, core.KindProblem):
		act := s.chart.ActiveProblems()
		if s.sel >= len(act) {
			return nil
		}
		p := act[s.sel]
		p.Status = core.ProblemResolved
		s.loading = true
		return saveCmd(s.ID(), "Resolved: "+ui.Text(p.Description)+".", func() error {
			_, err := s.port.SaveProblem(p)
			return err
		})
	}
	return nil
}

// ShortHelp is the keys of the tab in front.
func (s *Screen) ShortHelp() []key.Binding {
	k := s.S.Keys
	if s.edit != nil {
		return s.edit.help()
	}
	if s.form != nil {
		return []key.Binding{ui.WithHelp(k.Submit, "enter", "next/save"), ui.WithHelp(k.Back, "esc", "cancel")}
	}
	out := []key.Binding{keyTabs, ui.WithHelp(k.Down, "j/k", "move")}
	if s.tab == tabSummary {
		if s.S.Can(core.ActCreate, core.KindAllergy) {
			out = append(out, keyAllergy, keyNoneKnow)
		}
		if s.S.Can(core.ActCreate, core.KindProblem) {
			out = append(out, keyProblem, keyResolve)
		}
	}
	if s.tab == tabVitals && s.S.Can(core.ActCreate, core.KindVital) {
		out = append(out, keyVitals)
	}
	if s.tab == tabSummary && s.S.Can(core.ActCreate, core.KindPrescription) {
		out = append(out, keyPrescribe)
	}
	if s.tab == tabMeds {
		out = append(out, s.medsHelp()...)
	}
	if s.tab == tabReminders {
		out = append(out, s.remindersHelp()...)
	}
	if s.tab == tabNotes && s.S.Can(core.ActCreate, core.KindNoteDraft) {
		out = append(out, keyWrite, ui.WithHelp(k.Open, "enter", "edit draft"), keyAddendum)
	}
	return append(out, k.Back)
}

// FullHelp is the short help and refresh.
func (s *Screen) FullHelp() [][]key.Binding {
	return [][]key.Binding{s.ShortHelp(), {s.S.Keys.Refresh, keyDocuments}}
}
