package schedule

import (
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// Every call to the session happens in one of these Cmds, off the Update
// loop; each returns a typed message addressed to the screen and changes
// nothing else.

// dayMsg carries one day's appointments (every doctor), today's for the
// waiting room, and the names of patients not yet known.
type dayMsg struct {
	ui.Envelope
	seq   int
	day   core.Date
	appts []core.Appointment
	// today is the clinic's today, as the Cmd saw it.
	todayDate core.Date
	today     []core.Appointment
	names     map[core.ID]string
	err       error
}

// weekMsg carries a doctor's week, Monday first.
type weekMsg struct {
	ui.Envelope
	seq    int
	doctor string
	start  core.Date
	days   [7][]core.Appointment
	names  map[core.ID]string
	err    error
}

// statusMsg is the result of moving an appointment through its statuses.
type statusMsg struct {
	ui.Envelope
	appt core.Appointment
	from core.AppointmentStatus
	to   core.AppointmentStatus
	err  error
}

// loadDayCmd loads a day and today (for the waiting room), and the names
// of patients not in known, which the caller copied for this Cmd. A day
// the screen kept (dayOK, todayOK) is not loaded again.
func loadDayCmd(s Port, to, seq int, day, today core.Date, known map[core.ID]bool, kept, keptToday []core.Appointment, dayOK, todayOK bool) tea.Cmd {
	return func() tea.Msg {
		msg := dayMsg{Envelope: ui.Envelope{To: to}, seq: seq, day: day, appts: kept, todayDate: today, today: keptToday}
		if !dayOK {
			if msg.appts, msg.err = s.Appointments(day, ""); msg.err != nil {
				return msg
			}
			ui.SafeAppointments(msg.appts)
		}
		if day == today {
			msg.today = msg.appts
		} else if !todayOK {
			if msg.today, msg.err = s.Appointments(today, ""); msg.err != nil {
				return msg
			}
			ui.SafeAppointments(msg.today)
		}
		msg.names = ui.PatientNames(s, known, msg.appts, msg.today)
		return msg
	}
}

// loadWeekCmd loads a doctor's seven days from start.
func loadWeekCmd(s Port, to, seq int, doctor string, start core.Date, known map[core.ID]bool) tea.Cmd {
	return func() tea.Msg {
		msg := weekMsg{Envelope: ui.Envelope{To: to}, seq: seq, doctor: doctor, start: start}
		for i := range msg.days {
			if msg.days[i], msg.err = s.Appointments(start.AddDays(i), doctor); msg.err != nil {
				return msg
			}
			ui.SafeAppointments(msg.days[i])
		}
		msg.names = ui.PatientNames(s, known, msg.days[:]...)
		return msg
	}
}

func setStatusCmd(s Port, to int, a core.Appointment, status core.AppointmentStatus, reason string) tea.Cmd {
	return func() tea.Msg {
		out, err := s.SetStatus(a.ID, status, reason)
		return statusMsg{Envelope: ui.Envelope{To: to}, appt: out, from: a.Status, to: status, err: err}
	}
}
