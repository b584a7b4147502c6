package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

// scenarioDir holds one folder per scenario: spec.yaml, and golden/ with the
// files generated from it (rewritten by go test -update).
const scenarioDir = "testdata/scenarios"

func scenarios(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(scenarioDir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	if len(out) == 0 {
		t.Fatal("no scenarios")
	}
	return out
}

// scenarioPackage is the package name a scenario is generated with.
func scenarioPackage(name string) string { return strings.ReplaceAll(name, "_", "") }

func TestScenarios(t *testing.T) {
	generated := map[string]map[string][]byte{}
	for _, name := range scenarios(t) {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(scenarioDir, name)
			out := t.TempDir()
			code, _, stderr := runGen(t, "-spec", filepath.Join(dir, "spec.yaml"), "-out", out, "-package", scenarioPackage(name))
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			got := readDir(t, out)
			golden := filepath.Join(dir, "golden")
			if *update {
				if err := os.RemoveAll(golden); err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(golden, 0o755); err != nil {
					t.Fatal(err)
				}
				for file, data := range got {
					if err := os.WriteFile(filepath.Join(golden, file), data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			sameFiles(t, got, readDir(t, golden), name)
			generated[name] = got
		})
	}
	if t.Failed() {
		return
	}
	typeCheck(t, generated)
}

// typeCheck loads each generated package as if it were a package of this
// module, through an overlay, so that it imports the real runtime package,
// and fails on any error.
func typeCheck(t *testing.T, generated map[string]map[string][]byte) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	overlay := map[string][]byte{}
	var patterns []string
	for name, files := range generated {
		dir := filepath.Join(root, "generator", "testdata", "typecheck", name)
		for file, data := range files {
			overlay[filepath.Join(dir, file)] = data
		}
		patterns = append(patterns, "./generator/testdata/typecheck/"+name)
	}
	cfg := &packages.Config{
		Mode:    packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo,
		Dir:     root,
		Overlay: overlay,
		Tests:   false,
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != len(generated) {
		t.Fatalf("loaded %d packages, want %d", len(pkgs), len(generated))
	}
	for _, p := range pkgs {
		if len(p.GoFiles) == 0 {
			t.Errorf("%s: no Go files loaded", p.PkgPath)
		}
		for _, e := range p.Errors {
			t.Errorf("%s: %v", p.PkgPath, e)
		}
		if p.Types == nil || !p.Types.Complete() {
			t.Errorf("%s: not type-checked", p.PkgPath)
			continue
		}
		if _, ok := p.Imports["github.com/payforge/wechatpay/wechatpay"]; !ok {
			t.Errorf("%s: does not import the runtime package", p.PkgPath)
		}
		if p.Types.Scope().Lookup("Client") == nil || p.Types.Scope().Lookup("Operations") == nil {
			t.Errorf("%s: no Client or Operations", p.PkgPath)
		}
	}
}
