package core

import (
	"math"
	"testing"
	"time"
)

func validVital(tb testing.TB) *Vital {
	tb.Helper()
	return &Vital{Meta: sampleMeta(30), PatientID: sampleID(1), RecordedBy: "nurse.kim", TakenAt: sampleAt, Metric: MetricHeartRate, Value: 72, Unit: "/min"}
}

func TestVitalValidate(t *testing.T) {
	assertValid(t, validVital(t))
	runInvalid(t, validVital, []invalidCase[*Vital]{
		{"no patient", func(v *Vital) { v.PatientID = "" }, []string{"patient"}},
		{"no recorder", func(v *Vital) { v.RecordedBy = "" }, []string{"recorded_by"}},
		{"no time", func(v *Vital) { v.TakenAt = time.Time{} }, []string{"taken_at"}},
		{"unknown metric", func(v *Vital) { v.Metric = "mood" }, []string{"metric"}},
		{"unknown metric, no unit", func(v *Vital) { v.Metric, v.Unit = "mood", "" }, []string{"metric", "unit"}},
		{"too low", func(v *Vital) { v.Value = 19 }, []string{"value"}},
		{"too high", func(v *Vital) { v.Value = 720 }, []string{"value"}},
		{"not a number", func(v *Vital) { v.Value = math.NaN() }, []string{"value"}},
		{"infinite", func(v *Vital) { v.Value = math.Inf(1) }, []string{"value"}},
		{"wrong unit", func(v *Vital) { v.Unit = "bpm" }, []string{"unit"}},
		{"fahrenheit", func(v *Vital) { v.Metric, v.Value, v.Unit = MetricTemperatureC, 98.6, "°C" }, []string{"value"}},
		{"pain not whole", func(v *Vital) { v.Metric, v.Value, v.Unit = MetricPainScore, 4.5, "/10" }, []string{"value"}},
		{"pain out of range", func(v *Vital) { v.Metric, v.Value, v.Unit = MetricPainScore, 11, "/10" }, []string{"value"}},
	})
}

// TestVitalRanges checks that every metric has a spec and that its bounds
// are accepted and the values just outside them refused.
func TestVitalRanges(t *testing.T) {
	for _, m := range Metrics {
		t.Run(string(m), func(t *testing.T) {
			spec, ok := m.Spec()
			if !ok {
				t.Fatalf("metric %q has no spec", m)
			}
			if spec.Unit == "" || spec.Min >= spec.Max {
				t.Fatalf("spec %+v is unusable", spec)
			}
			for _, v := range []float64{spec.Min, spec.Max} {
				vit := validVital(t)
				vit.Metric, vit.Value, vit.Unit = m, v, spec.Unit
				assertValid(t, vit)
			}
			for _, v := range []float64{spec.Min - 0.1, spec.Max + 0.1} {
				vit := validVital(t)
				vit.Metric, vit.Value, vit.Unit = m, v, spec.Unit
				assertFields(t, vit.Validate(), "value")
			}
		})
	}
	if len(metricSpecs) != len(Metrics) {
		t.Errorf("%d specs for %d metrics", len(metricSpecs), len(Metrics))
	}
	if _, ok := Metric("mood").Spec(); ok {
		t.Error("unknown metric has a spec")
	}
}
