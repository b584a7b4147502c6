package build

import (
	"mime"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/payforge/wechatpay/generator/internal/model"
	"github.com/payforge/wechatpay/generator/internal/naming"
)

// jsonType reports whether a media type is JSON, which encoding/json reads
// and writes: application/json, text/json, or a type of the +json suffix.
func jsonType(t string) bool {
	mt, _, err := mime.ParseMediaType(t)
	return err == nil && (mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json") && !strings.Contains(mt, "*"))
}

// mediaTypes are the media types of content, sorted.
func mediaTypes(content openapi3.Content) []string {
	var types []string
	for t := range content {
		types = append(types, t)
	}
	slices.Sort(types)
	return types
}

// jsonMedia returns the schema of the JSON media type of content: the one
// there is, or application/json among several (a body or an answer written
// several ways is sent and read as JSON). A content without a JSON type is
// refused.
func (b *builder) jsonMedia(content openapi3.Content, what string, origin *openapi3.Origin, loc string) (*openapi3.SchemaRef, *openapi3.Origin, error) {
	types := mediaTypes(content)
	var json []string
	for _, t := range types {
		if jsonType(t) {
			json = append(json, t)
		}
	}
	switch {
	case len(json) == 0 && len(types) > 0:
		return nil, nil, b.unsupported(origin, loc, "%s %s", types[0], what)
	case len(json) == 0:
		return nil, nil, b.unsupported(origin, loc, "%s without a media type", what)
	case len(json) > 1 && slices.Contains(json, "application/json"):
		json = []string{"application/json"}
	}
	media := content[json[0]]
	if media == nil || media.Schema == nil || media.Schema.Value == nil {
		// No schema says nothing of the JSON: any value, as {} does.
		var o *openapi3.Origin
		if media != nil {
			o = media.Origin
		}
		return &openapi3.SchemaRef{Value: &openapi3.Schema{Origin: o}}, o, nil
	}
	return media.Schema, media.Origin, nil
}

// binaryBody adds a body that is not JSON to the request: its bytes, in
// Body, sent with its media type (application/octet-stream for a wildcard
// such as */* or image/*). Form bodies, whose fields would need encoding,
// are refused.
func (b *builder) binaryBody(op *model.Operation, body *openapi3.RequestBody, types []string, loc string) error {
	t := types[0]
	mt, _, err := mime.ParseMediaType(t)
	switch {
	case err != nil:
		return b.unsupported(body.Origin, loc, "%s body", t)
	case mt == "application/x-www-form-urlencoded":
		return b.formBody(op, body, body.Content[t], loc+".content."+t)
	case strings.HasPrefix(mt, "multipart/"):
		return b.unsupported(body.Origin, loc, "%s body", t)
	case strings.Contains(mt, "*"):
		t = "application/octet-stream"
	}
	goName := ""
	for _, name := range bodyFieldNames {
		if !slices.ContainsFunc(op.Request.Fields, func(f *model.Field) bool { return f.GoName == name }) {
			goName = name
			break
		}
	}
	if goName == "" {
		return b.errorf(body.Origin, loc, "names collide after conversion to Go: parameters take both names of the field that would hold the body, %s", bodyFieldNames)
	}
	f := &model.Field{
		JSONName:    "body",
		GoName:      goName,
		Schema:      &model.Schema{Kind: model.KindBinary},
		Required:    body.Required,
		In:          model.InBodyValue,
		Description: firstNonEmpty(strings.TrimSpace(body.Description), "The body, sent as it is with Content-Type "+t+"."),
		Location:    loc + ".content." + types[0],
	}
	op.HasBody = true
	op.Body = f
	op.BodyType = t
	op.Request.Fields = append(op.Request.Fields, f)
	return nil
}

// formBody adds the fields of an application/x-www-form-urlencoded body to
// the request: an object of text values (strings, numbers, booleans,
// enums, times) and arrays of them, encoded as a query string is. Its
// fields are built as those of a JSON body's object are (objectFields: its
// keywords, its anyOf of required lists, readOnly, the keys encoding/json
// takes), then held to what a form carries: objects, sensitive fields and
// null (a form has no way to send it) are refused.
func (b *builder) formBody(op *model.Operation, body *openapi3.RequestBody, media *openapi3.MediaType, loc string) error {
	if media == nil || media.Schema == nil || media.Schema.Value == nil {
		return b.unsupported(body.Origin, loc, "application/x-www-form-urlencoded body without a schema")
	}
	sloc := loc + ".schema"
	v, isStruct, err := b.structSchema(media.Schema, sloc)
	if err != nil {
		return err
	}
	if !isStruct {
		return b.unsupported(body.Origin, loc, "application/x-www-form-urlencoded body that is not an object")
	}
	fields, anyOf, err := b.objectFields(unwrap(media.Schema), sloc, op.Request.GoName, "application/x-www-form-urlencoded body")
	if err != nil {
		return err
	}
	origins := map[string]*openapi3.Origin{}
	for _, p := range v.props {
		if p.ref != nil && p.ref.Value != nil {
			origins[p.name] = p.ref.Value.Origin
		}
	}
	for _, f := range fields {
		s, origin := f.Schema, origins[f.JSONName]
		if holdsEncrypted(s) {
			return b.unsupported(origin, f.Location, "%s on form field %q; only the fields of a JSON body are encrypted", EncryptedExtension, f.JSONName)
		}
		if !textValue(s) && !(s.Kind == model.KindArray && textValue(s.Elem)) {
			return b.unsupported(origin, f.Location, "form field %q of type %s", f.JSONName, kindName(s))
		}
		if f.Nullable {
			return b.unsupported(origin, f.Location, "nullable form field %q; a form cannot send null", f.JSONName)
		}
		f.In = model.InForm
		op.FormFields = append(op.FormFields, f)
		op.Request.Fields = append(op.Request.Fields, f)
	}
	op.Request.AnyOf = anyOf
	op.HasBody = true
	op.BodyType = "application/x-www-form-urlencoded"
	return nil
}

// bodyFieldNames are the Go names the field holding a whole body takes, the
// first one no parameter has.
var bodyFieldNames = []string{"Body", "RequestBody"}

// requestBody adds the JSON body to the request: its properties as fields
// of the request when the body is an object with properties none of which
// would take the Go name of a parameter's field; else one field, Body,
// holding the whole body (see model.Operation.Body).
func (b *builder) requestBody(op *model.Operation, ref *openapi3.RequestBodyRef, loc string) error {
	if ref.Value == nil {
		return b.errorf(nil, loc, "missing request body")
	}
	if ref.Ref != "" {
		loc = b.refLoc(ref.Ref, ref.Value.Origin)
	}
	body := ref.Value
	if len(body.Content) == 0 {
		return b.unsupported(body.Origin, loc, "request body without content")
	}
	types := mediaTypes(body.Content)
	if len(types) == 1 {
		if mt, _, err := mime.ParseMediaType(types[0]); err == nil && mt == "multipart/form-data" {
			return b.multipart(op, body, body.Content[types[0]], loc+".content."+types[0])
		}
	}
	if !slices.ContainsFunc(types, jsonType) {
		return b.binaryBody(op, body, types, loc)
	}
	schema, _, err := b.jsonMedia(body.Content, "body", body.Origin, loc)
	if err != nil {
		return err
	}
	sloc := loc + ".content.application/json.schema"
	flat, err := b.flattens(op, schema, sloc)
	if err != nil {
		return err
	}
	op.HasBody = true
	if flat {
		fields, anyOf, err := b.objectFields(unwrap(schema), sloc, op.Request.GoName, "request body")
		if err != nil {
			return err
		}
		op.Request.Fields = append(op.Request.Fields, fields...)
		op.Request.AnyOf = anyOf
		return nil
	}
	goName := ""
	for _, name := range bodyFieldNames {
		if !slices.ContainsFunc(op.Request.Fields, func(f *model.Field) bool { return f.GoName == name }) {
			goName = name
			break
		}
	}
	if goName == "" {
		return b.errorf(body.Origin, loc, "names collide after conversion to Go: parameters take both names of the field that would hold the body, %s", bodyFieldNames)
	}
	s, err := b.schema(schema, sloc, op.Request.GoName+"Body", "body")
	if err != nil {
		return err
	}
	f := &model.Field{
		JSONName:    "body",
		GoName:      goName,
		Schema:      s,
		Required:    body.Required,
		Pointer:     pointer(s, body.Required, false),
		In:          model.InBodyValue,
		Description: firstNonEmpty(strings.TrimSpace(body.Description), schemaDescription(schema)),
		Location:    sloc,
	}
	op.Body = f
	op.Request.Fields = append(op.Request.Fields, f)
	return nil
}

// flattens reports whether the properties of the body schema become fields
// of the request: the schema is an object with properties (see
// structSchema), and none of them takes the Go name of a field the request
// has already (a parameter) or of its Validate method.
func (b *builder) flattens(op *model.Operation, ref *openapi3.SchemaRef, loc string) (bool, error) {
	v, ok, err := b.structSchema(ref, loc)
	if err != nil || !ok {
		return false, err
	}
	for _, p := range v.props {
		goName, err := naming.Exported(p.name)
		if err != nil {
			continue // objectFields reports it
		}
		if goName == "Validate" || slices.ContainsFunc(op.Request.Fields, func(f *model.Field) bool { return f.GoName == goName }) {
			return false, nil
		}
	}
	return true, nil
}

// structSchema reports whether the schema ref is made into a struct: an
// object with properties, or one with neither properties nor
// additionalProperties (an empty struct is what it can hold). It returns
// its view.
func (b *builder) structSchema(ref *openapi3.SchemaRef, loc string) (*view, bool, error) {
	if ref == nil || ref.Value == nil {
		return nil, false, b.errorf(nil, loc, "missing schema")
	}
	ref = unwrap(ref)
	if ref.Ref != "" {
		loc = b.refLoc(ref.Ref, ref.Value.Origin)
	}
	v, err := b.view(ref, loc)
	if err != nil {
		return nil, false, err
	}
	if branches, _ := unionBranches(v.s); len(branches) > 0 {
		return v, false, nil
	}
	typ, err := b.schemaType(v.s, loc)
	if err != nil {
		return nil, false, err
	}
	return v, typ == openapi3.TypeObject && !isMap(v.s), nil
}

func firstNonEmpty(texts ...string) string {
	for _, t := range texts {
		if t != "" {
			return t
		}
	}
	return ""
}
