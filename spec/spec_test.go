package spec_test

import (
	"bufio"
	"context"
	"io/fs"
	"net/url"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/payforge/wechatpay/spec"
)

// load reads one document of spec.FS with its references to sibling files,
// as the sandbox does, and validates it.
func load(t *testing.T, name string) *openapi3.T {
	t.Helper()
	data, err := fs.ReadFile(spec.FS, name)
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		return fs.ReadFile(spec.FS, path.Clean(u.Path))
	}
	doc, err := loader.LoadFromDataWithPath(data, &url.URL{Path: name})
	if err != nil {
		t.Fatalf("%s: load: %v", name, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("%s: validate: %v", name, err)
	}
	return doc
}

// operations returns the operations of doc as "METHOD path", with the URL
// of the page each cites.
func operations(doc *openapi3.T) map[string]string {
	ops := make(map[string]string)
	if doc.Paths == nil {
		return ops
	}
	for p, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			u := ""
			if op.ExternalDocs != nil {
				u = op.ExternalDocs.URL
			}
			ops[method+" "+p] = u
		}
	}
	return ops
}

// makeVar returns the words of the Makefile variable name, as written on
// its := line.
func makeVar(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if value, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			value = strings.TrimLeft(value, " ")
			if value, ok := strings.CutPrefix(value, ":="); ok {
				return strings.Fields(value)
			}
		}
	}
	t.Fatalf("no %s := line in the Makefile", name)
	return nil
}

// generateLine is a //go:generate line of gen/generate.go.
var generateLine = regexp.MustCompile(`^//go:generate go tool wechatpay-gen -spec \.\./spec/(\S+) -out (\S+)$`)

// TestFamiliesAndSharedParts checks the split of spec/ that make generate
// and make gen-check rely on: every file loads with its siblings and
// validates; the files that describe no operation are exactly the Makefile's
// SHARED_SPECS and get no package; every other file has one //go:generate
// line in gen/generate.go, into the package named after it; every operation
// cites its official page.
func TestFamiliesAndSharedParts(t *testing.T) {
	names, err := fs.Glob(spec.FS, "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var shared, families []string
	for _, name := range names {
		ops := operations(load(t, name))
		if len(ops) == 0 {
			shared = append(shared, "spec/"+name)
			continue
		}
		families = append(families, name)
		for op, page := range ops {
			if u, err := url.Parse(page); err != nil || u.Scheme != "https" || u.Host != "pay.weixin.qq.com" {
				t.Errorf("%s: %s cites %q, not an official page", name, op, page)
			}
		}
	}
	if want := makeVar(t, "SHARED_SPECS"); !slices.Equal(shared, want) {
		t.Errorf("the specs without operations are %v; the Makefile's SHARED_SPECS says %v", shared, want)
	}
	if len(shared) == 0 || len(families) < 5 {
		t.Errorf("%d shared parts and %d families; want the journey's families and their shared parts", len(shared), len(families))
	}

	gen, err := os.ReadFile("../gen/generate.go")
	if err != nil {
		t.Fatal(err)
	}
	var generated []string
	for line := range strings.SplitSeq(string(gen), "\n") {
		if !strings.HasPrefix(line, "//go:generate") {
			continue
		}
		m := generateLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("gen/generate.go: %q is not a wechatpay-gen line of a spec of spec/", line)
			continue
		}
		pkg := strings.Map(func(r rune) rune {
			if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
				return r
			}
			return -1
		}, strings.ToLower(strings.TrimSuffix(m[1], ".yaml")))
		if m[2] != pkg {
			t.Errorf("gen/generate.go: %s generates into %s; make gen-check checks gen/%s", m[1], m[2], pkg)
		}
		generated = append(generated, m[1])
	}
	slices.Sort(generated)
	if !slices.Equal(generated, families) {
		t.Errorf("gen/generate.go generates %v; the specs with operations are %v", generated, families)
	}
}
