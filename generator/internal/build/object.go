package build

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/payforge/wechatpay/generator/internal/model"
	"github.com/payforge/wechatpay/generator/internal/naming"
)

// object returns the named struct type of an object schema: one shared type
// per component schema, or a type of the operation's own for an inline one.
func (b *builder) object(ref *openapi3.SchemaRef, component, loc, nameHint string) (*model.Named, error) {
	s := ref.Value
	if component != "" {
		if n, ok := b.shared[ref.Value]; ok {
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
	n, err := b.named(nameHint, model.RoleStruct, component, ref.Value, loc, s.Origin)
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

// objectFields converts the properties of an object schema into fields, in
// the order the document lists them (by name when it has no positions), and its anyOf of required lists into
// rules on them. what names a top-level body, which must be an object, in
// errors.
func (b *builder) objectFields(ref *openapi3.SchemaRef, loc, parent, what string) ([]*model.Field, []*model.AnyOf, error) {
	if ref == nil || ref.Value == nil {
		return nil, nil, b.errorf(nil, loc, "missing schema")
	}
	if ref.Ref != "" {
		loc = b.refLoc(ref.Ref, ref.Value.Origin)
	}
	v, err := b.view(ref, loc)
	if err != nil {
		return nil, nil, err
	}
	s := v.s
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
	var fields []*model.Field
	for _, pr := range v.props {
		name, ploc, prop := pr.name, pr.loc, pr.ref
		if name == "" {
			// encoding/json cannot name a field "": an answer's member
			// of that name is not kept, a request cannot send one.
			continue
		}
		if !jsonKey(name) {
			return nil, nil, b.unsupported(prop.Origin, ploc, "property name %q, which encoding/json cannot use as a key (it would send the Go field's name)", name)
		}
		goName, err := naming.Exported(name)
		if err != nil {
			return nil, nil, b.errorf(s.Origin, ploc, "bad property name: %v", err)
		}
		fs, err := b.schema(prop, ploc, parent+goName, name)
		if err != nil {
			return nil, nil, err
		}
		required := slices.Contains(s.Required, name)
		if required && fs.IsStruct() && b.building[fs.Named] && !prop.Value.ReadOnly && !nullable(prop) {
			return nil, nil, b.unsupported(prop.Value.Origin, ploc, "recursive schema: required property %q holds a %s, which holds it", name, fs.Named.GoName)
		}
		// The flags of the property's use, written next to a $ref or an
		// allOf wrapper, or on the schema it leads to.
		use := prop.Value
		if w := allOfWrapper(use); w != nil && w.Value != nil {
			use = w.Value
		}
		readOnly := prop.Value.ReadOnly || use.ReadOnly
		writeOnly := prop.Value.WriteOnly || use.WriteOnly
		def := prop.Value.Default
		if def == nil {
			def = use.Default
		}
		isNullable := nullable(prop)
		noEcho := false
		if raw, ok := prop.Value.Extensions[EchoExtension]; ok {
			echo, isBool := raw.(bool)
			if !isBool {
				return nil, nil, b.errorf(prop.Value.Origin, ploc+"."+EchoExtension, "%s must be true or false", EchoExtension)
			}
			noEcho = !echo
		}
		fields = append(fields, &model.Field{
			NoEcho:      noEcho,
			JSONName:    name,
			GoName:      goName,
			Schema:      fs,
			Required:    required,
			Pointer:     pointer(fs, required && !readOnly, isNullable),
			Nullable:    isNullable,
			ReadOnly:    readOnly,
			WriteOnly:   writeOnly,
			Default:     def,
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

// jsonKey reports whether encoding/json takes name as the key of a struct
// field's tag: letters, digits and the punctuation it allows, and no quote,
// backslash or comma. It ignores a tag with any other name and uses the Go
// field's name instead, which would send the wrong key.
func jsonKey(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", r) {
			return false
		}
	}
	return true
}

// pointer reports whether a field of schema s is a pointer: an optional
// number, boolean or object, so that its zero value can be told from its
// absence; and a required one that may be null, of a kind that cannot hold
// nil (a string, a time, an enum as well). Slices, maps and raw JSON hold
// nil themselves.
func pointer(s *model.Schema, required, nullable bool) bool {
	switch {
	case !required:
		return s.IsNumber() || s.Kind == model.KindBool || s.IsStruct() || s.IsNumberEnum()
	case nullable:
		switch s.Kind {
		case model.KindArray, model.KindMap, model.KindRaw, model.KindBytes:
			return false
		}
		return true
	}
	return false
}
