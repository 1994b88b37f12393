package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
)

// tourCommand is one command line of the README's tour.
type tourCommand struct {
	line string
	// vars are the NAME=value words before the command (export's, when
	// export is set).
	vars   map[string]string
	export bool
	args   []string
	// prints names the placeholder the line's comment says it prints
	// ("# prints PATIENT_ID").
	prints string
}

// readTour returns the command lines between the README's tour markers.
func readTour(t *testing.T) []tourCommand {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	must(t, err)
	text := string(raw)
	start := strings.Index(text, "<!-- tour")
	end := strings.Index(text, "<!-- end of tour -->")
	if start < 0 || end < start {
		t.Fatal("README.md has no tour between <!-- tour … --> and <!-- end of tour -->")
	}
	var out []tourCommand
	for _, line := range strings.Split(text[start:end], "\n")[1:] {
		if !strings.HasPrefix(line, "    ") {
			if strings.TrimSpace(line) != "" {
				t.Fatalf("the tour holds text that is not a command: %q", line)
			}
			continue
		}
		cmd, err := parseShell(strings.TrimSpace(line))
		if err != nil {
			t.Fatalf("README tour line %q: %v", line, err)
		}
		out = append(out, cmd)
	}
	return out
}

// parseShell splits one line the way sh would for the little the tour
// uses: words, '…' and "…" quotes, NAME=value prefixes, export, and a
// trailing # comment. Anything else (pipes, $, ;, backslashes) is refused
// so that the README cannot drift into what the test would not run.
func parseShell(line string) (tourCommand, error) {
	cmd := tourCommand{line: line, vars: map[string]string{}}
	var words []string
	var word strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case ch == ' ' || ch == '\t':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		case ch == '#' && !inWord:
			comment := strings.TrimSpace(line[i+1:])
			if p, ok := strings.CutPrefix(comment, "prints "); ok {
				cmd.prints = p
			}
			i = len(line)
		case ch == '\'' || ch == '"':
			j := strings.IndexByte(line[i+1:], ch)
			if j < 0 {
				return cmd, fmt.Errorf("unclosed quote")
			}
			quoted := line[i+1 : i+1+j]
			if ch == '"' && strings.ContainsAny(quoted, "$`\\") {
				return cmd, fmt.Errorf("double quotes with $, ` or \\ are more shell than the test runs")
			}
			word.WriteString(quoted)
			inWord = true
			i += j + 1
		case strings.IndexByte("|&;<>()$`\\*?[", ch) >= 0:
			return cmd, fmt.Errorf("%q is more shell than the test runs", ch)
		default:
			word.WriteByte(ch)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	if len(words) > 0 && words[0] == "export" {
		cmd.export, words = true, words[1:]
	}
	for len(words) > 0 {
		name, value, ok := strings.Cut(words[0], "=")
		if !ok || name == "" || strings.IndexFunc(name, func(r rune) bool { return !unicode.IsUpper(r) && r != '_' }) >= 0 {
			break
		}
		cmd.vars[name], words = value, words[1:]
	}
	switch {
	case cmd.export && len(words) > 0:
		return cmd, fmt.Errorf("export takes only NAME=value")
	case !cmd.export && (len(words) == 0 || words[0] != "clinic"):
		return cmd, fmt.Errorf("not a clinic command")
	case !cmd.export:
		cmd.args = words[1:]
	}
	return cmd, nil
}

// The tour failed as written: after clinic user add … desk, the seed
// logged in as desk with the demo passphrase and stopped with "wrong
// user or passphrase". Every command of the tour, in order, on a fresh
// home directory, must exit 0; the IDs are taken from the lines the
// README says print them.
func TestREADMETour(t *testing.T) {
	tour := readTour(t)
	if len(tour) < 20 {
		t.Fatalf("the tour has only %d commands", len(tour))
	}
	runTour(t, tour)
}

// runTour runs the tour's commands in order on a fresh home directory and
// returns the CLI it ran them with (its variables as the tour left them)
// and the IDs the lines printed.
func runTour(t *testing.T, tour []tourCommand) (*cli, map[string]string) {
	t.Helper()
	home := t.TempDir()
	// Tuesday 1 December 2026, 10:00 in Berlin.
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	c := &cli{t: t, dir: home, vars: map[string]string{"HOME": home}, now: now}
	found := map[string]string{}
	for _, cmd := range tour {
		if cmd.export {
			for k, v := range cmd.vars {
				c.vars[k] = v
			}
			continue
		}
		args := tourArgs(t, cmd, home, found)
		var out, errOut bytes.Buffer
		e := c.env(&out, &errOut)
		getenv := e.getenv
		e.getenv = func(k string) string {
			if v, ok := cmd.vars[k]; ok {
				return v
			}
			return getenv(k)
		}
		if code := run(context.Background(), args, e); code != exitOK {
			t.Fatalf("%s\nexit %d: %s", cmd.line, code, errOut.String())
		}
		if cmd.prints != "" {
			found[cmd.prints] = strings.TrimSpace(strings.SplitN(out.String(), "\n", 2)[0])
		}
		t.Logf("$ %s\n%s", cmd.line, out.String())
	}
	return c, found
}

var placeholder = regexp.MustCompile(`^[A-Z][A-Z0-9]*_ID$`)

// tourArgs are cmd's words with ~/ in home and the IDs found so far in
// place of their placeholders.
func tourArgs(t *testing.T, cmd tourCommand, home string, found map[string]string) []string {
	t.Helper()
	args := make([]string, len(cmd.args))
	for i, a := range cmd.args {
		if rest, ok := strings.CutPrefix(a, "~/"); ok {
			a = filepath.Join(home, rest)
		}
		if placeholder.MatchString(a) {
			id, ok := found[a]
			if !ok {
				t.Fatalf("%s: the README uses %s before any line prints it", cmd.line, a)
			}
			a = id
		}
		args[i] = a
	}
	return args
}
