package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"medisecure/core"
	"medisecure/store"
)

// vitalsCmd is clinic vitals.
func (a *app) vitalsCmd() *cobra.Command {
	return group("vitals", "record and list vital signs", a.vitalsAddCmd(), a.vitalsListCmd())
}

// vitalFlags are the flags of vitals add, one per metric, in the order
// they print.
var vitalFlags = []struct {
	name   string
	metric core.Metric
	usage  string
}{
	{"pulse", core.MetricHeartRate, "heart rate, beats a minute"},
	{"temp", core.MetricTemperatureC, "temperature, °C"},
	{"rr", core.MetricRespiratoryRate, "respiratory rate, breaths a minute"},
	{"spo2", core.MetricSpO2, "oxygen saturation, %"},
	{"weight", core.MetricWeightKg, "weight, kg"},
	{"height", core.MetricHeightCm, "height, cm"},
	{"glucose", core.MetricGlucoseMmol, "blood glucose, mmol/L"},
	{"pain", core.MetricPainScore, "pain score, 0 to 10"},
}

// vitalsAddCmd is clinic vitals add PATIENT --bp 120/80 ….
func (a *app) vitalsAddCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add PATIENT [--bp 120/80] [--pulse N] [--temp C] [--rr N] [--spo2 N] [--weight KG] [--height CM] [--glucose MMOL] [--pain N]",
		Short: "record a set of vitals (BMI derived from weight and height) and print each reading's ID",
		Args:  exactArgs(1),
	}
	f := cmd.Flags()
	bp := f.String("bp", "", "blood pressure, systolic/diastolic mmHg, such as 120/80")
	values := make([]float64, len(vitalFlags))
	for i, vf := range vitalFlags {
		f.Float64Var(&values[i], vf.name, 0, vf.usage)
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var readings []core.Reading
		if *bp != "" {
			r, err := core.ParseBP(*bp)
			if err != nil {
				return err
			}
			readings = r
		}
		for i, vf := range vitalFlags {
			if cmd.Flags().Changed(vf.name) {
				readings = append(readings, core.Reading{Metric: vf.metric, Value: values[i]})
			}
		}
		if len(readings) == 0 {
			return usagef("give at least one reading, such as --bp 120/80 or --pulse 72")
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			id, err := patientArg(s, args[0])
			if err != nil {
				return err
			}
			vs, err := s.AddVitals(id, a.e.now(), readings)
			if err != nil {
				return err
			}
			if a.c.json {
				return table(a.e.stdout, true, vs, nil, nil)
			}
			for _, v := range vs {
				fmt.Fprintf(a.e.stdout, "%s %s %s %s\n", v.ID, v.Metric, core.FormatValue(v.Value), v.Unit)
			}
			return nil
		})
	}
	return cmd
}

// vitalsListCmd is clinic vitals list PATIENT.
func (a *app) vitalsListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list PATIENT [--metric M]",
		Short: "list a patient's vitals, oldest first",
		Args:  exactArgs(1),
	}
	metric := cmd.Flags().String("metric", "", "only this metric (systolic_bp, heart_rate, weight_kg, bmi …)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if *metric != "" {
			if _, ok := core.Metric(*metric).Spec(); !ok {
				return usagef("unknown metric %q", *metric)
			}
		}
		return a.withChart(cmd, args[0], func(c core.Chart) error {
			list := []core.Vital{}
			for _, v := range c.Vitals {
				if *metric == "" || v.Metric == core.Metric(*metric) {
					list = append(list, v)
				}
			}
			rows := make([][]string, len(list))
			for i, v := range list {
				rows[i] = []string{v.TakenAt.In(a.e.zone()).Format("2006-01-02 15:04"), string(v.Metric), core.FormatValue(v.Value), v.Unit, v.RecordedBy}
			}
			return table(a.e.stdout, a.c.json, list, []string{"TAKEN", "METRIC", "VALUE", "UNIT", "BY"}, rows)
		})
	}
	return cmd
}
