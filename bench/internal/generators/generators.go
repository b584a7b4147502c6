// Package generators builds this repository's generator, oapi-codegen and
// ogen once, as binaries, and runs them on a spec; the generator benchmarks
// then time nothing but the generators' own work (and process start).
package generators

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The versions compared; each is built with its own go.mod, as
// `go install pkg@version` installs it for a user.
const (
	OapiCodegen = "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2"
	Ogen        = "github.com/ogen-go/ogen/cmd/ogen@v1.24.0"
)

// Names of the generators, in the order the benchmarks run them.
var Names = []string{"wechatpay-gen", "oapi-codegen", "ogen"}

// ogenConfig asks ogen for a client only, as the others generate. With
// lenient set, ogen skips the operations it cannot generate instead of
// refusing the whole spec.
func ogenConfig(lenient bool) string {
	c := "generator:\n  features:\n    disable: [paths/server, webhooks/server]\n"
	if lenient {
		c += "  ignore_not_implemented: [\"all\"]\n"
	}
	return c
}

// Set is the three generator binaries, built into one folder.
type Set struct {
	bin string
}

// Build builds the binaries into dir/bin: wechatpay-gen from the main module
// at repo, the others with go install. Built binaries are reused by go's
// build cache, so a second Build is quick.
func Build(ctx context.Context, repo, dir string) (*Set, error) {
	bin, err := filepath.Abs(filepath.Join(dir, "bin"))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return nil, err
	}
	build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, "wechatpay-gen"), "./cmd/wechatpay-gen")
	build.Dir = repo
	if err := run(build); err != nil {
		return nil, err
	}
	for _, pkg := range []string{OapiCodegen, Ogen} {
		install := exec.CommandContext(ctx, "go", "install", pkg)
		install.Env = append(os.Environ(), "GOBIN="+bin)
		if err := run(install); err != nil {
			return nil, err
		}
	}
	for _, lenient := range []bool{false, true} {
		if err := os.WriteFile(filepath.Join(bin, ogenConfigName(lenient)), []byte(ogenConfig(lenient)), 0o644); err != nil {
			return nil, err
		}
	}
	return &Set{bin: bin}, nil
}

func ogenConfigName(lenient bool) string {
	if lenient {
		return "ogen-lenient.yml"
	}
	return "ogen-strict.yml"
}

// Result is what one generation did.
type Result struct {
	Skipped int    // operations the generator left out (ogen, lenient)
	Log     string // the generator's error output
}

// Generate runs generator name on spec into the folder out, emptied first,
// as package pkg. For ogen, lenient says whether unsupported operations are
// skipped (see ogenConfig).
func (s *Set) Generate(ctx context.Context, name, spec, out, pkg string, lenient bool) (Result, error) {
	if err := os.RemoveAll(out); err != nil {
		return Result{}, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return Result{}, err
	}
	var cmd *exec.Cmd
	switch name {
	case "wechatpay-gen":
		cmd = exec.CommandContext(ctx, filepath.Join(s.bin, name), "-spec", spec, "-out", out, "-package", pkg)
	case "oapi-codegen":
		cmd = exec.CommandContext(ctx, filepath.Join(s.bin, name), "-generate", "types,client",
			"-package", pkg, "-o", filepath.Join(out, "client.gen.go"), spec)
	case "ogen":
		cmd = exec.CommandContext(ctx, filepath.Join(s.bin, name), "-config", filepath.Join(s.bin, ogenConfigName(lenient)),
			"-package", pkg, "-target", out, "-clean", spec)
	default:
		return Result{}, fmt.Errorf("unknown generator %q", name)
	}
	var stderr bytes.Buffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	err := cmd.Run()
	r := Result{Skipped: strings.Count(stderr.String(), "Skipping operation"), Log: stderr.String()}
	if err != nil {
		return r, fmt.Errorf("%s on %s: %w\n%s", name, filepath.Base(spec), err, lastLines(stderr.String(), 12))
	}
	return r, nil
}

// Lines counts the lines of the .go files in dir.
func Lines(dir string) (int, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return 0, err
	}
	if len(files) == 0 {
		return 0, errors.New("no Go files in " + dir)
	}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return 0, err
		}
		n += bytes.Count(b, []byte("\n"))
	}
	return n, nil
}

func run(cmd *exec.Cmd) error {
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w\n%s", strings.Join(cmd.Args, " "), err, out)
	}
	return nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
