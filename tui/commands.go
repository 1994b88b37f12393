package tui

import (
	"errors"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
)

// Every call to the Backend or a Session happens in one of these Cmds, off
// the Update loop; each returns a typed message and changes nothing else.

// lookupReason is what the access log records for a front-desk view.
const lookupReason = "front desk lookup"

// searchLimit is how many patients a search shows at most.
const searchLimit = 50

func loginCmd(b Backend, user, pass string, unlock bool) tea.Cmd {
	return func() tea.Msg {
		s, err := b.Login(user, pass)
		if err != nil {
			return loginMsg{err: err, unlock: unlock}
		}
		return loginMsg{sess: s, who: s.Principal(), zone: s.Zone(), unlock: unlock}
	}
}

func pollStatusCmd(s Session) tea.Cmd {
	return func() tea.Msg { return syncStatusMsg{status: s.SyncStatus()} }
}

func loadDoctorsCmd(s Session, to int) tea.Cmd {
	return func() tea.Msg {
		msg := doctorsMsg{envelope: envelope{to}}
		docs, err := s.Doctors()
		if err != nil {
			msg.err = err
			return msg
		}
		// Never nil: nil means not loaded yet.
		msg.doctors, msg.scheds = append(make([]core.User, 0, len(docs)), docs...), map[string]core.Schedule{}
		for _, d := range docs {
			sc, err := s.Schedule(d.Name)
			if err != nil {
				continue // a doctor without hours is still listed
			}
			msg.scheds[d.Name] = sc
		}
		return msg
	}
}

// loadDayCmd loads a day and today (for the waiting room), and the names
// of patients not in known, which the caller copied for this Cmd.
func loadDayCmd(s Session, to, seq int, day, today core.Date, known map[core.ID]bool) tea.Cmd {
	return func() tea.Msg {
		msg := dayMsg{envelope: envelope{to}, seq: seq, day: day}
		msg.appts, msg.err = s.Appointments(day, "")
		if msg.err != nil {
			return msg
		}
		msg.today = msg.appts
		if day != today {
			if msg.today, msg.err = s.Appointments(today, ""); msg.err != nil {
				return msg
			}
		}
		msg.names = patientNames(s, known, msg.appts, msg.today)
		return msg
	}
}

// loadWeekCmd loads a doctor's seven days from start.
func loadWeekCmd(s Session, to, seq int, doctor string, start core.Date, known map[core.ID]bool) tea.Cmd {
	return func() tea.Msg {
		msg := weekMsg{envelope: envelope{to}, seq: seq, doctor: doctor, start: start}
		for i := range msg.days {
			if msg.days[i], msg.err = s.Appointments(start.AddDays(i), doctor); msg.err != nil {
				return msg
			}
		}
		msg.names = patientNames(s, known, msg.days[:]...)
		return msg
	}
}

// patientNames looks up the names of the lists' patients not in known,
// in one call so the access log has one entry for the list. A name that
// cannot be had is shown as the record's short ID.
func patientNames(s Session, known map[core.ID]bool, lists ...[]core.Appointment) map[core.ID]string {
	var ids []core.ID
	seen := map[core.ID]bool{}
	for _, list := range lists {
		for _, a := range list {
			if !known[a.PatientID] && !seen[a.PatientID] {
				seen[a.PatientID] = true
				ids = append(ids, a.PatientID)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	names, err := s.PatientNames(ids)
	if err != nil {
		names = map[core.ID]string{}
	}
	for _, id := range ids {
		if names[id] == "" {
			names[id] = "patient " + id.Short()
		}
	}
	return names
}

func searchCmd(s Session, to, seq int, text string) tea.Cmd {
	return func() tea.Msg {
		ps, err := s.FindPatients(text, searchLimit)
		return searchMsg{envelope: envelope{to}, seq: seq, patients: ps, err: err}
	}
}

func openPatientCmd(s Session, to int, id core.ID) tea.Cmd {
	return func() tea.Msg {
		p, err := s.Patient(id, lookupReason)
		return patientMsg{envelope: envelope{to}, patient: p, err: err}
	}
}

func setStatusCmd(s Session, to int, id core.ID, status core.AppointmentStatus, reason string) tea.Cmd {
	return func() tea.Msg {
		a, err := s.SetStatus(id, status, reason)
		return statusMsg{envelope: envelope{to}, appt: a, to: status, err: err}
	}
}

func checkSlotCmd(s Session, to, seq int, a core.Appointment, submit bool) tea.Cmd {
	return func() tea.Msg {
		return checkMsg{envelope: envelope{to}, seq: seq, err: s.CheckSlot(a), submit: submit}
	}
}

// bookCmd saves a new appointment, or moves a when it has an ID.
func bookCmd(s Session, to int, a core.Appointment) tea.Cmd {
	return func() tea.Msg {
		var (
			out core.Appointment
			err error
		)
		if a.ID != "" {
			out, err = s.Move(a.ID, a.Start, a.Minutes, a.Room)
		} else {
			out, err = s.Book(a)
		}
		return bookedMsg{envelope: envelope{to}, appt: out, err: err}
	}
}

func duplicatesCmd(s Session, to int, name string, dob core.Date) tea.Cmd {
	return func() tea.Msg {
		dups, err := s.LikelyDuplicates(name, dob)
		return dupMsg{envelope: envelope{to}, dups: dups, err: err}
	}
}

func addPatientCmd(s Session, to int, p core.Patient) tea.Cmd {
	return func() tea.Msg {
		out, err := s.AddPatient(p)
		return addedMsg{envelope: envelope{to}, patient: out, err: err}
	}
}

func notesCmd(s Session, to int, p core.Patient) tea.Cmd {
	return func() tea.Msg {
		notes, err := s.Notes(p.ID)
		return notesMsg{envelope: envelope{to}, patient: p, notes: notes, err: err}
	}
}

func loadConflictsCmd(s Session, to int) tea.Cmd {
	return func() tea.Msg {
		cs, err := s.Conflicts()
		if err != nil {
			return conflictsMsg{envelope: envelope{to}, err: err}
		}
		rows := make([]conflictRow, 0, len(cs))
		for _, c := range cs {
			rows = append(rows, loadConflictRow(s, c))
		}
		return conflictsMsg{envelope: envelope{to}, rows: rows}
	}
}

// loadConflictRow fetches both sides of a conflict and their patients'
// names.
func loadConflictRow(s Session, c core.Conflict) conflictRow {
	row := conflictRow{conflict: c}
	for i, id := range c.Appointments {
		a, err := s.Appointment(id)
		if err != nil {
			row.err = err
			continue
		}
		row.appts[i] = a
	}
	names := patientNames(s, nil, row.appts[:])
	for i, a := range row.appts {
		row.names[i] = names[a.PatientID]
	}
	return row
}

// errNoFreeSlot is returned when moving the other side of a conflict finds
// no free slot in the look-ahead.
var errNoFreeSlot = errors.New("no free slot in the next weeks; cancel it or book by hand")

// resolveCmd keeps one side of a conflict; the other is cancelled, or with
// move set, moved to its next free slot.
func resolveCmd(s Session, to int, c core.Conflict, keep, other core.Appointment, move bool) tea.Cmd {
	return func() tea.Msg {
		var moveTo time.Time
		if move {
			err := s.CheckSlot(other)
			var clash *core.ClashError
			switch {
			case err == nil:
				moveTo = other.Start
			case errors.As(err, &clash) && clash.HasNext:
				moveTo = clash.Next
			case errors.As(err, &clash):
				return resolvedMsg{envelope: envelope{to}, err: errNoFreeSlot}
			default:
				return resolvedMsg{envelope: envelope{to}, err: err}
			}
		}
		err := s.ResolveConflict(c.ID, keep.ID, moveTo)
		return resolvedMsg{envelope: envelope{to}, movedTo: moveTo, err: err}
	}
}
