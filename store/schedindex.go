package store

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"medisecure/core"
)

// The schedule index lets a booking check clashes without opening a single
// sealed record. Keys hold no PHI in clear:
//
//	day (YYYYMMDD) ‖ class ‖ keyed hash of the owner (8) ‖ appointment ID (12)
//
// where class is 'd' (doctor) or 'r' (room), and the value is start and end
// in Unix milliseconds and whether the appointment holds its slot. A
// patient's day is read from the visit index ('V' ‖ keyed hash of the
// patient ‖ start ‖ ID, valued the same), so a booking writes one leaf
// fewer than with a third day key per patient (schema 12 dropped it).
// Schedules are found by 'S' ‖ keyed hash of the doctor.

// owner is the keyed hash standing in for a doctor, room or patient. A
// transaction computes each once: a merge of many appointments of few
// doctors asks for the same ones again and again.
func (t *txn) owner(class byte, name string) []byte {
	n := ownerName{class, name}
	if h, ok := t.ownerHash[n]; ok {
		return h[:]
	}
	if t.ownerMAC == nil {
		t.ownerMAC = hmac.New(sha256.New, t.keys.index)
	}
	mac := t.ownerMAC
	mac.Reset()
	mac.Write([]byte{class})
	mac.Write([]byte(name))
	var sum [sha256.Size]byte
	h := [8]byte(mac.Sum(sum[:0]))
	if t.ownerHash == nil {
		t.ownerHash = map[ownerName][8]byte{}
	}
	t.ownerHash[n] = h
	return h[:]
}

// ownerName is an owner of index entries: its class and name.
type ownerName struct {
	class byte
	name  string
}

// dayKey is the index prefix of a day in the clinic's zone.
func dayKey(day core.Date) []byte {
	return []byte(string(day[0:4]) + string(day[5:7]) + string(day[8:10]))
}

// slotPrefix is the index prefix of one owner's appointments on a day.
func (t *txn) slotPrefix(day core.Date, class byte, name string) []byte {
	return append(append(dayKey(day), class), t.owner(class, name)...)
}

// slotKeys lists an appointment's index keys.
func (t *txn) slotKeys(a *core.Appointment) [][]byte {
	day := core.DateOf(a.Start, t.s.db.zone)
	id := a.ID.Bytes()
	keys := [][]byte{append(t.slotPrefix(day, classDoctor, a.Doctor), id...)}
	if a.Room != "" {
		keys = append(keys, append(t.slotPrefix(day, classRoom, a.Room), id...))
	}
	return keys
}

// slotValue is an index entry's value.
func slotValue(a *core.Appointment) []byte {
	v := binary.BigEndian.AppendUint64(nil, uint64(a.Start.UnixMilli()))
	v = binary.BigEndian.AppendUint64(v, uint64(a.End().UnixMilli()))
	if a.Status.Holds() && !a.Deleted {
		return append(v, 1)
	}
	return append(v, 0)
}

// visitKey is an appointment's entry in its patient's visit index.
func (t *txn) visitKey(a *core.Appointment) []byte {
	key := append([]byte{classVisit}, t.owner(classVisit, string(a.PatientID))...)
	key = binary.BigEndian.AppendUint64(key, uint64(a.Start.UnixMilli()))
	return append(key, a.ID.Bytes()...)
}

// indexAppointment replaces an appointment's index entries. An old key
// that is also a new key is not deleted (the put replaces its value), and
// such a key is not put again when the bucket already holds the new value:
// a merge that changes none of an appointment's indexed fields writes no
// page. The entries left are exactly those of deleting every old key and
// putting every new one.
func (t *txn) indexAppointment(old, a *core.Appointment) error {
	keys := append(t.slotKeys(a), t.visitKey(a))
	var oldKeys [][]byte
	if old != nil {
		oldKeys = append(t.slotKeys(old), t.visitKey(old))
		for _, k := range oldKeys {
			if containsKey(keys, k) {
				continue
			}
			if err := t.schedDelete(k); err != nil {
				return err
			}
		}
	}
	v := slotValue(a)
	for _, k := range keys {
		if containsKey(oldKeys, k) && bytes.Equal(t.schedGet(k), v) {
			continue
		}
		if err := t.schedPut(k, v); err != nil {
			return err
		}
	}
	return nil
}

// containsKey reports whether keys holds k.
func containsKey(keys [][]byte, k []byte) bool {
	for _, x := range keys {
		if bytes.Equal(x, k) {
			return true
		}
	}
	return false
}

// indexSchedule points a doctor at their schedule record.
func (t *txn) indexSchedule(s *core.Schedule) error {
	key := append([]byte{classSched}, t.owner(classSched, s.Doctor)...)
	return t.tx.Bucket(bucketSchedule).Put(key, s.ID.Bytes())
}

// scheduleOf loads a doctor's schedule, or ErrNotFound.
func (t *txn) scheduleOf(doctor string) (*core.Schedule, error) {
	key := append([]byte{classSched}, t.owner(classSched, doctor)...)
	v := t.tx.Bucket(bucketSchedule).Get(key)
	if len(v) != 12 {
		return nil, ErrNotFound
	}
	id := core.ID(hex.EncodeToString(v))
	sealed, err := t.sealed(core.KindSchedule, id)
	if err != nil {
		return nil, err
	}
	if sealed == nil {
		return nil, fmt.Errorf("%w: %s %s", ErrNotFound, core.KindSchedule, id)
	}
	sealer, err := t.sealerOf(core.KindSchedule)
	if err != nil {
		return nil, err
	}
	if s, ok := t.s.db.scheds.get(id, sealer, sealed); ok {
		return s, nil
	}
	s := &core.Schedule{}
	live, err := openInto(sealer, core.KindSchedule, id, sealed, s, &openScratch{})
	if err == nil && !live {
		err = fmt.Errorf("%w: %s %s", ErrNotFound, core.KindSchedule, id)
	}
	if err != nil {
		return nil, err
	}
	t.s.db.scheds.put(id, sealer, sealed, s)
	return s, nil
}

// schedCache keeps the schedules scheduleOf opened last, each with the
// sealed bytes it was opened from and the sealer that opened them: a desk
// books the same few doctors all day, and a schedule read again is the
// same bytes, so only a new or changed one is opened and decoded again.
// Each caller gets a copy of its own.
type schedCache struct {
	mu sync.Mutex
	m  map[core.ID]cachedSchedule
}

// cachedSchedule is one entry of a schedCache.
type cachedSchedule struct {
	sealer *sealer
	sealed []byte
	s      core.Schedule
}

// get returns a copy of the schedule opened from sealed by sealer, if it
// is the one kept.
func (c *schedCache) get(id core.ID, by *sealer, sealed []byte) (*core.Schedule, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || e.sealer != by || !bytes.Equal(e.sealed, sealed) {
		return nil, false
	}
	return copySchedule(&e.s), true
}

// put keeps a copy of a schedule opened from sealed by sealer.
func (c *schedCache) put(id core.ID, by *sealer, sealed []byte, s *core.Schedule) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[core.ID]cachedSchedule{}
	}
	c.m[id] = cachedSchedule{sealer: by, sealed: bytes.Clone(sealed), s: *copySchedule(s)}
}

// copySchedule is a copy of s that shares no slice with it.
func copySchedule(s *core.Schedule) *core.Schedule {
	c := *s
	for d := range c.Hours {
		c.Hours[d] = slices.Clone(s.Hours[d])
	}
	c.Rooms = slices.Clone(s.Rooms)
	return &c
}

// slots reads the index entries under a prefix as core slots; fill sets
// the owner on each (the index holds only its hash).
func (t *txn) slots(prefix []byte, fill func(*core.Slot)) []core.Slot {
	return t.slotsNear(nil, prefix, nil, fill)
}

// slotsNear appends to out the slots under prefix, as slots reads them;
// when near is not nil, only those that hold their time and overlap it:
// the only ones core.Clashes can report, read without making the others.
func (t *txn) slotsNear(out []core.Slot, prefix []byte, near *core.Slot, fill func(*core.Slot)) []core.Slot {
	if t.ownerDays != nil {
		return t.slotsNearHeld(out, prefix, near, fill)
	}
	c := t.tx.Bucket(bucketSchedule).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(v) != 17 || len(k) != len(prefix)+12 {
			continue
		}
		out = appendSlot(out, k[len(prefix):], v, near, fill)
	}
	return out
}

// ownerDay is one index entry under an owner's day: the appointment's ID
// bytes and the entry's value.
type ownerDay struct {
	id    [12]byte
	value [17]byte
}

// holdOwnerDays makes slotsNear read each owner's day from the index once
// and keep it, until the returned function is called: the conflict check
// of a catch-up reads the same doctor's day for every appointment on it,
// and writes no slot entry meanwhile (only conflicts, under their own
// class). Nothing that writes slot entries may run while it holds them.
func (t *txn) holdOwnerDays() (release func()) {
	t.ownerDays = map[string][]ownerDay{}
	return func() { t.ownerDays = nil }
}

// slotsNearHeld is slotsNear from the owner days held, read on first use.
func (t *txn) slotsNearHeld(out []core.Slot, prefix []byte, near *core.Slot, fill func(*core.Slot)) []core.Slot {
	day, ok := t.ownerDays[string(prefix)]
	if !ok {
		c := t.tx.Bucket(bucketSchedule).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if len(v) != 17 || len(k) != len(prefix)+12 {
				continue
			}
			day = append(day, ownerDay{id: [12]byte(k[len(prefix):]), value: [17]byte(v)})
		}
		t.ownerDays[string(prefix)] = day
	}
	for i := range day {
		out = appendSlot(out, day[i].id[:], day[i].value[:], near, fill)
	}
	return out
}

// appendSlot appends to out the slot of an index entry (the appointment's
// ID bytes and the entry's value) unless near is not nil and the entry
// does not hold its time or overlap near.
func appendSlot(out []core.Slot, id, v []byte, near *core.Slot, fill func(*core.Slot)) []core.Slot {
	start := time.UnixMilli(int64(binary.BigEndian.Uint64(v))).UTC()
	end := time.UnixMilli(int64(binary.BigEndian.Uint64(v[8:]))).UTC()
	if near != nil && (v[16] != 1 || !near.Start.Before(end) || !start.Before(near.End)) {
		return out
	}
	s := core.Slot{ID: core.ID(hex.EncodeToString(id)), Start: start, End: end, Holds: v[16] == 1}
	fill(&s)
	return append(out, s)
}

// busy lists what could clash with want on a day: the appointments of its
// doctor, its room and its patient.
func (t *txn) busy(want core.Slot, day core.Date) []core.Slot {
	return t.ownerSlots(want, day, nil)
}

// contenders lists what busy lists that holds its time and overlaps want:
// what core.Clashes(want, t.busy(want, day)) looks at.
func (t *txn) contenders(want core.Slot, day core.Date) []core.Slot {
	return t.ownerSlots(want, day, &want)
}

// ownerSlots reads the slots of want's doctor, patient and room on a day,
// only those near it when near is not nil.
func (t *txn) ownerSlots(want core.Slot, day core.Date, near *core.Slot) []core.Slot {
	out := t.slotsNear(nil, t.slotPrefix(day, classDoctor, want.Doctor), near, func(s *core.Slot) { s.Doctor = want.Doctor })
	out = t.visitsOn(out, want.PatientID, day, near)
	if want.Room != "" {
		out = t.slotsNear(out, t.slotPrefix(day, classRoom, want.Room), near, func(s *core.Slot) { s.Room = want.Room })
	}
	return out
}

// visitsOn appends to out the slots of a patient's appointments that start
// on day in the clinic's zone, read from the visit index as slotsNear
// reads a day's (only those near near when it is not nil). The scan runs
// over the day's instants with a margin either side, for zones whose
// midnight repeats or is skipped, and keeps exactly the appointments
// whose start falls on day: those the day's patient key held before
// schema 12.
func (t *txn) visitsOn(out []core.Slot, patient core.ID, day core.Date, near *core.Slot) []core.Slot {
	zone := t.s.db.zone
	from, err := day.Time(zone)
	if err != nil {
		return out
	}
	y, m, d := from.Date()
	if date, err := day.Time(time.UTC); err == nil {
		y, m, d = date.Date() // the day named, whatever midnight in zone is
	}
	const margin = 3 * time.Hour
	lo, hi := from.Add(-margin).UnixMilli(), from.AddDate(0, 0, 1).Add(margin).UnixMilli()
	prefix := append([]byte{classVisit}, t.owner(classVisit, string(patient))...)
	first := len(out)
	c := t.tx.Bucket(bucketSchedule).Cursor()
	// Starts are stored as uint64 of the Unix milliseconds, so those
	// before 1970 sort after every later one: a day that reaches back
	// across it is read in two runs.
	runs := [][2]int64{{max(lo, 0), hi}}
	if lo < 0 {
		runs = append(runs, [2]int64{lo, min(hi, 0)})
	}
	for _, r := range runs {
		for k, v := c.Seek(binary.BigEndian.AppendUint64(prefix, uint64(r[0]))); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if len(k) != len(prefix)+8+12 {
				continue
			}
			if ms := int64(binary.BigEndian.Uint64(k[len(prefix):])); ms >= r[1] || (r[0] >= 0) != (ms >= 0) {
				break
			}
			if len(v) != 17 {
				continue
			}
			start := time.UnixMilli(int64(binary.BigEndian.Uint64(v))).UTC()
			end := time.UnixMilli(int64(binary.BigEndian.Uint64(v[8:]))).UTC()
			if sy, sm, sd := start.In(zone).Date(); sy != y || sm != m || sd != d {
				continue
			}
			if near != nil && (v[16] != 1 || !near.Start.Before(end) || !start.Before(near.End)) {
				continue
			}
			id := core.ID(hex.EncodeToString(k[len(prefix)+8:]))
			out = append(out, core.Slot{ID: id, PatientID: patient, Start: start, End: end, Holds: v[16] == 1})
		}
	}
	// In ID order, as the day's patient key listed them.
	sort.Slice(out[first:], func(i, j int) bool { return out[first+i].ID < out[first+j].ID })
	return out
}

// dayIDs lists the appointment IDs of a day, for one doctor or all.
func (t *txn) dayIDs(day core.Date, doctor string) []core.ID {
	prefix := append(dayKey(day), classDoctor)
	if doctor != "" {
		prefix = t.slotPrefix(day, classDoctor, doctor)
	}
	var out []core.ID
	c := t.tx.Bucket(bucketSchedule).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) == len(dayKey(day))+1+8+12 {
			out = append(out, core.ID(hex.EncodeToString(k[len(k)-12:])))
		}
	}
	return out
}

// indexNote files a note under its patient.
func (t *txn) indexNote(n *core.Note) error {
	key := append(append([]byte{classNote}, t.owner(classNote, string(n.PatientID))...), n.ID.Bytes()...)
	return t.tx.Bucket(bucketSchedule).Put(key, nil)
}

// notesOf lists the IDs of a patient's notes.
func (t *txn) notesOf(patient core.ID) []core.ID {
	prefix := append([]byte{classNote}, t.owner(classNote, string(patient))...)
	var out []core.ID
	c := t.tx.Bucket(bucketSchedule).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) == len(prefix)+12 {
			out = append(out, core.ID(hex.EncodeToString(k[len(prefix):])))
		}
	}
	return out
}

// visitsOf lists the IDs of a patient's appointments, by start.
func (t *txn) visitsOf(patient core.ID) []core.ID {
	prefix := append([]byte{classVisit}, t.owner(classVisit, string(patient))...)
	var out []core.ID
	c := t.tx.Bucket(bucketSchedule).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) == len(prefix)+8+12 {
			out = append(out, core.ID(hex.EncodeToString(k[len(prefix)+8:])))
		}
	}
	return out
}

// be64 reads a big-endian uint64.
func be64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
