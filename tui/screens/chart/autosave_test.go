package chart

import (
	"errors"
	"io"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"medisecure/core"
	"medisecure/tui/ui"
)

// draftPort records the drafts saved; the chart's other calls are not
// used by these tests and refuse.
type draftPort struct{ saved []core.NoteDraft }

var errUnused = errors.New("not used here")

func (p *draftPort) Chart(core.ID, string) (core.Chart, error) { return core.Chart{}, errUnused }
func (p *draftPort) AddAllergy(a core.Allergy) (core.Allergy, error) {
	return a, errUnused
}
func (p *draftPort) SaveProblem(pr core.Problem) (core.Problem, error) { return pr, errUnused }
func (p *draftPort) BreakGlass(core.ID, string) (time.Time, error) {
	return time.Time{}, errUnused
}
func (p *draftPort) AddVitals(core.ID, time.Time, []core.Reading) ([]core.Vital, error) {
	return nil, errUnused
}
func (p *draftPort) CancelPrescription(core.ID, string) (core.Prescription, error) {
	return core.Prescription{}, errUnused
}
func (p *draftPort) RequestRefill(core.ID, int) (core.Refill, error) { return core.Refill{}, errUnused }
func (p *draftPort) AddReminder(core.ID, []string) (core.Reminder, error) {
	return core.Reminder{}, errUnused
}
func (p *draftPort) RecordAdherence(core.ID, string) (core.Adherence, error) {
	return core.Adherence{}, errUnused
}
func (p *draftPort) SignNote(core.ID) (core.Note, error) { return core.Note{}, errUnused }
func (p *draftPort) AddAddendum(core.ID, string) (core.Addendum, error) {
	return core.Addendum{}, errUnused
}
func (p *draftPort) SaveDraft(d core.NoteDraft) (core.NoteDraft, error) {
	if d.ID == "" {
		d.ID = core.ID("0190aa000000000000000001")
	}
	p.saved = append(p.saved, d)
	return d, nil
}

// run gives msg to the screen and then every message its Cmds return.
func run(s *Screen, msg tea.Msg) {
	cmd := s.Update(msg)
	for cmd != nil {
		next := cmd()
		if next == nil {
			return
		}
		if b, ok := next.(tea.BatchMsg); ok {
			for _, c := range b {
				if c != nil {
					run(s, c())
				}
			}
			return
		}
		cmd = s.Update(next)
	}
}

func TestAutosaveSavesOnlyTheNewestChange(t *testing.T) {
	var ticks []tea.Msg
	sh := ui.NewShared(ui.DefaultKeyMap(), ui.NewStyles(lipgloss.NewRenderer(io.Discard)), func() time.Time { return time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC) })
	sh.Who = core.Principal{User: "okafor", Role: core.RoleDoctor}
	sh.Tick = func(_ time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		ticks = append(ticks, fn(time.Time{}))
		return nil
	}
	p := &draftPort{}
	s := New(sh, p, ui.Route{PatientID: "0190aa000000000000000002"})
	s.SetSize(80, 20)
	run(s, chartMsg{Envelope: ui.Envelope{To: s.ID()}, seq: s.seq, chart: core.Chart{Patient: core.Patient{Name: "Ann"}}})
	for _, k := range []string{"2", "w"} {
		run(s, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
	}
	for _, r := range "ab" {
		run(s, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	if len(ticks) != 2 || len(p.saved) != 0 {
		t.Fatalf("%d ticks, %d saves before any tick fired", len(ticks), len(p.saved))
	}
	run(s, ticks[0]) // stale: "b" came after it
	if len(p.saved) != 0 {
		t.Fatalf("a stale autosave saved %+v", p.saved)
	}
	run(s, ticks[1])
	if len(p.saved) != 1 || p.saved[0].Subjective != "ab" {
		t.Fatalf("autosave saved %+v", p.saved)
	}
	if s.Dirty() {
		t.Fatal("still dirty after the autosave")
	}
	run(s, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("c")})
	run(s, ticks[2])
	if len(p.saved) != 2 || p.saved[1].ID != p.saved[0].ID || p.saved[1].Subjective != "abc" {
		t.Fatalf("second autosave %+v: must update the same draft", p.saved)
	}
}
