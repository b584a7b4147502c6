// Package load reads an OpenAPI document from a file, resolves its $refs and
// validates it, and reports what is wrong with one that fails as a located
// error of package specerr naming the file and, where kin-openapi records it,
// the line and column.
//
// A document may refer to sibling files under its own folder
// ("common.yaml#/components/schemas/Amount"), so that the shared parts of a
// family of operations live in one file. Nothing else is read: a $ref that
// leaves the folder, or names a URL, is refused with the place it is
// written at.
//
// A Swagger 2.0 document is converted to OpenAPI 3 with kin-openapi's
// openapi2conv first; everything after loading then takes one path. Errors
// still name the file the generator was given (Swagger 2.0 documents carry
// no line numbers).
package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"

	"github.com/payforge/wechatpay/generator/internal/specerr"
)

// Load reads, resolves and validates the OpenAPI document in the file at
// path. The document keeps the origin (file, line, column) of its elements,
// for error messages.
func Load(ctx context.Context, path string) (*openapi3.T, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &specerr.SpecError{Location: specerr.Location{File: path}, Reason: "the file is empty"}
	}
	files, err := newFolder(path)
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true // files.read decides what may be read
	loader.ReadFromURIFunc = files.read
	loader.IncludeOrigin = true
	loader.Context = ctx
	location := &url.URL{Path: filepath.ToSlash(path)}

	var doc *openapi3.T
	if swagger2.Match(data) {
		doc, err = fromSwagger2(loader, data, location)
	} else {
		doc, err = loader.LoadFromDataWithPath(data, location)
	}
	if err != nil {
		if refused := files.refusedError(path, data); refused != nil {
			return nil, refused
		}
		var se *specerr.SpecError
		if errors.As(err, &se) {
			return nil, se
		}
		return nil, &specerr.LoadError{Location: locate(path, originOf(err)), Err: err}
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, &specerr.LoadError{Location: locate(path, originOf(err)), Invalid: true, Err: err}
	}
	if err := resolvePlaintexts(loader, doc, location); err != nil {
		return nil, err
	}
	return doc, nil
}

// PlaintextExtension is the vendor extension on a callback operation that
// names, as {"$ref": "notifications.yaml#/components/schemas/X"}, the schema
// the resource of its notification decrypts to. kin-openapi resolves no
// reference inside an extension: Load resolves this one, against the file the
// callback is written in, and puts the *openapi3.SchemaRef it names in its
// place, the very schema the document's own references to it reach.
const PlaintextExtension = "x-wechatpay-plaintext"

// resolvePlaintexts resolves PlaintextExtension on every callback operation
// of doc's operations. The file a reference names is read the way the
// loader read the document (loader.ReadFromURIFunc), so that a file it read
// already is the same document, with the same schemas.
func resolvePlaintexts(loader *openapi3.Loader, doc *openapi3.T, location *url.URL) error {
	if doc.Paths == nil {
		return nil
	}
	for _, p := range doc.Paths.InMatchingOrder() {
		ops := doc.Paths.Value(p).Operations()
		for _, method := range slices.Sorted(maps.Keys(ops)) {
			op := ops[method]
			for _, name := range slices.Sorted(maps.Keys(op.Callbacks)) {
				cb := op.Callbacks[name]
				if cb == nil || cb.Value == nil {
					continue
				}
				items := cb.Value.Map()
				for _, expr := range slices.Sorted(maps.Keys(items)) {
					cbOps := items[expr].Operations()
					for _, cbMethod := range slices.Sorted(maps.Keys(cbOps)) {
						loc := "paths." + p + "." + strings.ToLower(method) + ".callbacks." + name + "." + expr + "." + strings.ToLower(cbMethod) + "." + PlaintextExtension
						if err := resolvePlaintext(loader, doc, location, cbOps[cbMethod], loc); err != nil {
							return err
						}
					}
				}
			}
		}
	}
	return nil
}

// resolvePlaintext resolves PlaintextExtension on one callback operation;
// loc is where it is, for errors.
func resolvePlaintext(loader *openapi3.Loader, doc *openapi3.T, location *url.URL, op *openapi3.Operation, loc string) error {
	raw, ok := op.Extensions[PlaintextExtension]
	if !ok {
		return nil
	}
	if _, done := raw.(*openapi3.SchemaRef); done {
		return nil // a callback several operations share
	}
	at := locate(location.Path, op.Origin)
	at.Path = loc
	fail := func(format string, args ...any) error {
		return &specerr.SpecError{Location: at, Reason: fmt.Sprintf(format, args...)}
	}
	obj, ok := raw.(map[string]any)
	ref, _ := obj["$ref"].(string)
	if !ok || len(obj) != 1 || ref == "" {
		return fail("%s must be an object holding only a $ref to a component schema", PlaintextExtension)
	}
	file, pointer, _ := strings.Cut(ref, "#")
	name, ok := strings.CutPrefix(pointer, "/components/schemas/")
	if !ok || name == "" || strings.Contains(name, "/") {
		return fail("%s $ref %q does not name a component schema (#/components/schemas/NAME)", PlaintextExtension, ref)
	}
	target := doc
	if file != "" {
		// Relative to the file the callback is written in.
		base := location.Path
		if op.Origin != nil && op.Origin.Key != nil && op.Origin.Key.File != "" {
			base = filepath.ToSlash(op.Origin.Key.File)
		}
		u, err := url.Parse(file)
		if err != nil || u.Scheme != "" || u.Host != "" || path.IsAbs(u.Path) {
			return fail("%s $ref %q: only a sibling file may be named", PlaintextExtension, ref)
		}
		resolved := &url.URL{Path: path.Join(path.Dir(base), u.Path)}
		if resolved.Path == path.Clean(location.Path) {
			target = doc
		} else if target, err = loader.LoadFromURI(resolved); err != nil {
			return fail("%s $ref %q: %v", PlaintextExtension, ref, err)
		}
	}
	var schema *openapi3.SchemaRef
	if target.Components != nil {
		schema = target.Components.Schemas[name]
	}
	if schema == nil || schema.Value == nil {
		return fail("%s $ref %q names no schema", PlaintextExtension, ref)
	}
	// The reference as the document's own $refs to it are written: a
	// component of its file.
	op.Extensions[PlaintextExtension] = &openapi3.SchemaRef{Ref: ref, Value: schema.Value}
	return nil
}

// swagger2 matches the swagger field of a Swagger 2.0 document, in YAML or
// JSON, at the start of a line.
var swagger2 = regexp.MustCompile(`(?m)^\s*[{]?\s*["']?swagger["']?\s*:\s*["']?2\.`)

// fromSwagger2 decodes a Swagger 2.0 document and converts it to OpenAPI 3,
// resolving its references with loader.
func fromSwagger2(loader *openapi3.Loader, data []byte, location *url.URL) (*openapi3.T, error) {
	var doc2 openapi2.T
	if err := openapi2.UnmarshalFromData(data, &doc2); err != nil {
		return nil, fmt.Errorf("swagger 2.0: %w", err)
	}
	doc, err := openapi2conv.ToV3WithLoader(&doc2, loader, location)
	if err != nil {
		return nil, fmt.Errorf("converting swagger 2.0 to OpenAPI 3: %w", err)
	}
	return doc, nil
}

// MaxSpecBytes caps the size of a spec file. The largest public API
// descriptions are a few MiB; anything beyond this is refused before
// parsing, so that a hostile file cannot exhaust memory in the YAML parser.
const MaxSpecBytes = 16 << 20

// MaxFiles caps how many sibling files one spec may read.
const MaxFiles = 256

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSpecBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSpecBytes {
		return nil, &specerr.SpecError{Location: specerr.Location{File: path},
			Reason: fmt.Sprintf("the file is larger than %d MiB; refusing to parse it", MaxSpecBytes>>20)}
	}
	return data, nil
}

// folder reads the sibling files a spec refers to: only regular files
// under the spec's folder (after following symbolic links), each within
// MaxSpecBytes, at most MaxFiles of them.
type folder struct {
	dir  string // the spec's folder, absolute, symbolic links resolved
	read func(*openapi3.Loader, *url.URL) ([]byte, error)
	// files are the files read, by the path kin-openapi asked for, to
	// locate a refused $ref in them.
	files map[string][]byte
	// refused is the first location refused, and why.
	refused *url.URL
	why     string
}

func newFolder(spec string) (*folder, error) {
	dir, err := filepath.Abs(filepath.Dir(spec))
	if err == nil {
		dir, err = filepath.EvalSymlinks(dir)
	}
	if err != nil {
		return nil, err
	}
	f := &folder{dir: dir, files: map[string][]byte{}}
	f.read = f.readFile
	return f, nil
}

// errRefused is what the loader gets for a location outside the folder.
var errRefused = errors.New("refused: not a file under the spec's folder")

func (f *folder) refuse(u *url.URL, why string) ([]byte, error) {
	if f.refused == nil {
		f.refused, f.why = u, why
	}
	return nil, errRefused
}

func (f *folder) readFile(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
	if (u.Scheme != "" && u.Scheme != "file") || u.Host != "" || u.Opaque != "" {
		return f.refuse(u, "names a location on the network; only files under the spec's folder are read")
	}
	name := filepath.FromSlash(path.Clean(u.Path))
	if _, err := os.Stat(name); err != nil {
		return nil, err // names the file as the spec's $ref does
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, err
	}
	if rel, err := filepath.Rel(f.dir, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return f.refuse(u, "leaves the spec's folder; only files under it are read")
	}
	if data, ok := f.files[name]; ok {
		return data, nil
	}
	if len(f.files) >= MaxFiles {
		return nil, fmt.Errorf("the spec refers to more than %d files", MaxFiles)
	}
	if info, err := os.Stat(real); err != nil {
		return nil, err
	} else if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", name)
	}
	data, err := readLimited(name)
	if err != nil {
		return nil, err
	}
	f.files[name] = data
	return data, nil
}

// refValue matches a $ref key and its value on one line of YAML or JSON.
var refValue = regexp.MustCompile(`["']?\$ref["']?\s*:\s*["']?([^"'\s,}]*)`)

// refusedError is the error for the location the folder refused, if any,
// placed where a $ref naming it is written: in the spec (data) or a file
// read before.
func (f *folder) refusedError(spec string, data []byte) error {
	if f.refused == nil {
		return nil
	}
	target := f.refused
	files := map[string][]byte{spec: data}
	for name, d := range f.files {
		files[name] = d
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	// The spec itself first, then the others by name.
	slices.SortStableFunc(names, func(x, y string) int {
		switch {
		case x == spec:
			return -1
		case y == spec:
			return 1
		}
		return 0
	})
	for _, name := range names {
		base := filepath.ToSlash(filepath.Dir(name))
		for i, line := range strings.Split(string(files[name]), "\n") {
			m := refValue.FindStringSubmatchIndex(line)
			if m == nil {
				continue
			}
			value := line[m[2]:m[3]]
			file, _, _ := strings.Cut(value, "#")
			if file == "" {
				continue
			}
			ref, err := url.Parse(file)
			if err != nil {
				continue
			}
			same := ref.String() == target.String()
			if !same && ref.Scheme == "" && ref.Host == "" {
				p := ref.Path
				if !path.IsAbs(p) {
					p = path.Join(base, p)
				}
				same = path.Clean(p) == path.Clean(target.Path)
			}
			if same {
				return &specerr.SpecError{
					Location: specerr.Location{File: name, Line: i + 1, Column: m[0] + 1},
					Reason:   fmt.Sprintf("$ref %q %s", value, f.why),
				}
			}
		}
	}
	return &specerr.SpecError{Location: specerr.Location{File: spec},
		Reason: fmt.Sprintf("a $ref to %q %s", target.String(), f.why)}
}

// locate is where in the file at path an element starts, as o records it;
// an element of another file the spec refers to is located in that file.
func locate(path string, o *openapi3.Origin) specerr.Location {
	l := specerr.Location{File: path}
	if o != nil && o.Key != nil {
		l.Line, l.Column = o.Key.Line, o.Key.Column
		if o.Key.File != "" {
			l.File = filepath.FromSlash(o.Key.File)
		}
	}
	return l
}

var originType = reflect.TypeFor[*openapi3.Origin]()

// originOf returns the first origin that an error in err's chain carries.
// kin-openapi's typed validation errors hold it in a field named Origin;
// there is no interface to ask for it, so the field is looked up by name.
func originOf(err error) *openapi3.Origin {
	for err != nil {
		v := reflect.ValueOf(err)
		for v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		if v.Kind() == reflect.Struct {
			if f := v.FieldByName("Origin"); f.IsValid() && f.Type() == originType && !f.IsNil() {
				return f.Interface().(*openapi3.Origin)
			}
		}
		if multi, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range multi.Unwrap() {
				if o := originOf(e); o != nil {
					return o
				}
			}
			return nil
		}
		err = errors.Unwrap(err)
	}
	return nil
}
