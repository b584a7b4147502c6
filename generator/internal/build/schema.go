package build

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/payforge/wechatpay/generator/internal/model"
	"github.com/payforge/wechatpay/generator/internal/naming"
)

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
		switch len(types) {
		case 0:
			return "", nil // null alone: any JSON, null included
		case 1:
			return types[0], nil
		}
		return "", b.unsupported(s.Origin, loc, "schema of types %s", strings.Join(*s.Type, ", "))
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
	case s.MultipleOf != nil:
		return refuse("multipleOf")
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
	for {
		if w := allOfWrapper(ref.Value); w != nil {
			ref, loc = w, loc+".allOf[0]"
		} else if w := unionWrapper(ref.Value); w != nil {
			ref = w
		} else if w := b.nullableAllOf(ref); w != nil {
			ref = w
		} else {
			break
		}
	}
	component := ""
	if ref.Ref != "" {
		component = componentName(ref.Ref)
		if component == "" {
			return nil, b.unsupported(ref.Origin, loc, "$ref %q to something other than a component schema", ref.Ref)
		}
		loc = b.refLoc(ref.Ref, ref.Value.Origin)
	}
	v, err := b.view(ref, loc)
	if err != nil {
		return nil, err
	}
	s := v.s
	if branches, _ := unionBranches(s); len(branches) > 0 {
		return b.union(ref, component, loc, nameHint)
	}
	if err := b.checkKeywords(s, loc); err != nil {
		return nil, err
	}
	typ, err := b.schemaType(s, loc)
	if err != nil {
		return nil, err
	}
	if _, ok := s.Extensions[EncryptedExtension]; ok && (typ != openapi3.TypeString || s.Format != "" || len(s.Enum) > 0) {
		return nil, b.unsupported(s.Origin, loc, "%s on a schema other than a plain string", EncryptedExtension)
	}
	if _, ok := s.Extensions[EncryptedExtension]; ok {
		if _, known := s.Extensions[KnownValuesExtension]; known {
			// An open enum is a type of its own, which nothing encrypts.
			return nil, b.unsupported(s.Origin, loc, "%s next to %s", EncryptedExtension, KnownValuesExtension)
		}
	}
	out := &model.Schema{Format: s.Format}
	if len(s.Enum) > 0 && typ != openapi3.TypeString && typ != openapi3.TypeInteger && typ != openapi3.TypeNumber {
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
		switch s.Format {
		case "date-time":
			// encoding/json reads and writes time.Time as RFC 3339, which
			// is what date-time means; length and pattern rules on the
			// text do not apply to a time.Time.
			out.Kind = model.KindTime
		case "byte":
			// encoding/json reads and writes []byte as standard Base64,
			// which is what byte means; the length rules apply to the
			// Base64 text.
			out.Kind = model.KindBytes
		default:
			// date stays a string, checked as YYYY-MM-DD; binary in JSON
			// can only be text; other formats are documented.
			out.Kind = model.KindString
		}
		if out.Kind != model.KindTime {
			if err := b.stringConstraints(s, out, loc, varHint); err != nil {
				return nil, err
			}
		}
		if out.Kind == model.KindString {
			enc, err := b.encrypted(s, loc)
			if err != nil {
				return nil, err
			}
			out.Encrypted = enc
		}
	case openapi3.TypeInteger:
		switch s.Format {
		case "int32":
			out.Kind = model.KindInt32
		case "uint32":
			out.Kind = model.KindUint32
		case "uint64":
			out.Kind = model.KindUint64
		default:
			// int64, or no format, or one Go has no type of its own for
			// here (JSON Schema ignores formats it does not know).
			out.Kind = model.KindInt64
		}
		if err := b.bounds(s, out, loc, true); err != nil {
			return nil, err
		}
		lo, hi := math.Inf(-1), math.Inf(1)
		switch out.Kind {
		case model.KindInt32:
			lo, hi = math.MinInt32, math.MaxInt32
		case model.KindUint32:
			lo, hi = 0, math.MaxUint32
		case model.KindUint64:
			lo = 0
		}
		for _, v := range []*float64{out.Minimum, out.Maximum} {
			if v != nil && (*v < lo || *v > hi) {
				article := "a"
				if out.Kind == model.KindInt32 {
					article = "an"
				}
				return nil, b.unsupported(s.Origin, loc, "bound %s outside the range of %s %s", strconv.FormatFloat(*v, 'f', -1, 64), article, s.Format)
			}
		}
		if len(s.Enum) > 0 {
			return b.numberEnum(ref, component, loc, nameHint, out)
		}
	case openapi3.TypeNumber:
		out.Kind = model.KindFloat64
		if err := b.bounds(s, out, loc, false); err != nil {
			return nil, err
		}
		if len(s.Enum) > 0 {
			return b.numberEnum(ref, component, loc, nameHint, out)
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
		out.UniqueItems = s.UniqueItems
		if err := b.counts(s, loc, "minItems", out.MinItems, "maxItems", out.MaxItems); err != nil {
			return nil, err
		}
	case openapi3.TypeObject:
		if isMap(s) {
			return b.mapSchema(s, out, loc, nameHint, varHint)
		}
		if s.MinProps != 0 || s.MaxProps != nil {
			return nil, b.unsupported(s.Origin, loc, "minProperties/maxProperties on an object with properties")
		}
		if len(s.Properties) > 0 && s.AdditionalProperties.Schema != nil && !s.AdditionalProperties.Schema.Value.IsEmpty() {
			return nil, b.unsupported(s.Origin, loc, "additionalProperties with a schema next to properties")
		}
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

// holdsEncrypted reports whether a value of schema s holds a string marked
// x-wechatpay-encrypted, at any depth. Only the fields of a JSON body are
// encrypted: the callers refuse the marker anywhere else (a parameter, a
// form field, a multipart meta part), where it would go out in plaintext.
func holdsEncrypted(s *model.Schema) bool {
	seen := map[*model.Named]bool{}
	var walk func(s *model.Schema) bool
	walk = func(s *model.Schema) bool {
		switch {
		case s == nil:
			return false
		case s.Kind == model.KindString:
			return s.Encrypted
		case s.Kind == model.KindArray || s.Kind == model.KindMap:
			return walk(s.Elem)
		case s.Kind == model.KindNamed && s.Named != nil && !seen[s.Named]:
			seen[s.Named] = true
			for _, f := range s.Named.Fields {
				if walk(f.Schema) {
					return true
				}
			}
			for _, v := range s.Named.Variants {
				if walk(v.Schema) {
					return true
				}
			}
		}
		return false
	}
	return walk(s)
}

// encrypted reads the x-wechatpay-encrypted extension of a string schema.
func (b *builder) encrypted(s *openapi3.Schema, loc string) (bool, error) {
	raw, ok := s.Extensions[EncryptedExtension]
	if !ok {
		return false, nil
	}
	enc, isBool := raw.(bool)
	if !isBool {
		return false, b.errorf(s.Origin, loc+"."+EncryptedExtension, "%s must be true or false", EncryptedExtension)
	}
	return enc, nil
}

// isMap reports whether an object schema is made into a map: it has no
// properties and does not forbid others (additionalProperties absent, true
// or a schema). An object without properties that forbids others is an
// empty struct.
func isMap(s *openapi3.Schema) bool {
	ap := s.AdditionalProperties
	return len(s.Properties) == 0 && (ap.Has == nil || *ap.Has || ap.Schema != nil)
}

// mapSchema converts an object of additionalProperties into a map from the
// member names to values of their schema, or to json.RawMessage for a
// free-form object.
func (b *builder) mapSchema(s *openapi3.Schema, out *model.Schema, loc, nameHint, varHint string) (*model.Schema, error) {
	out.Kind = model.KindMap
	if ap := s.AdditionalProperties.Schema; ap != nil {
		elem, err := b.schema(ap, loc+".additionalProperties", nameHint+"Value", varHint)
		if err != nil {
			return nil, err
		}
		out.Elem = elem
	} else {
		out.Elem = &model.Schema{Kind: model.KindRaw}
	}
	if s.MinProps > 0 {
		min := s.MinProps
		out.MinProperties = &min
	}
	out.MaxProperties = s.MaxProps
	if err := b.counts(s, loc, "minProperties", out.MinProperties, "maxProperties", out.MaxProperties); err != nil {
		return nil, err
	}
	return out, nil
}

// nullable reports whether a property's schema allows null: nullable: true
// (OpenAPI 3.0), a type list with "null" (3.1), on the schema or on the
// one an allOf wrapper or a $ref leads to.
func nullable(ref *openapi3.SchemaRef) bool {
	if ref == nil || ref.Value == nil {
		return false
	}
	s := ref.Value
	if s.Nullable || s.Type != nil && slices.Contains(*s.Type, openapi3.TypeNull) {
		return true
	}
	if w := allOfWrapper(s); w != nil {
		return nullable(w)
	}
	if branches, _ := unionBranches(s); len(branches) > 0 && slices.ContainsFunc(branches, isNullSchema) {
		return true
	}
	return false
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
	if min != nil && max != nil && *min > *max {
		return b.errorf(s.Origin, loc, "%s %d is greater than %s %d: no value satisfies both", minName, *min, maxName, *max)
	}
	return nil
}

func (b *builder) bounds(s *openapi3.Schema, out *model.Schema, loc string, integer bool) error {
	for _, v := range []*float64{s.Min, s.Max, s.ExclusiveMin.Value, s.ExclusiveMax.Value} {
		if v == nil {
			continue
		}
		typ := "number"
		if integer {
			typ = "integer"
		}
		if math.IsInf(*v, 0) || math.IsNaN(*v) || integer && (*v != math.Trunc(*v) || math.Abs(*v) > 1<<53) {
			return b.unsupported(s.Origin, loc, "bound %v on a schema of type %s", *v, typ)
		}
	}
	lo, hi := lowerBound(s), upperBound(s)
	out.Minimum, out.ExclusiveMinimum = lo.value, lo.exclusive
	out.Maximum, out.ExclusiveMaximum = hi.value, hi.exclusive
	if lo, hi := out.Minimum, out.Maximum; lo != nil && hi != nil && (*lo > *hi || *lo == *hi && (out.ExclusiveMinimum || out.ExclusiveMaximum)) {
		return b.errorf(s.Origin, loc, "the minimum %s and the maximum %s leave no value allowed",
			strconv.FormatFloat(*lo, 'g', -1, 64), strconv.FormatFloat(*hi, 'g', -1, 64))
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

func kindName(s *model.Schema) string {
	switch s.Kind {
	case model.KindString, model.KindTime:
		return "string"
	case model.KindInt32, model.KindInt64, model.KindUint32, model.KindUint64:
		return "integer"
	case model.KindBytes:
		return "string"
	case model.KindMap:
		return "object"
	case model.KindFloat64:
		return "number"
	case model.KindBool:
		return "boolean"
	case model.KindArray:
		return "array"
	case model.KindNamed:
		switch {
		case s.Named.Role == model.RoleUnion:
			return "oneOf"
		case s.Named.Role != model.RoleEnum:
			return "object"
		case s.Named.EnumKind == model.KindFloat64:
			return "number"
		case s.Named.EnumKind != model.KindString:
			return "integer"
		}
		return "string"
	}
	return "any"
}
