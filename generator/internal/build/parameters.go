package build

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/payforge/wechatpay/generator/internal/model"
	"github.com/payforge/wechatpay/generator/internal/naming"
)

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
			ploc = b.refLoc(ref.Ref, ref.Value.Origin)
		}
		p := ref.Value
		var in model.In
		switch p.In {
		case openapi3.ParameterInPath:
			in = model.InPath
		case openapi3.ParameterInQuery:
			in = model.InQuery
		case openapi3.ParameterInHeader:
			if runtimeHeader(p.Name) {
				// The runtime sends it (see runtimeHeaders).
				continue
			}
			in = model.InHeader
		case openapi3.ParameterInCookie:
			in = model.InCookie
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
		if holdsEncrypted(s) {
			return b.unsupported(p.Origin, ploc, "%s on %s parameter %q; only the fields of a JSON body are encrypted", EncryptedExtension, p.In, p.Name)
		}
		if s.Kind == model.KindRaw || s.IsUnion() && textVariants(s.Named) {
			// A value of any type, or of one of several scalar types,
			// travels as text: the caller writes it.
			if s.IsUnion() {
				op.Owned = slices.DeleteFunc(op.Owned, func(n *model.Named) bool { return n == s.Named })
			}
			s = &model.Schema{Kind: model.KindString}
		}
		if s.Kind == model.KindArray && s.Elem.Kind == model.KindRaw {
			elem := *s
			elem.Elem = &model.Schema{Kind: model.KindString}
			s = &elem
		}
		delimiter := ""
		if s.Kind == model.KindArray {
			if in == model.InPath || in == model.InCookie {
				return b.unsupported(p.Origin, ploc, "%s parameter %q of type array", p.In, p.Name)
			}
			if !textValue(s.Elem) {
				return b.unsupported(p.Origin, ploc, "%s parameter %q of type array of %s", p.In, p.Name, kindName(s.Elem))
			}
			if delimiter, err = b.arrayStyle(p, in, ploc); err != nil {
				return err
			}
		} else if s.Kind == model.KindMap && in == model.InQuery && textValue(s.Elem) {
			// An object of additionalProperties: its members as the
			// style says.
			explode := p.Explode == nil || *p.Explode
			switch {
			case p.Style == openapi3.SerializationDeepObject:
				delimiter = "[]"
			case (p.Style == "" || p.Style == openapi3.SerializationForm) && explode:
				delimiter = ""
			case p.Style == "" || p.Style == openapi3.SerializationForm:
				delimiter = ","
			default:
				return b.unsupported(p.Origin, ploc, "query parameter %q of type object and style %s", p.Name, p.Style)
			}
		} else if !textValue(s) {
			return b.unsupported(p.Origin, ploc, "%s parameter %q of type %s", p.In, p.Name, kindName(s))
		} else if err := b.scalarStyle(p, ploc); err != nil {
			return err
		}
		required := p.Required || in == model.InPath
		f := &model.Field{
			JSONName:    p.Name,
			GoName:      goName,
			Schema:      s,
			Required:    required,
			Pointer:     pointer(s, required, false),
			In:          in,
			Description: strings.TrimSpace(p.Description),
			Location:    ploc,
			Example:     p.Example,
			Delimiter:   delimiter,
		}
		if f.Example == nil {
			f.Example = p.Schema.Value.Example
		}
		if f.Description == "" {
			f.Description = strings.TrimSpace(p.Schema.Value.Description)
		}
		switch in {
		case model.InPath:
			op.PathParams = append(op.PathParams, f)
		case model.InQuery:
			op.QueryParams = append(op.QueryParams, f)
		default: // a header or a cookie
			op.HeaderParams = append(op.HeaderParams, f)
		}
	}
	return nil
}

// textVariants reports whether every variant of a union is a text value.
func textVariants(n *model.Named) bool {
	for _, v := range n.Variants {
		if !textValue(v.Schema) {
			return false
		}
	}
	return true
}

// textValue reports whether a value of schema s can be written as the text
// of a parameter: a string, an enum, a number, a boolean or a date-time.
func textValue(s *model.Schema) bool {
	switch s.Kind {
	case model.KindString, model.KindInt32, model.KindInt64, model.KindUint32, model.KindUint64, model.KindFloat64, model.KindBool, model.KindTime,
		model.KindBytes:
		return true
	}
	return s.IsEnum()
}

// arrayStyle returns the delimiter that joins the values of an array
// parameter, from its style and explode as OpenAPI defines them: a query
// parameter is style form by default, and form explodes by default (one
// name=value pair per value, delimiter ""); without explode its values are
// joined with ",", or " " and "|" for spaceDelimited and pipeDelimited. A
// header is style simple, joined with "," whatever explode says.
func (b *builder) arrayStyle(p *openapi3.Parameter, in model.In, loc string) (string, error) {
	if in == model.InHeader {
		if p.Style != "" && p.Style != openapi3.SerializationSimple {
			return "", b.unsupported(p.Origin, loc, "header parameter %q of style %s", p.Name, p.Style)
		}
		return ",", nil
	}
	explode := p.Explode == nil || *p.Explode
	switch p.Style {
	case "", openapi3.SerializationForm:
		if explode {
			return "", nil
		}
		return ",", nil
	case openapi3.SerializationSpaceDelimited:
		if !explode {
			return " ", nil
		}
		return "", nil
	case openapi3.SerializationPipeDelimited:
		if !explode {
			return "|", nil
		}
		return "", nil
	}
	return "", b.unsupported(p.Origin, loc, "query parameter %q of style %s", p.Name, p.Style)
}

// scalarStyle refuses a style other than the default of the parameter's
// location (simple in a path or a header, form in a query or a cookie),
// and allowReserved: the method writes a single value as that default, its
// reserved characters escaped, so a matrix (;name=value) or label (.value)
// path segment, say, would not be what the spec describes.
func (b *builder) scalarStyle(p *openapi3.Parameter, loc string) error {
	def := openapi3.SerializationSimple
	if p.In == openapi3.ParameterInQuery || p.In == openapi3.ParameterInCookie {
		def = openapi3.SerializationForm
	}
	if p.Style != "" && p.Style != def {
		return b.unsupported(p.Origin, loc, "%s parameter %q of style %s", p.In, p.Name, p.Style)
	}
	if p.AllowReserved {
		return b.unsupported(p.Origin, loc, "%s parameter %q with allowReserved", p.In, p.Name)
	}
	return nil
}

// runtimeHeaders are the request headers the runtime sends itself; a header
// parameter of one of these names is not a field of the request. OpenAPI
// says to ignore Accept, Content-Type and Authorization parameters. The
// runtime owns Wechatpay-Serial: it names the WeChat Pay key the client
// verifies with and encrypts sensitive fields with, and a request whose
// fields it encrypted must name the very key it used (the Encrypter's), which
// only the runtime knows; a value the caller typed could name another. It
// sets User-Agent from its Config.
var runtimeHeaders = []string{"Accept", "Authorization", "Content-Type", "User-Agent", "Wechatpay-Serial"}

func runtimeHeader(name string) bool {
	return slices.ContainsFunc(runtimeHeaders, func(h string) bool { return strings.EqualFold(h, name) })
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
	op.Request.Fields = append(append(append(op.Request.Fields, ordered...), op.QueryParams...), op.HeaderParams...)
	return nil
}
