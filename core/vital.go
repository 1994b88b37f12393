package core

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Metric names what a vital sign measures; the unit is part of the name so a
// reading can never be read in the wrong unit.
type Metric string

// The metrics a vital can record.
const (
	MetricSystolicBP      Metric = "systolic_bp"
	MetricDiastolicBP     Metric = "diastolic_bp"
	MetricHeartRate       Metric = "heart_rate"
	MetricTemperatureC    Metric = "temperature_c"
	MetricRespiratoryRate Metric = "respiratory_rate"
	MetricSpO2            Metric = "spo2"
	MetricWeightKg        Metric = "weight_kg"
	MetricHeightCm        Metric = "height_cm"
	MetricGlucoseMmol     Metric = "glucose_mmol"
	MetricBMI             Metric = "bmi"
	MetricPainScore       Metric = "pain_score"
)

// Metrics lists every metric, in the order a vitals form asks for them.
var Metrics = []Metric{
	MetricSystolicBP, MetricDiastolicBP, MetricHeartRate, MetricTemperatureC,
	MetricRespiratoryRate, MetricSpO2, MetricWeightKg, MetricHeightCm,
	MetricGlucoseMmol, MetricBMI, MetricPainScore,
}

// MetricSpec is the unit of a metric and the range a real reading falls in.
// The range is wide on purpose: it catches typing slips (a pulse of 720, a
// temperature in Fahrenheit), not abnormal values, which must be recordable.
type MetricSpec struct {
	Unit     string
	Min, Max float64
	// Whole is set when readings are whole numbers (a pain score).
	Whole bool
}

// metricSpecs is the plausible-range table Validate checks readings against.
var metricSpecs = map[Metric]MetricSpec{
	MetricSystolicBP:      {Unit: "mmHg", Min: 40, Max: 300},
	MetricDiastolicBP:     {Unit: "mmHg", Min: 20, Max: 200},
	MetricHeartRate:       {Unit: "/min", Min: 20, Max: 250},
	MetricTemperatureC:    {Unit: "°C", Min: 25, Max: 45},
	MetricRespiratoryRate: {Unit: "/min", Min: 4, Max: 80},
	MetricSpO2:            {Unit: "%", Min: 50, Max: 100},
	MetricWeightKg:        {Unit: "kg", Min: 0.3, Max: 500},
	MetricHeightCm:        {Unit: "cm", Min: 20, Max: 280},
	MetricGlucoseMmol:     {Unit: "mmol/L", Min: 0.5, Max: 50},
	MetricBMI:             {Unit: "kg/m²", Min: 8, Max: 100},
	MetricPainScore:       {Unit: "/10", Min: 0, Max: 10, Whole: true},
}

// Spec returns the unit and plausible range of m, and false when m is not a
// metric.
func (m Metric) Spec() (MetricSpec, bool) {
	s, ok := metricSpecs[m]
	return s, ok
}

// Vital is one reading of one metric, taken from a patient at an instant.
// Vitals are append-only: a wrong reading is corrected by a new one and a
// note, never edited.
type Vital struct {
	Meta
	PatientID  ID        `json:"patient_id"`
	RecordedBy string    `json:"recorded_by"`
	TakenAt    time.Time `json:"taken_at"`
	Metric     Metric    `json:"metric"`
	Value      float64   `json:"value"`
	Unit       string    `json:"unit"`
}

func init() { register(KindVital, func() Entity { return &Vital{} }) }

// Kind is KindVital.
func (*Vital) Kind() Kind { return KindVital }

// Validate checks every field and lists all that are wrong: the value must be
// in the metric's plausible range and the unit must be the metric's unit.
func (v *Vital) Validate() error {
	c := &checker{kind: KindVital}
	c.refID("patient", v.PatientID, "a patient")
	c.staff("recorded_by", v.RecordedBy)
	if v.TakenAt.IsZero() {
		c.add("taken_at", "is required")
	}
	spec, ok := v.Metric.Spec()
	if !ok {
		c.add("metric", "must be one of systolic_bp, diastolic_bp, heart_rate, temperature_c, respiratory_rate, spo2, weight_kg, height_cm, glucose_mmol, bmi, pain_score")
	}
	switch {
	case math.IsNaN(v.Value) || math.IsInf(v.Value, 0):
		c.add("value", "must be a number")
	case !ok:
	case v.Value < spec.Min || v.Value > spec.Max:
		c.add("value", fmt.Sprintf("must be between %s and %s %s for %s", num(spec.Min), num(spec.Max), spec.Unit, v.Metric))
	case spec.Whole && v.Value != math.Trunc(v.Value):
		c.add("value", fmt.Sprintf("must be a whole number for %s", v.Metric))
	}
	switch {
	case !ok:
		if c.require("unit", v.Unit) {
			c.maxLen("unit", v.Unit, 20)
		}
	case v.Unit != spec.Unit:
		c.add("unit", fmt.Sprintf("must be %s for %s", spec.Unit, v.Metric))
	}
	c.freeText(v)
	return c.err()
}

// num renders a range bound without trailing zeros: 0.3, 250.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// FormatValue renders a reading for a person: at most one decimal, no
// trailing zeros (72, 37.1, 70.5).
func FormatValue(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

// BMI is the body-mass index of a weight in kilograms and a height in
// centimetres, to one decimal.
func BMI(weightKg, heightCm float64) float64 {
	m := heightCm / 100
	return math.Round(weightKg/(m*m)*10) / 10
}

// Reading is one measurement typed at the desk, before it becomes a Vital.
type Reading struct {
	Metric Metric
	Value  float64
}

// ParseBP reads a blood pressure written "120/80" into its systolic and
// diastolic readings.
func ParseBP(s string) ([]Reading, error) {
	sys, dia, ok := strings.Cut(strings.TrimSpace(s), "/")
	a, errA := strconv.ParseFloat(strings.TrimSpace(sys), 64)
	b, errB := strconv.ParseFloat(strings.TrimSpace(dia), 64)
	if !ok || errA != nil || errB != nil {
		return nil, &ValidationError{Kind: KindVital, Fields: []FieldError{{Field: "bp", Message: "must be systolic/diastolic, such as 120/80"}}}
	}
	if b >= a {
		return nil, &ValidationError{Kind: KindVital, Fields: []FieldError{{Field: "bp", Message: "diastolic must be below systolic (" + s + ")"}}}
	}
	return []Reading{{MetricSystolicBP, a}, {MetricDiastolicBP, b}}, nil
}

// NewVitals turns one set of readings taken at t into vitals with their
// units, adding the BMI when the set has a weight and a height (or
// heightCm, the last height on file, is above zero). It validates every
// reading and lists all that are out of their plausible range.
func NewVitals(patient ID, by string, t time.Time, readings []Reading, heightCm float64) ([]Vital, error) {
	var out []Vital
	var weight float64
	var errs []FieldError
	for _, r := range readings {
		spec, _ := r.Metric.Spec()
		v := Vital{PatientID: patient, RecordedBy: by, TakenAt: t, Metric: r.Metric, Value: r.Value, Unit: spec.Unit}
		if err := v.Validate(); err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				for _, fe := range ve.Fields {
					errs = append(errs, FieldError{Field: string(r.Metric), Message: strings.TrimSuffix(fe.Message, " for "+string(r.Metric))})
				}
				continue
			}
			return nil, err
		}
		switch r.Metric {
		case MetricWeightKg:
			weight = r.Value
		case MetricHeightCm:
			heightCm = r.Value
		}
		out = append(out, v)
	}
	if len(errs) > 0 {
		return nil, &ValidationError{Kind: KindVital, Fields: errs}
	}
	if len(out) == 0 {
		return nil, &ValidationError{Kind: KindVital, Fields: []FieldError{{Field: "vitals", Message: "needs at least one reading"}}}
	}
	if weight > 0 && heightCm > 0 {
		bmi := Vital{PatientID: patient, RecordedBy: by, TakenAt: t, Metric: MetricBMI, Value: BMI(weight, heightCm), Unit: metricSpecs[MetricBMI].Unit}
		if err := bmi.Validate(); err != nil {
			return nil, err
		}
		out = append(out, bmi)
	}
	return out, nil
}
