package generator

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// realSpecsDir holds hand-written descriptions of real WeChat Pay APIv3
// endpoints, taken from the official pages. The tests below check that they
// are valid OpenAPI 3.0 that kin-openapi loads, with references to sibling
// files, that they keep the folder's own rules (see
// testdata/wechatpay/README.md), and that every file with operations
// generates a package that builds and vets.
const realSpecsDir = "testdata/wechatpay"

// minRealOperations is how many operations the folder must describe.
const minRealOperations = 20

// officialDocsHost is the only host an operation's externalDocs may cite.
const officialDocsHost = "pay.weixin.qq.com"

// loadRealSpec loads and validates one file of realSpecsDir.
func loadRealSpec(t *testing.T, path string) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		t.Fatalf("%s: load: %v", path, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("%s: validate: %v", path, err)
	}
	return doc
}

// realSpecFiles lists the YAML files of realSpecsDir in name order.
func realSpecFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(realSpecsDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no *.yaml under %s", realSpecsDir)
	}
	slices.Sort(files)
	return files
}

// TestRealSpecsLoad loads and validates every description of realSpecsDir,
// counts their operations and checks that each operation cites its official
// page.
func TestRealSpecsLoad(t *testing.T) {
	total := 0
	for _, path := range realSpecFiles(t) {
		doc := loadRealSpec(t, path)
		if doc.Paths == nil {
			continue
		}
		for _, p := range doc.Paths.InMatchingOrder() {
			for method, op := range doc.Paths.Value(p).Operations() {
				total++
				where := path + ": " + method + " " + p
				if op.ExternalDocs == nil || op.ExternalDocs.URL == "" {
					t.Errorf("%s: no externalDocs.url", where)
					continue
				}
				u, err := url.Parse(op.ExternalDocs.URL)
				if err != nil || u.Scheme != "https" || u.Host != officialDocsHost {
					t.Errorf("%s: externalDocs.url %q is not an https page on %s", where, op.ExternalDocs.URL, officialDocsHost)
				}
			}
		}
	}
	if total < minRealOperations {
		t.Errorf("the descriptions hold %d operations, want at least %d", total, minRealOperations)
	}
	t.Logf("%d operations", total)
}

// encryptedExt is the extension that marks a sensitive string field.
const encryptedExt = "x-wechatpay-encrypted"

// encryptedFields returns the JSON paths, below prefix, of the properties of s
// (and of what it is composed of) marked with encryptedExt. A marked schema that
// is not a string is reported through bad.
func encryptedFields(s *openapi3.Schema, prefix string, seen map[*openapi3.Schema]bool, bad func(string)) []string {
	if s == nil || seen[s] {
		return nil
	}
	seen[s] = true
	var out []string
	if v, ok := s.Extensions[encryptedExt]; ok {
		if v != true {
			bad(prefix + ": " + encryptedExt + " must be true")
		}
		if s.Type == nil || !s.Type.Is(openapi3.TypeString) {
			bad(prefix + ": " + encryptedExt + " on a schema that is not a string")
		}
		out = append(out, prefix)
	}
	for _, ref := range slices.Concat(s.AllOf, s.OneOf, s.AnyOf) {
		out = append(out, encryptedFields(ref.Value, prefix, seen, bad)...)
	}
	if s.Items != nil {
		out = append(out, encryptedFields(s.Items.Value, prefix+"[]", seen, bad)...)
	}
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		out = append(out, encryptedFields(s.Properties[name].Value, prefix+"/"+name, seen, bad)...)
	}
	return out
}

// TestRealSpecsEncryptedFields checks the rule of sensitive fields: a request
// with a field marked x-wechatpay-encrypted names the key that encrypted it in a
// required Wechatpay-Serial header parameter, the marker sits only on strings,
// and the folder marks at least one request and one answer field.
func TestRealSpecsEncryptedFields(t *testing.T) {
	requests, answers := 0, 0
	for _, path := range realSpecFiles(t) {
		doc := loadRealSpec(t, path)
		if doc.Paths == nil {
			continue
		}
		for _, p := range doc.Paths.InMatchingOrder() {
			for method, op := range doc.Paths.Value(p).Operations() {
				where := path + ": " + method + " " + p
				bad := func(msg string) { t.Errorf("%s: %s", where, msg) }
				var inRequest []string
				if op.RequestBody != nil && op.RequestBody.Value != nil {
					for _, mt := range op.RequestBody.Value.Content {
						if mt.Schema != nil {
							inRequest = append(inRequest, encryptedFields(mt.Schema.Value, "", map[*openapi3.Schema]bool{}, bad)...)
						}
					}
				}
				for _, resp := range op.Responses.Map() {
					if resp.Value == nil {
						continue
					}
					for _, mt := range resp.Value.Content {
						if mt.Schema != nil {
							answers += len(encryptedFields(mt.Schema.Value, "", map[*openapi3.Schema]bool{}, bad))
						}
					}
				}
				if len(inRequest) == 0 {
					continue
				}
				requests += len(inRequest)
				if !hasRequiredHeader(op, "Wechatpay-Serial") {
					t.Errorf("%s: encrypted request fields %s but no required Wechatpay-Serial header parameter",
						where, strings.Join(inRequest, ", "))
				}
			}
		}
	}
	if requests == 0 || answers == 0 {
		t.Errorf("encrypted fields: %d in requests, %d in answers; want both marked at least once", requests, answers)
	}
}

// hasRequiredHeader reports whether op has a required header parameter name.
func hasRequiredHeader(op *openapi3.Operation, name string) bool {
	for _, ref := range op.Parameters {
		if p := ref.Value; p != nil && p.In == openapi3.ParameterInHeader && p.Name == name && p.Required {
			return true
		}
	}
	return false
}

// plaintextExt names, on a callback operation, the schema of the decrypted
// resource of the notification.
const plaintextExt = "x-wechatpay-plaintext"

// TestRealSpecsCallbacks checks the notification proposal of README.md: every
// callback operation names its event types and the schema its resource
// decrypts to, and that schema exists in a sibling file.
func TestRealSpecsCallbacks(t *testing.T) {
	callbacks := 0
	for _, path := range realSpecFiles(t) {
		doc := loadRealSpec(t, path)
		if doc.Paths == nil {
			continue
		}
		for _, p := range doc.Paths.InMatchingOrder() {
			for method, op := range doc.Paths.Value(p).Operations() {
				for name, cb := range op.Callbacks {
					if cb.Value == nil {
						continue
					}
					for expr, item := range cb.Value.Map() {
						for cbMethod, cbOp := range item.Operations() {
							callbacks++
							where := path + ": " + method + " " + p + ": callback " + name + " " + cbMethod + " " + expr
							checkCallback(t, where, cbOp)
						}
					}
				}
			}
		}
	}
	if callbacks == 0 {
		t.Error("no callback is described")
	}
}

// checkCallback checks the extensions of one callback operation.
func checkCallback(t *testing.T, where string, op *openapi3.Operation) {
	t.Helper()
	events, ok := op.Extensions["x-wechatpay-event-types"].([]any)
	if !ok || len(events) == 0 {
		t.Errorf("%s: x-wechatpay-event-types is not a non-empty list", where)
	}
	ext, ok := op.Extensions[plaintextExt].(map[string]any)
	ref, _ := ext["$ref"].(string)
	if !ok || ref == "" {
		t.Errorf("%s: %s is not an object with a $ref", where, plaintextExt)
		return
	}
	file, pointer, ok := strings.Cut(ref, "#")
	const prefix = "/components/schemas/"
	if !ok || file == "" || strings.Contains(file, "/") || !strings.HasPrefix(pointer, prefix) {
		t.Errorf("%s: %s $ref %q is not a sibling file's component schema", where, plaintextExt, ref)
		return
	}
	if _, err := os.Stat(filepath.Join(realSpecsDir, file)); err != nil {
		t.Errorf("%s: %s $ref %q: %v", where, plaintextExt, ref, err)
		return
	}
	target := loadRealSpec(t, filepath.Join(realSpecsDir, file))
	if s := target.Components.Schemas[strings.TrimPrefix(pointer, prefix)]; s == nil || s.Value == nil {
		t.Errorf("%s: %s $ref %q names no schema", where, plaintextExt, ref)
	}
}

// TestRealSpecsGenerate generates a package from every description of
// realSpecsDir, in a module of its own that uses this repository's runtime,
// and runs go vet and go build on them, offline. The shared files
// (common.yaml, notifications.yaml) describe no operation: their packages
// hold their types.
func TestRealSpecsGenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the generated packages")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	operations, packages := 0, 0
	for _, path := range realSpecFiles(t) {
		doc := loadRealSpec(t, path)
		name := strings.Map(func(r rune) rune {
			if 'a' <= r && r <= 'z' {
				return r
			}
			return -1
		}, strings.TrimSuffix(filepath.Base(path), ".yaml"))
		files, err := generate(path, name, fixedImport("example.com/realspecs/"+name))
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		dir := filepath.Join(mod, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		packages++
		if doc.Paths != nil {
			for _, p := range doc.Paths.InMatchingOrder() {
				operations += len(doc.Paths.Value(p).Operations())
			}
		}
	}
	if t.Failed() {
		return
	}
	goMod := "module example.com/realspecs\n\ngo 1.26\n\nrequire github.com/payforge/wechatpay v0.0.0\n\nreplace github.com/payforge/wechatpay => " + filepath.ToSlash(root) + "\n"
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte(goMod), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mod, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"vet", "./..."}, {"build", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = mod
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	if operations < minRealOperations {
		t.Errorf("%d operations generated, want at least %d", operations, minRealOperations)
	}
	t.Logf("%d packages, %d operations: generated, vetted and built", packages, operations)
}
