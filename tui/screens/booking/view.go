package booking

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"

	"medisecure/core"

	"medisecure/tui/ui"
)

// View draws the form, then what the slot check found.
func (s *Screen) View() string {
	st := s.S.Styles
	p := s.args.patient
	lines := []string{"", "  " + st.Label.Render(ui.PadRight("Patient", ui.LabelWidth)) + st.Bold.Render(ui.Text(p.Name)) + "  " + ui.Text(string(p.DOB))}
	if m := s.args.move; m != nil {
		lines = append(lines, "  "+st.Label.Render(ui.PadRight("Now", ui.LabelWidth))+s.S.When(m.Start)+fmt.Sprintf(", %d min", m.Minutes))
	}
	doctor := "< " + s.S.DoctorLabel(s.doctor()) + " >"
	if s.args.move != nil {
		doctor = s.S.DoctorLabel(s.doctor())
	}
	lines = append(lines, ui.RowLine(st, "Doctor", doctor, s.focus == rowDoctor && !s.panel))
	when := ui.FormRow(st, "When", s.inputs[rowWhen].View(st, s.focus == rowWhen && !s.panel), s.focus == rowWhen && !s.panel)
	if !s.start.IsZero() {
		when += "  " + s.start.In(s.S.Zone()).Format("Mon 2 Jan 2006 15:04")
	}
	lines = append(lines, when,
		ui.FormRow(st, "Length", s.inputs[rowLength].View(st, s.focus == rowLength && !s.panel), s.focus == rowLength && !s.panel)+" minutes",
		ui.FormRow(st, "Room", s.inputs[rowRoom].View(st, s.focus == rowRoom && !s.panel), s.focus == rowRoom && !s.panel))
	if s.args.move == nil {
		lines = append(lines, ui.FormRow(st, "Reason", s.inputs[rowReason].View(st, s.focus == rowReason && !s.panel), s.focus == rowReason && !s.panel))
	}
	lines = append(lines, "")
	lines = append(lines, s.checkLines()...)
	return strings.Join(lines, "\n")
}

// checkLines say whether the slot is free, or what it clashes with and the
// next free slot.
func (s *Screen) checkLines() []string {
	st := s.S.Styles
	switch {
	case s.saving:
		return []string{"  " + s.S.Spinner() + " Saving…"}
	case s.err != "":
		return []string{"  " + st.Error.Render(s.err)}
	case s.clash != nil:
		return s.clashLines()
	case s.seq == 0:
		return []string{"  " + st.Subtle.Render("Type when: 9:30, 14:00, tomorrow 14:00, mon 9:00, 2026-12-01 10:15, +1w.")}
	case s.problem() != "":
		return []string{"  " + st.Error.Render(s.problem())}
	case !s.checked:
		return []string{"  " + s.S.Spinner() + " Checking the slot…"}
	case s.check != nil:
		return []string{"  " + st.Error.Render(s.S.Describe(s.check))}
	}
	a := s.appt()
	return []string{"  " + st.OK.Render(fmt.Sprintf("Free: %s to %s. enter books it.", s.S.When(a.Start), s.S.Clock(a.End())))}
}

// clashLines explain a clash and offer the next free slot.
func (s *Screen) clashLines() []string {
	st := s.S.Styles
	lines := []string{"  " + st.Warning.Render("Clash: "+clashText(s.S, s.clash, s.appt()))}
	switch {
	case s.clash.HasNext && s.panel:
		lines = append(lines, "  "+st.Bold.Render("> Next free: "+s.S.When(s.clash.Next)+". Press t to take it, esc to change the time."))
	case s.clash.HasNext:
		lines = append(lines, "  Next free: "+s.S.When(s.clash.Next)+". ctrl+t takes it.")
	default:
		lines = append(lines, "  No free slot in the next weeks; try another doctor.")
	}
	return lines
}

// clashText says in words what a booking collides with.
func clashText(c *ui.Shared, e *core.ClashError, a core.Appointment) string {
	var parts []string
	if e.OutsideHours {
		parts = append(parts, "outside "+c.DoctorLabel(a.Doctor)+"'s working hours")
	}
	seen := map[string]bool{}
	for _, cl := range e.Clashes {
		if seen[cl.On] {
			continue
		}
		seen[cl.On] = true
		switch cl.On {
		case "doctor":
			parts = append(parts, c.DoctorLabel(a.Doctor)+" is already booked then")
		case "room":
			parts = append(parts, "room "+ui.Text(a.Room)+" is taken then")
		case "patient":
			parts = append(parts, "the patient already has an appointment then")
		}
	}
	if len(parts) == 0 {
		return "the slot is taken."
	}
	return strings.Join(parts, "; ") + "."
}

// ShortHelp is the form's line of keys, or the clash offer's.
func (s *Screen) ShortHelp() []key.Binding {
	k := s.S.Keys
	if s.panel {
		return []key.Binding{k.TakeNext, ui.WithHelp(k.Back, "esc", "change time")}
	}
	out := []key.Binding{k.NextField, ui.WithHelp(k.Submit, "enter", "book")}
	if s.clash != nil && s.clash.HasNext {
		out = append(out, k.TakeNow)
	}
	if s.focus == rowDoctor && s.args.move == nil {
		out = append(out, key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("left/right", "doctor")))
	}
	return out
}

// FullHelp lists every key of the form.
func (s *Screen) FullHelp() [][]key.Binding {
	k := s.S.Keys
	return [][]key.Binding{
		{k.NextField, k.PrevField, ui.WithHelp(k.Left, "h/left", "doctor"), ui.WithHelp(k.Submit, "enter", "book")},
		{k.TakeNow, k.TakeNext},
	}
}
