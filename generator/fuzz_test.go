package generator

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/go/packages"
)

// generatedImports are the packages generated code may import: the
// runtime, its validate package and the standard library packages the
// emitter uses. The fuzz target type-checks against them.
var generatedImports = []string{
	"github.com/payforge/wechatpay/wechatpay", "github.com/payforge/wechatpay/wechatpay/validate",
	"bytes", "context", "encoding/base64", "encoding/json", "errors", "fmt", "io", "maps", "net/http",
	"net/url", "regexp", "slices", "strconv", "strings", "time",
}

// typesOf loads generatedImports once per test binary, with their
// dependencies, as types.
var typesOf = sync.OnceValues(func() (map[string]*types.Package, error) {
	pkgs, err := packages.Load(&packages.Config{Mode: packages.NeedName | packages.NeedTypes | packages.NeedImports | packages.NeedDeps}, generatedImports...)
	if err != nil {
		return nil, err
	}
	out := map[string]*types.Package{}
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		if p.Types != nil {
			out[p.PkgPath] = p.Types
		}
	})
	return out, nil
})

// mapImporter imports from a map of packages.
type mapImporter map[string]*types.Package

func (m mapImporter) Import(path string) (*types.Package, error) {
	if p, ok := m[path]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("generated code imports %s, which it must not", path)
}

// typeCheck type-checks the files of a generated package, imported as
// importPath, and then its examples (package NAME_test) against it.
func typeCheckFiles(t *testing.T, importPath string, files map[string][]byte) error {
	t.Helper()
	deps, err := typesOf()
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var pkgFiles, testFiles []*ast.File
	for name, data := range files {
		f, err := parser.ParseFile(fset, name, data, parser.AllErrors)
		if err != nil {
			return err
		}
		if strings.HasSuffix(name, "_test.go") {
			testFiles = append(testFiles, f)
		} else {
			pkgFiles = append(pkgFiles, f)
		}
	}
	imp := mapImporter{}
	for path, p := range deps {
		imp[path] = p
	}
	conf := types.Config{Importer: imp}
	pkg, err := conf.Check(importPath, fset, pkgFiles, nil)
	if err != nil {
		return err
	}
	if len(testFiles) == 0 {
		return nil
	}
	imp[importPath] = pkg
	_, err = conf.Check(importPath+"_test", fset, testFiles, nil)
	return err
}

// proseSpec is a small valid spec with {{prose}} wherever it holds prose: its
// title, descriptions and summary. FuzzGenerate writes its fuzzed prose there
// as a double-quoted YAML scalar.
const proseSpec = `openapi: 3.0.3
info:
  title: {{prose}}
  version: "1"
  description: {{prose}}
paths:
  /v3/things/{thing_id}:
    post:
      operationId: updateThing
      summary: {{prose}}
      description: {{prose}}
      parameters:
        - name: thing_id
          in: path
          required: true
          description: {{prose}}
          schema: {type: string, pattern: "^[0-9A-Za-z]{1,32}$"}
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Thing"}
      responses:
        "200":
          description: {{prose}}
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
components:
  schemas:
    Thing:
      type: object
      description: {{prose}}
      required: [name]
      properties:
        name: {type: string, maxLength: 32, description: {{prose}}}
        state:
          description: {{prose}}
          type: string
          enum: [ON, OFF]
`

// FuzzGenerate runs the generator on mutated specs. It must never panic
// (generate turns a panic into an "internal error", which fails here), an
// error must name the spec file, and what it emits must be Go that
// type-checks against the real runtime, its examples included: no input
// gives code that does not compile. Most mutated specs are no longer YAML and
// stop at the loader, so each input also puts its prose into every prose
// field of proseSpec, which mostly reaches the emitter.
func FuzzGenerate(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/scenarios/*/spec.yaml")
	seeds = append(seeds, "../spec/password-exempt-contract.yaml")
	real, _ := filepath.Glob("testdata/wechatpay/*.yaml")
	invalid, _ := filepath.Glob("testdata/invalid/*.yaml")
	prose := []string{"A thing (东西).", "", "*/ package x", "\"quoted\" `back` \\ \n\t end", "line one\n\nline two", "// Deprecated: no."}
	for i, p := range append(append(seeds, real...), invalid...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, prose[i%len(prose)])
	}
	// Load the runtime's types now, outside any input: each fuzzing worker
	// is a process of its own, and Go stops a worker whose input runs for 10
	// seconds ("deadlocked!"), which the first input's load (go list -export
	// of the runtime and its dependencies) can exceed on a busy machine.
	if _, err := typesOf(); err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	const importPath = "example.com/fuzzed"
	generateFrom := func(t *testing.T, name string, spec []byte) {
		// Each fuzzing worker is a process of its own, calling this one
		// input at a time: one file per name serves them all.
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, spec, 0o600); err != nil {
			t.Fatal(err)
		}
		files, err := generate(path, "fuzzed", fixedImport(importPath))
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatalf("the generator panicked: %v", err)
			}
			if !strings.Contains(err.Error(), name) && !strings.Contains(err.Error(), dir) {
				t.Fatalf("error does not name the spec file: %v", err)
			}
			return
		}
		byName := map[string][]byte{}
		for _, file := range files {
			byName[file.Name] = file.Data
		}
		if err := typeCheckFiles(t, importPath, byName); err != nil {
			t.Fatalf("the generated package does not type-check: %v", err)
		}
	}
	f.Fuzz(func(t *testing.T, spec []byte, prose string) {
		generateFrom(t, "fuzzed.yaml", spec)
		// JSON's escapes are YAML's too: a JSON string is a double-quoted
		// YAML scalar holding the same text.
		quoted, err := json.Marshal(prose)
		if err != nil {
			t.Fatal(err)
		}
		generateFrom(t, "prose.yaml", []byte(strings.ReplaceAll(proseSpec, "{{prose}}", string(quoted))))
	})
}
