package build

import (
	"fmt"
	"math"
	"slices"
	"strconv"
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
			var str string
			switch x := v.(type) {
			case nil:
				continue // null, which nullable says already
			case string:
				str = x
			case float64:
				// A number written in an enum of strings: the text it is
				// sent as.
				str = strconv.FormatFloat(x, 'f', -1, 64)
			case bool:
				str = strconv.FormatBool(x)
			default:
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
	n.EnumKind = model.KindString
	n.Open = open
	for i, v := range values {
		word, err := naming.Exported(v.text)
		if err != nil {
			// Nothing to make a name of (" ", "-"): its position.
			word = fmt.Sprintf("Value%d", i+1)
		}
		constName := goName + word
		if taken := slices.ContainsFunc(n.Enum, func(e *model.EnumValue) bool { return e.GoName == constName }); taken {
			// Two values of this enum spelled alike in Go ("a" and "A"):
			// the later one gets its position.
			constName = fmt.Sprintf("%s%d", constName, i+1)
		}
		if err := b.declare(constName, fmt.Sprintf("enum value %q", v.text), v.loc, s.Origin); err != nil {
			return nil, err
		}
		n.Enum = append(n.Enum, &model.EnumValue{GoName: constName, Value: v.text})
	}
	out.Named = n
	return out, nil
}

// numberEnum returns the named number type of an enum on an integer or a
// number schema: a closed list, whose other values Validate refuses. num is
// the schema as a plain number, with its kind and bounds.
func (b *builder) numberEnum(ref *openapi3.SchemaRef, component, loc, nameHint string, num *model.Schema) (*model.Schema, error) {
	s := ref.Value
	out := &model.Schema{Kind: model.KindNamed, Format: s.Format}
	if n, ok := b.shared[ref.Value]; ok && component != "" {
		out.Named = n
		return out, nil
	}
	goName := nameHint
	if component != "" {
		var err error
		if goName, err = naming.Exported(component); err != nil {
			return nil, b.errorf(s.Origin, loc, "bad schema name: %v", err)
		}
	}
	kind := num.Kind
	if kind == model.KindUint32 || kind == model.KindUint64 {
		// Unsigned enums are rare; their values are held as int64.
		kind = model.KindInt64
	}
	type value struct{ text, loc string }
	var values []value
	for i, v := range s.Enum {
		vloc := fmt.Sprintf("%s.enum[%d]", loc, i)
		if v == nil {
			continue // null, which nullable says already
		}
		x, ok := v.(float64)
		if !ok {
			return nil, b.unsupported(s.Origin, vloc, "enum value %v on a schema of type %s", v, kindName(num))
		}
		if num.Kind != model.KindFloat64 && (x != math.Trunc(x) || math.Abs(x) > 1<<53) {
			return nil, b.unsupported(s.Origin, vloc, "enum value %v that is not an integer", v)
		}
		if kind == model.KindInt32 && (x < math.MinInt32 || x > math.MaxInt32) {
			return nil, b.unsupported(s.Origin, vloc, "enum value %v outside the range of an int32", v)
		}
		values = append(values, value{strconv.FormatFloat(x, 'f', -1, 64), vloc})
	}
	if len(values) == 0 {
		return nil, b.unsupported(s.Origin, loc, "enum without a value")
	}
	n, err := b.named(goName, model.RoleEnum, component, ref.Value, loc, s.Origin)
	if err != nil {
		return nil, err
	}
	n.Description = strings.TrimSpace(s.Description)
	n.EnumKind = kind
	for _, v := range values {
		// 1 → Level1, -1 → LevelMinus1, 0.5 → Level0_5.
		word := strings.NewReplacer("-", "Minus", ".", "_").Replace(v.text)
		if err := b.declare(goName+word, fmt.Sprintf("enum value %s", v.text), v.loc, s.Origin); err != nil {
			return nil, err
		}
		n.Enum = append(n.Enum, &model.EnumValue{GoName: goName + word, Value: v.text})
	}
	out.Named = n
	return out, nil
}
