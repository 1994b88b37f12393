// Package medisecure holds the project-wide tests; the product lives in
// cmd/, tui/, store/, sync/ and core/.
package medisecure

import (
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rule forbids a set of import paths (by prefix) to the packages under a
// directory.
type rule struct {
	dir     string
	allowed func(path string) bool
	why     string
}

// stdlib reports whether path is a standard library package.
func stdlib(path string) bool { return !strings.Contains(strings.SplitN(path, "/", 2)[0], ".") }

// TestDependencyRule enforces the import rule of DESIGN.md: core imports
// only the standard library and x/crypto; tui never imports bbolt, gRPC or
// the store; store never imports tui or sync.
func TestDependencyRule(t *testing.T) {
	rules := []rule{
		{"core", func(p string) bool {
			return stdlib(p) || strings.HasPrefix(p, "golang.org/x/crypto/") || strings.HasPrefix(p, "medisecure/core")
		}, "core may import only the standard library and golang.org/x/crypto"},
		{"tui", func(p string) bool {
			return !strings.HasPrefix(p, "go.etcd.io/bbolt") && !strings.HasPrefix(p, "google.golang.org/grpc") &&
				!strings.HasPrefix(p, "medisecure/store") && !strings.HasPrefix(p, "medisecure/sync")
		}, "tui must not import bbolt, gRPC, store or sync"},
		{"store", func(p string) bool {
			return !strings.HasPrefix(p, "medisecure/tui") && !strings.HasPrefix(p, "medisecure/sync") &&
				!strings.HasPrefix(p, "google.golang.org/grpc") && !strings.HasPrefix(p, "github.com/charmbracelet/")
		}, "store must not import tui, sync, gRPC or Bubble Tea"},
		{"sync", func(p string) bool {
			return !strings.HasPrefix(p, "medisecure/tui") && !strings.HasPrefix(p, "github.com/charmbracelet/")
		}, "sync must not import tui or Bubble Tea"},
		{"sync/envelope", func(p string) bool {
			return !strings.HasPrefix(p, "google.golang.org/grpc") && !strings.HasPrefix(p, "medisecure/sync/wire")
		}, "the envelope crypto is independent of gRPC and the wire types"},
		{"sync/wire", func(p string) bool { return !strings.HasPrefix(p, "medisecure/") }, "wire types depend on nothing of ours"},
		{"store/storetest", func(p string) bool {
			return stdlib(p) || strings.HasPrefix(p, "medisecure/core")
		}, "the conformance suite imports only core, testing and the standard library, so TUI tests can run it on their fakes"},
		{"sync/server/boltstore", func(p string) bool {
			return !strings.HasPrefix(p, "medisecure/core") && !strings.HasPrefix(p, "medisecure/store")
		}, "the server's storage never sees core types or the workstation store"},
		{"sync/server/pgstore", func(p string) bool {
			return !strings.HasPrefix(p, "medisecure/core") && !strings.HasPrefix(p, "medisecure/store") &&
				!strings.HasPrefix(p, "medisecure/sync/server/boltstore")
		}, "the PostgreSQL backend never sees core types, the workstation store or the bbolt backend"},
	}
	checked := 0
	for _, r := range rules {
		err := filepath.WalkDir(r.dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || !d.IsDir() || strings.Contains(path, "testdata") {
				return err
			}
			pkg, err := build.ImportDir(path, 0)
			if err != nil {
				if _, ok := err.(*build.NoGoError); ok {
					return nil
				}
				return err
			}
			checked++
			for _, imp := range pkg.Imports {
				if !r.allowed(imp) {
					t.Errorf("%s imports %s: %s", path, imp, r.why)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walking %s: %v", r.dir, err)
		}
	}
	if checked < 3 {
		t.Fatalf("checked only %d packages; the layout moved?", checked)
	}
}

// tuiTestExemptions are the packages a tui _test file may import although
// the tui rule forbids them to tui code: only the store's conformance
// suite, which imports nothing but core, so that every fake the TUI tests
// use runs the same suite as the real store.
var tuiTestExemptions = map[string]bool{"medisecure/store/storetest": true}

// TestTUITestImports holds tui _test files to the tui rule, but for the
// exemptions above.
func TestTUITestImports(t *testing.T) {
	tuiRule := func(p string) bool {
		return !strings.HasPrefix(p, "go.etcd.io/bbolt") && !strings.HasPrefix(p, "google.golang.org/grpc") &&
			!strings.HasPrefix(p, "medisecure/store") && !strings.HasPrefix(p, "medisecure/sync")
	}
	checked := 0
	err := filepath.WalkDir("tui", func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() || strings.Contains(path, "testdata") {
			return err
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		checked++
		for _, imp := range append(append([]string{}, pkg.TestImports...), pkg.XTestImports...) {
			if !tuiRule(imp) && !tuiTestExemptions[imp] {
				t.Errorf("a test of %s imports %s: tui tests may import of the store only its conformance suite", path, imp)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking tui: %v", err)
	}
	if checked < 4 {
		t.Fatalf("checked only %d tui packages; the layout moved?", checked)
	}
	if tuiRule("medisecure/store/storetest") || !tuiTestExemptions["medisecure/store/storetest"] || tuiTestExemptions["medisecure/store"] {
		t.Error("the exemption is wider or narrower than the conformance suite")
	}
}

// TestScreensStandAlone enforces the screen layout of DESIGN.md: a package
// under tui/screens imports no other screen and not the root tui package
// (it asks the root for a page by route), and the kit tui/ui imports no
// screen and not the root.
func TestScreensStandAlone(t *testing.T) {
	const screens = "medisecure/tui/screens/"
	checked := 0
	err := filepath.WalkDir("tui", func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() || strings.Contains(path, "testdata") {
			return err
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		self := "medisecure/" + filepath.ToSlash(path)
		checked++
		for _, imp := range append(append(pkg.Imports, pkg.TestImports...), pkg.XTestImports...) {
			if why := screenImport(self, imp); why != "" {
				t.Errorf("%s imports %s: %s", path, imp, why)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking tui: %v", err)
	}
	if checked < 4 {
		t.Fatalf("checked only %d tui packages; the layout moved?", checked)
	}
	for _, bad := range [][2]string{
		{screens + "schedule", screens + "booking"},
		{screens + "login", "medisecure/tui"},
		{"medisecure/tui/ui", screens + "patient"},
		{"medisecure/tui/ui", "medisecure/tui"},
	} {
		if screenImport(bad[0], bad[1]) == "" {
			t.Errorf("the screen rule lets %s import %s", bad[0], bad[1])
		}
	}
	if screenImport(screens+"schedule", "medisecure/tui/ui") != "" || screenImport("medisecure/tui", screens+"schedule") != "" {
		t.Error("the screen rule refuses allowed imports")
	}
}

// screenImport says why package self may not import imp, or "".
func screenImport(self, imp string) string {
	const screens = "medisecure/tui/screens/"
	switch {
	case strings.HasPrefix(self, screens) && strings.HasPrefix(imp, screens) && imp != self:
		return "screens never import each other; ask the root for a page by route"
	case (strings.HasPrefix(self, screens) || self == "medisecure/tui/ui") && imp == "medisecure/tui":
		return "screens and the kit never import the root"
	case self == "medisecure/tui/ui" && strings.HasPrefix(imp, screens):
		return "the kit never imports a screen"
	}
	return ""
}

// TestRuleCatchesViolations makes sure the checker itself can fail.
func TestRuleCatchesViolations(t *testing.T) {
	core := func(p string) bool { return stdlib(p) || strings.HasPrefix(p, "golang.org/x/crypto/") }
	for _, bad := range []string{"go.etcd.io/bbolt", "github.com/charmbracelet/bubbletea", "google.golang.org/grpc"} {
		if core(bad) {
			t.Errorf("core rule allows %s", bad)
		}
	}
	if !core("encoding/json") || !core("golang.org/x/crypto/argon2") {
		t.Error("core rule refuses allowed imports")
	}
}
