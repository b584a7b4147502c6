package wechatpay

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestRuntimeImportsOnlyTheStandardLibrary keeps the promise of the package
// doc: the runtime and its internal packages import the standard library and
// each other, nothing else.
func TestRuntimeImportsOnlyTheStandardLibrary(t *testing.T) {
	const internal = "github.com/payforge/wechatpay/wechatpay/internal/"
	dirs, err := filepath.Glob("internal/*")
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for _, dir := range append([]string{"."}, dirs...) {
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			files++
			f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if strings.Contains(strings.SplitN(p, "/", 2)[0], ".") && !strings.HasPrefix(p, internal) {
					t.Errorf("%s imports %s", name, p)
				}
			}
		}
	}
	if files < 10 {
		t.Fatalf("checked %d files; the glob found too few", files)
	}
}
