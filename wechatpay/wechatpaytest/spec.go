package wechatpaytest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/payforge/wechatpay/spec"
)

// Spec is an OpenAPI 3 document for the sandbox to serve.
type Spec struct {
	// Name names the document in errors, such as its file name. With FS
	// it is the document's path in FS, slash-separated (fs.ValidPath).
	Name string
	// Data is the document, YAML or JSON. With FS it may be empty: the
	// document is then read from FS at Name. Without FS, references to
	// other files are not followed.
	Data []byte
	// FS, when not nil, holds the files the document refers to: a $ref to
	// another file, such as common.yaml#/components/schemas/MchID, is read
	// from FS relative to Name's folder, so that a family's spec can share
	// parts with its siblings. A reference that would leave FS (an
	// absolute path, a path through "..", a URL with a scheme or host) is
	// refused, and every error names the file concerned. A document of FS
	// without paths is a part its siblings share: it serves nothing.
	FS fs.FS
}

// embeddedSpecs returns the specs of github.com/payforge/wechatpay/spec,
// read from spec.FS so that their references to sibling files resolve.
func embeddedSpecs() ([]Spec, error) {
	names, err := fs.Glob(spec.FS, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("wechatpaytest: spec: %w", err)
	}
	specs := make([]Spec, 0, len(names))
	for _, name := range names {
		specs = append(specs, Spec{Name: name, FS: spec.FS})
	}
	return specs, nil
}

// loadDocument loads sp, following its references to other files inside
// sp.FS only.
func loadDocument(sp Spec) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	if sp.FS == nil {
		return loader.LoadFromData(sp.Data)
	}
	if !fs.ValidPath(sp.Name) {
		return nil, fmt.Errorf("the name %q is not a path in Spec.FS (fs.ValidPath)", sp.Name)
	}
	data := sp.Data
	if len(data) == 0 {
		var err error
		if data, err = fs.ReadFile(sp.FS, sp.Name); err != nil {
			return nil, err
		}
	}
	// A ReadFromURIFunc of one's own is the loader's only access policy:
	// it alone keeps references inside FS.
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		return readSibling(sp.FS, u)
	}
	return loader.LoadFromDataWithPath(data, &url.URL{Path: sp.Name})
}

// loadValid loads sp and validates it. A document of spec.FS is loaded
// once per process (see embeddedDocs).
func loadValid(sp Spec) (*openapi3.T, error) {
	if len(sp.Data) == 0 && sp.FS == fs.FS(spec.FS) {
		docs, err := embeddedDocs()
		if err != nil {
			return nil, err
		}
		if d, ok := docs[sp.Name]; ok {
			return d.doc, d.err
		}
	}
	doc, err := loadDocument(sp)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	return doc, nil
}

// embeddedDoc is a document of spec.FS as loadValid loads it.
type embeddedDoc struct {
	doc *openapi3.T
	err error
}

// embeddedDocs loads and validates every document of spec.FS, the first
// time a server needs one: each load costs milliseconds, and tests start
// many servers. spec.FS never changes and a server only reads a document
// (routing and validating requests, building example answers), so every
// server of the process shares them.
var embeddedDocs = sync.OnceValues(func() (map[string]embeddedDoc, error) {
	names, err := fs.Glob(spec.FS, "*.yaml")
	if err != nil {
		return nil, err
	}
	docs := make(map[string]embeddedDoc, len(names))
	for _, name := range names {
		var d embeddedDoc
		if d.doc, d.err = loadDocument(Spec{Name: name, FS: spec.FS}); d.err == nil {
			d.err = d.doc.Validate(context.Background())
		}
		if d.err != nil {
			d.doc = nil
		}
		docs[name] = d
	}
	return docs, nil
})

// readSibling reads the file a reference names, resolved against the
// referring document's path, from fsys: a plain relative path that stays
// inside it.
func readSibling(fsys fs.FS, u *url.URL) ([]byte, error) {
	if u.Scheme != "" || u.Host != "" || u.User != nil || u.RawQuery != "" || !fs.ValidPath(u.Path) {
		return nil, fmt.Errorf("reference to %q leaves the spec's file system: only sibling files are read", u.String())
	}
	data, err := fs.ReadFile(fsys, u.Path)
	if err != nil {
		return nil, fmt.Errorf("referenced file %s: %w", u.Path, err)
	}
	return data, nil
}

// api holds the operations of the specs served.
type api struct {
	router router
	routes map[string]*routers.Route // by operationId
	specOf map[string]string         // the name of each operation's spec
}

// loadAPI loads and validates every spec and routes their operations, which
// need distinct operationIds. The operations of the fallback specs (a
// behaviour's own, the engine's protocol operations) are added only where
// no spec before them serves the same operationId or the same method and
// path: a spec given in Options.Specs that describes one of them wins. An
// operation without operationId is refused, unless a fallback spec
// describes the same method and path: that one is served instead, as for
// the bill download, to which the official pages give no operationId.
func loadAPI(specs, fallbacks []Spec) (*api, error) {
	a := &api{routes: make(map[string]*routers.Route), specOf: make(map[string]string)}
	all := append(slices.Clip(specs), fallbacks...)
	names := make([]string, len(all))
	docs := make([]*openapi3.T, len(all))
	fallbackOps := make(map[string]bool) // "METHOD template"
	for i, sp := range all {
		name := sp.Name
		if name == "" {
			name = fmt.Sprintf("Options.Specs[%d]", i)
		}
		names[i] = name
		doc, err := loadValid(sp)
		if err != nil {
			return nil, fmt.Errorf("wechatpaytest: spec %s: %w", name, err)
		}
		if doc.Paths == nil || doc.Paths.Len() == 0 {
			if sp.FS != nil {
				continue // a part its siblings share, such as common.yaml
			}
			return nil, fmt.Errorf("wechatpaytest: spec %s: it has no paths", name)
		}
		docs[i] = doc
		if i >= len(specs) {
			for template, item := range doc.Paths.Map() {
				for method := range item.Operations() {
					fallbackOps[method+" "+template] = true
				}
			}
		}
	}
	served := make(map[string]bool) // "METHOD template"
	for i, doc := range docs {
		if doc == nil {
			continue
		}
		name, fallback := names[i], i >= len(specs)
		keep := func(method, template string, op *openapi3.Operation) bool {
			if !fallback {
				return op.OperationID != "" || !fallbackOps[method+" "+template]
			}
			return !served[method+" "+template] && a.routes[op.OperationID] == nil
		}
		added, err := a.router.add(doc, keep)
		if err != nil {
			return nil, fmt.Errorf("wechatpaytest: spec %s: %w", name, err)
		}
		for _, route := range added {
			id := route.Operation.OperationID
			switch {
			case id == "":
				return nil, fmt.Errorf("wechatpaytest: spec %s: %s %s has no operationId; the sandbox names operations by it", name, route.Method, route.Path)
			case a.routes[id] != nil:
				return nil, fmt.Errorf("wechatpaytest: spec %s: operationId %s is used twice (also in %s)", name, id, a.specOf[id])
			}
			a.routes[id] = route
			a.specOf[id] = name
			served[route.Method+" "+route.Path] = true
		}
	}
	return a, nil
}

// validate checks the request against its operation in the spec and describes
// the first violation as WeChat Pay does.
func (a *api) validate(r *http.Request, route *routers.Route, params map[string]string, body []byte) *Error {
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.GetBody = nil
	err := openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
			SkipSettingDefaults: true,
		},
	})
	if err == nil {
		return nil
	}
	return ParamError(describe(err, req, params))
}

// describe turns a validation error into WeChat Pay's detail object.
func describe(err error, req *http.Request, params map[string]string) *Detail {
	var reqErr *openapi3filter.RequestError
	if !errors.As(err, &reqErr) {
		return &Detail{Issue: err.Error()}
	}
	var schemaErr *openapi3.SchemaError
	isSchemaErr := errors.As(reqErr.Err, &schemaErr)
	if isSchemaErr {
		schemaErr = withinAllOf(schemaErr)
	}
	switch {
	case reqErr.Parameter != nil:
		p := reqErr.Parameter
		d := &Detail{Field: p.Name, Location: p.In}
		switch p.In {
		case openapi3.ParameterInPath:
			if v, ok := params[p.Name]; ok {
				d.Value = v
			}
		case openapi3.ParameterInQuery:
			if vs, ok := req.URL.Query()[p.Name]; ok && len(vs) > 0 {
				d.Value = vs[0]
			}
		}
		if isSchemaErr {
			d.Issue = schemaIssue(schemaErr)
		} else {
			d.Issue = issueOf(reqErr)
		}
		return d
	case reqErr.RequestBody != nil:
		d := &Detail{Location: "body"}
		if isSchemaErr {
			d.Field = jsonPointer(schemaErr.JSONPointer())
			d.Value = schemaErr.Value
			d.Issue = schemaIssue(schemaErr)
			if schemaErr.SchemaField == "required" {
				// The pointer names the object; the issue names the property.
				d.Value = nil
			}
			if names := anyOfRequired(schemaErr.Schema); schemaErr.SchemaField == "anyOf" && names != nil {
				// kin-openapi says only that no alternative matched, and
				// quotes the whole object: name the properties instead.
				d.Field += "/" + names[0]
				d.Value = nil
				d.Issue = "one of " + strings.Join(names, " and ") + " is required"
			}
		} else {
			d.Issue = issueOf(reqErr)
		}
		return d
	}
	return &Detail{Issue: issueOf(reqErr)}
}

// withinAllOf returns the violation an allOf failed for: kin-openapi says
// only that the value does not match all the schemas of an allOf, and quotes
// the whole object, where a composed body (an order: the shared fields allOf
// the kind's own) wants the field that broke a rule. The inner error's
// pointer is the whole path from the body's root.
func withinAllOf(e *openapi3.SchemaError) *openapi3.SchemaError {
	for e.SchemaField == "allOf" {
		var inner *openapi3.SchemaError
		if !errors.As(e.Origin, &inner) || inner == e {
			break
		}
		e = inner
	}
	return e
}

// anyOfRequired returns the properties of an anyOf whose alternatives each
// only require properties, such as the qs rule that openid or sub_openid is
// present; nil for any other anyOf.
func anyOfRequired(schema *openapi3.Schema) []string {
	if schema == nil || len(schema.AnyOf) == 0 {
		return nil
	}
	var names []string
	for _, alt := range schema.AnyOf {
		if alt.Value == nil || len(alt.Value.Required) == 0 {
			return nil
		}
		names = append(names, alt.Value.Required...)
	}
	return names
}

// schemaIssue is the reason of a schema violation without kin-openapi's dump
// of the schema and value.
func schemaIssue(e *openapi3.SchemaError) string {
	if e.Reason != "" {
		return e.Reason
	}
	return "does not match the schema rule " + e.SchemaField
}

func issueOf(e *openapi3filter.RequestError) string {
	switch {
	case errors.Is(e.Err, openapi3filter.ErrInvalidRequired) && e.RequestBody != nil:
		return "request body is required"
	case e.Reason != "" && e.Err != nil:
		return e.Reason + ": " + e.Err.Error()
	case e.Reason != "":
		return e.Reason
	case e.Err != nil:
		return e.Err.Error()
	}
	return "invalid"
}

// jsonPointer joins path segments as an RFC 6901 pointer, such as
// /contract_termination_remark.
func jsonPointer(path []string) string {
	var b strings.Builder
	for _, seg := range path {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(seg))
	}
	return b.String()
}
