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
		body = append(body,
			jen.List(jen.Id("resp"), jen.Err()).Op(":=").Add(do),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
			jen.Var().Id("out").Id(op.Response.GoName),
			jen.If(
				jen.Err().Op(":=").Qual("encoding/json", "Unmarshal").Call(jen.Id("resp").Dot("Body"), jen.Op("&").Id("out")),
				jen.Err().Op("!=").Nil(),
			).Block(jen.Return(jen.Nil(), jen.Op("&").Qual(RuntimePath, "DecodeError").Values(
				jen.Id("Operation").Op(":").Lit(op.ID),
				jen.Id("RequestID").Op(":").Id("resp").Dot("RequestID"),
				jen.Id("Err").Op(":").Err(),
			))),
			jen.Return(jen.Op("&").Id("out"), jen.Nil()),
		)
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
