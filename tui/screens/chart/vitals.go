package chart

import (
	"fmt"
	"strings"

	"medisecure/core"
	"medisecure/tui/ui"
)

// metricLabels name the metrics as a chart reads them.
var metricLabels = map[core.Metric]string{
	core.MetricSystolicBP: "BP systolic", core.MetricDiastolicBP: "BP diastolic",
	core.MetricHeartRate: "Pulse", core.MetricTemperatureC: "Temperature",
	core.MetricRespiratoryRate: "Resp. rate", core.MetricSpO2: "SpO2",
	core.MetricWeightKg: "Weight", core.MetricHeightCm: "Height",
	core.MetricGlucoseMmol: "Glucose", core.MetricBMI: "BMI", core.MetricPainScore: "Pain",
}

// metricLabel is a metric's name for the screen.
func metricLabel(m core.Metric) string {
	if l, ok := metricLabels[m]; ok {
		return l
	}
	return ui.Text(string(m))
}

// sparkBars are the eight heights of a sparkline cell.
var sparkBars = []rune("▁▂▃▄▅▆▇█")

// spark draws values as a sparkline of at most w cells (the newest
// values when there are more).
func spark(values []float64, w int) string {
	if w <= 0 || len(values) == 0 {
		return ""
	}
	if len(values) > w {
		values = values[len(values)-w:]
	}
	lo, hi := values[0], values[0]
	for _, v := range values {
		lo, hi = min(lo, v), max(hi, v)
	}
	var b strings.Builder
	for _, v := range values {
		i := 0
		if hi > lo {
			i = int((v - lo) / (hi - lo) * float64(len(sparkBars)-1))
		}
		b.WriteRune(sparkBars[i])
	}
	return b.String()
}

// vitalsLines is one trend per metric measured: the label, the last value
// with its unit, a sparkline, and the lowest and highest values in words,
// so the trend reads without colour and without the bars.
func (s *Screen) vitalsLines() []string {
	st := s.S.Styles
	var out []string
	for _, m := range core.Metrics {
		series := s.chart.Series(m)
		if len(series) == 0 {
			continue
		}
		vals := make([]float64, len(series))
		lo, hi := series[0].Value, series[0].Value
		for i, v := range series {
			vals[i] = v.Value
			lo, hi = min(lo, v.Value), max(hi, v.Value)
		}
		last := series[len(series)-1]
		head := fmt.Sprintf("%-12s %6s %-6s", metricLabel(m), core.FormatValue(last.Value), ui.Text(last.Unit))
		tail := fmt.Sprintf(" min %s max %s, %d readings", core.FormatValue(lo), core.FormatValue(hi), len(series))
		w := max(0, s.Width-len([]rune(head))-len(tail)-2)
		out = append(out, head+" "+spark(vals, min(w, 40))+st.Subtle.Render(tail))
	}
	if len(out) == 0 {
		return []string{st.Subtle.Render("No vitals recorded.")}
	}
	return append([]string{st.Bold.Render("Trends (oldest to newest)")}, out...)
}
