package tui

import (
	"fmt"

	"medisecure/core"
)

// TelesessionFor returns an appointment's video session.
func (s *fakeSession) TelesessionFor(appt core.ID) (core.Telesession, bool, error) {
	if err := s.lock(core.ActRead, core.KindTelesession); err != nil {
		return core.Telesession{}, false, err
	}
	defer s.b.mu.Unlock()
	ts, ok := s.b.tele[appt]
	return ts, ok, nil
}

// BookTelesession books a video session when the patient agreed to
// telemedicine on their record, as core.CheckTelemedicineConsent decides.
func (s *fakeSession) BookTelesession(appt core.ID) (core.Telesession, error) {
	if err := s.lock(core.ActCreate, core.KindTelesession); err != nil {
		return core.Telesession{}, err
	}
	defer s.b.mu.Unlock()
	i := s.b.find(appt)
	if i < 0 {
		return core.Telesession{}, fmt.Errorf("%w: appointment %s", errFakeNotFound, appt)
	}
	a := s.b.appts[i]
	for _, p := range s.b.patients {
		if p.ID == a.PatientID {
			if err := core.CheckTelemedicineConsent(&p); err != nil {
				return core.Telesession{}, err
			}
		}
	}
	if s.b.tele == nil {
		s.b.tele = map[core.ID]core.Telesession{}
	}
	ts := core.Telesession{Meta: core.Meta{ID: fakeID(980 + len(s.b.tele))}, AppointmentID: a.ID, PatientID: a.PatientID, Doctor: a.Doctor,
		ScheduledAt: a.Start, Minutes: a.Minutes, Status: core.TelesessionScheduled, JoinURL: "https://meet.example.org/medisecure-room"}
	s.b.tele[a.ID] = ts
	return ts, nil
}

// StartTelesession and EndTelesession follow the status machine.
func (s *fakeSession) StartTelesession(id core.ID) (core.Telesession, error) {
	return s.moveTele(id, core.TelesessionLive)
}

func (s *fakeSession) EndTelesession(id core.ID) (core.Telesession, error) {
	return s.moveTele(id, core.TelesessionEnded)
}

func (s *fakeSession) moveTele(id core.ID, to core.TelesessionStatus) (core.Telesession, error) {
	if err := s.lock(core.ActUpdate, core.KindTelesession); err != nil {
		return core.Telesession{}, err
	}
	defer s.b.mu.Unlock()
	for appt, ts := range s.b.tele {
		if ts.ID != id {
			continue
		}
		if err := ts.Status.CheckTransition(to); err != nil {
			return ts, err
		}
		if to == core.TelesessionLive {
			ts.StartedAt = s.b.clock.Now().UTC()
		} else {
			ts.EndedAt = s.b.clock.Now().UTC()
		}
		ts.Status = to
		s.b.tele[appt] = ts
		return ts, nil
	}
	return core.Telesession{}, fmt.Errorf("%w: video session %s", errFakeNotFound, id)
}
