package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/payforge/wechatpay/generator/internal/model"
)

// call emits the Client method of an operation: validate, build the path,
// the query and the body, send through the runtime, decode the verified
// answer.
func (e *emitter) call(f *jen.File, op *model.Operation) error {
	d, err := e.doc("method", op)
	if err != nil {
		return err
	}
	fail := func() []jen.Code {
		if op.Response == nil {
			return []jen.Code{jen.Id("err")}
		}
		return []jen.Code{jen.Nil(), jen.Id("err")}
	}
	body := []jen.Code{
		jen.If(jen.Err().Op(":=").Id("req").Dot("Validate").Call(), jen.Err().Op("!=").Nil()).Block(jen.Return(fail()...)),
	}
	if op.HasBody {
		body = append(body,
			jen.List(jen.Id("body"), jen.Err()).Op(":=").Qual("encoding/json", "Marshal").Call(jen.Id("req")),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(fail()...)),
		)
	}
	if len(op.QueryParams) > 0 {
		body = append(body, jen.Id("query").Op(":=").Qual("net/url", "Values").Values())
		for _, p := range op.QueryParams {
			set, err := querySet(op, p)
			if err != nil {
				return err
			}
			body = append(body, set)
		}
	}

	path, err := pathExpr(op)
	if err != nil {
		return err
	}
	fields := []jen.Code{
		jen.Id("Operation").Op(":").Lit(op.ID),
		jen.Id("Method").Op(":").Add(method(op.Method)),
		jen.Id("PathTemplate").Op(":").Lit(op.Path),
		jen.Id("Path").Op(":").Add(path),
	}
	if len(op.QueryParams) > 0 {
		fields = append(fields, jen.Id("Query").Op(":").Id("query"))
	}
	if op.HasBody {
		fields = append(fields, jen.Id("Body").Op(":").Id("body"))
	}
	request := jen.Op("&").Qual(RuntimePath, "Request").ValuesFunc(func(g *jen.Group) {
		for _, fd := range fields {
			g.Line().Add(fd)
		}
		g.Line()
	})
	do := jen.Id("c").Dot("rt").Dot("Do").Call(jen.Id("ctx"), request)

	results := []jen.Code{jen.Error()}
	if op.Response == nil {
		// err already exists when the body was marshaled.
		assign := ":="
		if op.HasBody {
			assign = "="
		}
		body = append(body,
			jen.List(jen.Id("_"), jen.Err()).Op(assign).Add(do),
			jen.Return(jen.Err()),
		)
	} else {
		results = []jen.Code{jen.Op("*").Id(op.Response.GoName), jen.Error()}
		check := jen.Nil()
		if e.answerChecked[op.Response] {
			check = jen.Id("out").Dot("checkAnswer")
		}
		body = append(body,
			jen.List(jen.Id("resp"), jen.Err()).Op(":=").Add(do),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
			jen.Id("answer").Op(":=").Qual(ValidatePath, "Answer").Values(
				jen.Id("Operation").Op(":").Lit(op.ID),
				jen.Id("Response").Op(":").Id("resp"),
			),
			jen.Var().Id("out").Id(op.Response.GoName),
			jen.If(
				jen.Err().Op(":=").Id("answer").Dot("Decode").Call(jen.Op("&").Id("out"), check),
				jen.Err().Op("!=").Nil(),
			).Block(jen.Return(jen.Nil(), jen.Err())),
		)
		if len(op.Echoes) > 0 {
			body = append(body, jen.If(
				jen.Err().Op(":=").Id("answer").Dot("Echo").CallFunc(func(g *jen.Group) {
					for _, echo := range op.Echoes {
						g.Line().Add(echoCheck(echo))
					}
					g.Line()
				}),
				jen.Err().Op("!=").Nil(),
			).Block(jen.Return(jen.Nil(), jen.Err())))
		}
		body = append(body, jen.Return(jen.Op("&").Id("out"), jen.Nil()))
	}
	addComments(f, d)
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(op.GoName).Params(
		jen.Id("ctx").Qual("context", "Context"),
		jen.Id("req").Op("*").Id(op.Request.GoName),
	).Params(results...).Block(body...)
	return nil
}

// pathExpr concatenates the literal parts of the path template with the
// escaped path parameters.
func pathExpr(op *model.Operation) (*jen.Statement, error) {
	var expr *jen.Statement
	for _, seg := range op.Segments {
		var part jen.Code
		if seg.Param == nil {
			part = jen.Lit(seg.Literal)
		} else {
			part = paramString(seg.Param, jen.Id("req").Dot(seg.Param.GoName), true)
			if part == nil {
				return nil, fmt.Errorf("operation %s: path parameter %s cannot be formatted", op.ID, seg.Param.JSONName)
			}
		}
		if expr == nil {
			expr = jen.Add(part)
		} else {
			expr = expr.Op("+").Add(part)
		}
	}
	return expr, nil
}

// paramString converts the value of a path or query parameter to the text
// sent: strings path-escaped in a path (the runtime encodes the query),
// numbers and booleans formatted with strconv, times in RFC 3339.
// It returns nil for a kind of value the builder never lets through.
func paramString(p *model.Field, v *jen.Statement, inPath bool) jen.Code {
	s := p.Schema
	switch {
	case s.Kind == model.KindTime:
		v = v.Dot("Format").Call(jen.Qual("time", "RFC3339Nano"))
		if inPath {
			return jen.Qual("net/url", "PathEscape").Call(v)
		}
		return v
	case s.IsEnum():
		v = jen.String().Call(v)
		fallthrough
	case s.Kind == model.KindString:
		if inPath {
			return jen.Qual("net/url", "PathEscape").Call(v)
		}
		return v
	case s.Kind == model.KindInt64:
		return jen.Qual("strconv", "FormatInt").Call(v, jen.Lit(10))
	case s.Kind == model.KindInt32:
		return jen.Qual("strconv", "FormatInt").Call(jen.Int64().Call(v), jen.Lit(10))
	case s.Kind == model.KindFloat64:
		return jen.Qual("strconv", "FormatFloat").Call(v, jen.LitRune('g'), jen.Lit(-1), jen.Lit(64))
	case s.Kind == model.KindBool:
		return jen.Qual("strconv", "FormatBool").Call(v)
	}
	return nil
}

// querySet sets one query parameter; an optional one only when it is set.
func querySet(op *model.Operation, p *model.Field) (jen.Code, error) {
	v := func() *jen.Statement { return jen.Id("req").Dot(p.GoName) }
	arg := v()
	if p.Pointer {
		arg = jen.Op("*").Add(v())
	}
	str := paramString(p, arg, false)
	if str == nil {
		return nil, fmt.Errorf("operation %s: query parameter %s cannot be formatted", op.ID, p.JSONName)
	}
	set := jen.Id("query").Dot("Set").Call(jen.Lit(p.JSONName), str)
	switch {
	case p.Pointer:
		return jen.If(v().Op("!=").Nil()).Block(set), nil
	case !p.Required && p.Schema.Kind == model.KindTime:
		return jen.If(jen.Op("!").Add(v()).Dot("IsZero").Call()).Block(set), nil
	case !p.Required:
		return jen.If(v().Op("!=").Lit("")).Block(set), nil
	}
	return set, nil
}

// invoker emits the function behind the Call of op's wechatpay.Operation:
// it fills the request from text parameters and a JSON body and calls the
// typed method.
func (e *emitter) invoker(f *jen.File, op *model.Operation) error {
	d, err := e.doc("invoker", op)
	if err != nil {
		return err
	}
	fail := func() jen.Code { return jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())) }
	body := []jen.Code{jen.Var().Id("req").Id(op.Request.GoName)}
	if op.HasBody {
		body = append(body, jen.If(
			jen.Err().Op(":=").Qual(ValidatePath, "DecodeBody").Call(jen.Id("body"), jen.Op("&").Id("req")),
			jen.Err().Op("!=").Nil(),
		).Block(jen.Return(jen.Nil(), jen.Err())))
	} else {
		body = append(body, jen.If(
			jen.Err().Op(":=").Qual(ValidatePath, "NoBody").Call(jen.Id("body")),
			jen.Err().Op("!=").Nil(),
		).Block(jen.Return(jen.Nil(), jen.Err())))
	}
	for _, p := range append(append([]*model.Field{}, op.PathParams...), op.QueryParams...) {
		set, err := paramParse(p, fail)
		if err != nil {
			return fmt.Errorf("operation %s: %v", op.ID, err)
		}
		body = append(body, jen.If(
			jen.List(jen.Id("v"), jen.Id("ok")).Op(":=").Id("params").Index(jen.Lit(p.JSONName)),
			jen.Id("ok"),
		).Block(set...))
	}
	call := jen.Id("NewClient").Call(jen.Id("rt")).Dot(op.GoName).Call(jen.Id("ctx"), jen.Op("&").Id("req"))
	if op.Response == nil {
		body = append(body, jen.Return(jen.Nil(), call))
	} else {
		// A nil *Response in the any would not be == nil.
		body = append(body,
			jen.List(jen.Id("resp"), jen.Err()).Op(":=").Add(call),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
			jen.Return(jen.Id("resp"), jen.Nil()),
		)
	}
	addComments(f, d)
	f.Func().Id(invokerName(op.GoName)).Params(
		jen.Id("ctx").Qual("context", "Context"),
		jen.Id("rt").Op("*").Qual(RuntimePath, "Client"),
		jen.Id("params").Map(jen.String()).String(),
		jen.Id("body").Index().Byte(),
	).Params(jen.Any(), jen.Error()).Block(body...)
	return nil
}

// paramParse returns the statements that set the request field of p from
// the text v; fail returns the error of a parser.
func paramParse(p *model.Field, fail func() jen.Code) ([]jen.Code, error) {
	target := jen.Id("req").Dot(p.GoName)
	assign := func(v jen.Code) jen.Code {
		if p.Pointer {
			return jen.Add(target).Op("=").Op("&").Add(v)
		}
		return jen.Add(target).Op("=").Add(v)
	}
	// parsed parses v into x, converted into y when the field's type is
	// not the parser's.
	parsed := func(parse jen.Code, convert func(jen.Code) jen.Code) []jen.Code {
		code := []jen.Code{jen.List(jen.Id("x"), jen.Err()).Op(":=").Add(parse), fail()}
		if convert == nil {
			return append(code, assign(jen.Id("x")))
		}
		return append(code, jen.Id("y").Op(":=").Add(convert(jen.Id("x"))), assign(jen.Id("y")))
	}
	name := jen.Lit(p.JSONName)
	s := p.Schema
	switch {
	case s.IsEnum():
		return []jen.Code{jen.Id("y").Op(":=").Id(s.Named.GoName).Call(jen.Id("v")), assign(jen.Id("y"))}, nil
	case s.Kind == model.KindString:
		return []jen.Code{assign(jen.Id("v"))}, nil
	case s.Kind == model.KindInt64:
		return parsed(jen.Qual(ValidatePath, "ParseInt").Call(name, jen.Id("v"), jen.Lit(64)), nil), nil
	case s.Kind == model.KindInt32:
		return parsed(jen.Qual(ValidatePath, "ParseInt").Call(name, jen.Id("v"), jen.Lit(32)),
			func(c jen.Code) jen.Code { return jen.Int32().Call(c) }), nil
	case s.Kind == model.KindFloat64:
		return parsed(jen.Qual(ValidatePath, "ParseFloat").Call(name, jen.Id("v")), nil), nil
	case s.Kind == model.KindBool:
		return parsed(jen.Qual(ValidatePath, "ParseBool").Call(name, jen.Id("v")), nil), nil
	case s.Kind == model.KindTime:
		return parsed(jen.Qual(ValidatePath, "ParseTime").Call(name, jen.Id("v")), nil), nil
	}
	return nil, fmt.Errorf("parameter %s cannot be parsed from text", p.JSONName)
}

// echoCheck compares a field of the answer with what the request sent: the
// request's field of the same name (when the request may leave it out,
// only if it was sent), or the client's merchant ID.
func echoCheck(echo *model.Echo) jen.Code {
	got := jen.Id("out").Dot(echo.Answer.GoName)
	name := jen.Lit(echo.Answer.JSONName)
	switch {
	case echo.Request == nil:
		return jen.Qual(ValidatePath, "Same").Call(name, got, jen.Id("c").Dot("rt").Dot("MchID").Call())
	case echo.Request.Required:
		return jen.Qual(ValidatePath, "Same").Call(name, got, jen.Id("req").Dot(echo.Request.GoName))
	}
	return jen.Qual(ValidatePath, "SameIfSent").Call(name, got, jen.Id("req").Dot(echo.Request.GoName))
}

// findAnswerChecks decides which struct types get a checkAnswer method: those
// an answer can hold that require a field, directly or in an object inside
// them (reached through a field or an array of them). Types may hold each
// other, so this iterates to a fixed point.
func (e *emitter) findAnswerChecks() {
	var answered []*model.Named
	seen := map[*model.Named]bool{}
	var visit func(n *model.Named)
	visit = func(n *model.Named) {
		if seen[n] || !n.IsStruct() {
			return
		}
		seen[n] = true
		answered = append(answered, n)
		for _, f := range n.Fields {
			if s := answerObject(f.Schema); s != nil {
				visit(s)
			}
		}
	}
	for _, op := range e.pkg.Operations {
		if op.Response != nil {
			visit(op.Response)
		}
	}
	for changed := true; changed; {
		changed = false
		for _, n := range answered {
			if e.answerChecked[n] {
				continue
			}
			for _, f := range n.Fields {
				if s := answerObject(f.Schema); f.Required || s != nil && e.answerChecked[s] {
					e.answerChecked[n] = true
					changed = true
					break
				}
			}
		}
	}
}

// answerObject is the struct type a field of schema s holds, directly or as
// the elements of an array, whose presence checks the answer goes through;
// nil for any other value. Arrays of arrays are not looked into.
func answerObject(s *model.Schema) *model.Named {
	if s.Kind == model.KindArray {
		s = s.Elem
	}
	if s.IsStruct() {
		return s.Named
	}
	return nil
}

// checkAnswer emits the checkAnswer method of a struct an answer holds: it
// checks that the JSON the struct was decoded from holds every field the
// spec requires, and so do the objects inside it that are present.
func (e *emitter) checkAnswer(f *jen.File, n *model.Named) error {
	d, err := e.doc("checkAnswer", n)
	if err != nil {
		return err
	}
	recv := receiver(n)
	var required []jen.Code
	for _, fd := range n.Fields {
		if fd.Required {
			required = append(required, jen.Lit(fd.JSONName))
		}
	}
	object := jen.Qual(ValidatePath, "Object").Call(append([]jen.Code{jen.Id("data"), jen.Id("field")}, required...)...)
	var nested []jen.Code
	for _, fd := range n.Fields {
		s := answerObject(fd.Schema)
		if s == nil || !e.answerChecked[s] {
			continue
		}
		path := jen.Qual(ValidatePath, "Path").Call(jen.Id("field"), jen.Lit(fd.JSONName))
		fail := func() jen.Code { return jen.Return(jen.Err()) }
		var inner []jen.Code
		if fd.Schema.Kind == model.KindArray {
			inner = []jen.Code{
				jen.List(jen.Id("elems"), jen.Err()).Op(":=").Qual(ValidatePath, "Elements").Call(jen.Id("raw"), path),
				jen.If(jen.Err().Op("!=").Nil()).Block(fail()),
				jen.For(jen.Id("i").Op(":=").Range().Id(recv).Dot(fd.GoName)).Block(
					jen.If(
						jen.Err().Op(":=").Id(recv).Dot(fd.GoName).Index(jen.Id("i")).Dot("checkAnswer").Call(
							jen.Id("elems").Index(jen.Id("i")),
							jen.Qual(ValidatePath, "Index").Call(jen.Qual(ValidatePath, "Path").Call(jen.Id("field"), jen.Lit(fd.JSONName)), jen.Id("i")),
						),
						jen.Err().Op("!=").Nil(),
					).Block(fail()),
				),
			}
		} else {
			inner = []jen.Code{jen.If(
				jen.Err().Op(":=").Id(recv).Dot(fd.GoName).Dot("checkAnswer").Call(jen.Id("raw"), path),
				jen.Err().Op("!=").Nil(),
			).Block(fail())}
		}
		nested = append(nested, jen.If(
			jen.List(jen.Id("raw"), jen.Id("ok")).Op(":=").Qual(ValidatePath, "Member").Call(jen.Id("obj"), jen.Lit(fd.JSONName)),
			jen.Id("ok"),
		).Block(inner...))
	}
	var body []jen.Code
	if len(nested) == 0 {
		body = []jen.Code{
			jen.List(jen.Id("_"), jen.Err()).Op(":=").Add(object),
			jen.Return(jen.Err()),
		}
	} else {
		body = append([]jen.Code{
			jen.List(jen.Id("obj"), jen.Err()).Op(":=").Add(object),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		}, nested...)
		body = append(body, jen.Return(jen.Nil()))
	}
	addComments(f, d)
	f.Func().Params(jen.Id(recv).Op("*").Id(n.GoName)).Id("checkAnswer").Params(
		jen.Id("data").Index().Byte(),
		jen.Id("field").String(),
	).Error().Block(body...)
	return nil
}
