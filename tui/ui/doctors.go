package ui

import (
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
)

// DoctorsPort is what loading the doctors needs of a session.
type DoctorsPort interface {
	// Doctors lists the users with the doctor role, by name.
	Doctors() ([]core.User, error)
	// Schedule returns a doctor's working hours.
	Schedule(doctor string) (core.Schedule, error)
}

// DoctorsMsg carries the doctors and their working hours.
type DoctorsMsg struct {
	Envelope
	Doctors []core.User
	Scheds  map[string]core.Schedule
	Err     error
}

// LoadDoctors loads the doctors and their hours for screen to.
func LoadDoctors(s DoctorsPort, to int) tea.Cmd {
	return func() tea.Msg {
		msg := DoctorsMsg{Envelope: Envelope{to}}
		docs, err := s.Doctors()
		if err != nil {
			msg.Err = err
			return msg
		}
		// Never nil: nil means not loaded yet.
		msg.Doctors, msg.Scheds = append(make([]core.User, 0, len(docs)), docs...), map[string]core.Schedule{}
		for _, d := range docs {
			sc, err := s.Schedule(d.Name)
			if err != nil {
				continue // a doctor without hours is still listed
			}
			msg.Scheds[d.Name] = sc
		}
		return msg
	}
}

// Keep stores loaded doctors for every screen.
func (c *Shared) Keep(msg DoctorsMsg) {
	if msg.Err != nil {
		return
	}
	for i := range msg.Doctors {
		msg.Doctors[i].DisplayName = Text(msg.Doctors[i].DisplayName)
	}
	for name, sc := range msg.Scheds {
		for i, r := range sc.Rooms {
			sc.Rooms[i] = Text(r)
		}
		msg.Scheds[name] = sc
	}
	c.Doctors, c.Scheds = msg.Doctors, msg.Scheds
}

// NamesPort is what looking up patients' names needs of a session.
type NamesPort interface {
	// PatientNames returns the names of the given patients from the search
	// index; the store logs one access entry for the list.
	PatientNames(ids []core.ID) (map[core.ID]string, error)
}

// PatientNames looks up the names of the lists' patients not in known,
// in one call so the access log has one entry for the list. A name that
// cannot be had is shown as the record's short ID. Names come back safe
// to draw.
func PatientNames(s NamesPort, known map[core.ID]bool, lists ...[]core.Appointment) map[core.ID]string {
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
		names[id] = Text(names[id])
		if names[id] == "" {
			names[id] = "patient " + id.Short()
		}
	}
	return names
}
