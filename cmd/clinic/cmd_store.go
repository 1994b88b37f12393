package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"medisecure/core"
	"medisecure/store"
)

// storeCmd is clinic store: check the store file or salvage it (admins).
func (a *app) storeCmd() *cobra.Command {
	return group("store", "check the store file, or copy what it holds into a new one (admins)", a.storeCheckCmd(), a.storeSalvageCmd())
}

// storeCheckCmd is clinic store check.
func (a *app) storeCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "read every page and record of the store and report what is damaged",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			return a.withSession(func(db *store.DB, s *store.Session) error {
				r, err := s.Check()
				if err != nil {
					return err
				}
				out := a.e.stdout
				fmt.Fprintf(out, "store check: %s\n", db.Path())
				fmt.Fprintf(out, "records: %s\n", kindCounts(r.Records))
				if n := total(r.Unreadable); n > 0 {
					fmt.Fprintf(out, "unreadable: %d records (%s): %s\n", n, kindCounts(r.Unreadable), strings.Join(r.Bad, ", "))
				}
				for _, l := range r.Lost {
					fmt.Fprintf(out, "damaged pages: %s\n", l)
				}
				if r.Search != "" {
					fmt.Fprintf(out, "search index: %s\n", r.Search)
				}
				if r.SearchPending != "" {
					fmt.Fprintf(out, "search index: %s\n", r.SearchPending)
				}
				for _, f := range r.File {
					fmt.Fprintf(out, "file: %s\n", f)
				}
				if r.OK() {
					fmt.Fprintf(out, "store check: ok, %d entries besides the records\n", r.Entries)
					return nil
				}
				return fmt.Errorf("%w: %s; copy what can be read with clinic store salvage --to DIR", store.ErrDamaged, checkSummary(r))
			})
		},
	}
}

// checkSummary is a report's problems in one clause.
func checkSummary(r store.CheckReport) string {
	var parts []string
	if n := total(r.Unreadable); n > 0 {
		parts = append(parts, fmt.Sprintf("%d records unreadable", n))
	}
	if len(r.Lost) > 0 {
		parts = append(parts, "damaged pages in "+strings.Join(r.Lost, ", "))
	}
	if r.Search != "" {
		parts = append(parts, "search index "+r.Search)
	}
	if len(r.File) > 0 {
		parts = append(parts, fmt.Sprintf("%d structural problems", len(r.File)))
	}
	return strings.Join(parts, "; ")
}

// storeSalvageCmd is clinic store salvage --to DIR.
func (a *app) storeSalvageCmd() *cobra.Command {
	var to string
	cmd := &cobra.Command{
		Use:   "salvage --to DIR",
		Short: "copy every readable record into a new store in DIR (the damaged one is only read)",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			if to == "" {
				return usagef("--to is required: the directory for the new store")
			}
			return a.withSession(func(_ *store.DB, s *store.Session) error {
				r, err := s.Salvage(to)
				if err != nil {
					return err
				}
				out := a.e.stdout
				fmt.Fprintf(out, "salvaged into %s: %d records (%s) and %d other entries\n", r.Path, total(r.Records), kindCounts(r.Records), r.Entries)
				if n := total(r.Unreadable); n > 0 {
					fmt.Fprintf(out, "left behind: %d records that do not decrypt and verify (%s)\n", n, kindCounts(r.Unreadable))
				}
				for _, l := range r.Lost {
					fmt.Fprintf(out, "lost behind damaged pages: part of %s\n", l)
				}
				fmt.Fprintf(out, "search index rebuilt: %d patients\n", r.Patients)
				fmt.Fprintf(out, "use it with --data %s after clinic store check there; keep the damaged file until then\n", to)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "`directory` for the new store (created; must not hold one)")
	return cmd
}

// kindCounts lists counts by kind, largest first.
func kindCounts(m map[core.Kind]int) string {
	kinds := make([]core.Kind, 0, len(m))
	for k, n := range m {
		if n > 0 {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return "none"
	}
	sort.Slice(kinds, func(i, j int) bool {
		if m[kinds[i]] != m[kinds[j]] {
			return m[kinds[i]] > m[kinds[j]]
		}
		return kinds[i] < kinds[j]
	})
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// total sums counts.
func total(m map[core.Kind]int) int {
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}
