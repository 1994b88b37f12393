package main

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// TestResultsShownFindsWhatTheRegexpFound: the scan P2 runs on every
// frame agrees with the regular expression it replaced, on the search
// screen's own lines and on seeded random mixes of their pieces.
func TestResultsShownFindsWhatTheRegexpFound(t *testing.T) {
	re := regexp.MustCompile(`No patient matches|1 patient\.|\d+ patients\.|The first \d+ patients`)
	pieces := []string{
		"No patient matches. ctrl+n registers a new one.", "No patient", " matches", "1 patient. enter opens.", "1 patient",
		"12 patients.", "7 patients", " patients.", " patients", "patients.", "The first 50 patients; type more to narrow.",
		"The first ", "The first x patients", "50", "9", " ", ".", "\n", "\x1b[2m", "\x1b[0m", "Find a patient", "> Ann Smith",
	}
	rng := rand.New(rand.NewPCG(2, 5))
	for i := 0; i < 50000; i++ {
		var b strings.Builder
		for j := rng.IntN(8); j >= 0; j-- {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		v := b.String()
		if got, want := resultsShown(v), re.MatchString(v); got != want {
			t.Fatalf("resultsShown(%q) = %v, the regexp says %v", v, got, want)
		}
	}
}
