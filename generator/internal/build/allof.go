package build

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// prop is a property of an object schema as the builder reads it: its name,
// its schema and where it is written.
type prop struct {
	name string
	ref  *openapi3.SchemaRef
	loc  string
}

// view is a schema as the builder reads it: an allOf merged into one schema
// (see merge), and the properties in the order they are emitted.
type view struct {
	s     *openapi3.Schema
	props []prop
}

// view returns the view of the schema ref, at loc: the schema itself with
// its properties in the order the document lists them, or, for an allOf,
// the merged schema. Views of allOfs are kept, so that one schema gives one
// merged schema (and one Go type) wherever it is used.
func (b *builder) view(ref *openapi3.SchemaRef, loc string) (*view, error) {
	s := ref.Value
	if v, ok := b.views[s]; ok {
		return v, nil
	}
	if len(s.AllOf) == 0 {
		return &view{s: s, props: ownProps(s, loc)}, nil
	}
	if b.merging[s] {
		return nil, b.unsupported(s.Origin, loc, "allOf that contains itself")
	}
	b.merging[s] = true
	defer delete(b.merging, s)
	v, err := b.merge(ref, loc)
	if err != nil {
		return nil, err
	}
	b.views[s] = v
	return v, nil
}

// ownProps are the properties of s, in the order the document lists them
// (by name when the loader recorded no positions).
func ownProps(s *openapi3.Schema, loc string) []prop {
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	slices.Sort(names)
	slices.SortStableFunc(names, func(x, y string) int { return specOrder(s.Properties[x].Origin, s.Properties[y].Origin) })
	props := make([]prop, len(names))
	for i, name := range names {
		props[i] = prop{name, s.Properties[name], loc + ".properties." + name}
	}
	return props
}

// allOfWrapper returns the one $ref of an allOf that only wraps it to give it
// a description, a title, an example or flags of its use (nullable,
// readOnly, writeOnly, deprecated, extensions), the way a property is
// written
//
//	amount: {allOf: [{$ref: "#/components/schemas/Fen"}], description: The total.}
//
// so that the property holds the component's own type; nil for any other
// schema. The caller reads those siblings from s itself.
func allOfWrapper(s *openapi3.Schema) *openapi3.SchemaRef {
	if len(s.AllOf) != 1 || s.AllOf[0] == nil || s.AllOf[0].Ref == "" || s.AllOf[0].Value == nil {
		return nil
	}
	rest := *s
	rest.AllOf = nil
	rest.Description, rest.Title, rest.Example, rest.Default = "", "", nil, nil
	rest.Nullable, rest.ReadOnly, rest.WriteOnly, rest.Deprecated = false, false, false, false
	rest.Extensions, rest.Origin, rest.ExternalDocs = nil, nil, nil
	if !rest.IsEmpty() || rest.Not != nil || rest.Discriminator != nil || rest.Always != nil {
		return nil
	}
	return s.AllOf[0]
}

// merge turns an allOf into one schema: the union of the properties and of
// the required lists of its branches and of the schema itself (branches
// first, in order), their anyOf rules together, and the strictest of their
// bounds. A property two parts define differently, a type or a format they
// disagree on, are refused with both locations; so is a branch that is a
// oneOf or an anyOf of schemas.
func (b *builder) merge(ref *openapi3.SchemaRef, loc string) (*view, error) {
	parent := ref.Value
	out := *parent
	out.AllOf = nil
	out.Properties = nil
	out.Required = nil
	out.AnyOf = nil
	out.Extensions = maps.Clone(parent.Extensions)
	type part struct {
		s     *openapi3.Schema
		props []prop
		loc   string
	}
	var parts []part
	for i, br := range parent.AllOf {
		bloc := fmt.Sprintf("%s.allOf[%d]", loc, i)
		if br == nil || br.Value == nil {
			return nil, b.errorf(parent.Origin, bloc, "missing schema")
		}
		if br.Ref != "" {
			bloc = b.refLoc(br.Ref, br.Value.Origin)
		}
		v, err := b.view(br, bloc)
		if err != nil {
			return nil, err
		}
		parts = append(parts, part{v.s, v.props, bloc})
	}
	self := *parent
	self.AllOf = nil
	parts = append(parts, part{&self, ownProps(parent, loc), loc})

	var props []prop
	byName := map[string]int{}
	from := map[string]string{}
	for i, p := range parts {
		s := p.s
		if len(s.OneOf) > 0 || s.Discriminator != nil || len(s.AnyOf) > 0 && !requiredOnly(s.AnyOf) {
			return nil, b.unsupported(s.Origin, p.loc, "allOf with a part that is a oneOf or an anyOf of schemas")
		}
		// The schema's own keywords, the last part, are in out already.
		if i < len(parts)-1 {
			if err := b.mergeInto(&out, s, p.loc, loc, from); err != nil {
				return nil, err
			}
		}
		for _, pr := range p.props {
			if j, ok := byName[pr.name]; ok {
				if !sameSchema(props[j].ref, pr.ref) {
					return nil, b.errorf(pr.ref.Value.Origin, pr.loc, "allOf: property %q is defined differently here and at %s", pr.name, props[j].loc)
				}
				continue
			}
			byName[pr.name] = len(props)
			props = append(props, pr)
		}
		for _, name := range s.Required {
			if !slices.Contains(out.Required, name) {
				out.Required = append(out.Required, name)
			}
		}
		out.AnyOf = append(out.AnyOf, s.AnyOf...)
	}
	if len(props) > 0 {
		out.Properties = openapi3.Schemas{}
		for _, p := range props {
			out.Properties[p.name] = p.ref
		}
	}
	if out.Description == "" {
		for _, p := range parts {
			if p.s.Description != "" {
				out.Description = p.s.Description
				break
			}
		}
	}
	return &view{s: &out, props: props}, nil
}

// mergeInto adds the keywords of s, a part of an allOf at loc, to out, which
// holds the schema's own: where both set one, the stricter bound, and for
// anything else the two must agree.
//
// from records where each keyword that must agree was first set; one the
// schema itself sets is at allOfLoc.
func (b *builder) mergeInto(out, s *openapi3.Schema, loc, allOfLoc string, from map[string]string) error {
	// agree checks a keyword both may set: when out has it, s must say the
	// same; else s's is taken.
	agree := func(keyword string, outHas, sHas, same bool, take func()) error {
		switch {
		case !sHas:
		case !outHas:
			take()
			from[keyword] = loc
		case !same:
			first, ok := from[keyword]
			if !ok {
				first = allOfLoc
			}
			return b.errorf(s.Origin, loc, "allOf: %s here disagrees with the one at %s", keyword, first)
		}
		return nil
	}
	hasType := func(t *openapi3.Types) bool { return t != nil && len(*t) > 0 }
	hasAP := func(a openapi3.AdditionalProperties) bool { return a.Has != nil || a.Schema != nil }
	for _, err := range []error{
		agree("type", hasType(out.Type), hasType(s.Type), hasType(out.Type) && hasType(s.Type) && slices.Equal(*out.Type, *s.Type), func() { out.Type = s.Type }),
		agree("format", out.Format != "", s.Format != "", out.Format == s.Format, func() { out.Format = s.Format }),
		agree("pattern", out.Pattern != "", s.Pattern != "", out.Pattern == s.Pattern, func() { out.Pattern = s.Pattern }),
		agree("enum", len(out.Enum) > 0, len(s.Enum) > 0, reflect.DeepEqual(out.Enum, s.Enum), func() { out.Enum = s.Enum }),
		agree("items", out.Items != nil, s.Items != nil, out.Items != nil && s.Items != nil && sameSchema(out.Items, s.Items), func() { out.Items = s.Items }),
		agree("additionalProperties", hasAP(out.AdditionalProperties), hasAP(s.AdditionalProperties),
			reflect.DeepEqual(jsonOf(out.AdditionalProperties), jsonOf(s.AdditionalProperties)), func() { out.AdditionalProperties = s.AdditionalProperties }),
	} {
		if err != nil {
			return err
		}
	}
	out.MinLength = max(out.MinLength, s.MinLength)
	out.MaxLength = minPtr(out.MaxLength, s.MaxLength)
	out.MinItems = max(out.MinItems, s.MinItems)
	out.MaxItems = minPtr(out.MaxItems, s.MaxItems)
	out.MinProps = max(out.MinProps, s.MinProps)
	out.MaxProps = minPtr(out.MaxProps, s.MaxProps)
	out.UniqueItems = out.UniqueItems || s.UniqueItems
	lo := stricter(lowerBound(out), lowerBound(s), 1)
	out.Min, out.ExclusiveMin = lo.value, lo.keyword()
	hi := stricter(upperBound(out), upperBound(s), -1)
	out.Max, out.ExclusiveMax = hi.value, hi.keyword()
	if out.MultipleOf == nil {
		out.MultipleOf = s.MultipleOf
	}
	out.ReadOnly = out.ReadOnly || s.ReadOnly
	out.WriteOnly = out.WriteOnly || s.WriteOnly
	if out.Example == nil {
		out.Example = s.Example
	}
	if out.Default == nil {
		out.Default = s.Default
	}
	for k, v := range s.Extensions {
		if _, ok := out.Extensions[k]; !ok {
			if out.Extensions == nil {
				out.Extensions = map[string]any{}
			}
			out.Extensions[k] = v
		}
	}
	if out.Origin == nil {
		out.Origin = s.Origin
	}
	return nil
}

// bound is a minimum or a maximum: its value (nil for none), and whether
// the value itself is excluded.
type bound struct {
	value     *float64
	exclusive bool
}

// lowerBound is the minimum s sets: minimum, exclusive with OpenAPI 3.0's
// exclusiveMinimum: true, or OpenAPI 3.1's exclusiveMinimum: N, the
// stricter one when both are there.
func lowerBound(s *openapi3.Schema) bound {
	b := bound{s.Min, s.Min != nil && s.ExclusiveMin.IsTrue()}
	return stricter(b, bound{s.ExclusiveMin.Value, true}, 1)
}

// upperBound is the maximum s sets, as lowerBound.
func upperBound(s *openapi3.Schema) bound {
	b := bound{s.Max, s.Max != nil && s.ExclusiveMax.IsTrue()}
	return stricter(b, bound{s.ExclusiveMax.Value, true}, -1)
}

// stricter is the stricter of two minimums (sign 1) or maximums (sign -1):
// the greater minimum or the smaller maximum, the exclusive one of two
// equal values.
func stricter(x, y bound, sign float64) bound {
	switch {
	case y.value == nil:
		return x
	case x.value == nil || sign*(*y.value) > sign*(*x.value) || *y.value == *x.value && y.exclusive:
		return y
	}
	return x
}

// keyword is b's exclusive keyword, in OpenAPI 3.0's form.
func (b bound) keyword() openapi3.ExclusiveBound {
	if !b.exclusive {
		return openapi3.ExclusiveBound{}
	}
	yes := true
	return openapi3.ExclusiveBound{Bool: &yes}
}

func minPtr(x, y *uint64) *uint64 {
	switch {
	case x == nil:
		return y
	case y == nil || *x <= *y:
		return x
	}
	return y
}

// sameSchema reports whether two schemas say the same: one schema, or two
// that encode to the same JSON.
func sameSchema(x, y *openapi3.SchemaRef) bool {
	if x.Value == y.Value {
		return true
	}
	return x.Value != nil && y.Value != nil && reflect.DeepEqual(jsonOf(x.Value), jsonOf(y.Value))
}

// jsonOf is v encoded to JSON and decoded again, for comparisons that
// ignore where a schema was written.
func jsonOf(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		return err.Error()
	}
	return out
}
