// Package generator is wechatpay-gen, the generator of typed Go client
// packages for the WeChat Pay APIv3 operations an OpenAPI 3 document
// describes, as a library: command cmd/wechatpay-gen is Run.
//
// Run is one pipeline, one package per stage:
//
//	load   reads and validates the spec with kin-openapi: an OpenAPI 3
//	       document, with $refs to sibling files under its folder, or a
//	       Swagger 2.0 one converted to OpenAPI 3
//	build  turns it into the model, refusing what it cannot support
//	emit   renders the model as Go with jennifer
//	write  puts the files into the package directory atomically
//
// Nothing in the output directory changes when any stage fails. A spec the
// generator refuses is an error of one of the types below, located in the
// spec by file, line, column and a dotted path; callers tell them apart with
// errors.As.
package generator

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/payforge/wechatpay/generator/internal/build"
	"github.com/payforge/wechatpay/generator/internal/emit"
	"github.com/payforge/wechatpay/generator/internal/load"
	"github.com/payforge/wechatpay/generator/internal/naming"
	"github.com/payforge/wechatpay/generator/internal/specerr"
	"github.com/payforge/wechatpay/generator/internal/write"
)

type (
	// Location is a place in a spec: file, line and column (0 when
	// unknown) and the dotted path into the document.
	Location = specerr.Location
	// UnsupportedError is a construct of the spec the generator cannot turn
	// into correct Go code.
	UnsupportedError = specerr.UnsupportedError
	// SpecError is a spec refused for another reason, such as names that
	// collide once converted to Go.
	SpecError = specerr.SpecError
	// LoadError is a document kin-openapi cannot load or finds invalid.
	LoadError = specerr.LoadError
)

// Name is the command's name, as `go tool` calls it.
const Name = "wechatpay-gen"

const usage = `usage: wechatpay-gen -spec FILE -out DIR [-package NAME] [-import PATH] [-check]

wechatpay-gen generates a typed Go client package from an OpenAPI 3 document
(or a Swagger 2.0 one, converted first) describing WeChat Pay APIv3
operations; $refs may lead to files under the document's folder. It writes every file atomically,
never over a file it did not generate, and removes the generated files it no
longer produces; nothing changes when it fails. With -check it writes
nothing and exits 1, listing the differences, when DIR is not what it would
write.

Exit status: 0 on success, 1 on an error or a difference found by -check,
2 on bad usage.

Flags:
`

// Run is the whole command, with its arguments (without the program name)
// and output streams; it returns the exit status. -h prints the usage on
// stdout; bad usage prints it on stderr and returns 2.
func Run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors and usage are printed below
	spec := fs.String("spec", "", "the OpenAPI 3 document to generate from (required)")
	out := fs.String("out", "", "the directory of the generated package (required)")
	pkgName := fs.String("package", "", "the package name (default: the spec's base name without extension, lower-cased, letters and digits only)")
	importPath := fs.String("import", "", "the import path of the package in -out (default: from the go.mod in -out or the nearest folder above it)")
	check := fs.Bool("check", false, "write nothing; exit 1 listing the differences when -out is not what would be generated")
	printUsage := func(w io.Writer) {
		fmt.Fprint(w, usage)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout)
			return 0
		}
		fmt.Fprintf(stderr, "%s: %v\n", Name, err)
		printUsage(stderr)
		return 2
	}
	if *spec == "" || *out == "" || fs.NArg() > 0 {
		switch {
		case fs.NArg() > 0:
			fmt.Fprintf(stderr, "%s: unexpected argument %q\n", Name, fs.Arg(0))
		default:
			fmt.Fprintf(stderr, "%s: -spec and -out are required\n", Name)
		}
		printUsage(stderr)
		return 2
	}

	files, err := generate(*spec, *pkgName, func() (string, error) {
		if *importPath != "" {
			return *importPath, nil
		}
		return modulePath(*out)
	})
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", Name, err)
		return 1
	}
	if *check {
		diff, err := write.Check(*out, files)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", Name, err)
			return 1
		}
		if len(diff) > 0 {
			fmt.Fprintf(stderr, "%s: %s is not what %s generates:\n", Name, *out, *spec)
			for _, d := range diff {
				fmt.Fprintf(stderr, "\t%s\n", d)
			}
			return 1
		}
		return 0
	}
	if err := write.Write(*out, files); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", Name, err)
		return 1
	}
	return 0
}

// generate produces every file of the package in memory; importPath tells
// the package's import path, once the spec proved good. A panic in a
// library it calls becomes an error, so that a spec never crashes the
// command without saying which file it was reading.
func generate(spec, pkgName string, importPath func() (string, error)) (files []write.File, err error) {
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
	if pkg.ImportPath, err = importPath(); err != nil {
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
