package generator

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
// error must name the spec file, and every file it emits must be Go that
// parses. Most mutated specs are no longer YAML and stop at the loader, so
// each input also puts its prose into every prose field of proseSpec, which
// mostly reaches the emitter.
func FuzzGenerate(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/scenarios/*/spec.yaml")
	seeds = append(seeds, "../spec/password-exempt-contract.yaml")
	invalid, _ := filepath.Glob("testdata/invalid/*.yaml")
	prose := []string{"A thing (东西).", "", "*/ package x", "\"quoted\" `back` \\ \n\t end", "line one\n\nline two", "// Deprecated: no."}
	for i, p := range append(seeds, invalid...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, prose[i%len(prose)])
	}
	dir := f.TempDir()
	generateFrom := func(t *testing.T, name string, spec []byte) {
		// Each fuzzing worker is a process of its own, calling this one
		// input at a time: one file per name serves them all.
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, spec, 0o600); err != nil {
			t.Fatal(err)
		}
		files, err := generate(path, "fuzzed", fixedImport("example.com/fuzzed"))
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatalf("the generator panicked: %v", err)
			}
			if !strings.Contains(err.Error(), name) {
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
