package emit

import (
	"math"

	"github.com/dave/jennifer/jen"

	"github.com/payforge/wechatpay/generator/internal/model"
)

// exampleFile holds one Example function per operation: how to build the
// client, fill the request's required fields (with the spec's example values
// where it gives them) and tell the errors apart. The examples are compiled
// with the package's tests; they have no Output comment, as they would need
// WeChat Pay (or the sandbox) to run.
func (e *emitter) exampleFile() (*jen.File, error) {
	f := e.newFile()
	for i, op := range e.pkg.Operations {
		if i > 0 {
			f.Line()
		}
		d, err := e.doc("example", op)
		if err != nil {
			return nil, err
		}
		addComments(f, d)
		f.Func().Id("ExampleClient_" + op.GoName).Params().Block(e.exampleBody(op)...)
	}
	return f, nil
}

func (e *emitter) exampleBody(op *model.Operation) []jen.Code {
	call := jen.Id("client").Dot(op.GoName).Call(
		jen.Qual("context", "Background").Call(),
		jen.Op("&").Id(op.Request.GoName).Add(exampleValues(op.Request, 0)),
	)
	var send, success jen.Code
	if op.Response != nil {
		send = jen.List(jen.Id("resp"), jen.Err()).Op(":=").Add(call)
		success = jen.Qual("fmt", "Printf").Call(jen.Lit("%+v\n"), jen.Id("resp"))
	} else {
		send = jen.Err().Op("=").Add(call)
		success = jen.Qual("fmt", "Println").Call(jen.Lit("done"))
	}
	return []jen.Code{
		jen.List(jen.Id("rt"), jen.Err()).Op(":=").Qual(RuntimePath, "NewClient").Call(
			jen.Qual(RuntimePath, "Config").Values(jen.Comment("/* merchant ID, merchant key, WeChat Pay keys */")),
		),
		jen.If(jen.Err().Op("!=").Nil()).Block(
			jen.Qual("fmt", "Println").Call(jen.Err()),
			jen.Return(),
		),
		jen.Id("client").Op(":=").Id("NewClient").Call(jen.Id("rt")),
		jen.Line(),
		send,
		jen.Var().Id("invalid").Op("*").Qual(RuntimePath, "ValidationError"),
		jen.Var().Id("apiErr").Op("*").Qual(RuntimePath, "APIError"),
		jen.Switch().Block(
			jen.Case(jen.Qual("errors", "As").Call(jen.Err(), jen.Op("&").Id("invalid"))).Block(
				jen.Qual("fmt", "Println").Call(jen.Lit("not sent:"), jen.Id("invalid").Dot("Field"), jen.Id("invalid").Dot("Rule")),
			),
			jen.Case(jen.Qual("errors", "As").Call(jen.Err(), jen.Op("&").Id("apiErr"))).Block(
				jen.Qual("fmt", "Println").Call(jen.Lit("refused:"), jen.Id("apiErr").Dot("Code"), jen.Id("apiErr").Dot("Message"), jen.Id("apiErr").Dot("RequestID")),
			),
			jen.Case(jen.Err().Op("!=").Nil()).Block(
				jen.Qual("fmt", "Println").Call(jen.Err()),
			),
			jen.Default().Block(success),
		),
	}
}

// exampleValues is a composite literal of n with its required fields set.
// Nested required objects are filled to a few levels; the builder refuses
// required recursion, so the depth cap is only a guard.
func exampleValues(n *model.Named, depth int) *jen.Statement {
	return jen.ValuesFunc(func(g *jen.Group) {
		if depth > 4 {
			return
		}
		for _, f := range n.Fields {
			if !f.Required {
				continue
			}
			if v := exampleValue(f, depth); v != nil {
				g.Line().Id(f.GoName).Op(":").Add(v)
			}
		}
		g.Line()
	})
}

// exampleValue is a value of f's type: the spec's example when it fits the
// type, else a placeholder that shows what goes there. Slices and raw JSON
// are left to the reader.
func exampleValue(f *model.Field, depth int) jen.Code {
	s := f.Schema
	switch {
	case s.IsEnum():
		if len(s.Named.Enum) == 0 {
			return nil
		}
		return jen.Id(s.Named.Enum[0].GoName)
	case s.IsStruct():
		v := jen.Id(s.Named.GoName).Add(exampleValues(s.Named, depth+1))
		if f.Pointer {
			return jen.Op("&").Add(v)
		}
		return v
	case s.Kind == model.KindString:
		if ex, ok := f.Example.(string); ok {
			return jen.Lit(ex)
		}
		return jen.Lit("<" + f.JSONName + ">")
	case s.Kind == model.KindInt32 || s.Kind == model.KindInt64:
		if n, ok := exampleInt(f.Example); ok && (s.Kind == model.KindInt64 || (n >= math.MinInt32 && n <= math.MaxInt32)) {
			return jen.Lit(int(n))
		}
		return jen.Lit(1)
	case s.Kind == model.KindFloat64:
		if x, ok := f.Example.(float64); ok {
			return jen.Lit(x)
		}
		return jen.Lit(1.0)
	case s.Kind == model.KindBool:
		return jen.True()
	case s.Kind == model.KindTime:
		return jen.Qual("time", "Now").Call()
	}
	return nil
}

// exampleInt reads an integer example as YAML or JSON decoding gave it.
func exampleInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int64:
		return x, true
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), true
		}
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), true
		}
	}
	return 0, false
}
