package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"

	"medisecure/core"
)

// View draws the form, then what the slot check found.
func (s *bookScreen) View() string {
	st := s.c.styles
	p := s.args.patient
	lines := []string{"", "  " + st.Label.Render(padRight("Patient", labelWidth)) + st.Bold.Render(p.Name) + "  " + string(p.DOB)}
	if m := s.args.move; m != nil {
		lines = append(lines, "  "+st.Label.Render(padRight("Now", labelWidth))+s.c.when(m.Start)+fmt.Sprintf(", %d min", m.Minutes))
	}
	doctor := "< " + s.c.doctorLabel(s.doctor()) + " >"
	if s.args.move != nil {
		doctor = s.c.doctorLabel(s.doctor())
	}
	lines = append(lines, rowLine(st, "Doctor", doctor, s.focus == rowDoctor && !s.panel))
	when := formRow(st, "When", s.inputs[rowWhen].View(st, s.focus == rowWhen && !s.panel), s.focus == rowWhen && !s.panel)
	if !s.start.IsZero() {
		when += "  " + s.start.In(s.c.zone()).Format("Mon 2 Jan 2006 15:04")
	}
	lines = append(lines, when,
		formRow(st, "Length", s.inputs[rowLength].View(st, s.focus == rowLength && !s.panel), s.focus == rowLength && !s.panel)+" minutes",
		formRow(st, "Room", s.inputs[rowRoom].View(st, s.focus == rowRoom && !s.panel), s.focus == rowRoom && !s.panel))
	if s.args.move == nil {
		lines = append(lines, formRow(st, "Reason", s.inputs[rowReason].View(st, s.focus == rowReason && !s.panel), s.focus == rowReason && !s.panel))
	}
	lines = append(lines, "")
	lines = append(lines, s.checkLines()...)
	return strings.Join(lines, "\n")
}

// rowLine is a form line whose value is not typed, such as a choice.
func rowLine(st Styles, label, value string, focused bool) string {
	if focused {
		return "> " + st.Focused.Render(padRight(label, labelWidth)) + value
	}
	return "  " + st.Label.Render(padRight(label, labelWidth)) + value
}

// checkLines say whether the slot is free, or what it clashes with and the
// next free slot.
func (s *bookScreen) checkLines() []string {
	st := s.c.styles
	switch {
	case s.saving:
		return []string{"  " + s.c.spinner() + " Saving…"}
	case s.err != "":
		return []string{"  " + st.Error.Render(s.err)}
	case s.clash != nil:
		return s.clashLines()
	case s.seq == 0:
		return []string{"  " + st.Subtle.Render("Type when: 9:30, 14:00, tomorrow 14:00, mon 9:00, 2026-12-01 10:15, +1w.")}
	case s.problem() != "":
		return []string{"  " + st.Error.Render(s.problem())}
	case !s.checked:
		return []string{"  " + s.c.spinner() + " Checking the slot…"}
	case s.check != nil:
		return []string{"  " + st.Error.Render(describe(s.check))}
	}
	a := s.appt()
	return []string{"  " + st.OK.Render(fmt.Sprintf("Free: %s to %s. enter books it.", s.c.when(a.Start), s.c.clock(a.End())))}
}

// clashLines explain a clash and offer the next free slot.
func (s *bookScreen) clashLines() []string {
	st := s.c.styles
	lines := []string{"  " + st.Warning.Render("Clash: "+clashText(s.c, s.clash, s.appt()))}
	switch {
	case s.clash.HasNext && s.panel:
		lines = append(lines, "  "+st.Bold.Render("> Next free: "+s.c.when(s.clash.Next)+". Press t to take it, esc to change the time."))
	case s.clash.HasNext:
		lines = append(lines, "  Next free: "+s.c.when(s.clash.Next)+". ctrl+t takes it.")
	default:
		lines = append(lines, "  No free slot in the next weeks; try another doctor.")
	}
	return lines
}

// clashText says in words what a booking collides with.
func clashText(c *workspace, e *core.ClashError, a core.Appointment) string {
	var parts []string
	if e.OutsideHours {
		parts = append(parts, "outside "+c.doctorLabel(a.Doctor)+"'s working hours")
	}
	seen := map[string]bool{}
	for _, cl := range e.Clashes {
		if seen[cl.On] {
			continue
		}
		seen[cl.On] = true
		switch cl.On {
		case "doctor":
			parts = append(parts, c.doctorLabel(a.Doctor)+" is already booked then")
		case "room":
			parts = append(parts, "room "+a.Room+" is taken then")
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
func (s *bookScreen) ShortHelp() []key.Binding {
	k := s.c.keys
	if s.panel {
		return []key.Binding{k.TakeNext, withHelp(k.Back, "esc", "change time")}
	}
	out := []key.Binding{k.NextField, withHelp(k.Submit, "enter", "book")}
	if s.clash != nil && s.clash.HasNext {
		out = append(out, k.TakeNow)
	}
	if s.focus == rowDoctor && s.args.move == nil {
		out = append(out, key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("left/right", "doctor")))
	}
	return out
}

// FullHelp lists every key of the form.
func (s *bookScreen) FullHelp() [][]key.Binding {
	k := s.c.keys
	return [][]key.Binding{
		{k.NextField, k.PrevField, withHelp(k.Left, "h/left", "doctor"), withHelp(k.Submit, "enter", "book")},
		{k.TakeNow, k.TakeNext},
	}
}
