package core

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// sampleID is a well-formed, recognisable ID for tests.
func sampleID(n int) ID { return ID(fmt.Sprintf("%024x", n)) }

// sampleAt is a fixed instant in UTC, so samples survive a JSON round trip
// unchanged.
var sampleAt = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

// sampleMeta is the shared part of a sample record.
func sampleMeta(n int) Meta {
	return Meta{ID: sampleID(n), CreatedAt: sampleAt, UpdatedAt: sampleAt.Add(time.Minute), CreatedBy: "dr.lee"}
}

// samples builds one valid record of every kind.
var samples = map[Kind]func(testing.TB) Entity{
	KindAddendum:    func(tb testing.TB) Entity { return validAddendum(tb) },
	KindAdherence:   func(tb testing.TB) Entity { return validAdherence(tb) },
	KindAllergy:     func(tb testing.TB) Entity { return validAllergy(tb) },
	KindAppointment: func(tb testing.TB) Entity { return sampleAppointment(tb) },
	KindAttachment:  func(tb testing.TB) Entity { return validAttachment(tb) },
	KindClaim:       func(tb testing.TB) Entity { return validClaim(tb) },
	KindConflict: func(tb testing.TB) Entity {
		return NewConflict("doctor", sampleID(7), sampleID(8), MakeHLC(sampleAt.UnixMilli(), 3))
	},
	KindConsent:      func(tb testing.TB) Entity { return validConsent(tb) },
	KindDelivery:     func(tb testing.TB) Entity { return validDelivery(tb) },
	KindDocument:     func(tb testing.TB) Entity { return validDocument(tb) },
	KindFee:          func(tb testing.TB) Entity { return validFee(tb) },
	KindInvoice:      func(tb testing.TB) Entity { return validInvoice(tb) },
	KindMedication:   func(tb testing.TB) Entity { return validMedication(tb) },
	KindMessage:      func(tb testing.TB) Entity { return validMessage(tb) },
	KindNote:         func(tb testing.TB) Entity { return sampleNote(tb) },
	KindNoteDraft:    func(tb testing.TB) Entity { return sampleDraft(tb) },
	KindNotification: func(tb testing.TB) Entity { return validNotification(tb) },
	KindNotifyConfig: func(tb testing.TB) Entity { return validNotifyConfig(tb) },
	KindPatient:      func(tb testing.TB) Entity { return samplePatient(tb) },
	KindPayment:      func(tb testing.TB) Entity { return validPayment(tb) },
	KindPrescription: func(tb testing.TB) Entity { return validPrescription(tb) },
	KindProblem:      func(tb testing.TB) Entity { return validProblem(tb) },
	KindReceipt:      func(tb testing.TB) Entity { return validReceipt(tb) },
	KindRefill:       func(tb testing.TB) Entity { return validRefill(tb) },
	KindReminder:     func(tb testing.TB) Entity { return validReminder(tb) },
	KindSchedule:     func(tb testing.TB) Entity { return sampleSchedule(tb) },
	KindTelesession:  func(tb testing.TB) Entity { return validTelesession(tb) },
	KindVital:        func(tb testing.TB) Entity { return validVital(tb) },
}

func samplePatient(tb testing.TB) *Patient {
	tb.Helper()
	return &Patient{
		Meta: sampleMeta(1), Name: "Ana Silva", DOB: "1984-03-27", Sex: "female",
		Phone: "+351 912 345 678", Email: "ana@example.org", Address: "Rua 1, Lisboa",
		Consent: ConsentFlags{SMS: true, Email: true, Telemedicine: true},
	}
}

func sampleAppointment(tb testing.TB) *Appointment {
	tb.Helper()
	return &Appointment{
		Meta: sampleMeta(2), PatientID: sampleID(1), Doctor: "dr.lee", Start: sampleAt,
		Minutes: 20, Room: "2", Reason: "cough", Status: ApptCheckedIn, CheckedInAt: sampleAt.Add(-5 * time.Minute),
	}
}

func sampleNote(tb testing.TB) *Note {
	tb.Helper()
	return &Note{Meta: sampleMeta(3), PatientID: sampleID(1), AppointmentID: sampleID(2), Author: "dr.lee", Subjective: "cough for 3 days", Plan: "rest"}
}

func sampleSchedule(tb testing.TB) *Schedule {
	tb.Helper()
	s := &Schedule{Meta: sampleMeta(4), Doctor: "dr.lee", SlotMinutes: 15, Rooms: []string{"2"}}
	s.Hours[time.Monday] = []Span{{Start: 9 * 60, End: 12 * 60}, {Start: 13 * 60, End: 17 * 60}}
	return s
}

func TestEveryKindHasAConstructor(t *testing.T) {
	for _, k := range Kinds {
		t.Run(string(k), func(t *testing.T) {
			e, err := New(k)
			if err != nil {
				t.Fatalf("New(%q): %v", k, err)
			}
			if got := e.Kind(); got != k {
				t.Errorf("New(%q).Kind() = %q", k, got)
			}
		})
	}
	if _, err := New("horse"); err == nil {
		t.Error(`New("horse") succeeded`)
	}
}

func TestSamplesAreValid(t *testing.T) {
	for _, k := range Kinds {
		t.Run(string(k), func(t *testing.T) {
			sample, ok := samples[k]
			if !ok {
				t.Fatalf("no sample for kind %q", k)
			}
			assertValid(t, sample(t))
		})
	}
}

// TestRoundTrip splits each sample into fields, carries them in a change,
// merges that into an empty record and decodes the record: the result must
// equal the sample.
func TestRoundTrip(t *testing.T) {
	for _, k := range Kinds {
		t.Run(string(k), func(t *testing.T) {
			want := samples[k](t)
			fields, err := FieldsOf(want)
			if err != nil {
				t.Fatal(err)
			}
			rec := NewRecord(k, want.Base().ID)
			ch := &Change{Kind: k, ID: want.Base().ID, Fields: fields, Author: "dr.lee", Device: "dev-1", Seq: 1, HLC: MakeHLC(sampleAt.UnixMilli(), 0)}
			if err := ch.Validate(); err != nil {
				t.Fatal(err)
			}
			if !rec.Apply(ch) {
				t.Fatal("Apply changed nothing")
			}
			got, err := New(k)
			if err != nil {
				t.Fatal(err)
			}
			if err := rec.Decode(got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip changed the record:\n got %#v\nwant %#v", got, want)
			}
		})
	}
}

// assertValid fails the test when e does not validate.
func assertValid(tb testing.TB, e Entity) {
	tb.Helper()
	if err := e.Validate(); err != nil {
		tb.Fatalf("valid %s rejected: %v", e.Kind(), err)
	}
}

// assertFields checks that err is a *ValidationError wrapping ErrInvalid that
// names exactly the fields want, each with a message.
func assertFields(tb testing.TB, err error, want ...string) {
	tb.Helper()
	if !errors.Is(err, ErrInvalid) {
		tb.Fatalf("error %v does not wrap ErrInvalid", err)
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		tb.Fatalf("error %v is not a *ValidationError", err)
	}
	var got []string
	for _, f := range ve.Fields {
		if f.Message == "" {
			tb.Errorf("field %s has no message", f.Field)
		}
		if !slices.Contains(got, f.Field) {
			got = append(got, f.Field)
		}
	}
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		tb.Errorf("fields in error = %v, want %v (%v)", got, want, err)
	}
}

// invalidCase breaks a valid record in one way and names the fields that
// must then be reported.
type invalidCase[E Entity] struct {
	name   string
	mutate func(E)
	fields []string
}

// runInvalid applies each case to a fresh valid record and checks the fields
// its validation error names.
func runInvalid[E Entity](t *testing.T, valid func(testing.TB) E, cases []invalidCase[E]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := valid(t)
			tc.mutate(e)
			assertFields(t, e.Validate(), tc.fields...)
		})
	}
}

// assertMachine checks every pair of states: the allowed moves pass, every
// other is a *TransitionError wrapping ErrTransition that names both states.
func assertMachine[S ~string](t *testing.T, check func(from, to S) error, states []S, allowed map[[2]S]bool) {
	t.Helper()
	for _, from := range states {
		for _, to := range states {
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				err := check(from, to)
				if allowed[[2]S{from, to}] {
					if err != nil {
						t.Errorf("allowed move refused: %v", err)
					}
					return
				}
				if !errors.Is(err, ErrTransition) {
					t.Fatalf("illegal move gave %v, want ErrTransition", err)
				}
				var te *TransitionError
				if !errors.As(err, &te) || te.From != string(from) || te.To != string(to) {
					t.Errorf("error %#v does not carry both states", err)
				}
				if msg := err.Error(); !strings.Contains(msg, "from "+string(from)+" to "+string(to)) {
					t.Errorf("message %q does not name both states", msg)
				}
			})
		}
	}
}

// assertParse checks that parse accepts every state and refuses a stranger
// with a message listing the states.
func assertParse[S ~string](t *testing.T, parse func(string) (S, error), states []S) {
	t.Helper()
	for _, s := range states {
		if got, err := parse(string(s)); err != nil || got != s {
			t.Errorf("parse(%q) = %q, %v", s, got, err)
		}
	}
	_, err := parse("bogus")
	assertFields(t, err, "status")
	if !strings.Contains(err.Error(), string(states[0])) {
		t.Errorf("error %q does not list the states", err)
	}
}
