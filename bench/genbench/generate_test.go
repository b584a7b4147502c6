package genbench_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/payforge/wechatpay/bench/internal/bigspec"
	"github.com/payforge/wechatpay/bench/internal/generators"
)

var opsFlag = flag.String("ops", "10,50,100,200", "operation counts of the specs the generator benchmarks use")

// Paths are relative to the root of the bench module, where the go commands
// run (the benchmarks run in this package's folder).
const (
	moduleRoot = ".."
	familySpec = "../spec/password-exempt-contract.yaml"
	outDir     = "out" // scratch, ignored by git
	// pkgDir holds generated packages to compile; its leading underscore keeps
	// them out of ./... (go vet, go test) of this module.
	pkgDir = "out/_pkg"
)

// inRoot returns a path relative to the module root as one relative to here.
func inRoot(p string) string { return filepath.Join(moduleRoot, p) }

type sizedSpec struct {
	ops  int
	path string
}

var prepared struct {
	once  sync.Once
	set   *generators.Set
	specs []sizedSpec
	err   error
}

// prepare builds the generators and writes the specs, once per process.
func prepare(b *testing.B) (*generators.Set, []sizedSpec) {
	b.Helper()
	prepared.once.Do(func() {
		sizes, err := bigspec.ParseSizes(*opsFlag)
		if err != nil {
			prepared.err = err
			return
		}
		paths, err := bigspec.WriteFiles(inRoot(familySpec), inRoot(filepath.Join(outDir, "spec")), sizes)
		if err != nil {
			prepared.err = err
			return
		}
		for _, n := range sizes {
			prepared.specs = append(prepared.specs, sizedSpec{n, paths[n]})
		}
		prepared.set, prepared.err = generators.Build(context.Background(), inRoot(".."), inRoot(outDir))
	})
	if prepared.err != nil {
		b.Fatal(prepared.err)
	}
	return prepared.set, prepared.specs
}

// BenchmarkGenerate times each generator, run as a built binary, on each
// spec: load, generate, format and write. lines is the size of its output.
// ogen refuses the family spec as it is (it reports a feature it has not
// implemented); it is timed with ignore_not_implemented, and skipped-ops
// counts the operations it left out.
func BenchmarkGenerate(b *testing.B) {
	set, specs := prepare(b)
	ctx := context.Background()
	for _, s := range specs {
		for _, name := range generators.Names {
			b.Run(fmt.Sprintf("ops=%d/%s", s.ops, name), func(b *testing.B) {
				out := inRoot(filepath.Join(pkgDir, "generate", name, fmt.Sprintf("ops%d", s.ops)))
				pkg := fmt.Sprintf("ops%d", s.ops)
				refused := 0.0
				if name == "ogen" {
					if r, err := set.Generate(ctx, name, s.path, out, pkg, false); err != nil {
						refused = 1
						b.Logf("ogen refuses the spec as is: %s", notImplemented(r.Log))
					}
				}
				var r generators.Result
				var err error
				for b.Loop() {
					if r, err = set.Generate(ctx, name, s.path, out, pkg, true); err != nil {
						b.Skipf("refused: %v", err)
					}
				}
				lines, err := generators.Lines(out)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(lines), "lines")
				if name == "ogen" {
					b.ReportMetric(float64(r.Skipped), "skipped-ops")
					b.ReportMetric(refused, "refused-as-is")
				}
			})
		}
	}
}

// BenchmarkCompile times `go build` of each generated package alone: its
// dependencies are built (and cached) first, then every iteration adds a
// file with a new constant, so that the package and nothing else is compiled
// again. go-build-overhead is `go build` of a cached package: the share of
// each figure that is the go command itself.
func BenchmarkCompile(b *testing.B) {
	set, specs := prepare(b)
	ctx := context.Background()
	b.Run("go-build-overhead", func(b *testing.B) {
		dir := filepath.Join(pkgDir, "compile", "overhead")
		if _, err := set.Generate(ctx, "wechatpay-gen", specs[0].path, inRoot(dir), "overhead", true); err != nil {
			b.Fatal(err)
		}
		goBuild(b, dir) // now cached
		for b.Loop() {
			goBuild(b, dir)
		}
	})
	for _, s := range specs {
		for _, name := range generators.Names {
			b.Run(fmt.Sprintf("ops=%d/%s", s.ops, name), func(b *testing.B) {
				dir := filepath.Join(pkgDir, "compile", name, fmt.Sprintf("ops%d", s.ops))
				pkg := fmt.Sprintf("ops%d", s.ops)
				if _, err := set.Generate(ctx, name, s.path, inRoot(dir), pkg, true); err != nil {
					b.Skipf("refused: %v", err)
				}
				buildDeps(b, dir)
				nonce := inRoot(filepath.Join(dir, "zz_bench_nonce.go"))
				for b.Loop() {
					src := fmt.Sprintf("package %s\n\nconst benchNonce = %d\n", pkg, time.Now().UnixNano())
					if err := os.WriteFile(nonce, []byte(src), 0o644); err != nil {
						b.Fatal(err)
					}
					goBuild(b, dir)
				}
			})
		}
	}
}

func goBuild(b *testing.B, dir string) {
	b.Helper()
	if out, err := goCmd("build", "./"+filepath.ToSlash(dir)).CombinedOutput(); err != nil {
		b.Fatalf("go build %s: %v\n%s", dir, err, out)
	}
}

// buildDeps builds (into the cache) what the package in dir imports, but not
// the package.
func buildDeps(b *testing.B, dir string) {
	b.Helper()
	out, err := goCmd("list", "-f", `{{join .Imports "\n"}}`, "./"+filepath.ToSlash(dir)).Output()
	if err != nil {
		b.Fatalf("go list %s: %v", dir, err)
	}
	args := append([]string{"build"}, strings.Fields(string(out))...)
	if out, err := goCmd(args...).CombinedOutput(); err != nil {
		b.Fatalf("go build (dependencies of %s): %v\n%s", dir, err, out)
	}
}

// goCmd is the go command, run at the module root.
func goCmd(args ...string) *exec.Cmd {
	cmd := exec.Command("go", args...)
	cmd.Dir = moduleRoot
	return cmd
}

// notImplemented picks ogen's one-line reason out of its log.
func notImplemented(log string) string {
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "not implemented") {
			return strings.TrimSpace(line)
		}
	}
	return strings.TrimSpace(log)
}
