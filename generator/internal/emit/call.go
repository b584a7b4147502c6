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
// numbers and booleans formatted with strconv.
// It returns nil for a kind of value the builder never lets through.
func paramString(p *model.Field, v *jen.Statement, inPath bool) jen.Code {
	s := p.Schema
	switch {
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
	case !p.Required:
		return jen.If(v().Op("!=").Lit("")).Block(set), nil
	}
	return set, nil
}
