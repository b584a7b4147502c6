package build

import (
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/payforge/wechatpay/generator/internal/model"
)

func (b *builder) responses(op *model.Operation, o *openapi3.Operation, loc string) error {
	if o.Responses == nil {
		return nil
	}
	statuses := o.Responses.Keys()
	slices.Sort(statuses)
	empty := false                   // a 2xx success answer without a body
	var bodies []*openapi3.SchemaRef // the distinct schemas of the 2xx answers
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
			rloc = b.refLoc(ref.Ref, r.Origin)
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
		if len(resp.ErrorCodes) > 0 {
			// A 2xx the spec documents as an error, such as 202
			// USER_PAYING: the runtime verifies it like any answer, the
			// method returns it as an *wechatpay.APIError.
			if _, err := strconv.Atoi(status); err != nil {
				// The method compares the status with each of these.
				return b.unsupported(r.Origin, rloc, "%s on the range status %s; an error status of a successful class must be a single status code", ErrorCodesExtension, status)
			}
			op.ErrorStatuses = append(op.ErrorStatuses, status)
			continue
		}
		if len(r.Content) == 0 {
			empty = true
			continue
		}
		if types := mediaTypes(r.Content); !slices.ContainsFunc(types, jsonType) {
			// A file or text: the method writes it to an io.Writer.
			if successSchema != nil || op.Download != nil && op.Download.MediaType != "" {
				return b.unsupported(r.Origin, rloc, "2xx responses with different bodies (also at %s)", successLoc)
			}
			if op.Download == nil {
				op.Download = &model.Download{}
			}
			op.Download.MediaType = types[0]
			successLoc = rloc
			continue
		}
		if op.Download != nil {
			return b.unsupported(r.Origin, rloc, "a JSON answer next to a file (also at %s)", successLoc)
		}
		schema, _, err := b.jsonMedia(r.Content, "response", r.Origin, rloc)
		if err != nil {
			return err
		}
		if successSchema == nil {
			successSchema, successLoc = schema, rloc
		}
		if !slices.ContainsFunc(bodies, func(s *openapi3.SchemaRef) bool { return sameSchema(s, schema) }) {
			bodies = append(bodies, schema)
		}
	}
	if op.Download != nil && op.Download.Bill && op.Download.MediaType == "" {
		return b.unsupported(o.Origin, loc, "the bill download (%s) without a 2xx answer that is a file", UnsignedResponseExtension)
	}
	if successSchema == nil {
		return nil
	}
	op.MayBeEmpty = empty
	schemaLoc := successLoc + ".content.application/json.schema"
	if len(bodies) > 1 {
		// 2xx answers of different schemas: one of them, read with the
		// As methods of a union (nothing in the JSON says which).
		union := &openapi3.SchemaRef{Value: &openapi3.Schema{AnyOf: bodies, Origin: o.Origin}}
		s, err := b.schema(union, loc, op.GoName+"Response", "")
		if err != nil {
			return err
		}
		op.Answer = s
		return nil
	}
	if _, isStruct, err := b.structSchema(successSchema, schemaLoc); err != nil {
		return err
	} else if !isStruct {
		s, err := b.schema(successSchema, schemaLoc, op.GoName+"Response", "")
		if err != nil {
			return err
		}
		op.Answer = s
		return nil
	}
	successSchema = unwrap(successSchema)
	if successSchema.Ref != "" && b.answers[successSchema.Value] > 1 {
		// One type, named after the component, for every operation that
		// answers with it.
		s, err := b.schema(successSchema, schemaLoc, "", "")
		if err != nil {
			return err
		}
		if !s.IsStruct() {
			return b.errorf(successSchema.Value.Origin, b.refLoc(successSchema.Ref, successSchema.Value.Origin), "internal: response body of type %s made no struct", kindName(s))
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
			refs := map[*openapi3.Schema]bool{}
			for status, r := range o.Responses.Map() {
				if !strings.HasPrefix(status, "2") || r == nil || r.Value == nil {
					continue
				}
				for _, media := range r.Value.Content {
					if media != nil && media.Schema != nil && componentName(media.Schema.Ref) != "" {
						refs[media.Schema.Value] = true
					}
				}
			}
			for ref := range refs {
				b.answers[ref]++
			}
		}
	}
}

// echoes finds the fields of op's answer that must equal what the request
// sent (see model.Echo).
func echoes(op *model.Operation) []*model.Echo {
	if op.Response == nil {
		return nil
	}
	var out []*model.Echo
	for _, a := range op.Response.Fields {
		if !a.Required || a.Pointer || a.NoEcho || !echoable(a.Schema) || a.Schema.Encrypted || a.ReadOnly || a.WriteOnly {
			// An encrypted field's ciphertext differs at each encryption;
			// WeChat Pay sets a readOnly one, and an answer never holds a
			// writeOnly one.
			continue
		}
		var match *model.Field
		for _, r := range op.Request.Fields {
			if r.JSONName == a.JSONName {
				match = r
				break
			}
		}
		switch {
		case match != nil && match.ReadOnly:
			// The request must not send it.
		case match != nil && !match.Pointer && sameType(match.Schema, a.Schema):
			out = append(out, &model.Echo{Answer: a, Request: match})
		case match == nil && a.JSONName == "mchid" && a.Schema.Kind == model.KindString:
			out = append(out, &model.Echo{Answer: a})
		case match == nil:
			if e := unionEcho(op, a); e != nil {
				out = append(out, e)
			}
		}
	}
	return out
}

// unionEcho is the echo of answer field a in a request whose whole body is
// a union of objects each of which requires a field of a's name and Go
// type (the out_refund_no of either form of an abnormal refund); nil when
// there is no such body or a variant lacks the field.
func unionEcho(op *model.Operation, a *model.Field) *model.Echo {
	body := op.Body
	if body == nil || !body.Schema.IsUnion() {
		return nil
	}
	var variants []*model.Field
	for _, v := range body.Schema.Named.Variants {
		if !v.Schema.IsStruct() {
			return nil
		}
		var match *model.Field
		for _, f := range v.Schema.Named.Fields {
			if f.JSONName == a.JSONName {
				match = f
				break
			}
		}
		if match == nil || !match.Required || match.Pointer || match.ReadOnly || match.Schema.Encrypted || !sameType(match.Schema, a.Schema) {
			return nil
		}
		variants = append(variants, match)
	}
	return &model.Echo{Answer: a, Request: body, Variants: variants}
}

// echoable reports whether a value of schema s can be compared with ==: a
// string, an enum or an integer.
func echoable(s *model.Schema) bool {
	switch s.Kind {
	case model.KindString, model.KindInt32, model.KindInt64, model.KindUint32, model.KindUint64:
		return true
	}
	return s.IsEnum()
}

// sameType reports whether values of x and y have the same Go type.
func sameType(x, y *model.Schema) bool {
	if x.Kind != y.Kind {
		return false
	}
	return x.Kind != model.KindNamed || x.Named == y.Named
}
