package build

import (
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/payforge/wechatpay/generator/internal/model"
	"github.com/payforge/wechatpay/generator/internal/naming"
)

// unionBranches returns the branches of a oneOf, or of an anyOf of schemas
// (not the anyOf of required lists of an object), and whether it is a
// oneOf; nil when s is neither.
func unionBranches(s *openapi3.Schema) (openapi3.SchemaRefs, bool) {
	switch {
	case len(s.OneOf) > 0:
		return s.OneOf, true
	case len(s.AnyOf) > 0 && !requiredOnly(s.AnyOf):
		return s.AnyOf, false
	}
	return nil, false
}

// isNullSchema reports whether a branch of a union only allows null: type
// null, or an enum of null, the way nullable variants are written.
func isNullSchema(ref *openapi3.SchemaRef) bool {
	if ref == nil || ref.Value == nil {
		return false
	}
	s := ref.Value
	if s.Type != nil && len(*s.Type) == 1 && (*s.Type)[0] == openapi3.TypeNull {
		return true
	}
	return len(s.Enum) == 1 && s.Enum[0] == nil
}

// unionWrapper returns the one branch of a oneOf or anyOf that is there to
// make a schema nullable or to give it a description, like
//
//	oneOf: [{$ref: "#/components/schemas/Payer"}, {type: "null"}]
//
// so that it is that branch's type; nil for any other schema, and for one
// with keywords beside the union that rule its values (see nullableBranch).
func unionWrapper(s *openapi3.Schema) *openapi3.SchemaRef {
	kept := nullableBranch(s)
	if kept == nil {
		return nil
	}
	rest := *s
	rest.OneOf, rest.AnyOf = nil, nil
	rest.Description, rest.Title, rest.Example, rest.Default = "", "", nil, nil
	rest.Nullable, rest.ReadOnly, rest.WriteOnly, rest.Deprecated = false, false, false, false
	rest.Extensions, rest.Origin, rest.ExternalDocs = nil, nil, nil
	if !rest.IsEmpty() || rest.Not != nil || rest.Always != nil {
		return nil
	}
	return kept
}

// nullableBranch returns the one branch of a oneOf or anyOf whose other
// branches only allow null; nil for any other schema.
func nullableBranch(s *openapi3.Schema) *openapi3.SchemaRef {
	branches, _ := unionBranches(s)
	if len(branches) == 0 || len(s.Properties) > 0 || s.Discriminator != nil {
		return nil
	}
	var kept []*openapi3.SchemaRef
	for _, br := range branches {
		if !isNullSchema(br) {
			kept = append(kept, br)
		}
	}
	if len(kept) != 1 {
		return nil
	}
	return kept[0]
}

// nullableAllOf returns, for a schema of one nullable branch (see
// nullableBranch) with keywords beside it, like
//
//	{oneOf: [{type: string}, {type: "null"}], maxLength: 4}
//
// the same schema with the branch as its one allOf part instead, so that
// the keywords merge with the branch's (see merge); nil for any other
// schema. The null branch is still read by nullable, from the schema as
// written. It is made once per schema, so that views are shared.
func (b *builder) nullableAllOf(ref *openapi3.SchemaRef) *openapi3.SchemaRef {
	kept := nullableBranch(ref.Value)
	if kept == nil {
		return nil
	}
	if w, ok := b.unionAllOf[ref.Value]; ok {
		return w
	}
	s := *ref.Value
	s.OneOf, s.AnyOf = nil, nil
	s.AllOf = openapi3.SchemaRefs{kept}
	w := &openapi3.SchemaRef{Ref: ref.Ref, Value: &s}
	b.unionAllOf[ref.Value] = w
	return w
}

// unwrap follows the allOf and oneOf wrappers of a schema (see allOfWrapper
// and unionWrapper) to the schema whose type it is.
func unwrap(ref *openapi3.SchemaRef) *openapi3.SchemaRef {
	for ref != nil && ref.Value != nil {
		if w := allOfWrapper(ref.Value); w != nil {
			ref = w
		} else if w := unionWrapper(ref.Value); w != nil {
			ref = w
		} else {
			break
		}
	}
	return ref
}

// union returns the named type of a oneOf or an anyOf of schemas (see
// model.RoleUnion).
func (b *builder) union(ref *openapi3.SchemaRef, component, loc, nameHint string) (*model.Schema, error) {
	s := ref.Value
	out := &model.Schema{Kind: model.KindNamed}
	if n, ok := b.shared[ref.Value]; ok && component != "" {
		out.Named = n
		return out, nil
	}
	branches, oneOf := unionBranches(s)
	keyword := "anyOf"
	if oneOf {
		keyword = "oneOf"
	}
	if oneOf && requiredOnly(s.OneOf) {
		return nil, b.unsupported(s.Origin, loc, "oneOf of required lists (exactly one of several sets of fields)")
	}
	// Properties next to the oneOf are every variant's: each variant is
	// the allOf of them and its own schema.
	var base *openapi3.SchemaRef
	if len(s.Properties) > 0 {
		if s.Discriminator != nil {
			return nil, b.unsupported(s.Origin, loc, "%s of schemas with a discriminator next to properties", keyword)
		}
		common := *s
		common.OneOf, common.AnyOf = nil, nil
		base = &openapi3.SchemaRef{Value: &common}
	}
	goName := nameHint
	if component != "" {
		var err error
		if goName, err = naming.Exported(component); err != nil {
			return nil, b.errorf(s.Origin, loc, "bad schema name: %v", err)
		}
		b.inComponent++
		defer func() { b.inComponent-- }()
	}
	n, err := b.named(goName, model.RoleUnion, component, ref.Value, loc, s.Origin)
	if err != nil {
		return nil, err
	}
	n.Description = strings.TrimSpace(s.Description)
	n.OneOf = oneOf
	out.Named = n
	if d := s.Discriminator; d != nil {
		n.Discriminator = d.PropertyName
	}
	used := map[string]bool{}
	for i, br := range branches {
		bloc := fmt.Sprintf("%s.%s[%d]", loc, keyword, i)
		if br == nil || br.Value == nil {
			return nil, b.errorf(s.Origin, bloc, "missing schema")
		}
		if isNullSchema(br) {
			continue // null: the union's zero value stands for it
		}
		if slices.ContainsFunc(branches[:i], func(prev *openapi3.SchemaRef) bool { return prev != nil && prev.Value == br.Value }) {
			continue // the same schema twice: one variant
		}
		hint := fmt.Sprintf("%sVariant%d", goName, i+1)
		schemaRef := br
		field := "" // the variant's field, when not its type's name
		if base != nil {
			if name := componentName(br.Ref); name != "" {
				if word, err := naming.Exported(name); err == nil {
					hint, field = goName+word, word
				}
			}
			schemaRef = &openapi3.SchemaRef{Value: &openapi3.Schema{AllOf: openapi3.SchemaRefs{base, br}, Origin: br.Value.Origin}}
		}
		vs, err := b.schema(schemaRef, bloc, hint, "")
		if err != nil {
			return nil, err
		}
		v := &model.Variant{GoName: variantName(vs), Schema: vs}
		if field != "" {
			v.GoName = field
		}
		if used[v.GoName] {
			v.GoName = fmt.Sprintf("Variant%d", i+1)
		}
		used[v.GoName] = true
		if n.Discriminator != "" {
			if !vs.IsStruct() {
				return nil, b.unsupported(br.Value.Origin, bloc, "discriminator %q on a variant of type %s; it must be an object", n.Discriminator, kindName(vs))
			}
			v.Values = discriminatorValues(s.Discriminator, br)
			if len(v.Values) == 0 {
				return nil, b.unsupported(br.Value.Origin, bloc, "variant of a discriminator that no mapping names and that is not a $ref to a component")
			}
			for _, f := range vs.Named.Fields {
				if f.JSONName == n.Discriminator {
					if f.Schema.Kind != model.KindString && !(f.Schema.IsEnum() && f.Schema.Named.EnumKind == model.KindString) {
						return nil, b.unsupported(br.Value.Origin, bloc, "discriminator %q of type %s; it must be a string", n.Discriminator, kindName(f.Schema))
					}
					v.Tag = f
				}
			}
		}
		n.Variants = append(n.Variants, v)
	}
	if len(n.Variants) == 0 {
		return nil, b.unsupported(s.Origin, loc, "%s of null alone", keyword)
	}
	return out, nil
}

// variantName names a variant after its type: the named type's name, else
// the Go type spelled as a word (String, Int64, StringArray).
func variantName(s *model.Schema) string {
	switch s.Kind {
	case model.KindNamed:
		return s.Named.GoName
	case model.KindString:
		return "String"
	case model.KindInt32:
		return "Int32"
	case model.KindInt64:
		return "Int64"
	case model.KindUint32:
		return "Uint32"
	case model.KindUint64:
		return "Uint64"
	case model.KindFloat64:
		return "Float64"
	case model.KindBool:
		return "Bool"
	case model.KindTime:
		return "Time"
	case model.KindBytes:
		return "Bytes"
	case model.KindArray:
		return variantName(s.Elem) + "Array"
	case model.KindMap:
		return variantName(s.Elem) + "Map"
	}
	return "JSON"
}

// discriminatorValues are the values of the discriminator that select the
// variant br: the mapping's keys that lead to it, in name order, or when
// none does, the name of the component it refers to (OpenAPI's implicit
// mapping).
func discriminatorValues(d *openapi3.Discriminator, br *openapi3.SchemaRef) []string {
	var values []string
	for key, m := range d.Mapping {
		switch {
		case m.Value != nil && m.Value == br.Value,
			m.Ref != "" && br.Ref != "" && (m.Ref == br.Ref || componentName(m.Ref) != "" && componentName(m.Ref) == componentName(br.Ref)),
			m.Ref != "" && !strings.Contains(m.Ref, "/") && m.Ref == componentName(br.Ref):
			values = append(values, key)
		}
	}
	slices.Sort(values)
	if len(values) == 0 {
		if name := componentName(br.Ref); name != "" {
			values = []string{name}
		}
	}
	return values
}
