package core

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	// The embedded zone database keeps the tests independent of the
	// machine's zoneinfo files and local zone.
	_ "time/tzdata"
)

// berlinZone is a zone with daylight saving: in 2024 clocks went forward on
// Sunday 31 March (02:00 CET → 03:00 CEST) and back on Sunday 27 October
// (03:00 CEST → 02:00 CET).
func berlinZone(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		tb.Fatalf("loading Europe/Berlin: %v", err)
	}
	return loc
}

// wallTime reads a wall time "2024-03-04 09:00" in loc.
func wallTime(tb testing.TB, loc *time.Location, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		tb.Fatalf("bad test time %q: %v", s, err)
	}
	return t
}

// utcTime reads "2024-03-04 09:00" as UTC.
func utcTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	return wallTime(tb, time.UTC, s)
}

// hoursSpan is a Span from whole hours and minutes.
func hoursSpan(h1, m1, h2, m2 int) Span { return Span{Start: h1*60 + m1, End: h2*60 + m2} }

// weekdaySchedule works Monday to Friday 09:00-12:00 and 13:00-17:00 in
// 30-minute slots.
func weekdaySchedule() *Schedule {
	s := &Schedule{Doctor: "dr-x", SlotMinutes: 30, Rooms: []string{"r1"}}
	for d := time.Monday; d <= time.Friday; d++ {
		s.Hours[d] = []Span{hoursSpan(9, 0, 12, 0), hoursSpan(13, 0, 17, 0)}
	}
	return s
}

func TestParseSpan(t *testing.T) {
	tests := []struct {
		in   string
		want Span
		ok   bool
	}{
		{"09:00-12:30", Span{540, 750}, true},
		{"9:00-12:30", Span{540, 750}, true},
		{" 09:00 - 12:30 ", Span{540, 750}, true},
		{"00:00-24:00", Span{0, 1440}, true},
		{"23:59-24:00", Span{1439, 1440}, true},
		{"12:00-09:00", Span{}, false},
		{"09:00-09:00", Span{}, false},
		{"09:00", Span{}, false},
		{"09:00-", Span{}, false},
		{"-12:00", Span{}, false},
		{"", Span{}, false},
		{"0900-1230", Span{}, false},
		{"25:00-26:00", Span{}, false},
		{"23:00-24:01", Span{}, false},
		{"09:60-10:00", Span{}, false},
		{"ab:cd-12:00", Span{}, false},
		{"09:00-12:30-13:00", Span{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSpan(tt.in)
			if !tt.ok {
				if err == nil {
					t.Fatalf("ParseSpan(%q) = %v, want an error", tt.in, got)
				}
				if !strings.Contains(err.Error(), "09:00-12:30") {
					t.Errorf("error %q does not show the expected form", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseSpan(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
			back, err := ParseSpan(got.String())
			if err != nil || back != got {
				t.Errorf("ParseSpan(%q) = %+v, %v; want %+v back", got.String(), back, err, got)
			}
		})
	}
}

func TestSpanString(t *testing.T) {
	tests := []struct {
		s    Span
		want string
	}{
		{Span{540, 750}, "09:00-12:30"},
		{Span{0, 1440}, "00:00-24:00"},
		{Span{5, 65}, "00:05-01:05"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.s.String(); got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestScheduleValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(s *Schedule)
		// want maps each field expected to fail to a part of its message.
		want map[string]string
	}{
		{"valid", func(*Schedule) {}, nil},
		{"no hours at all", func(s *Schedule) { s.Hours = [7][]Span{} }, nil},
		{"touching spans", func(s *Schedule) { s.Hours[time.Tuesday] = []Span{hoursSpan(9, 0, 12, 0), hoursSpan(12, 0, 13, 0)} }, nil},
		{"whole day", func(s *Schedule) { s.Hours[time.Sunday] = []Span{hoursSpan(0, 0, 24, 0)} }, nil},
		{"slot bounds", func(s *Schedule) { s.SlotMinutes = 5 }, nil},
		{"slot upper bound", func(s *Schedule) { s.SlotMinutes = 240 }, nil},
		{"no doctor", func(s *Schedule) { s.Doctor = " " }, map[string]string{"doctor": "is required"}},
		{"slot too short", func(s *Schedule) { s.SlotMinutes = 4 }, map[string]string{"slot_minutes": "between 5 and 240"}},
		{"slot too long", func(s *Schedule) { s.SlotMinutes = 241 }, map[string]string{"slot_minutes": "between 5 and 240"}},
		{"overlapping spans", func(s *Schedule) { s.Hours[time.Tuesday] = []Span{hoursSpan(9, 0, 12, 0), hoursSpan(11, 0, 13, 0)} },
			map[string]string{"hours": "on Tuesday has overlapping spans"}},
		{"overlapping spans out of order", func(s *Schedule) { s.Hours[time.Wednesday] = []Span{hoursSpan(14, 0, 16, 0), hoursSpan(8, 0, 18, 0)} },
			map[string]string{"hours": "on Wednesday has overlapping spans"}},
		{"duplicate span", func(s *Schedule) { s.Hours[time.Saturday] = []Span{hoursSpan(9, 0, 10, 0), hoursSpan(9, 0, 10, 0)} },
			map[string]string{"hours": "on Saturday has overlapping spans"}},
		{"end before start", func(s *Schedule) { s.Hours[time.Monday] = []Span{hoursSpan(12, 0, 9, 0)} },
			map[string]string{"hours": "on Monday has an empty or impossible span 12:00-09:00"}},
		{"empty span", func(s *Schedule) { s.Hours[time.Monday] = []Span{hoursSpan(9, 0, 9, 0)} },
			map[string]string{"hours": "on Monday has an empty or impossible span"}},
		{"past midnight", func(s *Schedule) { s.Hours[time.Friday] = []Span{hoursSpan(22, 0, 24, 1)} },
			map[string]string{"hours": "on Friday has an empty or impossible span"}},
		{"negative start", func(s *Schedule) { s.Hours[time.Sunday] = []Span{{Start: -30, End: 60}} },
			map[string]string{"hours": "on Sunday has an empty or impossible span"}},
		{"several wrong", func(s *Schedule) { s.Doctor = ""; s.SlotMinutes = 0 },
			map[string]string{"doctor": "is required", "slot_minutes": "between 5 and 240"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := weekdaySchedule()
			tt.edit(s)
			assertFieldErrors(t, s.Validate(), KindSchedule, tt.want)
		})
	}
}

// assertFieldErrors checks that err is nil when want is empty, and otherwise a
// *ValidationError of kind naming exactly the fields in want, each with a
// message containing the wanted text.
func assertFieldErrors(tb testing.TB, err error, kind Kind, want map[string]string) {
	tb.Helper()
	if len(want) == 0 {
		if err != nil {
			tb.Fatalf("Validate() = %v, want nil", err)
		}
		return
	}
	var ve *ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) {
		tb.Fatalf("Validate() = %v, want a *ValidationError", err)
	}
	if ve.Kind != kind {
		tb.Errorf("error kind = %q, want %q", ve.Kind, kind)
	}
	got := map[string]bool{}
	for _, f := range ve.Fields {
		got[f.Field] = true
		if _, ok := want[f.Field]; !ok {
			tb.Errorf("unexpected error on %s: %s", f.Field, f.Message)
		}
	}
	for field, msg := range want {
		if !got[field] {
			tb.Errorf("no error on %s; got %v", field, err)
			continue
		}
		if m := ve.For(field); !strings.Contains(m, msg) {
			tb.Errorf("error on %s = %q, want it to contain %q", field, m, msg)
		}
		if !strings.Contains(err.Error(), field+" ") {
			tb.Errorf("Error() = %q does not name %s", err, field)
		}
	}
}

func TestScheduleCovers(t *testing.T) {
	loc := berlinZone(t)
	weekdays := weekdaySchedule()
	mondayNight := &Schedule{Doctor: "dr-x", SlotMinutes: 30}
	mondayNight.Hours[time.Monday] = []Span{hoursSpan(0, 0, 2, 0)}
	sundays := &Schedule{Doctor: "dr-x", SlotMinutes: 30}
	sundays.Hours[time.Sunday] = []Span{hoursSpan(1, 0, 4, 0), hoursSpan(9, 0, 12, 0)}

	tests := []struct {
		name       string
		s          *Schedule
		start, end time.Time
		loc        *time.Location
		want       bool
	}{
		{"start of span", weekdays, wallTime(t, loc, "2024-03-04 09:00"), wallTime(t, loc, "2024-03-04 09:30"), loc, true},
		{"end of span", weekdays, wallTime(t, loc, "2024-03-04 11:30"), wallTime(t, loc, "2024-03-04 12:00"), loc, true},
		{"before hours", weekdays, wallTime(t, loc, "2024-03-04 08:30"), wallTime(t, loc, "2024-03-04 09:00"), loc, false},
		{"runs past span end", weekdays, wallTime(t, loc, "2024-03-04 11:45"), wallTime(t, loc, "2024-03-04 12:15"), loc, false},
		{"spans the lunch gap", weekdays, wallTime(t, loc, "2024-03-04 11:30"), wallTime(t, loc, "2024-03-04 13:30"), loc, false},
		{"afternoon", weekdays, wallTime(t, loc, "2024-03-04 16:00"), wallTime(t, loc, "2024-03-04 17:00"), loc, true},
		{"saturday has no hours", weekdays, wallTime(t, loc, "2024-03-09 10:00"), wallTime(t, loc, "2024-03-09 10:30"), loc, false},
		{"UTC input, 09:00 CET", weekdays, utcTime(t, "2024-03-04 08:00"), utcTime(t, "2024-03-04 08:30"), loc, true},
		{"UTC input, 08:30 CET", weekdays, utcTime(t, "2024-03-04 07:30"), utcTime(t, "2024-03-04 08:00"), loc, false},
		{"weekday is taken in the clinic zone", mondayNight, utcTime(t, "2024-03-03 23:30"), utcTime(t, "2024-03-04 00:30"), loc, true},
		{"same instant in UTC is a Sunday", mondayNight, utcTime(t, "2024-03-03 23:30"), utcTime(t, "2024-03-04 00:30"), time.UTC, false},
		{"09:00 CET a week before the change", sundays, utcTime(t, "2024-03-24 08:00"), utcTime(t, "2024-03-24 09:00"), loc, true},
		{"same UTC hour is 10:00 CEST on the change day", sundays, utcTime(t, "2024-03-31 08:00"), utcTime(t, "2024-03-31 09:00"), loc, true},
		{"07:00 UTC is 09:00 CEST on the change day", sundays, utcTime(t, "2024-03-31 07:00"), utcTime(t, "2024-03-31 08:00"), loc, true},
		{"07:00 UTC was 08:00 CET a week before", sundays, utcTime(t, "2024-03-24 07:00"), utcTime(t, "2024-03-24 08:00"), loc, false},
		{"across the spring gap 01:30 CET to 03:30 CEST", sundays, utcTime(t, "2024-03-31 00:30"), utcTime(t, "2024-03-31 01:30"), loc, true},
		{"03:00 to 04:00 CEST ends the short span", sundays, utcTime(t, "2024-03-31 01:00"), utcTime(t, "2024-03-31 02:00"), loc, true},
		{"04:30 CEST is past a span ending 04:00", sundays, utcTime(t, "2024-03-31 01:30"), utcTime(t, "2024-03-31 02:30"), loc, false},
		{"autumn: 02:00 CEST to 02:00 CET", sundays, utcTime(t, "2024-10-27 00:00"), utcTime(t, "2024-10-27 01:00"), loc, true},
		{"autumn: 01:00 CEST to 04:00 CET is four hours", sundays, utcTime(t, "2024-10-26 23:00"), utcTime(t, "2024-10-27 03:00"), loc, true},
		{"autumn: 04:00 CET is the end", sundays, utcTime(t, "2024-10-27 02:30"), utcTime(t, "2024-10-27 03:30"), loc, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.Covers(tt.start, tt.end, tt.loc); got != tt.want {
				t.Fatalf("Covers(%v, %v) = %v, want %v", tt.start.In(tt.loc), tt.end.In(tt.loc), got, tt.want)
			}
		})
	}
}

// Appointment and patient IDs for scheduling tests.
const (
	idApptA    ID = "018e08b0fa80000000000001"
	idApptB    ID = "018e08b0fa80000000000002"
	idApptC    ID = "018e08b0fa80000000000003"
	idPatientP ID = "018e08b0fa80000000000101"
	idPatientQ ID = "018e08b0fa80000000000102"
)

// heldSlot is a held slot of the given length in minutes.
func heldSlot(id ID, doctor, room string, patient ID, start time.Time, minutes int) Slot {
	return Slot{ID: id, Doctor: doctor, Room: room, PatientID: patient, Start: start, End: start.Add(time.Duration(minutes) * time.Minute), Holds: true}
}

func TestClashes(t *testing.T) {
	ten := utcTime(t, "2024-03-04 10:00")
	s := heldSlot(idApptA, "dr-x", "r1", idPatientP, ten, 30)
	freed := func(st AppointmentStatus) Slot {
		a := &Appointment{Meta: Meta{ID: idApptB}, PatientID: idPatientP, Doctor: "dr-x", Room: "r1", Start: ten, Minutes: 30, Status: st}
		return a.Slot()
	}
	tests := []struct {
		name   string
		s      Slot
		others []Slot
		want   []Clash
	}{
		{"nothing else", s, nil, nil},
		{"same doctor", s, []Slot{heldSlot(idApptB, "dr-x", "r2", idPatientQ, ten.Add(15*time.Minute), 30)}, []Clash{{idApptB, "doctor"}}},
		{"same room", s, []Slot{heldSlot(idApptB, "dr-y", "r1", idPatientQ, ten.Add(-15*time.Minute), 30)}, []Clash{{idApptB, "room"}}},
		{"same patient", s, []Slot{heldSlot(idApptB, "dr-y", "r2", idPatientP, ten, 60)}, []Clash{{idApptB, "patient"}}},
		{"inside a longer one", s, []Slot{heldSlot(idApptB, "dr-x", "r2", idPatientQ, ten.Add(-time.Hour), 180)}, []Clash{{idApptB, "doctor"}}},
		{"one clash per appointment, doctor first", s, []Slot{heldSlot(idApptB, "dr-x", "r1", idPatientP, ten, 30)}, []Clash{{idApptB, "doctor"}}},
		{"ends when s starts", s, []Slot{heldSlot(idApptB, "dr-x", "r1", idPatientP, ten.Add(-30*time.Minute), 30)}, nil},
		{"starts when s ends", s, []Slot{heldSlot(idApptB, "dr-x", "r1", idPatientP, ten.Add(30*time.Minute), 30)}, nil},
		{"other doctor, room and patient", s, []Slot{heldSlot(idApptB, "dr-y", "r2", idPatientQ, ten, 30)}, nil},
		{"no room is not a shared room", heldSlot(idApptA, "dr-x", "", idPatientP, ten, 30), []Slot{heldSlot(idApptB, "dr-y", "", idPatientQ, ten, 30)}, nil},
		{"cancelled frees the slot", s, []Slot{freed(ApptCancelled)}, nil},
		{"no-show frees the slot", s, []Slot{freed(ApptNoShow)}, nil},
		{"booked holds the slot", s, []Slot{freed(ApptBooked)}, []Clash{{idApptB, "doctor"}}},
		{"checked in holds the slot", s, []Slot{freed(ApptCheckedIn)}, []Clash{{idApptB, "doctor"}}},
		{"never with itself", s, []Slot{heldSlot(idApptA, "dr-x", "r1", idPatientP, ten, 30)}, nil},
		{"moved over its old time", heldSlot(idApptA, "dr-x", "r1", idPatientP, ten.Add(15*time.Minute), 30), []Slot{s}, nil},
		{"several, in order", s, []Slot{
			heldSlot(idApptB, "dr-y", "r2", idPatientP, ten, 30),
			heldSlot(idApptC, "dr-x", "r3", idPatientQ, ten, 30),
			heldSlot(idApptA, "dr-x", "r1", idPatientP, ten, 30),
		}, []Clash{{idApptB, "patient"}, {idApptC, "doctor"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Clashes(tt.s, tt.others)
			if len(got) != len(tt.want) || len(got) > 0 && !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Clashes = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestNextFree(t *testing.T) {
	loc := berlinZone(t)
	weekdays := weekdaySchedule()
	sundays := &Schedule{Doctor: "dr-x", SlotMinutes: 30}
	sundays.Hours[time.Sunday] = []Span{hoursSpan(9, 0, 12, 0)}
	noSlot := weekdaySchedule()
	noSlot.SlotMinutes = 0

	// want is the appointment to place; only its length matters.
	anyDay := utcTime(t, "2000-01-01 00:00")
	want := func(minutes int) Slot {
		return heldSlot("", "dr-x", "r1", idPatientP, anyDay, minutes)
	}
	mon := func(hhmm string) time.Time { return wallTime(t, loc, "2024-03-04 "+hhmm) }
	cancelled := heldSlot(idApptB, "dr-x", "r1", idPatientQ, mon("09:00"), 60)
	cancelled.Holds = false
	// wholeDay keeps the doctor busy every day it is asked about.
	wholeDay := func(d Date) []Slot {
		start, _ := d.Time(loc)
		return []Slot{heldSlot(idApptC, "dr-x", "r9", idPatientQ, start, 24*60)}
	}

	tests := []struct {
		name   string
		s      *Schedule
		want   Slot
		from   time.Time
		days   int
		busy   map[Date][]Slot
		busyFn func(Date) []Slot
		at     time.Time
		ok     bool
		asked  []Date
	}{
		{"first slot of the day", weekdays, want(30), mon("08:00"), 7, nil, nil, mon("09:00"), true, []Date{"2024-03-04"}},
		{"next boundary after from", weekdays, want(30), mon("10:10"), 7, nil, nil, mon("10:30"), true, nil},
		{"from on a boundary", weekdays, want(30), mon("10:30"), 7, nil, nil, mon("10:30"), true, nil},
		{"skips the doctor's busy hour", weekdays, want(30), mon("08:00"), 7,
			map[Date][]Slot{"2024-03-04": {heldSlot(idApptB, "dr-x", "r2", idPatientQ, mon("09:00"), 60)}}, nil, mon("10:00"), true, nil},
		{"busy off the grid pushes to the next boundary", weekdays, want(30), mon("08:00"), 7,
			map[Date][]Slot{"2024-03-04": {heldSlot(idApptB, "dr-x", "r2", idPatientQ, mon("09:10"), 10)}}, nil, mon("09:30"), true, nil},
		{"a cancelled appointment frees its slot", weekdays, want(30), mon("08:00"), 7,
			map[Date][]Slot{"2024-03-04": {cancelled}}, nil, mon("09:00"), true, nil},
		{"patient busy with another doctor", weekdays, want(30), mon("08:00"), 7,
			map[Date][]Slot{"2024-03-04": {heldSlot(idApptB, "dr-y", "r2", idPatientP, mon("09:00"), 30)}}, nil, mon("09:30"), true, nil},
		{"room taken by another doctor", weekdays, want(30), mon("08:00"), 7,
			map[Date][]Slot{"2024-03-04": {heldSlot(idApptB, "dr-y", "r1", idPatientQ, mon("09:00"), 60)}}, nil, mon("10:00"), true, nil},
		{"moving an appointment may keep its own time", weekdays, heldSlot(idApptB, "dr-x", "r1", idPatientP, anyDay, 30), mon("08:00"), 7,
			map[Date][]Slot{"2024-03-04": {heldSlot(idApptB, "dr-x", "r1", idPatientP, mon("09:00"), 30)}}, nil, mon("09:00"), true, nil},
		{"long visit waits for a span it fits", weekdays, want(60), mon("11:10"), 7, nil, nil, mon("13:00"), true, nil},
		{"longer than any span", weekdays, want(5 * 60), mon("08:00"), 7, nil, nil, time.Time{}, false, nil},
		{"friday evening to monday", weekdays, want(30), wallTime(t, loc, "2024-03-08 16:45"), 7, nil, nil, wallTime(t, loc, "2024-03-11 09:00"), true,
			[]Date{"2024-03-08", "2024-03-11"}},
		{"weekend only in the horizon", weekdays, want(30), wallTime(t, loc, "2024-03-09 10:00"), 2, nil, nil, time.Time{}, false, []Date{}},
		{"horizon reaches monday", weekdays, want(30), wallTime(t, loc, "2024-03-09 10:00"), 3, nil, nil, wallTime(t, loc, "2024-03-11 09:00"), true, []Date{"2024-03-11"}},
		{"zero days", weekdays, want(30), mon("08:00"), 0, nil, nil, time.Time{}, false, []Date{}},
		{"fully booked", weekdays, want(30), mon("08:00"), 14, nil, wholeDay, time.Time{}, false, nil},
		{"no slot length", noSlot, want(30), mon("08:00"), 7, nil, nil, time.Time{}, false, nil},
		{"no appointment length", weekdays, want(0), mon("08:00"), 7, nil, nil, time.Time{}, false, nil},
		{"daylight-saving day", sundays, want(30), wallTime(t, loc, "2024-03-30 12:00"), 7, nil, nil, utcTime(t, "2024-03-31 07:00"), true, []Date{"2024-03-31"}},
		{"the sunday before is an hour later in UTC", sundays, want(30), wallTime(t, loc, "2024-03-23 12:00"), 7, nil, nil, utcTime(t, "2024-03-24 08:00"), true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			asked := []Date{}
			busy := func(d Date) []Slot {
				asked = append(asked, d)
				if tt.busyFn != nil {
					return tt.busyFn(d)
				}
				return tt.busy[d]
			}
			got, ok := NextFree(tt.s, tt.want, tt.from, loc, tt.days, busy)
			if ok != tt.ok || !got.Equal(tt.at) {
				t.Fatalf("NextFree = %v, %v; want %v, %v", got.In(loc), ok, tt.at.In(loc), tt.ok)
			}
			if ok && got.Location() != time.UTC {
				t.Errorf("NextFree returned a time in %v, want UTC", got.Location())
			}
			if tt.asked != nil && !reflect.DeepEqual(asked, tt.asked) {
				t.Errorf("busy was asked about %v, want %v", asked, tt.asked)
			}
		})
	}
}

func TestClashError(t *testing.T) {
	err := error(&ClashError{
		OutsideHours: true,
		Clashes:      []Clash{{With: "018e08b0fa80aaaaaaaa1234", On: "doctor"}, {With: "018e08b0fa80aaaaaaaa5678", On: "room"}},
	})
	if !errors.Is(err, ErrClash) {
		t.Fatalf("errors.Is(%v, ErrClash) = false", err)
	}
	want := "core: outside the doctor's working hours; the doctor is already booked (appointment aaaa1234); the room is already booked (appointment aaaa5678)"
	if got := err.Error(); got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}
