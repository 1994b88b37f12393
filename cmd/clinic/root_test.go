package main

import (
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// commandPaths lists the words of every visible command of the tree, the
// root first, with the help and completion commands cobra adds.
func commandPaths(t *testing.T) [][]string {
	t.Helper()
	root := newRoot(newCLI(t).env(io.Discard, io.Discard))
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		if c.Hidden {
			return
		}
		paths = append(paths, path)
		for _, sub := range c.Commands() {
			walk(sub, append(append([]string{}, path...), sub.Name()))
		}
	}
	walk(root, nil)
	return paths
}

func TestEveryCommandHasHelp(t *testing.T) {
	c := newCLI(t)
	paths := commandPaths(t)
	if len(paths) < 30 {
		t.Fatalf("the tree has only %d commands: %v", len(paths), paths)
	}
	for _, p := range paths {
		for _, flag := range []string{"--help", "-h"} {
			args := append(append([]string{}, p...), flag)
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				out, errOut, code := c.run(args...)
				if code != exitOK {
					t.Errorf("exit %d, stderr %q", code, errOut)
				}
				// Help asked for is the output: it goes to stdout, so
				// `clinic patient --help | less` shows it.
				if !strings.Contains(out, "usage: clinic") {
					t.Errorf("no usage line on stdout %q (stderr %q)", out, errOut)
				}
				if strings.Contains(errOut, "clinic: ") {
					t.Errorf("help printed an error: %q", errOut)
				}
			})
		}
	}
}

// The groups that failed --help under the flag-based CLI.
func TestGroupHelp(t *testing.T) {
	c := newCLI(t)
	for _, group := range []string{"appt", "user", "patient", "audit"} {
		out, _, code := c.run(group, "--help")
		if code != exitOK || !strings.Contains(out, "usage: clinic "+group) || !strings.Contains(out, "Commands:") {
			t.Errorf("%s --help: exit %d, %q", group, code, out)
		}
		out, errOut, code := c.run("help", group)
		if code != exitOK || out+errOut == "" {
			t.Errorf("help %s: exit %d", group, code)
		}
	}
}

func TestCompletion(t *testing.T) {
	c := newCLI(t)
	for shell, want := range map[string]string{"bash": "complete", "zsh": "#compdef clinic", "fish": "complete -c clinic"} {
		out, errOut, code := c.run("completion", shell)
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("completion %s: exit %d, stderr %q, %d bytes without %q", shell, code, errOut, len(out), want)
		}
	}
}

// Words and flags clinic does not know are usage errors of one sentence.
func TestUnknownCommandsAndFlags(t *testing.T) {
	c := setup(t)
	c.as("desk", "staff-pass")
	cases := []struct {
		re   string
		args []string
	}{
		{`unknown command "frobnicate"`, []string{"frobnicate"}},
		{`unknown appt subcommand "teleport" \(book, move, list, cancel, status`, []string{"appt", "teleport"}},
		{`appt needs a subcommand`, []string{"appt"}},
		{`unknown flag: --frob; run clinic appt book --help`, []string{"appt", "book", "--frob"}},
		{`unknown flag: --frob`, []string{"--frob"}},
		{`flag needs an argument: --doctor`, []string{"appt", "list", "--doctor"}},
		{`invalid argument "many"`, []string{"patient", "find", "--limit", "many", "x"}},
		{`unexpected "status2"`, []string{"sync", "status2"}},
		{`unknown command "frob"`, []string{"help", "frob"}},
		{`usage: clinic appt cancel`, []string{"appt", "cancel"}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, errOut, code := c.run(tc.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d (stderr %q)", code, exitUsage, errOut)
			}
			if strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "clinic: ") {
				t.Errorf("want one line starting clinic:, got %q", errOut)
			}
			if !regexp.MustCompile(tc.re).MatchString(errOut) {
				t.Errorf("stderr %q does not match %q", errOut, tc.re)
			}
			if out != "" {
				t.Errorf("a usage error printed %q on stdout", out)
			}
		})
	}
}
