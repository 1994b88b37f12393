package chart

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

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

// vitalFields are the vitals form's fields and the metric each records;
// blood pressure is typed "120/80" and becomes two readings.
var vitalFields = []struct {
	field  formField
	metric core.Metric
}{
	{formField{"BP", "systolic/diastolic, e.g. 120/80"}, ""},
	{formField{"Pulse /min", "e.g. 72"}, core.MetricHeartRate},
	{formField{"Temp °C", "e.g. 37.1"}, core.MetricTemperatureC},
	{formField{"Resp /min", "e.g. 16"}, core.MetricRespiratoryRate},
	{formField{"SpO2 %", "e.g. 98"}, core.MetricSpO2},
	{formField{"Weight kg", "e.g. 70.5"}, core.MetricWeightKg},
	{formField{"Height cm", "e.g. 175 (BMI is derived)"}, core.MetricHeightCm},
}

// readings turns the vitals form's values into readings; a value that is
// not a number is a *core.ValidationError naming its field.
func readings(values []string) ([]core.Reading, error) {
	var out []core.Reading
	var bad []core.FieldError
	for i, v := range values {
		if v == "" {
			continue
		}
		if vitalFields[i].metric == "" {
			bp, err := core.ParseBP(v)
			if err != nil {
				return nil, err
			}
			out = append(out, bp...)
			continue
		}
		n, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
		if err != nil {
			bad = append(bad, core.FieldError{Field: vitalFields[i].field.label, Message: "must be a number"})
			continue
		}
		out = append(out, core.Reading{Metric: vitalFields[i].metric, Value: n})
	}
	if len(bad) > 0 {
		return nil, &core.ValidationError{Kind: core.KindVital, Fields: bad}
	}
	return out, nil
}

// keyVitals opens the vitals form.
var keyVitals = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "record vitals"))

// vitalsForm is the form that records one set of vitals.
func (s *Screen) vitalsForm() *form {
	fields := make([]formField, len(vitalFields))
	for i, vf := range vitalFields {
		fields[i] = vf.field
	}
	pid := s.patientID
	return newForm("Record vitals", func(v []string) tea.Cmd {
		return saveCmd(s.ID(), "Vitals recorded.", func() error {
			rs, err := readings(v)
			if err != nil {
				return err
			}
			_, err = s.port.AddVitals(pid, time.Time{}, rs)
			return err
		})
	}, fields...)
}
