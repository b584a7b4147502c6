// Package load reads an OpenAPI document from a file, resolves its internal
// $refs and validates it, and reports what is wrong with one that fails as a
// *specerr.LoadError naming the file and, where kin-openapi records it, the
// line and column.
package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"reflect"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/payforge/wechatpay/generator/internal/specerr"
)

// Load reads, resolves and validates the OpenAPI document in the file at
// path. $refs to other documents are refused. The document keeps the origin
// (file, line, column) of its elements, for error messages.
func Load(ctx context.Context, path string) (*openapi3.T, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &specerr.SpecError{Location: specerr.Location{File: path}, Reason: "the file is empty"}
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	loader.IncludeOrigin = true
	loader.Context = ctx
	doc, err := loader.LoadFromDataWithPath(data, &url.URL{Path: filepath.ToSlash(path)})
	if err != nil {
		return nil, &specerr.LoadError{Location: locate(path, originOf(err)), Err: err}
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, &specerr.LoadError{Location: locate(path, originOf(err)), Invalid: true, Err: err}
	}
	return doc, nil
}

// MaxSpecBytes caps the size of a spec file. The largest public API
// descriptions are a few MiB; anything beyond this is refused before
// parsing, so that a hostile file cannot exhaust memory in the YAML parser.
const MaxSpecBytes = 16 << 20

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

// locate is where in the file at path an element starts, as o records it.
func locate(path string, o *openapi3.Origin) specerr.Location {
	l := specerr.Location{File: path}
	if o != nil && o.Key != nil {
		l.Line, l.Column = o.Key.Line, o.Key.Column
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
