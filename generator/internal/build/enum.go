package build

import (
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/payforge/wechatpay/generator/internal/model"
	"github.com/payforge/wechatpay/generator/internal/naming"
)

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
	if n, ok := b.shared[ref.Value]; ok && component != "" {
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
	n, err := b.named(goName, model.RoleEnum, component, ref.Value, loc, s.Origin)
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
