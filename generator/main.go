// Command wechatpay-gen generates a typed Go client package for the WeChat
// Pay APIv3 operations an OpenAPI 3 document describes.
//
// Usage:
//
//	go run ./generator -spec FILE -out DIR [-package NAME] [-check]
//
// It loads and validates FILE, converts it to a model, emits the package
// with jennifer and writes it to DIR: every file atomically, none over a file
// that it did not generate, removing generated files no longer produced.
// Nothing in DIR changes when any step fails. With -check it writes nothing
// and exits 1, listing the differences, when DIR is not what it would write.
//
// Exit status: 0 on success, 1 on an error or a difference found by -check,
// 2 on bad usage.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/payforge/wechatpay/generator/internal/build"
	"github.com/payforge/wechatpay/generator/internal/emit"
	"github.com/payforge/wechatpay/generator/internal/load"
	"github.com/payforge/wechatpay/generator/internal/naming"
	"github.com/payforge/wechatpay/generator/internal/write"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole command, with its arguments (without the program name)
// and output streams; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wechatpay-gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	spec := fs.String("spec", "", "the OpenAPI 3 document to generate from (required)")
	out := fs.String("out", "", "the directory of the generated package (required)")
	pkgName := fs.String("package", "", "the package name (default: the spec's base name without extension, lower-cased, letters and digits only)")
	check := fs.Bool("check", false, "write nothing; exit 1 listing the differences when -out is not what would be generated")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wechatpay-gen -spec FILE -out DIR [-package NAME] [-check]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *spec == "" || *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}

	files, err := generate(*spec, *pkgName)
	if err != nil {
		fmt.Fprintf(stderr, "wechatpay-gen: %v\n", err)
		return 1
	}
	if *check {
		diff, err := write.Check(*out, files)
		if err != nil {
			fmt.Fprintf(stderr, "wechatpay-gen: %v\n", err)
			return 1
		}
		if len(diff) > 0 {
			fmt.Fprintf(stderr, "wechatpay-gen: %s is not what %s generates:\n", *out, *spec)
			for _, d := range diff {
				fmt.Fprintf(stderr, "\t%s\n", d)
			}
			return 1
		}
		return 0
	}
	if err := write.Write(*out, files); err != nil {
		fmt.Fprintf(stderr, "wechatpay-gen: %v\n", err)
		return 1
	}
	return 0
}

// generate produces every file of the package in memory. A panic in a
// library it calls becomes an error, so that a spec never crashes the
// command without saying which file it was reading.
func generate(spec, pkgName string) (files []write.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			files, err = nil, fmt.Errorf("%s: internal error while generating: %v", spec, r)
		}
	}()
	base := filepath.Base(spec)
	if pkgName == "" {
		var err error
		if pkgName, err = naming.PackageName(base); err != nil {
			return nil, err
		}
	} else if err := naming.CheckPackageName(pkgName); err != nil {
		return nil, fmt.Errorf("-package: %v", err)
	}
	doc, err := load.Load(context.Background(), spec)
	if err != nil {
		return nil, err
	}
	pkg, err := build.Build(doc, build.Options{
		Spec:           spec,
		SpecBase:       base,
		Package:        pkgName,
		Reserved:       emit.Reserved(),
		OperationNames: emit.OperationNames,
	})
	if err != nil {
		return nil, err
	}
	emitted, err := emit.Emit(pkg)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", spec, err)
	}
	files = make([]write.File, len(emitted))
	for i, f := range emitted {
		files[i] = write.File{Name: f.Name, Data: f.Data}
	}
	return files, nil
}
