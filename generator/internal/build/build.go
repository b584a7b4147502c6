// Package build turns a loaded, validated OpenAPI document into the
// generator's model. It is the only package that knows both.
//
// What the generator cannot turn into correct Go code is refused here with an
// error that names the spec file, the line where kin-openapi records one, and
// the place in the document, e.g.
//
//	spec.yaml:12:7: unsupported: multipart/form-data body at paths./x.post.requestBody
package build

import (
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/payforge/wechatpay/generator/internal/load"
	"github.com/payforge/wechatpay/generator/internal/model"
	"github.com/payforge/wechatpay/generator/internal/naming"
)

// ErrorCodesExtension is the vendor extension on a response that lists the
// WeChat Pay error codes documented for its status.
const ErrorCodesExtension = "x-wechatpay-error-codes"

// KnownValuesExtension is the vendor extension on a string schema that lists
// the values known so far of a list WeChat Pay may extend: an open enum,
// whose other values are valid too.
const KnownValuesExtension = "x-wechatpay-known-values"

// reserved are the top-level names every generated package declares itself.
var reserved = []string{"Client", "NewClient", "Operation", "Operations", "Param"}

// methods are the HTTP methods the generator supports, in the order
// operations of one path are emitted.
var methods = []string{"DELETE", "GET", "PATCH", "POST", "PUT"}

// Build converts doc into a model for a package named pkgName. specPath names
// the spec in error messages; only its base name goes into the model.
func Build(doc *openapi3.T, specPath, specBase, pkgName string) (*model.Package, error) {
	b := &builder{
		spec:     specPath,
		shared:   map[string]*model.Named{},
		building: map[*model.Named]bool{},
		names:    map[string]string{},
		patterns: map[string]*model.Pattern{},
		opIDs:    map[string]string{},
		opNames:  map[string]string{},
		answers:  map[string]int{},
	}
	for _, name := range reserved {
		b.names[name] = "the generated package itself"
	}
	pkg := &model.Package{Name: pkgName, SpecFile: specBase}
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
		return nil, fmt.Errorf("%s: the spec has no operations to generate", specPath)
	}
	slices.SortFunc(pkg.Shared, func(x, y *model.Named) int { return strings.Compare(x.GoName, y.GoName) })
	return pkg, nil
}

type builder struct {
	spec string
	pkg  *model.Package
	// shared holds the named types made from component schemas, by $ref.
	shared map[string]*model.Named
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
	answers map[string]int
	// op is the operation being built; inline types belong to it, unless
	// they are inside a component schema (inComponent > 0): then they are
	// shared like the component.
	op          *model.Operation
	inComponent int
}

// errorf returns an error located in the spec: at the line origin records,
// if any, and at loc, a dotted path into the document.
func (b *builder) errorf(origin *openapi3.Origin, loc, format string, args ...any) error {
	return fmt.Errorf("%s%s: %s at %s", b.spec, load.Position(origin), fmt.Sprintf(format, args...), loc)
}

func (b *builder) unsupported(origin *openapi3.Origin, loc, format string, args ...any) error {
	return b.errorf(origin, loc, "unsupported: "+format, args...)
}

// declare records a top-level Go name, failing if another element of the
// spec already became the same name.
func (b *builder) declare(goName, what, loc string, origin *openapi3.Origin) error {
	if prev, ok := b.names[goName]; ok {
		return b.errorf(origin, loc, "names collide after conversion to Go: %s and %s both become %s", what, prev, goName)
	}
	b.names[goName] = fmt.Sprintf("%s (at %s)", what, loc)
	return nil
}

func (b *builder) paths(doc *openapi3.T) error {
	if doc.Paths == nil {
		return nil
	}
	keys := doc.Paths.Keys()
	slices.Sort(keys)
	for _, path := range keys {
		item := doc.Paths.Value(path)
		loc := "paths." + path
		if item == nil {
			continue
		}
		ops := item.Operations()
		var names []string
		for m := range ops {
			names = append(names, m)
		}
		slices.Sort(names)
		for _, m := range names {
			if !slices.Contains(methods, m) {
				return b.unsupported(item.Origin, loc+"."+strings.ToLower(m), "HTTP method %s", m)
			}
		}
		for _, m := range methods {
			op := ops[m]
			if op == nil {
				continue
			}
			if err := b.operation(path, m, item, op, loc+"."+strings.ToLower(m)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *builder) operation(path, method string, item *openapi3.PathItem, o *openapi3.Operation, loc string) error {
	if o.OperationID == "" {
		return b.unsupported(o.Origin, loc, "operation without an operationId")
	}
	if prev, ok := b.opIDs[o.OperationID]; ok {
		return b.errorf(o.Origin, loc, "duplicate operationId %q (also at %s)", o.OperationID, prev)
	}
	b.opIDs[o.OperationID] = loc
	goName, err := naming.Exported(o.OperationID)
	if err != nil {
		return b.errorf(o.Origin, loc+".operationId", "bad operationId: %v", err)
	}
	if prev, ok := b.opNames[goName]; ok {
		return b.errorf(o.Origin, loc+".operationId", "names collide after conversion to Go: operationId %q and the one at %s both become %s", o.OperationID, prev, goName)
	}
	b.opNames[goName] = loc
	if err := b.declare("call"+goName, "the Call function of operation "+o.OperationID, loc, o.Origin); err != nil {
		return err
	}

	op := &model.Operation{
		ID:          o.OperationID,
		GoName:      goName,
		Method:      method,
		Path:        path,
		Summary:     strings.TrimSpace(o.Summary),
		Description: strings.TrimSpace(o.Description),
		Deprecated:  o.Deprecated,
		Location:    loc,
	}
	if op.Summary == "" {
		op.Summary = strings.TrimSpace(item.Summary)
	}
	if op.Description == "" {
		op.Description = strings.TrimSpace(item.Description)
	}
	if o.ExternalDocs != nil {
		op.DocURL = o.ExternalDocs.URL
	}
	b.op = op
	defer func() { b.op = nil }()

	req, err := b.newNamed(goName+"Request", model.RoleRequest, "the request type of operation "+o.OperationID, loc, o.Origin)
	if err != nil {
		return err
	}
	req.Description = op.Summary
	req.Validated = true
	op.Request = req

	if err := b.parameters(op, item, o, loc); err != nil {
		return err
	}
	if err := b.segments(op, o.Origin, loc); err != nil {
		return err
	}
	if o.RequestBody != nil {
		if err := b.requestBody(op, o.RequestBody, loc+".requestBody"); err != nil {
			return err
		}
	}
	if err := checkFieldNames(b, req, loc); err != nil {
		return err
	}
	if err := b.responses(op, o, loc+".responses"); err != nil {
		return err
	}
	markValidated(req)
	b.pkg.Operations = append(b.pkg.Operations, op)
	return nil
}

// parameters adds the path and query parameters to the request struct: the
// path item's first (unless the operation overrides them), then the
// operation's, path parameters in the order of the path template.
func (b *builder) parameters(op *model.Operation, item *openapi3.PathItem, o *openapi3.Operation, loc string) error {
	type param struct {
		ref *openapi3.ParameterRef
		loc string
	}
	var params []param
	overridden := func(p *openapi3.Parameter) bool {
		for _, q := range o.Parameters {
			if q != nil && q.Value != nil && q.Value.Name == p.Name && q.Value.In == p.In {
				return true
			}
		}
		return false
	}
	for i, p := range item.Parameters {
		if p == nil || p.Value == nil || !overridden(p.Value) {
			params = append(params, param{p, fmt.Sprintf("paths.%s.parameters[%d]", op.Path, i)})
		}
	}
	for i, p := range o.Parameters {
		params = append(params, param{p, fmt.Sprintf("%s.parameters[%d]", loc, i)})
	}
	for _, pr := range params {
		ref, ploc := pr.ref, pr.loc
		if ref == nil || ref.Value == nil {
			return b.errorf(nil, ploc, "missing parameter")
		}
		if ref.Ref != "" {
			ploc = refLoc(ref.Ref)
		}
		p := ref.Value
		var in model.In
		switch p.In {
		case openapi3.ParameterInPath:
			in = model.InPath
		case openapi3.ParameterInQuery:
			in = model.InQuery
		default:
			return b.unsupported(p.Origin, ploc, "%s parameter %q", p.In, p.Name)
		}
		if p.Content != nil {
			return b.unsupported(p.Origin, ploc, "parameter %q described by content instead of schema", p.Name)
		}
		if p.Schema == nil {
			return b.unsupported(p.Origin, ploc, "parameter %q without a schema", p.Name)
		}
		goName, err := naming.Exported(p.Name)
		if err != nil {
			return b.errorf(p.Origin, ploc, "bad parameter name: %v", err)
		}
		s, err := b.schema(p.Schema, ploc+".schema", op.Request.GoName+goName, p.Name)
		if err != nil {
			return err
		}
		switch {
		case s.Kind == model.KindString || s.IsEnum() || s.Kind == model.KindInt32 || s.Kind == model.KindInt64 || s.Kind == model.KindTime:
		case in == model.InQuery && (s.Kind == model.KindFloat64 || s.Kind == model.KindBool):
		default:
			return b.unsupported(p.Origin, ploc, "%s parameter %q of type %s", p.In, p.Name, kindName(s))
		}
		required := p.Required || in == model.InPath
		f := &model.Field{
			JSONName:    p.Name,
			GoName:      goName,
			Schema:      s,
			Required:    required,
			Pointer:     !required && (s.IsNumber() || s.Kind == model.KindBool),
			In:          in,
			Description: strings.TrimSpace(p.Description),
			Location:    ploc,
			Example:     p.Example,
		}
		if f.Example == nil {
			f.Example = p.Schema.Value.Example
		}
		if f.Description == "" {
			f.Description = strings.TrimSpace(p.Schema.Value.Description)
		}
		if in == model.InPath {
			op.PathParams = append(op.PathParams, f)
		} else {
			op.QueryParams = append(op.QueryParams, f)
		}
	}
	return nil
}

// pathLiteral matches the literal text a path template may hold: the
// characters RFC 3986 allows in a path, without percent-escapes.
var pathLiteral = regexp.MustCompile(`^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$`)

// segments cuts the path template into literal text and parameters, and
// orders the path parameters as the template does.
func (b *builder) segments(op *model.Operation, origin *openapi3.Origin, loc string) error {
	byName := map[string]*model.Field{}
	for _, f := range op.PathParams {
		byName[f.JSONName] = f
	}
	used := map[string]bool{}
	var ordered []*model.Field
	rest := op.Path
	if !strings.HasPrefix(rest, "/") {
		return b.errorf(origin, loc, "path %q does not start with /", op.Path)
	}
	for rest != "" {
		open := strings.IndexByte(rest, '{')
		lit := rest
		if open >= 0 {
			lit = rest[:open]
		}
		if lit != "" {
			if !pathLiteral.MatchString(lit) || strings.Contains(lit, "}") {
				return b.unsupported(origin, loc, "character outside a URL path in the path template %q", op.Path)
			}
			op.Segments = append(op.Segments, model.Segment{Literal: lit})
		}
		if open < 0 {
			break
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return b.errorf(origin, loc, "unclosed { in the path template %q", op.Path)
		}
		name := rest[open+1 : open+end]
		f, ok := byName[name]
		if !ok {
			return b.errorf(origin, loc, "path parameter {%s} is missing from the parameters", name)
		}
		if used[name] {
			return b.unsupported(origin, loc, "path parameter {%s} used twice in the path template", name)
		}
		used[name] = true
		ordered = append(ordered, f)
		op.Segments = append(op.Segments, model.Segment{Param: f})
		rest = rest[open+end+1:]
	}
	for _, f := range op.PathParams {
		if !used[f.JSONName] {
			return b.errorf(origin, f.Location, "path parameter %q is missing from the path template %q", f.JSONName, op.Path)
		}
	}
	op.PathParams = ordered
	op.Request.Fields = append(append(op.Request.Fields, ordered...), op.QueryParams...)
	return nil
}

// jsonMedia returns the schema of the only media type of content, which must
// be JSON.
func (b *builder) jsonMedia(content openapi3.Content, what string, origin *openapi3.Origin, loc string) (*openapi3.SchemaRef, *openapi3.Origin, error) {
	var types []string
	for t := range content {
		types = append(types, t)
	}
	slices.Sort(types)
	for _, t := range types {
		mt, _, err := mime.ParseMediaType(t)
		if err != nil || mt != "application/json" {
			return nil, nil, b.unsupported(origin, loc, "%s %s", t, what)
		}
	}
	if len(types) != 1 {
		return nil, nil, b.unsupported(origin, loc, "%s with %d media types", what, len(types))
	}
	media := content[types[0]]
	if media == nil || media.Schema == nil {
		return nil, nil, b.unsupported(origin, loc, "%s without a schema", what)
	}
	return media.Schema, media.Origin, nil
}

func (b *builder) requestBody(op *model.Operation, ref *openapi3.RequestBodyRef, loc string) error {
	if ref.Value == nil {
		return b.errorf(nil, loc, "missing request body")
	}
	if ref.Ref != "" {
		loc = refLoc(ref.Ref)
	}
	body := ref.Value
	if len(body.Content) == 0 {
		return b.unsupported(body.Origin, loc, "request body without content")
	}
	schema, _, err := b.jsonMedia(body.Content, "body", body.Origin, loc)
	if err != nil {
		return err
	}
	fields, anyOf, err := b.objectFields(schema, loc+".content.application/json.schema", op.Request.GoName, "request body")
	if err != nil {
		return err
	}
	op.HasBody = true
	op.Request.Fields = append(op.Request.Fields, fields...)
	op.Request.AnyOf = anyOf
	return nil
}

func (b *builder) responses(op *model.Operation, o *openapi3.Operation, loc string) error {
	if o.Responses == nil {
		return nil
	}
	statuses := o.Responses.Keys()
	slices.Sort(statuses)
	var success []string
	var successSchema *openapi3.SchemaRef
	var successLoc string
	for _, status := range statuses {
		ref := o.Responses.Value(status)
		rloc := loc + "." + status
		if ref == nil || ref.Value == nil {
			return b.errorf(nil, rloc, "missing response")
		}
		r := ref.Value
		if ref.Ref != "" {
			rloc = refLoc(ref.Ref)
		}
		resp := &model.Response{Status: status}
		if r.Description != nil {
			resp.Description = strings.TrimSpace(*r.Description)
		}
		if raw, ok := r.Extensions[ErrorCodesExtension]; ok {
			list, ok := raw.([]any)
			if !ok {
				return b.errorf(r.Origin, rloc+"."+ErrorCodesExtension, "%s must be a list of strings", ErrorCodesExtension)
			}
			for _, v := range list {
				code, ok := v.(string)
				if !ok || code == "" {
					return b.errorf(r.Origin, rloc+"."+ErrorCodesExtension, "%s must be a list of non-empty strings", ErrorCodesExtension)
				}
				resp.ErrorCodes = append(resp.ErrorCodes, code)
			}
		}
		op.Responses = append(op.Responses, resp)
		if !strings.HasPrefix(status, "2") {
			continue
		}
		success = append(success, status)
		if len(r.Content) == 0 {
			continue
		}
		schema, _, err := b.jsonMedia(r.Content, "response", r.Origin, rloc)
		if err != nil {
			return err
		}
		if successSchema != nil {
			return b.unsupported(r.Origin, rloc, "more than one 2xx response with a body (also at %s)", successLoc)
		}
		successSchema, successLoc = schema, rloc
	}
	if successSchema == nil {
		return nil
	}
	if len(success) > 1 {
		return b.unsupported(o.Origin, loc, "2xx responses %s where only some have a body", strings.Join(success, ", "))
	}
	schemaLoc := successLoc + ".content.application/json.schema"
	if successSchema.Ref != "" && b.answers[successSchema.Ref] > 1 {
		// One type, named after the component, for every operation that
		// answers with it.
		s, err := b.schema(successSchema, schemaLoc, "", "")
		if err != nil {
			return err
		}
		if !s.IsStruct() {
			return b.unsupported(successSchema.Value.Origin, refLoc(successSchema.Ref), "response body of type %s; it must be an object", kindName(s))
		}
		s.Named.Answers = append(s.Named.Answers, op)
		op.Response = s.Named
		return nil
	}
	named, err := b.newNamed(op.GoName+"Response", model.RoleResponse, "the response type of operation "+op.ID, successLoc, nil)
	if err != nil {
		return err
	}
	named.Description = schemaDescription(successSchema)
	op.Response = named
	fields, anyOf, err := b.objectFields(successSchema, schemaLoc, named.GoName, "response body")
	if err != nil {
		return err
	}
	named.Fields = fields
	named.AnyOf = anyOf
	return checkFieldNames(b, named, successLoc)
}

// countAnswers fills b.answers: for each component schema, how many
// operations answer a success with it. Whatever it cannot read, the
// operations themselves refuse later.
func (b *builder) countAnswers(doc *openapi3.T) {
	if doc.Paths == nil {
		return
	}
	for _, item := range doc.Paths.Map() {
		if item == nil {
			continue
		}
		for _, o := range item.Operations() {
			if o == nil || o.Responses == nil {
				continue
			}
			refs := map[string]bool{}
			for status, r := range o.Responses.Map() {
				if !strings.HasPrefix(status, "2") || r == nil || r.Value == nil {
					continue
				}
				for _, media := range r.Value.Content {
					if media != nil && media.Schema != nil && componentName(media.Schema.Ref) != "" {
						refs[media.Schema.Ref] = true
					}
				}
			}
			for ref := range refs {
				b.answers[ref]++
			}
		}
	}
}

func schemaDescription(ref *openapi3.SchemaRef) string {
	if ref == nil || ref.Value == nil {
		return ""
	}
	return strings.TrimSpace(ref.Value.Description)
}

// propertyDescription is the description of a property: the one written
// next to its $ref, if any, else the schema's. OpenAPI 3.1 already applies
// such a sibling to the resolved schema; 3.0 ignores it in validation, and
// kin-openapi keeps it only for writing the document out again, which is
// where it is read from here. It is what the writer meant for the property.
func propertyDescription(ref *openapi3.SchemaRef) string {
	if ref != nil && ref.Ref != "" {
		if data, err := json.Marshal(ref); err == nil {
			var sibling struct {
				Description string `json:"description"`
			}
			if json.Unmarshal(data, &sibling) == nil && strings.TrimSpace(sibling.Description) != "" {
				return strings.TrimSpace(sibling.Description)
			}
		}
	}
	return schemaDescription(ref)
}

// newNamed declares a named type. Types of component schemas are shared;
// the others belong to the operation being built.
func (b *builder) newNamed(goName string, role model.Role, what, loc string, origin *openapi3.Origin) (*model.Named, error) {
	if err := b.declare(goName, what, loc, origin); err != nil {
		return nil, err
	}
	n := &model.Named{GoName: goName, Role: role, Location: loc, Op: b.op}
	if role == model.RoleRequest || role == model.RoleResponse {
		b.op.Owned = append(b.op.Owned, n)
	}
	return n, nil
}

// refLoc turns a local $ref into a dotted location: "#/components/schemas/X"
// → "components.schemas.X".
func refLoc(ref string) string {
	ref = strings.TrimPrefix(ref, "#/")
	parts := strings.Split(ref, "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	}
	return strings.Join(parts, ".")
}

// componentName returns the name of the component schema ref points to, or
// "" when ref is not of the form #/components/schemas/NAME.
func componentName(ref string) string {
	const prefix = "#/components/schemas/"
	if !strings.HasPrefix(ref, prefix) || strings.Contains(ref[len(prefix):], "/") {
		return ""
	}
	return strings.ReplaceAll(strings.ReplaceAll(ref[len(prefix):], "~1", "/"), "~0", "~")
}

// schemaType returns the one JSON type of s: its declared type, with "null"
// dropped from a 3.1 type list, or what its keywords imply.
func (b *builder) schemaType(s *openapi3.Schema, loc string) (string, error) {
	if s.Type != nil && len(*s.Type) > 0 {
		var types []string
		for _, t := range *s.Type {
			if t != openapi3.TypeNull {
				types = append(types, t)
			}
		}
		if len(types) != 1 {
			return "", b.unsupported(s.Origin, loc, "schema of types %s", strings.Join(*s.Type, ", "))
		}
		return types[0], nil
	}
	switch {
	case len(s.Properties) > 0:
		return openapi3.TypeObject, nil
	case s.Items != nil:
		return openapi3.TypeArray, nil
	case len(s.Enum) > 0:
		return openapi3.TypeString, nil
	}
	return "", nil
}

// checkKeywords refuses the schema keywords the generator cannot turn into
// Go types or validation code.
func (b *builder) checkKeywords(s *openapi3.Schema, loc string) error {
	refuse := func(keyword string) error { return b.unsupported(s.Origin, loc, "%s in a schema", keyword) }
	switch {
	case len(s.AllOf) > 0:
		return refuse("allOf")
	case len(s.AnyOf) > 0 && !requiredOnly(s.AnyOf):
		return b.unsupported(s.Origin, loc, "anyOf in a schema, other than one whose branches only list required properties")
	case len(s.OneOf) > 0:
		return refuse("oneOf")
	case s.Not != nil:
		return refuse("not")
	case s.Discriminator != nil:
		return refuse("discriminator")
	case s.AdditionalProperties.Schema != nil || s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has:
		return refuse("additionalProperties")
	case s.MultipleOf != nil:
		return refuse("multipleOf")
	case s.UniqueItems:
		return refuse("uniqueItems")
	case s.MinProps != 0 || s.MaxProps != nil:
		return refuse("minProperties/maxProperties")
	case s.Const != nil:
		return refuse("const")
	case len(s.PrefixItems) > 0 || s.Contains != nil || len(s.PatternProperties) > 0 || len(s.DependentSchemas) > 0 ||
		s.PropertyNames != nil || s.If != nil || s.Then != nil || s.Else != nil || len(s.DependentRequired) > 0:
		return refuse("a JSON Schema 2020-12 keyword")
	case s.Always != nil:
		return refuse("a boolean schema")
	}
	return nil
}

// requiredOnly reports whether every branch of an anyOf says nothing but
// which properties are required, like
//
//	anyOf: [{required: [openid]}, {required: [sub_openid]}]
func requiredOnly(branches openapi3.SchemaRefs) bool {
	for _, br := range branches {
		if br == nil || br.Value == nil || len(br.Value.Required) == 0 {
			return false
		}
		rest := *br.Value
		rest.Required = nil
		// IsEmpty counts "not: {}", which nothing satisfies, as empty; any
		// composition in a branch is refused here instead.
		if !rest.IsEmpty() || rest.Not != nil || len(rest.AllOf)+len(rest.AnyOf)+len(rest.OneOf) > 0 ||
			rest.Discriminator != nil || rest.Always != nil {
			return false
		}
	}
	return true
}

// schema converts the schema ref at loc. nameHint is the Go name an inline
// object or enum gets; varHint is the spec's name of the property or
// parameter, for the name of a pattern variable.
func (b *builder) schema(ref *openapi3.SchemaRef, loc, nameHint, varHint string) (*model.Schema, error) {
	if ref == nil || ref.Value == nil {
		return nil, b.errorf(nil, loc, "missing schema")
	}
	component := ""
	if ref.Ref != "" {
		component = componentName(ref.Ref)
		if component == "" {
			return nil, b.unsupported(ref.Origin, loc, "$ref %q to something other than a component schema", ref.Ref)
		}
		loc = refLoc(ref.Ref)
	}
	s := ref.Value
	if err := b.checkKeywords(s, loc); err != nil {
		return nil, err
	}
	typ, err := b.schemaType(s, loc)
	if err != nil {
		return nil, err
	}
	out := &model.Schema{Format: s.Format}
	if len(s.Enum) > 0 && typ != openapi3.TypeString {
		return nil, b.unsupported(s.Origin, loc, "enum on a schema of type %q", typ)
	}
	if _, ok := s.Extensions[KnownValuesExtension]; ok && typ != openapi3.TypeString {
		return nil, b.unsupported(s.Origin, loc, "%s on a schema of type %q", KnownValuesExtension, typ)
	}
	if len(s.AnyOf) > 0 && typ != openapi3.TypeObject {
		return nil, b.unsupported(s.Origin, loc, "anyOf on a schema of type %q", typ)
	}
	switch typ {
	case openapi3.TypeString:
		if _, ok := s.Extensions[KnownValuesExtension]; ok || len(s.Enum) > 0 {
			return b.enum(ref, component, loc, nameHint, varHint)
		}
		if s.Format == "date-time" {
			// encoding/json reads and writes time.Time as RFC 3339, which
			// is what date-time means; length and pattern rules on the
			// text do not apply to a time.Time.
			out.Kind = model.KindTime
			break
		}
		out.Kind = model.KindString
		if err := b.stringConstraints(s, out, loc, varHint); err != nil {
			return nil, err
		}
	case openapi3.TypeInteger:
		switch s.Format {
		case "int32":
			out.Kind = model.KindInt32
		case "", "int64":
			out.Kind = model.KindInt64
		default:
			return nil, b.unsupported(s.Origin, loc, "integer format %q", s.Format)
		}
		if err := b.bounds(s, out, loc, true); err != nil {
			return nil, err
		}
		if out.Kind == model.KindInt32 {
			for _, v := range []*float64{out.Minimum, out.Maximum} {
				if v != nil && (*v < math.MinInt32 || *v > math.MaxInt32) {
					return nil, b.unsupported(s.Origin, loc, "bound %s outside the range of an int32", strconv.FormatFloat(*v, 'f', -1, 64))
				}
			}
		}
	case openapi3.TypeNumber:
		out.Kind = model.KindFloat64
		if err := b.bounds(s, out, loc, false); err != nil {
			return nil, err
		}
	case openapi3.TypeBoolean:
		out.Kind = model.KindBool
	case openapi3.TypeArray:
		if s.Items == nil {
			return nil, b.unsupported(s.Origin, loc, "array without items")
		}
		elem, err := b.schema(s.Items, loc+".items", nameHint+"Item", varHint)
		if err != nil {
			return nil, err
		}
		out.Kind = model.KindArray
		out.Elem = elem
		if s.MinItems > 0 {
			min := s.MinItems
			out.MinItems = &min
		}
		out.MaxItems = s.MaxItems
		if err := b.counts(s, loc, "minItems", out.MinItems, "maxItems", out.MaxItems); err != nil {
			return nil, err
		}
	case openapi3.TypeObject:
		named, err := b.object(ref, component, loc, nameHint)
		if err != nil {
			return nil, err
		}
		out.Kind = model.KindNamed
		out.Named = named
	case "":
		out.Kind = model.KindRaw
	default:
		return nil, b.unsupported(s.Origin, loc, "schema of type %q", typ)
	}
	return out, nil
}

// stringConstraints copies the rules of a string schema to out.
func (b *builder) stringConstraints(s *openapi3.Schema, out *model.Schema, loc, varHint string) error {
	out.MaxLength = s.MaxLength
	if s.MinLength > 0 {
		min := s.MinLength
		out.MinLength = &min
	}
	if s.Pattern != "" {
		p, err := b.pattern(s, loc, varHint)
		if err != nil {
			return err
		}
		out.Pattern = p
	}
	return b.counts(s, loc, "minLength", out.MinLength, "maxLength", out.MaxLength)
}

// counts refuses a bound on a length or a number of items that the
// generated code, which compares it with an int, could not hold on every
// platform.
func (b *builder) counts(s *openapi3.Schema, loc, minName string, min *uint64, maxName string, max *uint64) error {
	for _, c := range []struct {
		name string
		v    *uint64
	}{{minName, min}, {maxName, max}} {
		if c.v != nil && *c.v > math.MaxInt32 {
			return b.unsupported(s.Origin, loc, "%s %d, larger than %d", c.name, *c.v, math.MaxInt32)
		}
	}
	return nil
}

func (b *builder) bounds(s *openapi3.Schema, out *model.Schema, loc string, integer bool) error {
	for _, v := range []*float64{s.Min, s.Max, s.ExclusiveMin.Value, s.ExclusiveMax.Value} {
		if v == nil {
			continue
		}
		if math.IsInf(*v, 0) || math.IsNaN(*v) || integer && (*v != math.Trunc(*v) || math.Abs(*v) > 1<<53) {
			return b.unsupported(s.Origin, loc, "bound %v on a schema of type integer", *v)
		}
	}
	out.Minimum, out.Maximum = s.Min, s.Max
	out.ExclusiveMinimum = s.ExclusiveMin.IsTrue()
	out.ExclusiveMaximum = s.ExclusiveMax.IsTrue()
	if v := s.ExclusiveMin.Value; v != nil {
		out.Minimum, out.ExclusiveMinimum = v, true
	}
	if v := s.ExclusiveMax.Value; v != nil {
		out.Maximum, out.ExclusiveMaximum = v, true
	}
	return nil
}

// pattern returns the shared pattern for s.Pattern, naming its variable
// after the first property that uses it.
func (b *builder) pattern(s *openapi3.Schema, loc, varHint string) (*model.Pattern, error) {
	if p, ok := b.patterns[s.Pattern]; ok {
		return p, nil
	}
	if _, err := regexp.Compile(s.Pattern); err != nil {
		return nil, b.unsupported(s.Origin, loc+".pattern", "pattern %q that Go's regexp cannot compile (%v)", s.Pattern, err)
	}
	base, err := naming.Unexported(varHint)
	if err != nil {
		base = "value"
	}
	base = strings.TrimSuffix(base, "_") + "Pattern"
	name := base
	for i := 2; ; i++ {
		if _, taken := b.names[name]; !taken {
			break
		}
		name = fmt.Sprintf("%s%d", base, i)
	}
	if err := b.declare(name, "the pattern of "+varHint, loc, s.Origin); err != nil {
		return nil, err
	}
	p := &model.Pattern{Var: name, Expr: s.Pattern}
	b.patterns[s.Pattern] = p
	b.pkg.Patterns = append(b.pkg.Patterns, p)
	return p, nil
}

// enum returns the named string type of an enum schema: a closed one
// (enum), whose other values Validate refuses, or an open one
// (x-wechatpay-known-values), which keeps the rules of a string instead.
func (b *builder) enum(ref *openapi3.SchemaRef, component, loc, nameHint, varHint string) (*model.Schema, error) {
	s := ref.Value
	raw, open := s.Extensions[KnownValuesExtension]
	out := &model.Schema{Kind: model.KindNamed, Format: s.Format}
	if open {
		if len(s.Enum) > 0 {
			return nil, b.unsupported(s.Origin, loc, "both enum and %s in a schema", KnownValuesExtension)
		}
		if err := b.stringConstraints(s, out, loc, varHint); err != nil {
			return nil, err
		}
	}
	if n, ok := b.shared[ref.Ref]; ok && component != "" {
		out.Named = n
		return out, nil
	}
	// values are the listed values, each with where it is in the spec.
	type value struct{ text, loc string }
	var values []value
	if open {
		vloc := loc + "." + KnownValuesExtension
		list, ok := raw.([]any)
		if !ok || len(list) == 0 {
			return nil, b.errorf(s.Origin, vloc, "%s must be a non-empty list of strings", KnownValuesExtension)
		}
		for i, v := range list {
			str, ok := v.(string)
			if !ok {
				return nil, b.errorf(s.Origin, fmt.Sprintf("%s[%d]", vloc, i), "%s must be a non-empty list of strings", KnownValuesExtension)
			}
			values = append(values, value{str, fmt.Sprintf("%s[%d]", vloc, i)})
		}
	} else {
		for i, v := range s.Enum {
			str, ok := v.(string)
			if !ok {
				return nil, b.unsupported(s.Origin, fmt.Sprintf("%s.enum[%d]", loc, i), "enum value %v that is not a string", v)
			}
			values = append(values, value{str, fmt.Sprintf("%s.enum[%d]", loc, i)})
		}
	}
	goName := nameHint
	if component != "" {
		var err error
		if goName, err = naming.Exported(component); err != nil {
			return nil, b.errorf(s.Origin, loc, "bad schema name: %v", err)
		}
	}
	n, err := b.named(goName, model.RoleEnum, component, ref.Ref, loc, s.Origin)
	if err != nil {
		return nil, err
	}
	n.Description = strings.TrimSpace(s.Description)
	n.Open = open
	for _, v := range values {
		word, err := naming.Exported(v.text)
		if err != nil {
			return nil, b.errorf(s.Origin, v.loc, "bad enum value: %v", err)
		}
		if err := b.declare(goName+word, fmt.Sprintf("enum value %q", v.text), v.loc, s.Origin); err != nil {
			return nil, err
		}
		n.Enum = append(n.Enum, &model.EnumValue{GoName: goName + word, Value: v.text})
	}
	out.Named = n
	return out, nil
}

// object returns the named struct type of an object schema: one shared type
// per component schema, or a type of the operation's own for an inline one.
func (b *builder) object(ref *openapi3.SchemaRef, component, loc, nameHint string) (*model.Named, error) {
	s := ref.Value
	if component != "" {
		if n, ok := b.shared[ref.Ref]; ok {
			return n, nil
		}
		goName, err := naming.Exported(component)
		if err != nil {
			return nil, b.errorf(s.Origin, loc, "bad schema name: %v", err)
		}
		nameHint = goName
		b.inComponent++
		defer func() { b.inComponent-- }()
	}
	n, err := b.named(nameHint, model.RoleStruct, component, ref.Ref, loc, s.Origin)
	if err != nil {
		return nil, err
	}
	n.Description = strings.TrimSpace(s.Description)
	b.building[n] = true
	defer delete(b.building, n)
	fields, anyOf, err := b.objectFields(ref, loc, n.GoName, "")
	if err != nil {
		return nil, err
	}
	n.Fields = fields
	n.AnyOf = anyOf
	return n, checkFieldNames(b, n, loc)
}

// named declares a named type, shared when it comes from a component or is
// nested in one.
func (b *builder) named(goName string, role model.Role, component, ref, loc string, origin *openapi3.Origin) (*model.Named, error) {
	what := "the type of " + loc
	if component != "" {
		what = fmt.Sprintf("schema %q", component)
	}
	if err := b.declare(goName, what, loc, origin); err != nil {
		return nil, err
	}
	n := &model.Named{GoName: goName, Role: role, Location: loc}
	if component != "" {
		b.shared[ref] = n
	}
	if component != "" || b.inComponent > 0 {
		b.pkg.Shared = append(b.pkg.Shared, n)
	} else {
		n.Op = b.op
		b.op.Owned = append(b.op.Owned, n)
	}
	return n, nil
}

// objectFields converts the properties of an object schema into fields,
// sorted by the properties' names, and its anyOf of required lists into
// rules on them. what names a top-level body, which must be an object, in
// errors.
func (b *builder) objectFields(ref *openapi3.SchemaRef, loc, parent, what string) ([]*model.Field, []*model.AnyOf, error) {
	if ref == nil || ref.Value == nil {
		return nil, nil, b.errorf(nil, loc, "missing schema")
	}
	if ref.Ref != "" {
		loc = refLoc(ref.Ref)
	}
	s := ref.Value
	if err := b.checkKeywords(s, loc); err != nil {
		return nil, nil, err
	}
	typ, err := b.schemaType(s, loc)
	if err != nil {
		return nil, nil, err
	}
	if typ != openapi3.TypeObject {
		if typ == "" {
			typ = "any"
		}
		return nil, nil, b.unsupported(s.Origin, loc, "%s of type %s; it must be an object", what, typ)
	}
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	slices.Sort(names)
	var fields []*model.Field
	for _, name := range names {
		ploc := loc + ".properties." + name
		prop := s.Properties[name]
		goName, err := naming.Exported(name)
		if err != nil {
			return nil, nil, b.errorf(s.Origin, ploc, "bad property name: %v", err)
		}
		fs, err := b.schema(prop, ploc, parent+goName, name)
		if err != nil {
			return nil, nil, err
		}
		required := slices.Contains(s.Required, name)
		if required && fs.IsStruct() && b.building[fs.Named] {
			return nil, nil, b.unsupported(prop.Value.Origin, ploc, "recursive schema: required property %q holds a %s, which holds it", name, fs.Named.GoName)
		}
		fields = append(fields, &model.Field{
			JSONName:    name,
			GoName:      goName,
			Schema:      fs,
			Required:    required,
			Pointer:     !required && (fs.IsNumber() || fs.Kind == model.KindBool || fs.IsStruct()),
			In:          model.InBody,
			Description: propertyDescription(prop),
			Location:    ploc,
			Example:     prop.Value.Example,
		})
	}
	anyOf, err := b.anyOf(s, loc, fields)
	if err != nil {
		return nil, nil, err
	}
	return fields, anyOf, nil
}

// anyOf turns the anyOf of an object schema, whose branches only list
// required properties (checkKeywords refuses any other), into a rule on its
// fields. An anyOf with a branch of required properties only says nothing
// more than required does, and gives no rule.
func (b *builder) anyOf(s *openapi3.Schema, loc string, fields []*model.Field) ([]*model.AnyOf, error) {
	if len(s.AnyOf) == 0 {
		return nil, nil
	}
	byName := map[string]*model.Field{}
	for _, f := range fields {
		byName[f.JSONName] = f
	}
	rule := &model.AnyOf{Location: loc + ".anyOf"}
	implied := false
	for i, br := range s.AnyOf {
		bloc := fmt.Sprintf("%s.anyOf[%d]", loc, i)
		var branch []*model.Field
		allRequired := true
		for _, name := range br.Value.Required {
			f, ok := byName[name]
			if !ok {
				return nil, b.unsupported(br.Value.Origin, bloc, "anyOf branch requiring %q, which is not a property of the object", name)
			}
			if slices.Contains(branch, f) {
				continue
			}
			branch = append(branch, f)
			allRequired = allRequired && f.Required
		}
		implied = implied || allRequired
		rule.Branches = append(rule.Branches, branch)
	}
	if implied {
		return nil, nil
	}
	return []*model.AnyOf{rule}, nil
}

// checkFieldNames refuses two fields of one struct with the same Go name,
// and a field of a request struct named like its Validate method.
func checkFieldNames(b *builder, n *model.Named, loc string) error {
	seen := map[string]*model.Field{}
	for _, f := range n.Fields {
		if prev, ok := seen[f.GoName]; ok {
			return b.errorf(nil, loc, "names collide after conversion to Go: %q (at %s) and %q (at %s) both become field %s of %s",
				prev.JSONName, prev.Location, f.JSONName, f.Location, f.GoName, n.GoName)
		}
		seen[f.GoName] = f
		if n.Role == model.RoleRequest && f.GoName == "Validate" {
			return b.errorf(nil, f.Location, "names collide after conversion to Go: %q becomes field Validate of %s, which has a method of that name", f.JSONName, n.GoName)
		}
	}
	return nil
}

// markValidated marks the named types a request can carry.
func markValidated(n *model.Named) {
	for _, f := range n.Fields {
		for s := f.Schema; s != nil; s = s.Elem {
			if s.Kind == model.KindNamed && !s.Named.Validated {
				s.Named.Validated = true
				markValidated(s.Named)
			}
		}
	}
}

func kindName(s *model.Schema) string {
	switch s.Kind {
	case model.KindString, model.KindTime:
		return "string"
	case model.KindInt32, model.KindInt64:
		return "integer"
	case model.KindFloat64:
		return "number"
	case model.KindBool:
		return "boolean"
	case model.KindArray:
		return "array"
	case model.KindNamed:
		if s.Named.Role == model.RoleEnum {
			return "string"
		}
		return "object"
	}
	return "any"
}
