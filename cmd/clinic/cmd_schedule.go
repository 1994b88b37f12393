package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"medisecure/core"
	"medisecure/store"
)

// scheduleCmd is clinic schedule: a doctor's working hours, slot length
// and rooms, without which nobody can book them.
func (a *app) scheduleCmd() *cobra.Command {
	return group("schedule", "set or show a doctor's working hours, slot length and rooms", a.scheduleSetCmd(), a.scheduleShowCmd())
}

// scheduleSetCmd is clinic schedule set.
func (a *app) scheduleSetCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   `set --doctor USER --days mon-fri --hours 08:00-12:00,13:00-17:00 [--slot 15] [--room "Room 1"]…`,
		Short: "set the hours of some weekdays (others keep theirs), the slot length and the rooms",
		Long: `Set a doctor's working hours on the days --days names (mon-fri, mon,wed,fri, sat),
to the spans --hours lists (08:00-12:00,13:00-17:00), or to none with --hours off.
Days not named keep the hours they had. --slot is the usual appointment length
in minutes, the default of clinic appt book; --room (repeatable) the rooms used.
Admins set anyone's schedule, doctors their own.`,
		Args: noArgs,
	}
	f := cmd.Flags()
	doctor := f.String("doctor", "", "the doctor's user name (required)")
	days := f.String("days", "", "weekdays, like mon-fri or mon,wed,fri")
	hours := f.String("hours", "", "working hours on those days, like 08:00-17:00 or 08:00-12:00,13:00-17:00, or off")
	slot := f.Int("slot", 15, "appointment length in minutes, 5 to 240")
	rooms := f.StringArray("room", nil, "a room the doctor uses (repeat for several)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if *doctor == "" {
			return usagef("schedule set needs --doctor USER")
		}
		if (*days == "") != (*hours == "") {
			return usagef("schedule set needs --days and --hours together, like --days mon-fri --hours 08:00-17:00")
		}
		var weekdays []time.Weekday
		var spans []core.Span
		if *days != "" {
			var err error
			if weekdays, err = parseDays(*days); err != nil {
				return usageErr(fmt.Errorf("--days: %v", err))
			}
			if spans, err = parseHours(*hours); err != nil {
				return usageErr(fmt.Errorf("--hours: %v", err))
			}
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			if me := s.User(); me.Role == core.RoleDoctor && me.Name != *doctor {
				return &core.DeniedError{Role: me.Role, Action: core.ActUpdate, Kind: core.KindSchedule, Reason: "a doctor sets only their own hours"}
			}
			sc, err := s.Schedule(*doctor)
			if errors.Is(err, store.ErrNoSchedule) {
				sc, err = core.Schedule{Doctor: *doctor, SlotMinutes: *slot}, nil
			}
			if err != nil {
				return err
			}
			for _, d := range weekdays {
				sc.Hours[d] = spans
			}
			if cmd.Flags().Changed("slot") {
				sc.SlotMinutes = *slot
			}
			if cmd.Flags().Changed("room") {
				sc.Rooms = *rooms
			}
			if sc, err = s.SetSchedule(sc); err != nil {
				return err
			}
			return printSchedule(a, sc)
		})
	}
	return cmd
}

// scheduleShowCmd is clinic schedule show.
func (a *app) scheduleShowCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show --doctor USER [--json]",
		Short: "print a doctor's working hours, slot length and rooms",
		Args:  noArgs,
	}
	doctor := cmd.Flags().String("doctor", "", "the doctor's user name (required)")
	cmd.RunE = func(*cobra.Command, []string) error {
		if *doctor == "" {
			return usagef("schedule show needs --doctor USER")
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			sc, err := s.Schedule(*doctor)
			if errors.Is(err, store.ErrNoSchedule) {
				return refusal{fmt.Errorf("%s has no working hours set; set them with clinic schedule set --doctor %s --days mon-fri --hours 08:00-17:00", *doctor, *doctor)}
			}
			if err != nil {
				return err
			}
			return printSchedule(a, sc)
		})
	}
	return cmd
}

// scheduleJSON is a schedule as clinic schedule show --json prints it.
type scheduleJSON struct {
	Doctor      string              `json:"doctor"`
	SlotMinutes int                 `json:"slot_minutes"`
	Rooms       []string            `json:"rooms"`
	Hours       map[string][]string `json:"hours"`
}

// printSchedule prints the week, Monday first, as a table or JSON.
func printSchedule(a *app, sc core.Schedule) error {
	out := scheduleJSON{Doctor: sc.Doctor, SlotMinutes: sc.SlotMinutes, Rooms: sc.Rooms, Hours: map[string][]string{}}
	if out.Rooms == nil {
		out.Rooms = []string{}
	}
	var rows [][]string
	for i := 1; i <= 7; i++ {
		d := time.Weekday(i % 7)
		var spans []string
		for _, sp := range sc.Hours[d] {
			spans = append(spans, sp.String())
		}
		out.Hours[dayNames[d]] = append([]string{}, spans...)
		hours := strings.Join(spans, ", ")
		if hours == "" {
			hours = "off"
		}
		rows = append(rows, []string{d.String()[:3], hours})
	}
	if a.c.json {
		return table(a.e.stdout, true, out, nil, nil)
	}
	rooms := strings.Join(sc.Rooms, ", ")
	if rooms == "" {
		rooms = "none named"
	}
	fmt.Fprintf(a.e.stdout, "%s: %d-minute slots; rooms: %s\n", core.SafeText(sc.Doctor), sc.SlotMinutes, core.SafeText(rooms))
	return table(a.e.stdout, false, nil, []string{"DAY", "HOURS"}, rows)
}

// dayNames are the weekdays as --days spells them, Sunday first as
// time.Weekday counts.
var dayNames = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// parseDays reads "mon-fri", "mon,wed,fri", "sat-sun" or a mixture.
func parseDays(s string) ([]time.Weekday, error) {
	day := func(name string) (time.Weekday, error) {
		name = strings.ToLower(strings.TrimSpace(name))
		for d := time.Sunday; d <= time.Saturday; d++ {
			if len(name) >= 3 && strings.HasPrefix(strings.ToLower(d.String()), name) {
				return d, nil
			}
		}
		return 0, fmt.Errorf("%q is not a weekday like mon or tuesday", name)
	}
	seen := map[time.Weekday]bool{}
	var out []time.Weekday
	for _, part := range strings.Split(s, ",") {
		from, to, isRange := strings.Cut(part, "-")
		first, err := day(from)
		if err != nil {
			return nil, err
		}
		last := first
		if isRange {
			if last, err = day(to); err != nil {
				return nil, err
			}
		}
		// A range runs forward through the week, so fri-mon is Friday to Monday.
		for d := first; ; d = (d + 1) % 7 {
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
			if d == last {
				break
			}
		}
	}
	return out, nil
}

// parseHours reads "08:00-17:00" or "08:00-12:00,13:00-17:00"; "off"
// is no hours at all.
func parseHours(s string) ([]core.Span, error) {
	if strings.EqualFold(strings.TrimSpace(s), "off") {
		return nil, nil
	}
	var out []core.Span
	for _, part := range strings.Split(s, ",") {
		sp, err := core.ParseSpan(strings.TrimSpace(part))
		if err != nil {
			return nil, errors.New(strip(err.Error()))
		}
		out = append(out, sp)
	}
	return out, nil
}
