package build

import (
	"mime"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/payforge/wechatpay/generator/internal/model"
)

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
		loc = b.refLoc(ref.Ref, ref.Value.Origin)
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
