package core

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNewVitals(t *testing.T) {
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	bp, err := ParseBP("120/80")
	if err != nil {
		t.Fatal(err)
	}
	rs := append(bp, Reading{MetricHeartRate, 72}, Reading{MetricTemperatureC, 37.1}, Reading{MetricSpO2, 98}, Reading{MetricWeightKg, 70.5}, Reading{MetricHeightCm, 175})
	vs, err := NewVitals(sampleID(1), "nurse.kim", at, rs, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 8 || vs[7].Metric != MetricBMI || vs[7].Value != 23 || vs[7].Unit != "kg/m²" || vs[0].Unit != "mmHg" {
		t.Fatalf("vitals %+v", vs)
	}
	// A weight alone takes the height on file for the BMI.
	vs, err = NewVitals(sampleID(1), "nurse.kim", at, []Reading{{MetricWeightKg, 80}}, 180)
	if err != nil || len(vs) != 2 || vs[1].Value != 24.7 {
		t.Fatalf("weight with the height on file: %v %+v", err, vs)
	}
	if vs, _ := NewVitals(sampleID(1), "nurse.kim", at, []Reading{{MetricWeightKg, 80}}, 0); len(vs) != 1 {
		t.Fatalf("no height: %+v", vs)
	}
	for _, tc := range []struct {
		name string
		rs   []Reading
		says string
	}{
		{"pulse typed 720", []Reading{{MetricHeartRate, 720}}, "heart_rate must be between 20 and 250 /min"},
		{"temperature in Fahrenheit", []Reading{{MetricTemperatureC, 98.6}}, "temperature_c must be between 25 and 45 °C"},
		{"SpO2 over 100", []Reading{{MetricSpO2, 101}}, "spo2 must be between 50 and 100 %"},
		{"two wrong at once", []Reading{{MetricSpO2, 20}, {MetricWeightKg, 0}}, "spo2 must be between 50 and 100 %; weight_kg must be"},
		{"nothing", nil, "needs at least one reading"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewVitals(sampleID(1), "nurse.kim", at, tc.rs, 0)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("%v, want %q", err, tc.says)
			}
		})
	}
	for _, bad := range []string{"120", "80/120", "a/b", "120/"} {
		if _, err := ParseBP(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseBP(%q): %v", bad, err)
		}
	}
}
