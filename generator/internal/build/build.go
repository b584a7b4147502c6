// Package build turns a loaded, validated OpenAPI document into the
// generator's model. It is the only package that knows both.
//
// One file per concern: operation.go walks the paths and builds each
// operation, parameters.go its path and query parameters, request_body.go
// its body, responses.go its answers; schema.go converts a schema into a
// type, object.go and enum.go the named types it declares; names.go keeps
// the Go names of the package apart.
//
// What the generator cannot turn into correct Go code is refused here with a
// *specerr.UnsupportedError; other problems (names that collide once in Go,
// malformed extensions) are a *specerr.SpecError. Both carry the spec file,
// the line and column where kin-openapi records them, and the dotted path
// into the document, and read like
//
//	spec.yaml:12:7: unsupported: multipart/form-data body at paths./x.post.requestBody
package build

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/payforge/wechatpay/generator/internal/model"
	"github.com/payforge/wechatpay/generator/internal/naming"
	"github.com/payforge/wechatpay/generator/internal/specerr"
)

// ErrorCodesExtension is the vendor extension on a response that lists the
// WeChat Pay error codes documented for its status.
const ErrorCodesExtension = "x-wechatpay-error-codes"

// KnownValuesExtension is the vendor extension on a string schema that lists
// the values known so far of a list WeChat Pay may extend: an open enum,
// whose other values are valid too.
const KnownValuesExtension = "x-wechatpay-known-values"

// MainExtension is the vendor extension (true) on the operation a package's
// documentation and its package-level Example show. Without it, they show
// the first operation the spec lists.
const MainExtension = "x-wechatpay-main"

// EchoExtension is the vendor extension (false) on a property of an answer
// that has the name of a field of the request but does not echo it; see
// model.Echo for the rule it turns off.
const EchoExtension = "x-wechatpay-echo"

// EncryptedExtension is the vendor extension (true) on a string schema that
// WeChat Pay carries encrypted (敏感信息): RSAES-OAEP under the WeChat Pay key
// in a request, under the merchant's key in an answer.
const EncryptedExtension = "x-wechatpay-encrypted"

// SignedPartExtension is the vendor extension on a multipart operation that
// names the part the request signature covers in place of the body (meta).
const SignedPartExtension = "x-wechatpay-signed-part"

// RequestURLExtension is the vendor extension on an operation whose URL is
// a field of an earlier answer (download_url), and UnsignedResponseExtension
// (true) the one on an operation whose answer WeChat Pay does not sign. The
// two together describe the bill file download.
const (
	RequestURLExtension       = "x-wechatpay-request-url"
	UnsignedResponseExtension = "x-wechatpay-unsigned-response"
)

// methods are the HTTP methods the generator supports, in the order
// operations of one path are emitted.
var methods = []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"}

// Options is what Build needs besides the document.
type Options struct {
	// Spec names the spec in errors, as the generator was given it.
	Spec string
	// SpecBase is the base name of the spec file; only it goes into the
	// model, so that the output does not depend on where the generator runs.
	SpecBase string
	// Package is the Go package name.
	Package string
	// ImportPath is the import path of the generated package.
	ImportPath string
	// Reserved are the top-level names the emitter declares in every
	// package, such as Client; a spec element that would become one is
	// refused.
	Reserved []string
	// OperationNames returns the top-level names the emitter declares for
	// an operation of the given Go name, besides its request and response
	// types, such as the function behind its descriptor.
	OperationNames func(goName string) []string
}

// Build converts doc into a model.
func Build(doc *openapi3.T, opts Options) (*model.Package, error) {
	b := &builder{
		spec:     opts.Spec,
		opts:     opts,
		shared:   map[*openapi3.Schema]*model.Named{},
		building: map[*model.Named]bool{},
		names:    map[string]string{},
		patterns: map[string]*model.Pattern{},
		opIDs:    map[string]string{},
		opNames:  map[string]string{},
		answers:  map[*openapi3.Schema]int{},
		views:    map[*openapi3.Schema]*view{},
		merging:  map[*openapi3.Schema]bool{},

		unionAllOf: map[*openapi3.Schema]*openapi3.SchemaRef{},

		callbackOf: map[*openapi3.Operation]*model.Callback{},
		events:     map[string]string{},
	}
	for _, name := range opts.Reserved {
		b.names[name] = "the generated package itself"
	}
	pkg := &model.Package{Name: opts.Package, ImportPath: opts.ImportPath, SpecFile: opts.SpecBase}
	if doc.Info != nil {
		pkg.Title = doc.Info.Title
		pkg.Version = doc.Info.Version
		pkg.Description = doc.Info.Description
	}
	if doc.ExternalDocs != nil {
		pkg.DocURL = doc.ExternalDocs.URL
	}
	b.pkg = pkg
	b.countAnswers(doc)
	if err := b.paths(doc); err != nil {
		return nil, err
	}
	if len(pkg.Operations) == 0 {
		// A file of shared parts: a package of its types.
		if err := b.components(doc); err != nil {
			return nil, err
		}
		if len(pkg.Shared) == 0 {
			return nil, &specerr.SpecError{Location: specerr.Location{File: opts.Spec}, Reason: "the spec has no operations and no object or enum schemas to generate"}
		}
	} else if pkg.Main == nil {
		pkg.Main = pkg.Operations[0]
	}
	slices.SortFunc(pkg.Shared, func(x, y *model.Named) int { return strings.Compare(x.GoName, y.GoName) })
	return pkg, nil
}

type builder struct {
	spec string
	opts Options
	pkg  *model.Package
	// shared holds the named types made from component schemas, by the
	// schema a $ref resolves to: $refs written differently (from the spec,
	// from a sibling file) to one schema give one type.
	shared map[*openapi3.Schema]*model.Named
	// building holds the struct types whose fields are being built: a
	// required property of such a type would make an infinite Go type.
	building map[*model.Named]bool
	// names holds every top-level Go name declared so far, with where it
	// came from, to refuse collisions.
	names map[string]string
	// patterns holds the patterns met so far, by expression.
	patterns map[string]*model.Pattern
	// opIDs and opNames hold the operationIds and Go names seen so far.
	opIDs   map[string]string
	opNames map[string]string
	// answers counts, by $ref, the operations whose 2xx answer is a
	// component schema: one used by two or more becomes a shared type.
	answers map[*openapi3.Schema]int
	// op is the operation being built; inline types belong to it, unless
	// they are inside a component schema (inComponent > 0): then they are
	// shared like the component.
	op          *model.Operation
	inComponent int
	// opExtensions are the vendor extensions of the operation being built.
	opExtensions map[string]any
	// views holds the merged view of each allOf met so far, and merging
	// the allOfs being merged, to refuse one that contains itself.
	views   map[*openapi3.Schema]*view
	merging map[*openapi3.Schema]bool
	// unionAllOf holds the allOf form of each nullable union with
	// keywords beside it (see nullableAllOf).
	unionAllOf map[*openapi3.Schema]*openapi3.SchemaRef
	// callbackOf holds the notification built from each callback
	// operation (nil for one without the extensions), which several
	// operations may refer to; events the event types declared so far,
	// with where.
	callbackOf map[*openapi3.Operation]*model.Callback
	events     map[string]string
}

// components builds every component schema, in name order, for a spec
// without operations: its package holds their types.
func (b *builder) components(doc *openapi3.T) error {
	if doc.Components == nil {
		return nil
	}
	names := make([]string, 0, len(doc.Components.Schemas))
	for name := range doc.Components.Schemas {
		names = append(names, name)
	}
	slices.Sort(names)
	b.inComponent++
	defer func() { b.inComponent-- }()
	for _, name := range names {
		ref := doc.Components.Schemas[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		escaped := strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1")
		own := &openapi3.SchemaRef{Ref: "#/components/schemas/" + escaped, Value: ref.Value}
		loc := "components.schemas." + name
		s, err := b.schema(own, loc, name, name)
		if err != nil {
			return err
		}
		if s.Kind == model.KindNamed {
			continue
		}
		// A string, an integer, an array...: a type of its own.
		goName, err := naming.Exported(name)
		if err != nil {
			return b.errorf(ref.Value.Origin, loc, "bad schema name: %v", err)
		}
		n, err := b.named(goName, model.RoleAlias, name, ref.Value, loc, ref.Value.Origin)
		if err != nil {
			return err
		}
		n.Description = strings.TrimSpace(ref.Value.Description)
		n.Alias = s
	}
	return nil
}

// at locates an element of the spec: at the line and column origin records,
// if any, and at loc, a dotted path into the document.
func (b *builder) at(origin *openapi3.Origin, loc string) specerr.Location {
	l := specerr.Location{File: b.spec, Path: loc}
	if origin != nil && origin.Key != nil {
		l.Line, l.Column = origin.Key.Line, origin.Key.Column
		if f := origin.Key.File; f != "" {
			// An element of a sibling file the spec refers to.
			l.File = filepath.FromSlash(f)
		}
	}
	return l
}

// errorf returns a *specerr.SpecError located at origin and loc.
func (b *builder) errorf(origin *openapi3.Origin, loc, format string, args ...any) error {
	return &specerr.SpecError{Location: b.at(origin, loc), Reason: fmt.Sprintf(format, args...)}
}

// unsupported returns a *specerr.UnsupportedError located at origin and loc.
func (b *builder) unsupported(origin *openapi3.Origin, loc, format string, args ...any) error {
	return &specerr.UnsupportedError{Location: b.at(origin, loc), Reason: fmt.Sprintf(format, args...)}
}
