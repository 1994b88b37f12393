package store

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"medisecure/core"
)

// RequestRefill records a request to refill drug number drugIndex of a
// prescription, for a doctor to decide.
func (s *Session) RequestRefill(rx core.ID, drugIndex int) (core.Refill, error) {
	r := core.Refill{PrescriptionID: rx, DrugIndex: drugIndex, RequestedBy: s.user.Name, Status: core.RefillRequested}
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActCreate, core.KindRefill); err != nil {
			return err
		}
		var p core.Prescription
		if err := t.get(rx, &p); err != nil {
			return err
		}
		if p.Status != core.PrescriptionActive {
			return fmt.Errorf("%w: it is %s", core.ErrNotActive, p.Status)
		}
		if drugIndex < 0 || drugIndex >= len(p.Medications) {
			return fmt.Errorf("%w: the prescription has no drug number %d", core.ErrInvalid, drugIndex+1)
		}
		r.PatientID = p.PatientID
		return t.create(&r)
	})
	return r, err
}

// Refills lists refill requests, newest first; pending keeps only those
// waiting for a decision.
func (s *Session) Refills(pending bool) ([]core.Refill, error) {
	if err := s.authorize(core.ActRead, core.KindRefill); err != nil {
		return nil, err
	}
	var out []core.Refill
	err := s.update(func(t *txn) error {
		patients := map[core.ID]bool{}
		err := t.each(core.KindRefill, func(rec *core.Record) error {
			if !rec.Exists() || rec.Deleted() {
				return nil
			}
			var r core.Refill
			if err := rec.Decode(&r); err != nil {
				return err
			}
			if !pending || r.Status == core.RefillRequested {
				out = append(out, r)
				patients[r.PatientID] = true
			}
			return nil
		})
		if err != nil {
			return err
		}
		for p := range patients {
			if err := t.logAccess(p, core.AccessView, "refill requests list"); err != nil {
				return err
			}
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, err
}

// DecideRefill approves a refill request, using one of the drug's refills
// on the prescription in the same transaction, or denies it with a
// reason. Each approval carries a fresh approval ID, so two approvals of
// one request made offline become a conflict when they meet.
func (s *Session) DecideRefill(id core.ID, approve bool, note string) (core.Refill, error) {
	var r core.Refill
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActUpdate, core.KindRefill); err != nil {
			return err
		}
		if err := t.get(id, &r); err != nil {
			return err
		}
		to := core.RefillDenied
		if approve {
			to = core.RefillApproved
		}
		if err := r.Status.CheckTransition(to); err != nil {
			return err
		}
		r.Status, r.DecidedBy, r.DecisionNote = to, s.user.Name, strings.TrimSpace(note)
		if approve {
			var p core.Prescription
			if err := t.get(r.PrescriptionID, &p); err != nil {
				return err
			}
			if err := core.ApproveRefill(&p, r.DrugIndex); err != nil {
				return err
			}
			if err := t.save(&p); err != nil {
				return err
			}
			a, err := core.NewID(t.now, rand.Reader)
			if err != nil {
				return err
			}
			r.Approval = a
		}
		return t.save(&r)
	})
	return r, err
}

// ResolveRefillConflict settles a refill approved twice, as a person
// chose: with both set, both dispensings stand and the second uses one
// more of the drug's refills on the prescription (merge kept only one);
// without it, the second dispensing was recalled. The reason is written
// on the request, which syncs, and the conflict closes on every replica;
// neither approval is dropped from the conflict's record.
func (s *Session) ResolveRefillConflict(refill core.ID, both bool, reason string) error {
	return s.update(func(t *txn) error {
		if err := s.authorize(core.ActUpdate, core.KindRefill); err != nil {
			return err
		}
		var r core.Refill
		if err := t.get(refill, &r); err != nil {
			return err
		}
		c := core.NewRefillConflict(r.ID, nil, r.CreatedAt)
		rec, err := t.load(core.KindConflict, c.ID)
		if err != nil {
			return err
		}
		if !rec.Exists() || rec.Deleted() {
			return fmt.Errorf("%w: refill %s was not approved twice", core.ErrInvalid, refill)
		}
		reason = strings.TrimSpace(reason)
		if reason == "" {
			return fmt.Errorf("%w: say how the double approval was settled", core.ErrInvalid)
		}
		r.Resolution = core.RefillRecalled + ": " + reason
		if both {
			r.Resolution = core.RefillBothDispensed + ": " + reason
			var p core.Prescription
			if err := t.get(r.PrescriptionID, &p); err != nil {
				return err
			}
			if err := core.ApproveRefill(&p, r.DrugIndex); err != nil {
				return fmt.Errorf("%w; record the second dispensing as recalled, or prescribe again", err)
			}
			if err := t.save(&p); err != nil {
				return err
			}
		}
		return t.save(&r)
	})
}

// approvedTwice reports whether change c brings an approval of a refill
// other than the one rec already holds: the request was approved on two
// workstations. It returns both approval IDs.
func approvedTwice(rec *core.Record, c *core.Change) ([]core.ID, bool) {
	in, ok := c.Fields["approval"]
	have, had := rec.Fields["approval"]
	if !ok || !had {
		return nil, false
	}
	var a, b core.ID
	if json.Unmarshal(in, &a) != nil || json.Unmarshal(have.Value, &b) != nil || a == "" || b == "" || a == b {
		return nil, false
	}
	return []core.ID{a, b}, true
}

// refillConflict keeps the derived conflict of a refill in step after a
// change: opened when the change met a second approval, closed once the
// request records a resolution.
func (t *txn) refillConflict(rec *core.Record, approvals []core.ID) error {
	var r core.Refill
	if err := rec.Decode(&r); err != nil {
		return corrupt("refill record "+string(rec.ID), err)
	}
	c := core.NewRefillConflict(r.ID, approvals, r.CreatedAt)
	have, err := t.load(core.KindConflict, c.ID)
	if err != nil {
		return err
	}
	switch {
	case r.Resolution != "" && have.Exists() && !have.Deleted():
		var open core.Conflict
		if err := have.Decode(&open); err != nil {
			return err
		}
		open.Status, open.Deleted = core.ConflictResolved, true
		return t.putDerived(&open)
	case r.Resolution == "" && approvals != nil:
		return t.putDerived(c)
	}
	return nil
}

// putDerived writes a conflict record as derived state: a zero stamp and
// no outbox entry, the same on every replica.
func (t *txn) putDerived(c *core.Conflict) error {
	fields, err := core.FieldsOf(c)
	if err != nil {
		return err
	}
	rec := core.NewRecord(core.KindConflict, c.ID)
	rec.Apply(&core.Change{Fields: fields, Device: "merge"})
	return t.put(rec)
}
