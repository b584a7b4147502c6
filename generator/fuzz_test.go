package generator

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzGenerate runs the generator on mutated specs. It must never panic
// (generate turns a panic into an "internal error", which fails here), and
// every file it emits must be Go that parses.
func FuzzGenerate(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/scenarios/*/spec.yaml")
	seeds = append(seeds, "../spec/password-exempt-contract.yaml")
	invalid, _ := filepath.Glob("testdata/invalid/*.yaml")
	for _, p := range append(seeds, invalid...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, spec []byte) {
		path := filepath.Join(t.TempDir(), "fuzzed.yaml")
		if err := os.WriteFile(path, spec, 0o600); err != nil {
			t.Fatal(err)
		}
		files, err := generate(path, "fuzzed", fixedImport("example.com/fuzzed"))
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatalf("the generator panicked: %v", err)
			}
			if !strings.Contains(err.Error(), "fuzzed.yaml") {
				t.Fatalf("error does not name the spec file: %v", err)
			}
			return
		}
		fset := token.NewFileSet()
		for _, file := range files {
			if _, err := parser.ParseFile(fset, file.Name, file.Data, parser.AllErrors); err != nil {
				t.Fatalf("emitted %s does not parse: %v", file.Name, err)
			}
		}
	})
}
