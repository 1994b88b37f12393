package core

import (
	"testing"
	"time"
)

func TestInCare(t *testing.T) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	doc := Principal{User: "dr.lee", Role: RoleDoctor}
	nurse := Principal{User: "nurse.kim", Role: RoleNurse}
	at := func(days int, doctor string) Appointment {
		return Appointment{Start: now.AddDate(0, 0, days), Doctor: doctor}
	}
	for _, tc := range []struct {
		name  string
		who   Principal
		appts []Appointment
		want  bool
	}{
		{"no appointments", doc, nil, false},
		{"own visit last month", doc, []Appointment{at(-30, "dr.lee")}, true},
		{"own visit in three weeks", doc, []Appointment{at(21, "dr.lee")}, true},
		{"own visit 13 months ago", doc, []Appointment{at(-400, "dr.lee")}, false},
		{"own visit in two months", doc, []Appointment{at(60, "dr.lee")}, false},
		{"another doctor's visit", doc, []Appointment{at(-1, "dr.okafor")}, false},
		{"a deleted visit", doc, []Appointment{{Start: now, Doctor: "dr.lee", Meta: Meta{Deleted: true}}}, false},
		{"nurse, any doctor's visit", nurse, []Appointment{at(-1, "dr.okafor")}, true},
		{"nurse, none", nurse, nil, false},
		{"reception needs none", Principal{User: "desk", Role: RoleReception}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := InCare(tc.who, tc.appts, now); got != tc.want {
				t.Fatalf("InCare = %v, want %v", got, tc.want)
			}
		})
	}
}
