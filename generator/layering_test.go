package generator

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// imports returns the import paths of the non-test files of a package dir.
func imports(t *testing.T, dir string) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range file.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			out[p] = true
		}
	}
	return out
}

// TestLayering keeps each stage of the pipeline to its concern: only the
// loader and the builder know kin-openapi, only the emitter knows jennifer,
// the model knows neither, and the generated package imports nothing but
// the standard library and the runtime (with its subpackages).
func TestLayering(t *testing.T) {
	const kin, jen = "github.com/getkin/kin-openapi/openapi3", "github.com/dave/jennifer/jen"
	for _, c := range []struct {
		dir       string
		forbidden []string
	}{
		{"internal/model", []string{kin, jen}},
		{"internal/build", []string{jen}},
		{"internal/emit", []string{kin}},
		{"internal/write", []string{kin, jen}},
		{"internal/naming", []string{kin, jen}},
	} {
		imps := imports(t, c.dir)
		for _, f := range c.forbidden {
			if imps[f] {
				t.Errorf("%s imports %s", c.dir, f)
			}
		}
		if c.dir == "internal/model" {
			for p := range imps {
				if strings.Contains(p, ".") {
					t.Errorf("internal/model imports %s", p)
				}
			}
		}
	}
	// Generated code imports the runtime and its subpackages (such as
	// validate), never its sandbox, and nothing else outside the standard
	// library.
	const runtime = "github.com/payforge/wechatpay/wechatpay"
	for p := range imports(t, committedDir) {
		if strings.Contains(p, ".") && (p != runtime && !strings.HasPrefix(p, runtime+"/") || strings.HasPrefix(p, runtime+"/wechatpaytest")) {
			t.Errorf("the generated package imports %s", p)
		}
	}
	// The runtime's subpackages used by generated code import only the
	// runtime (its internal packages included) and the standard library.
	for p := range imports(t, "../wechatpay/validate") {
		if strings.Contains(p, ".") && p != runtime && !strings.HasPrefix(p, runtime+"/internal/") {
			t.Errorf("wechatpay/validate imports %s", p)
		}
	}
}
