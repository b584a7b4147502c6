package generator

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// exampleRequest is the request literal of one generated Example.
type exampleRequest struct {
	example string // the Example function's name
	literal string // the &pkg.XRequest{...} expression, as written
}

// exampleRequests reads the generated examples of a package: for each
// Example function, the request literal it passes to the client, and the
// imports those literals need (by name).
func exampleRequests(t *testing.T, file string) (reqs []exampleRequest, imports map[string]string) {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]string{}
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		name := path[strings.LastIndex(path, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		byName[name] = path
	}
	// The package's own import has no name in the file, and its last
	// element may not be its name (golden); the package clause says it.
	own := strings.TrimSuffix(f.Name.Name, "_test")
	imports = map[string]string{}
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || !strings.HasPrefix(fn.Name.Name, "Example") {
			continue
		}
		var found []string
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 { // ctx, req, and w for a download
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || fmt.Sprint(sel.X) != "client" {
				return true
			}
			lit, ok := call.Args[1].(*ast.UnaryExpr)
			if !ok || lit.Op != token.AND {
				return true
			}
			found = append(found, string(src[fset.Position(lit.Pos()).Offset:fset.Position(lit.End()).Offset]))
			ast.Inspect(lit, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					if id, ok := sel.X.(*ast.Ident); ok {
						if path, ok := byName[id.Name]; ok {
							imports[id.Name] = path
						} else if id.Name == own {
							imports[own] = ""
						}
					}
				}
				return true
			})
			return true
		})
		if len(found) != 1 {
			t.Fatalf("%s: %s makes %d calls with a request literal, want 1", file, fn.Name.Name, len(found))
		}
		reqs = append(reqs, exampleRequest{fn.Name.Name, found[0]})
	}
	return reqs, imports
}

// TestExampleRequestsAreValid builds a program from the request literals of
// every generated Example (the committed package's and each scenario's) and
// runs it: each request must pass its own Validate.
func TestExampleRequestsAreValid(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	dirs := map[string]string{committedImport: committedDir}
	for _, name := range scenarios(t) {
		dir := filepath.Join(scenarioDir, name, "golden")
		if _, err := os.Stat(filepath.Join(dir, "example_test.go")); err != nil {
			continue // a spec without operations has no examples
		}
		dirs[scenarioImport(name)] = dir
	}
	var body strings.Builder
	imports := map[string]string{}
	total := 0
	var paths []string
	for path := range dirs {
		paths = append(paths, path)
	}
	slices.Sort(paths)
	for _, path := range paths {
		reqs, imps := exampleRequests(t, filepath.Join(dirs[path], "example_test.go"))
		if len(reqs) < 2 {
			t.Fatalf("%s: %d examples, want the package Example and one per operation", path, len(reqs))
		}
		for name, p := range imps {
			if p == "" {
				p = path
			}
			if prev, ok := imports[name]; ok && prev != p {
				t.Fatalf("two packages named %s: %s and %s", name, prev, p)
			}
			imports[name] = p
		}
		for _, r := range reqs {
			fmt.Fprintf(&body, "\tcheck(%q, (%s).Validate())\n", path+" "+r.example, r.literal)
			total++
		}
	}
	var src strings.Builder
	src.WriteString("package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n")
	for name, path := range imports {
		fmt.Fprintf(&src, "\t%s %q\n", name, path)
	}
	src.WriteString(")\n\nfunc main() {\n\tbad := 0\n\tcheck := func(name string, err error) {\n\t\tif err != nil {\n\t\t\tfmt.Printf(\"%s: %v\\n\", name, err)\n\t\t\tbad++\n\t\t}\n\t}\n")
	src.WriteString(body.String())
	src.WriteString("\tfmt.Printf(\"%d invalid\\n\", bad)\n\tif bad > 0 {\n\t\tos.Exit(1)\n\t}\n}\n")

	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	// The program exists only in an overlay, inside this module so that it
	// imports the real packages.
	probe := filepath.Join(root, "generator", "testdata", "exampleprobe", "main.go")
	tmp := t.TempDir()
	if err := os.WriteFile(filepath.Join(tmp, "main.go"), []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {probe: filepath.Join(tmp, "main.go")}})
	if err != nil {
		t.Fatal(err)
	}
	overlayFile := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(overlayFile, overlay, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", "-overlay", overlayFile, "./generator/testdata/exampleprobe")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	t.Logf("%d example requests checked: %s", total, out)
	if err != nil || !strings.HasSuffix(string(out), "0 invalid\n") {
		t.Fatalf("%d example requests: %v\n%s\nprogram:\n%s", total, err, out, src.String())
	}
}
