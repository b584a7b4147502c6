package generator

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/payforge/wechatpay/generator/internal/specerr"
	"github.com/payforge/wechatpay/generator/internal/write"
)

// publicSources are the public OpenAPI documents the generator is tried on:
// the test data of modules in the module cache, none written for this
// project. kin-openapi is a dependency, so it is there after go mod
// download; ogen is not: go mod download github.com/ogen-go/ogen@v1.24.0
// fetches it without touching go.mod, and make test does so first. A module
// missing from the cache fails the test: its documents would go unchecked.
var publicSources = []struct {
	module, version string
	// dirs are the folders of the module to walk; only files under a
	// folder named testdata or _testdata count.
	dirs []string
}{
	{"github.com/getkin/kin-openapi", "v0.153.0", []string{"openapi3/testdata", "openapi3filter/testdata", "routers"}},
	{"github.com/ogen-go/ogen", "v1.24.0", []string{"_testdata/positive", "_testdata/examples"}},
}

// publicSpecsFile lists the outcome for every public spec; go test -update
// rewrites it.
const publicSpecsFile = "testdata/publicspecs.txt"

// maxPublicSpecSize is the size above which a document is listed but not
// tried: parsing the three largest (1.5 to 4.8 MB) would take most of the
// test's time under -race. Run by hand, all three are refused.
const maxPublicSpecSize = 1 << 20

// openAPI3 matches the openapi field of an OpenAPI 3 document, in YAML or
// JSON.
var openAPI3 = regexp.MustCompile(`(?m)^\s*["']?openapi["']?\s*:\s*["']?3\.`)

// publicSpec is one document tried, and what came of it.
type publicSpec struct {
	source string // module@version
	dir    string // the module's folder in the module cache
	rel    string // the file, relative to dir, with slashes
	size   int64
	files  []write.File
	err    error
}

func (s *publicSpec) name() string { return s.source + "/" + s.rel }

// TestPublicSpecs runs the generator on every OpenAPI 3 document of
// publicSources. Each must either give a package that type-checks, or be
// refused with an error that names the file and says what is wrong: a
// construct the generator does not support, a document kin-openapi cannot
// load or finds invalid, or names that collide in Go. No document may make it
// panic. The outcomes are listed in testdata/publicspecs.txt.
func TestPublicSpecs(t *testing.T) {
	modCache := goEnv(t, "GOMODCACHE")
	var specs []*publicSpec
	for _, src := range publicSources {
		source := src.module + "@" + src.version
		// Both module paths are lower case, so they need no escaping.
		dir := filepath.Join(modCache, filepath.FromSlash(source))
		if _, err := os.Stat(dir); err != nil {
			t.Fatalf("%s is not in the module cache (%v); go mod download %s fetches it (make test does)", source, err, source)
		}
		for _, d := range src.dirs {
			found, err := findOpenAPI3(dir, d)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range found {
				specs = append(specs, &publicSpec{source: source, dir: dir, rel: f.rel, size: f.size})
			}
		}
	}

	// Generate in parallel, the largest documents first, as they take
	// longest to load.
	bySize := slices.Clone(specs)
	slices.SortStableFunc(bySize, func(x, y *publicSpec) int { return cmp.Compare(y.size, x.size) })
	work := make(chan *publicSpec)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for s := range work {
				s.files, s.err = generate(filepath.Join(s.dir, filepath.FromSlash(s.rel)), "publicspec", fixedImport("example.com/publicspec"))
			}
		})
	}
	for _, s := range bySize {
		if s.size <= maxPublicSpecSize {
			work <- s
		}
	}
	close(work)
	wg.Wait()

	compileErrs := typeCheckPublic(t, specs)
	lines := map[string][]string{}
	for _, s := range specs {
		var line string
		switch {
		case s.size > maxPublicSpecSize:
			line = fmt.Sprintf("skipped    %s: %d bytes, over the %d the test loads", s.name(), s.size, maxPublicSpecSize)
		case s.err == nil && compileErrs[s] == "":
			line = "generated  " + s.name()
		case s.err == nil:
			t.Errorf("%s: the generated package does not type-check: %s", s.name(), compileErrs[s])
			line = "broken     " + s.name() + ": " + compileErrs[s]
		default:
			msg := refusal(s)
			if !located(s) {
				t.Errorf("%s: the error does not name the file and say what is unsupported or invalid: %v", s.name(), s.err)
			}
			line = "refused    " + s.source + "/" + msg
		}
		lines[s.source] = append(lines[s.source], line)
	}
	if *update {
		// Keep the comparison with oapi-codegen, which the bench module
		// writes into the same file.
		comparison := ""
		if old, err := os.ReadFile(publicSpecsFile); err == nil {
			comparison = comparisonSection(string(old))
		}
		report := publicSpecsReport(lines)
		if comparison != "" {
			i := strings.Index(report, "\n\n")
			report = report[:i] + "\n#\n" + comparison + report[i:]
		}
		if err := os.WriteFile(publicSpecsFile, []byte(report), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(publicSpecsFile)
	if err != nil {
		t.Fatal(err)
	}
	want := parsePublicSpecs(data)
	sources := map[string]bool{}
	for source := range lines {
		sources[source] = true
	}
	for source := range want {
		sources[source] = true
	}
	for source := range sources {
		g, w := lines[source], want[source]
		if !slices.Equal(g, w) {
			t.Errorf("%s: the outcomes differ from %s (go test -run TestPublicSpecs -update rewrites it):\n%s",
				source, publicSpecsFile, firstDiff([]byte(strings.Join(g, "\n")), []byte(strings.Join(w, "\n"))))
		}
	}
}

// goEnv returns the value of a go env variable.
func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// found is a file findOpenAPI3 found: its path relative to the module, with
// slashes, and its size.
type found struct {
	rel  string
	size int64
}

// findOpenAPI3 returns the YAML and JSON files under root/dir, in a
// testdata folder, that hold an OpenAPI 3 document, sorted.
func findOpenAPI3(root, dir string) ([]found, error) {
	var out []found
	err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		switch filepath.Ext(path) {
		case ".yaml", ".yml", ".json":
		default:
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !strings.Contains("/"+rel, "/testdata/") && !strings.Contains("/"+rel, "/_testdata/") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if openAPI3.Match(data) {
			out = append(out, found{rel, int64(len(data))})
		}
		return nil
	})
	slices.SortFunc(out, func(x, y found) int { return strings.Compare(x.rel, y.rel) })
	return out, err
}

// refusal is the first line of a spec's error, with the path of the module
// cache taken out so that the list reads the same on every machine.
func refusal(s *publicSpec) string {
	msg, _, _ := strings.Cut(s.err.Error(), "\n")
	msg = strings.ReplaceAll(msg, filepath.ToSlash(s.dir)+"/", "")
	msg = strings.ReplaceAll(msg, s.dir+string(filepath.Separator), "")
	const max = 240
	if r := []rune(msg); len(r) > max {
		msg = string(r[:max]) + "…"
	}
	return msg
}

// located reports whether the error of s is one of the generator's located
// errors (package specerr), naming the spec's file or a file under its
// folder that it refers to; and was not a panic.
func located(s *publicSpec) bool {
	if strings.Contains(s.err.Error(), "internal error") {
		return false
	}
	var (
		loc specerr.Location
		u   *specerr.UnsupportedError
		se  *specerr.SpecError
		le  *specerr.LoadError
	)
	switch {
	case errors.As(s.err, &u):
		loc = u.Location
	case errors.As(s.err, &se):
		loc = se.Location
	case errors.As(s.err, &le):
		loc = le.Location
	default:
		return false
	}
	// The spec, or a sibling file under its folder that it refers to.
	spec := filepath.Join(s.dir, filepath.FromSlash(s.rel))
	rel, err := filepath.Rel(filepath.Dir(spec), loc.File)
	return loc.File == spec || err == nil && !filepath.IsAbs(rel) && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// typeCheckPublic type-checks every generated package in one go/packages
// load and returns the first error of each package that has one.
func typeCheckPublic(t *testing.T, specs []*publicSpec) map[*publicSpec]string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	overlay := map[string][]byte{}
	byPath := map[string]*publicSpec{}
	var patterns []string
	for i, s := range specs {
		if s.err != nil || s.files == nil {
			continue
		}
		name := fmt.Sprintf("spec%03d", i)
		dir := filepath.Join(root, "generator", "testdata", "publicspecs", name)
		for _, f := range s.files {
			overlay[filepath.Join(dir, f.Name)] = f.Data
		}
		patterns = append(patterns, "./generator/testdata/publicspecs/"+name)
		byPath["github.com/payforge/wechatpay/generator/testdata/publicspecs/"+name] = s
	}
	out := map[*publicSpec]string{}
	if len(patterns) == 0 {
		return out
	}
	pkgs, err := packages.Load(&packages.Config{
		// NeedSyntax without NeedTypesInfo: type-check from source, no more.
		Mode:    packages.NeedName | packages.NeedFiles | packages.NeedTypes | packages.NeedSyntax,
		Dir:     root,
		Overlay: overlay,
	}, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		s, ok := byPath[p.PkgPath]
		if !ok {
			t.Errorf("unexpected package %s", p.PkgPath)
			continue
		}
		delete(byPath, p.PkgPath)
		switch {
		case len(p.Errors) > 0:
			out[s] = compileError(p.Errors[0])
		case p.Types == nil || !p.Types.Complete():
			out[s] = "not type-checked"
		}
	}
	for path, s := range byPath {
		out[s] = "not loaded: " + path
	}
	return out
}

// comparisonSection is the comparison with oapi-codegen that
// bench/cmd/publicspecs writes into the report, or "".
func comparisonSection(report string) string {
	const start, end = "# --- comparison with oapi-codegen", "# --- end of the comparison ---"
	i, j := strings.Index(report, start), strings.Index(report, end)
	if i < 0 || j < i {
		return ""
	}
	return report[i : j+len(end)]
}

// publicSpecsReport writes the list of outcomes: a summary per module, then
// one line per spec.
func publicSpecsReport(lines map[string][]string) string {
	var b bytes.Buffer
	b.WriteString("# The generator run on public OpenAPI 3 documents it was not written for\n")
	b.WriteString("# (generator/publicspecs_test.go; go test ./generator -run TestPublicSpecs -update\n")
	b.WriteString("# rewrites this file). \"generated\": the package type-checks; \"refused\": the\n")
	b.WriteString("# generator's error, located in the document.\n")
	b.WriteString("#\n# Before issue 9 (every shape of WeChat Pay APIv3) it generated 3 of the 92\n")
	b.WriteString("# documents of kin-openapi and 14 of the 117 of ogen.\n")
	var sources []string
	for source := range lines {
		sources = append(sources, source)
	}
	slices.Sort(sources)
	for _, source := range sources {
		generated, refused, skipped := 0, 0, 0
		reasons := map[string]int{}
		for _, l := range lines[source] {
			switch {
			case strings.HasPrefix(l, "generated"):
				generated++
			case strings.HasPrefix(l, "skipped"):
				skipped++
			default:
				refused++
				reasons[reason(l)]++
			}
		}
		fmt.Fprintf(&b, "#\n# %s: %d documents, %d generated, %d refused, %d skipped; refused for:\n",
			source, len(lines[source]), generated, refused, skipped)
		var rs []string
		for r := range reasons {
			rs = append(rs, r)
		}
		slices.SortFunc(rs, func(x, y string) int {
			if c := reasons[y] - reasons[x]; c != 0 {
				return c
			}
			return strings.Compare(x, y)
		})
		for _, r := range rs {
			fmt.Fprintf(&b, "#   %3d %s\n", reasons[r], r)
		}
	}
	for _, source := range sources {
		b.WriteString("\n")
		for _, l := range lines[source] {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

var (
	position = regexp.MustCompile(`^\S+?(:\d+)*: `)
	quoted   = regexp.MustCompile(`"[^"]*"`)
)

// reason is the kind of a refusal, for the summary: its message without
// the file, the location and the names it quotes.
func reason(line string) string {
	msg := strings.TrimSpace(strings.TrimPrefix(line, "refused"))
	msg = position.ReplaceAllString(msg, "")
	switch {
	case strings.HasPrefix(msg, "cannot load the spec"):
		return "kin-openapi cannot load it (external $ref, bad YAML, ...)"
	case strings.HasPrefix(msg, "invalid spec"):
		return "kin-openapi finds it invalid"
	case strings.HasPrefix(msg, "names collide"):
		return "names collide after conversion to Go"
	}
	if i := strings.LastIndex(msg, " at "); i > 0 {
		msg = msg[:i]
	}
	return quoted.ReplaceAllString(msg, "…")
}

// parsePublicSpecs reads the per-spec lines of the list, by module.
func parsePublicSpecs(data []byte) map[string][]string {
	out := map[string][]string{}
	for _, l := range strings.Split(string(data), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		fields := strings.Fields(l)
		if len(fields) < 2 {
			continue
		}
		source, _, _ := strings.Cut(fields[1], "@")
		if _, version, ok := strings.Cut(fields[1], "@"); ok {
			v, _, _ := strings.Cut(version, "/")
			source += "@" + v
		}
		out[source] = append(out[source], l)
	}
	return out
}

// compileError is the first error of a package as one line that reads the
// same on every machine: the file's base name, the position and the message.
func compileError(e packages.Error) string {
	pos := e.Pos
	if i := strings.LastIndexAny(pos, `/\`); i >= 0 {
		pos = pos[i+1:]
	}
	msg, _, _ := strings.Cut(e.Msg, "\n")
	if pos == "" || pos == "-" {
		return msg
	}
	return pos + ": " + msg
}
