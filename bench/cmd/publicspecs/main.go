// Command publicspecs compares this repository's generator with oapi-codegen
// on the public OpenAPI 3 documents of generator/testdata/publicspecs.txt:
// the test data of kin-openapi and of ogen, as the module cache holds them.
// For each source it counts the documents, those kin-openapi loads and
// validates as OpenAPI 3, and those each generator turns into a package that
// builds and vets (wechatpay-gen as the generator's tests run it,
// oapi-codegen with -generate types,client), from the same run. Run it from
// the bench module:
//
//	go run ./cmd/publicspecs            # print the comparison
//	go run ./cmd/publicspecs -write     # and record it in generator/testdata/publicspecs.txt
//
// ogen must be in the module cache (go mod download
// github.com/ogen-go/ogen@v1.24.0); the generated packages go under
// out/_pkg/publicspecs, which the leading underscore keeps out of ./... of
// the module.
package main

import (
	"bytes"
	"cmp"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/payforge/wechatpay/bench/internal/generators"
)

// sources are the documents' modules and folders, as generator/publicspecs_test.go
// lists them.
var sources = []struct {
	module, version string
	dirs            []string
}{
	{"github.com/getkin/kin-openapi", "v0.153.0", []string{"openapi3/testdata", "openapi3filter/testdata", "routers"}},
	{"github.com/ogen-go/ogen", "v1.24.0", []string{"_testdata/positive", "_testdata/examples"}},
}

// maxSpecSize is the size above which a document is left out, as the
// generator's test leaves it out.
const maxSpecSize = 1 << 20

const (
	module    = "github.com/payforge/wechatpay/bench"
	pkgRoot   = "out/_pkg/publicspecs"
	reportOut = "../generator/testdata/publicspecs.txt"
	// The comparison's section of the report, which the generator's test
	// keeps as it is when it rewrites the rest.
	sectionStart = "# --- comparison with oapi-codegen (bench: go run ./cmd/publicspecs -write) ---"
	sectionEnd   = "# --- end of the comparison ---"
)

var openAPI3 = regexp.MustCompile(`(?m)^\s*["']?openapi["']?\s*:\s*["']?3\.`)

// doc is one document and what came of it.
type doc struct {
	source, path, rel string
	name              string // the package name, specNNN
	valid             bool   // kin-openapi loads and validates it
	ours, oapi        bool   // the generator's package builds and vets
	why               string // why wechatpay-gen made nothing, or "does not build"
}

func main() {
	write := flag.Bool("write", false, "record the comparison in "+reportOut)
	flag.Parse()
	if err := run(*write); err != nil {
		fmt.Fprintln(os.Stderr, "publicspecs:", err)
		os.Exit(1)
	}
}

func run(write bool) error {
	ctx := context.Background()
	cache, err := goEnv("GOMODCACHE")
	if err != nil {
		return err
	}
	var docs []*doc
	for _, src := range sources {
		source := src.module + "@" + src.version
		root := filepath.Join(cache, filepath.FromSlash(source))
		if _, err := os.Stat(root); err != nil {
			return fmt.Errorf("%s is not in the module cache (go mod download %s)", source, source)
		}
		for _, d := range src.dirs {
			found, err := find(root, d)
			if err != nil {
				return err
			}
			for _, rel := range found {
				docs = append(docs, &doc{source: source, path: filepath.Join(root, filepath.FromSlash(rel)), rel: rel})
			}
		}
	}
	for i, d := range docs {
		d.name = fmt.Sprintf("spec%03d", i)
		d.valid = validates(ctx, d.path)
	}
	set, err := generators.Build(ctx, "..", "out")
	if err != nil {
		return err
	}
	if err := os.RemoveAll(pkgRoot); err != nil {
		return err
	}
	for _, gen := range []string{"wechatpay-gen", "oapi-codegen"} {
		var made []*doc
		for _, d := range docs {
			pkg := filepath.Join(pkgRoot, dirOf(gen), d.name)
			if r, err := set.Generate(ctx, gen, d.path, pkg, d.name, false); err != nil {
				os.RemoveAll(pkg) // a refusal; nothing to build
				if gen == "wechatpay-gen" {
					d.why = refusal(r.Log, d.path)
				}
				continue
			}
			made = append(made, d)
		}
		failed, err := vet("./" + filepath.ToSlash(filepath.Join(pkgRoot, dirOf(gen))) + "/...")
		if err != nil {
			return err
		}
		for _, d := range made {
			ok := !failed[module+"/"+filepath.ToSlash(filepath.Join(pkgRoot, dirOf(gen), d.name))]
			if gen == "wechatpay-gen" {
				d.ours = ok
				if !ok {
					d.why = "does not build or vet"
				}
			} else {
				d.oapi = ok
			}
		}
	}
	report := summary(docs)
	fmt.Print(report)
	if write {
		return record(report)
	}
	return nil
}

func dirOf(gen string) string {
	if gen == "wechatpay-gen" {
		return "ours"
	}
	return "oapi"
}

// find returns the OpenAPI 3 documents under root/dir, in a testdata
// folder, within maxSpecSize, relative to root with slashes, sorted.
func find(root, dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
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
		if len(data) <= maxSpecSize && openAPI3.Match(data) {
			out = append(out, rel)
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

// validates reports whether kin-openapi loads the document (external
// references to local files allowed) and validates it. A document it
// panics on does not validate.
func validates(ctx context.Context, path string) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = openapi3.ReadFromFile // local files, never the network
	loader.Context = ctx
	d, err := loader.LoadFromFile(path)
	return err == nil && d.Validate(ctx) == nil
}

// vet runs go vet on pattern and returns the packages that failed to build
// or vet, by import path.
func vet(pattern string) (map[string]bool, error) {
	cmd := exec.Command("go", "vet", pattern)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	failed := map[string]bool{}
	for _, line := range strings.Split(out.String(), "\n") {
		// go vet heads the errors of each package with "# path"; a
		// package it cannot load is named at the start of its line.
		if p, ok := strings.CutPrefix(line, "# "); ok {
			failed[strings.TrimSuffix(strings.Fields(p)[0], "_test")] = true
			continue
		}
		if i := strings.Index(line, pkgRoot+"/"); i >= 0 {
			rest := line[i:]
			parts := strings.SplitN(rest, "/", 6)
			if len(parts) >= 5 {
				name, _, _ := strings.Cut(parts[4], ":")
				failed[module+"/"+strings.Join(append(parts[:4:4], name), "/")] = true
			}
		}
	}
	if err != nil && len(failed) == 0 {
		return nil, fmt.Errorf("go vet %s: %v\n%s", pattern, err, out.String())
	}
	return failed, nil
}

// summary counts, per source, the documents, those kin-openapi validates,
// and those each generator turns into a package that builds and vets, and
// lists where the two differ.
func summary(docs []*doc) string {
	var b strings.Builder
	bySource := map[string][]*doc{}
	var names []string
	for _, d := range docs {
		if _, ok := bySource[d.source]; !ok {
			names = append(names, d.source)
		}
		bySource[d.source] = append(bySource[d.source], d)
	}
	slices.Sort(names)
	fmt.Fprintln(&b, sectionStart)
	fmt.Fprintln(&b, "# Documents of at most 1 MiB; \"valid\": kin-openapi loads and validates it as OpenAPI 3;")
	fmt.Fprintln(&b, "# a generator counts a document when its package builds and vets (go vet).")
	fmt.Fprintln(&b, "#")
	fmt.Fprintf(&b, "# %-40s %9s %6s %28s %28s\n", "source", "documents", "valid", "wechatpay-gen (valid only)", "oapi-codegen (valid only)")
	for _, src := range names {
		ds := bySource[src]
		count := func(f func(*doc) bool) int {
			n := 0
			for _, d := range ds {
				if f(d) {
					n++
				}
			}
			return n
		}
		valid := count(func(d *doc) bool { return d.valid })
		fmt.Fprintf(&b, "# %-40s %9d %6d %28s %28s\n", src, len(ds), valid,
			fmt.Sprintf("%d (%d)", count(func(d *doc) bool { return d.ours }), count(func(d *doc) bool { return d.ours && d.valid })),
			fmt.Sprintf("%d (%d)", count(func(d *doc) bool { return d.oapi }), count(func(d *doc) bool { return d.oapi && d.valid })))
	}
	var onlyOurs, onlyOapi []string
	for _, d := range docs {
		switch {
		case d.ours && !d.oapi:
			onlyOurs = append(onlyOurs, d.source+"/"+d.rel)
		case d.oapi && !d.ours && d.valid:
			onlyOapi = append(onlyOapi, d.source+"/"+d.rel+": "+d.why)
		}
	}
	list := func(title string, items []string) {
		fmt.Fprintf(&b, "#\n# %s: %d\n", title, len(items))
		slices.SortFunc(items, cmp.Compare[string])
		for _, it := range items {
			fmt.Fprintf(&b, "#   %s\n", it)
		}
	}
	list("built and vetted from wechatpay-gen only", onlyOurs)
	list("valid, built and vetted from oapi-codegen only (wechatpay-gen's reason)", onlyOapi)
	fmt.Fprintln(&b, sectionEnd)
	return b.String()
}

// record puts the comparison into the report of the generator's test,
// replacing the one there.
func record(section string) error {
	data, err := os.ReadFile(reportOut)
	if err != nil {
		return err
	}
	text := string(data)
	if i := strings.Index(text, sectionStart); i >= 0 {
		j := strings.Index(text, sectionEnd)
		if j < i {
			return fmt.Errorf("%s: the comparison section has no end", reportOut)
		}
		text = text[:i] + strings.TrimSuffix(section, "\n") + text[j+len(sectionEnd):]
	} else {
		// Before the first line of outcomes.
		i := strings.Index(text, "\n\n")
		if i < 0 {
			i = len(text)
		}
		text = text[:i] + "\n#\n" + strings.TrimSuffix(section, "\n") + text[i:]
	}
	return os.WriteFile(reportOut, []byte(text), 0o644)
}

func goEnv(name string) (string, error) {
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		return "", fmt.Errorf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// refusal is the first line of wechatpay-gen's error, without the
// command's name and the path of the module cache.
func refusal(log, path string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(log), "\n")
	line = strings.TrimPrefix(line, "wechatpay-gen: ")
	line = strings.ReplaceAll(line, filepath.Dir(path)+string(filepath.Separator), "")
	const max = 160
	if r := []rune(line); len(r) > max {
		line = string(r[:max]) + "…"
	}
	return line
}
