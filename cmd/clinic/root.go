package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"medisecure/core"
)

// app is one command line being run: the environment and the flags every
// command shares. Each command is built by a method of app, so that its
// body reads the shared flags without package state.
type app struct {
	e *env
	c common
}

// common are the flags every command shares.
type common struct {
	data string
	user string
	json bool
}

// rootLong is what clinic --help says above the command list.
const rootLong = `clinic: the MediSecure workstation. With no command it opens the terminal UI.

Every command takes --data DIR (default $CLINIC_DATA or ~/.local/share/medisecure),
--user USER (or $CLINIC_USER) and reads the passphrase from a prompt, or from
$CLINIC_PASSPHRASE in scripts. Lists print as a table, or JSON with --json.
Run "clinic COMMAND --help" for a command's flags.

Exit codes: 0 ok, 1 usage, 2 authentication or permission, 3 validation or
scheduling conflict, 4 store or sync problem.`

// usageTemplate is every command's help below its description: the usage
// line first, in the words the old flag-based help used.
const usageTemplate = `usage: {{.UseLine}}{{if .HasAvailableSubCommands}}

Commands:{{range .Commands}}{{if .IsAvailableCommand}}
  {{rpad .Name .NamePadding}} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

Flags:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

Flags every command takes:
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableSubCommands}}

Run "{{.CommandPath}} COMMAND --help" for a command's flags.{{end}}
`

// The commands list in the order they are declared: setup first, then
// the daily work, then sync and devices.
func init() { cobra.EnableCommandSorting = false }

// newRoot builds the whole command tree for one run.
func newRoot(e *env) *cobra.Command {
	a := &app{e: e}
	root := &cobra.Command{
		Use:   "clinic [--data DIR]",
		Short: "the MediSecure workstation",
		Long:  rootLong,
		Args:  a.noCommand,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmdTUI(cmd.Context(), e, &a.c)
		},
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.c.data, "data", "", "the `DIR` holding clinic.db (default $CLINIC_DATA or ~/.local/share/medisecure)")
	pf.StringVar(&a.c.user, "user", "", "log in as `USER` (default $CLINIC_USER)")
	pf.BoolVar(&a.c.json, "json", false, "print JSON instead of a table")
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetUsageTemplate(usageTemplate)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usagef("%s; run %s --help", err, cmd.CommandPath())
	})
	root.SetHelpCommand(a.helpCmd(root))
	root.AddCommand(
		a.initCmd(),
		a.userCmd(), a.passwdCmd(),
		a.patientCmd(),
		a.apptCmd(),
		a.scheduleCmd(),
		a.chartCmd(), a.allergyCmd(), a.problemCmd(), a.noteCmd(), a.vitalsCmd(), a.rxCmd(), a.refillCmd(), a.reminderCmd(), a.adherenceCmd(),
		a.messageCmd(), a.consentCmd(), a.notifyCmd(), a.teleCmd(),
		a.docCmd(),
		a.feeCmd(), a.invoiceCmd(), a.payCmd(), a.refundCmd(), a.receiptCmd(), a.balanceCmd(), a.reportCmd(), a.claimCmd(),
		a.creditCmd(),
		a.seedCmd(),
		a.syncCmd(),
		a.conflictsCmd(),
		a.exportCmd(),
		a.auditCmd(),
		a.storeCmd(),
		a.demoCmd(),
		a.inviteCmd(),
		a.joinCmd(),
		a.deviceCmd(),
		a.serveCmd(),
	)
	forEach(root, func(c *cobra.Command) { c.DisableFlagsInUseLine = true })
	return root
}

// forEach calls fn on cmd and every command below it.
func forEach(cmd *cobra.Command, fn func(*cobra.Command)) {
	fn(cmd)
	for _, c := range cmd.Commands() {
		forEach(c, fn)
	}
}

// noCommand refuses words after clinic that name no command.
func (a *app) noCommand(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unknown command %q; run clinic help", args[0])
	}
	return nil
}

// helpCmd is clinic help [COMMAND…]: cobra's own says "unknown help
// topic" and exits 0, this one is a usage error.
func (a *app) helpCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND…]",
		Short: "show the commands, or one command's flags",
		RunE: func(_ *cobra.Command, args []string) error {
			cmd, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 {
				return usagef("unknown command %q; run clinic help", strings.Join(args, " "))
			}
			return cmd.Help()
		},
	}
}

// group is a command that only holds subcommands: alone it is a usage
// error naming them, and an unknown subcommand is one too.
func group(use, short string, subs ...*cobra.Command) *cobra.Command {
	g := &cobra.Command{Use: use + " COMMAND", Short: short}
	g.AddCommand(subs...)
	names := func() string {
		var n []string
		for _, s := range g.Commands() {
			n = append(n, s.Name())
		}
		return strings.Join(n, ", ")
	}
	g.Args = func(_ *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("unknown %s subcommand %q (%s)", g.Name(), args[0], names())
		}
		return nil
	}
	g.RunE = func(*cobra.Command, []string) error {
		return usagef("%s needs a subcommand (%s); run %s --help", g.Name(), names(), g.CommandPath())
	}
	return g
}

// exactArgs is cobra.ExactArgs as a usage error that shows the usage line.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("usage: %s", cmd.UseLine())
		}
		return nil
	}
}

// noArgs refuses positional arguments with a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected %q; usage: %s", args[0], cmd.UseLine())
	}
	return nil
}

// run executes one command line and returns its exit code. A panic (a bug,
// or bbolt meeting a damaged file) becomes one sentence, never a trace.
func run(ctx context.Context, args []string, e *env) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintln(e.stderr, "clinic: internal error; the store was left as it was before this command")
			code = exitStore
		}
	}()
	root := newRoot(e)
	if args == nil {
		args = []string{}
	}
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(e.stderr, "clinic: "+core.SafeText(e.message(err)))
		return exitCode(err)
	}
	return exitOK
}
