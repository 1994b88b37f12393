package conflicts

import (
	"errors"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// conflictRow is an open conflict with both of its appointments and their
// patients' names, or for a refill approved twice, the request.
type conflictRow struct {
	conflict core.Conflict
	appts    [2]core.Appointment
	names    [2]string
	refill   *refillSide
	err      error
}

// conflictsMsg carries the open conflicts with both appointments.
type conflictsMsg struct {
	ui.Envelope
	rows []conflictRow
	err  error
}

// resolvedMsg is the result of resolving a conflict.
type resolvedMsg struct {
	ui.Envelope
	movedTo time.Time
	err     error
}

func loadConflictsCmd(s Port, to int) tea.Cmd {
	return func() tea.Msg {
		cs, err := s.Conflicts()
		if err != nil {
			return conflictsMsg{Envelope: ui.Envelope{To: to}, err: err}
		}
		rows := make([]conflictRow, 0, len(cs))
		var refills []core.Refill
		var refillErr error
		loaded := false
		for _, c := range cs {
			switch c.On {
			case core.ConflictOnInvoice:
				continue // billing's worklist has invoices paid twice over
			case core.ConflictOnRefill:
				if !loaded {
					refills, refillErr = s.Refills(false)
					loaded = true
				}
				rows = append(rows, loadRefillRow(s, c, refills, refillErr))
			default:
				rows = append(rows, loadConflictRow(s, c))
			}
		}
		return conflictsMsg{Envelope: ui.Envelope{To: to}, rows: rows}
	}
}

// loadConflictRow fetches both sides of a conflict and their patients'
// names.
func loadConflictRow(s Port, c core.Conflict) conflictRow {
	row := conflictRow{conflict: c}
	for i, id := range c.Appointments {
		a, err := s.Appointment(id)
		if err != nil {
			row.err = err
			continue
		}
		row.appts[i] = ui.SafeAppointment(a)
	}
	names := ui.PatientNames(s, nil, row.appts[:])
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
func resolveCmd(s Port, to int, c core.Conflict, keep, other core.Appointment, move bool) tea.Cmd {
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
				return resolvedMsg{Envelope: ui.Envelope{To: to}, err: errNoFreeSlot}
			default:
				return resolvedMsg{Envelope: ui.Envelope{To: to}, err: err}
			}
		}
		err := s.ResolveConflict(c.ID, keep.ID, moveTo)
		return resolvedMsg{Envelope: ui.Envelope{To: to}, movedTo: moveTo, err: err}
	}
}
