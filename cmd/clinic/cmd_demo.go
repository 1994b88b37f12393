package main

import "github.com/spf13/cobra"

// demoCmd is clinic demo: the TUI on a demo clinic, created on first use.
func (a *app) demoCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "demo [--data DIR]",
		Short: "create the demo clinic if missing and open the TUI on it",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmdDemo(cmd.Context(), a.e, &a.c)
		},
	}
}
