package emit

import (
	"math"
	"strconv"
	"time"

	"github.com/dave/jennifer/jen"

	"github.com/payforge/wechatpay/generator/internal/model"
)

// exampleFile holds the package's examples, in its external test package
// (package NAME_test) so that godoc shows them with qualified names: a
// package Example showing the main operation from the keys to the answer,
// and one Example per operation. Each request has its required fields set
// (and the fields of the first branch of each anyOf) to values that pass its
// Validate; see exampleString for where they come from. The examples are
// compiled with the package's tests; they have no Output comment, as they
// would need WeChat Pay (or the sandbox) to run.
func (e *emitter) exampleFile() (*jen.File, error) {
	f := jen.NewFilePathName(e.pkg.ImportPath+"_test", e.pkg.Name+"_test")
	f.HeaderComment(e.header)
	f.ImportName(RuntimePath, "wechatpay")
	f.ImportName(e.pkg.ImportPath, e.pkg.Name)

	d, err := e.doc("packageExample", e.pkg.Main)
	if err != nil {
		return nil, err
	}
	addComments(f, d)
	f.Func().Id("Example").Params().Block(e.packageExampleBody(e.pkg.Main)...)

	for _, op := range e.pkg.Operations {
		f.Line()
		d, err := e.doc("example", op)
		if err != nil {
			return nil, err
		}
		addComments(f, d)
		f.Func().Id("ExampleClient_" + op.GoName).Params().Block(e.exampleBody(op)...)
	}
	return f, nil
}

// pkgQual refers to a declaration of the generated package.
func (e *emitter) pkgQual(name string) *jen.Statement {
	return jen.Qual(e.pkg.ImportPath, name)
}

// packageExampleBody builds the runtime client from the merchant's keys,
// then calls op as exampleBody does.
func (e *emitter) packageExampleBody(op *model.Operation) []jen.Code {
	rt := func(name string) *jen.Statement { return jen.Qual(RuntimePath, name) }
	check := jen.If(jen.Err().Op("!=").Nil()).Block(
		jen.Qual("fmt", "Println").Call(jen.Err()),
		jen.Return(),
	)
	body := []jen.Code{
		jen.List(jen.Id("key"), jen.Err()).Op(":=").Add(rt("LoadPrivateKeyFile")).Call(jen.Lit("apiclient_key.pem")).
			Comment("the merchant API private key"),
		check,
		jen.List(jen.Id("wpPub"), jen.Err()).Op(":=").Add(rt("LoadPublicKeyFile")).Call(jen.Lit("pub_key.pem")).
			Comment("the WeChat Pay public key"),
		check,
		jen.List(jen.Id("verifyKey"), jen.Err()).Op(":=").Add(rt("PublicKeyModeKey")).Call(jen.Lit("PUB_KEY_ID_0114232134912410000000000000"), jen.Id("wpPub")),
		check,
		jen.List(jen.Id("rt"), jen.Err()).Op(":=").Add(rt("NewClient")).Call(rt("Config").Values(
			jen.Line().Id("MchID").Op(":").Lit("1900000109"),
			jen.Line().Id("MerchantSerialNo").Op(":").Lit("3775B6A45ACD588826D15E583A95F5DD00000001"),
			jen.Line().Id("MerchantKey").Op(":").Id("key"),
			jen.Line().Id("VerificationKeys").Op(":").Index().Add(rt("VerificationKey")).Values(jen.Id("verifyKey")),
			jen.Line(),
		)),
		check,
		jen.Id("client").Op(":=").Add(e.pkgQual("NewClient")).Call(jen.Id("rt")),
		jen.Line(),
	}
	return append(body, e.callAndReport(op)...)
}

// exampleBody builds the client (its configuration left out) and calls op.
func (e *emitter) exampleBody(op *model.Operation) []jen.Code {
	body := []jen.Code{
		jen.List(jen.Id("rt"), jen.Err()).Op(":=").Qual(RuntimePath, "NewClient").Call(
			jen.Qual(RuntimePath, "Config").Values(jen.Comment("/* merchant ID, merchant key, WeChat Pay keys */")),
		),
		jen.If(jen.Err().Op("!=").Nil()).Block(
			jen.Qual("fmt", "Println").Call(jen.Err()),
			jen.Return(),
		),
		jen.Id("client").Op(":=").Add(e.pkgQual("NewClient")).Call(jen.Id("rt")),
		jen.Line(),
	}
	return append(body, e.callAndReport(op)...)
}

// callAndReport calls op with an example request and tells the errors
// apart.
func (e *emitter) callAndReport(op *model.Operation) []jen.Code {
	call := jen.Id("client").Dot(op.GoName).Call(
		jen.Qual("context", "Background").Call(),
		jen.Op("&").Add(e.pkgQual(op.Request.GoName)).Add(e.exampleValues(op.Request, 0)),
	)
	var send, success jen.Code
	var before []jen.Code
	switch {
	case op.Download != nil:
		before = []jen.Code{jen.Var().Id("file").Qual("bytes", "Buffer").Comment("or an *os.File")}
		call = jen.Id("client").Dot(op.GoName).Call(
			jen.Qual("context", "Background").Call(),
			jen.Op("&").Add(e.pkgQual(op.Request.GoName)).Add(e.exampleValues(op.Request, 0)),
			jen.Op("&").Id("file"),
		)
		send = jen.List(jen.Id("n"), jen.Err()).Op(":=").Add(call)
		success = jen.Qual("fmt", "Println").Call(jen.Id("n"), jen.Lit("bytes"))
	case op.Response != nil || op.Answer != nil:
		send = jen.List(jen.Id("resp"), jen.Err()).Op(":=").Add(call)
		success = jen.Qual("fmt", "Printf").Call(jen.Lit("%+v\n"), jen.Id("resp"))
	default:
		send = jen.Err().Op("=").Add(call)
		success = jen.Qual("fmt", "Println").Call(jen.Lit("done"))
	}
	return append(before,
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
	)
}

// exampleValues is a composite literal of n with its required fields set,
// and the fields of the first branch of each of its anyOf rules. Nested
// required objects are filled to a few levels; the builder refuses required
// recursion, so the depth cap is only a guard.
func (e *emitter) exampleValues(n *model.Named, depth int) *jen.Statement {
	return e.exampleValuesWith(n, depth, nil, nil)
}

// tagValue is the value of the discriminator that selects the variant v of
// a union: its first value, an enum constant when the field is an enum.
func (e *emitter) tagValue(v *model.Variant) jen.Code {
	value := v.Values[0]
	if s := v.Tag.Schema; s.IsEnum() {
		for _, ev := range s.Named.Enum {
			if ev.Value == value {
				return e.pkgQual(ev.GoName)
			}
		}
		return e.pkgQual(s.Named.GoName).Call(jen.Lit(value))
	}
	return jen.Lit(value)
}

// exampleValuesWith is exampleValues with the field fixed, when not nil,
// set to value.
func (e *emitter) exampleValuesWith(n *model.Named, depth int, fixed *model.Field, value jen.Code) *jen.Statement {
	set := map[*model.Field]bool{}
	for _, f := range n.Fields {
		set[f] = f.Required && !f.ReadOnly // a request leaves read-only fields out
	}
	for _, rule := range n.AnyOf {
		for _, f := range rule.Branches[0] {
			set[f] = true
		}
	}
	return jen.ValuesFunc(func(g *jen.Group) {
		if depth > 4 {
			return
		}
		if op := n.Op; n.Role == model.RoleRequest && op.Download != nil && op.Download.Bill {
			// The answer of the bill application, as the official example
			// shows it.
			g.Line().Id("BillDownload").Op(":").Qual(RuntimePath, "BillDownload").Values(
				jen.Id("Bill").Op(":").Qual(RuntimePath, "Bill").Values(
					jen.Line().Id("HashType").Op(":").Lit("SHA1"),
					jen.Line().Id("HashValue").Op(":").Lit("79bb0f45fc4c42234a918000b2668d689e2bde04"),
					jen.Line().Id("DownloadURL").Op(":").Lit("https://api.mch.weixin.qq.com/v3/billdownload/file?token=xxx"),
					jen.Line(),
				),
			)
		}
		for _, f := range n.Fields {
			if up := n.Op; n.Role == model.RoleRequest && up.Upload != nil && f == up.Upload.FileName && up.Upload.FileNameRules != nil {
				g.Line().Id(f.GoName).Op(":").Lit(exampleString(up.Upload.FileNameRules.Schema, "filename", up.Upload.FileNameRules.Example, false))
				continue
			}
			if f == fixed {
				v := value
				if f.Pointer {
					v = e.pointerTo(f.Schema, v)
				}
				g.Line().Id(f.GoName).Op(":").Add(v)
				continue
			}
			if !set[f] {
				continue
			}
			if v := e.exampleValue(f.Schema, f.JSONName, f.Example, f.In == model.InPath, depth); v != nil {
				if f.Pointer {
					v = e.pointerTo(f.Schema, v)
				}
				g.Line().Id(f.GoName).Op(":").Add(v)
			}
		}
		g.Line()
	})
}

// pointerTo makes v, an example of schema s, into the pointer an optional
// field holds: &T{...} for a struct, new(T(v)) for a number, new(v) for the
// rest (a boolean, a string, a constant).
func (e *emitter) pointerTo(s *model.Schema, v jen.Code) jen.Code {
	switch {
	case s.IsStruct() || s.IsUnion():
		return jen.Op("&").Add(v)
	case s.IsNumber():
		return jen.New(goType(s).Call(v))
	}
	return jen.New(v)
}

// exampleValue is a value of schema s for a field of the spec's name: the
// spec's example when it passes the field's rules, else a placeholder built
// to pass them (see exampleString). It returns nil for a value it cannot
// build, which the literal then leaves out.
func (e *emitter) exampleValue(s *model.Schema, name string, example any, inPath bool, depth int) jen.Code {
	switch {
	case s.IsEnum():
		if len(s.Named.Enum) == 0 {
			return nil
		}
		return e.pkgQual(s.Named.Enum[0].GoName)
	case s.IsUnion():
		// The first variant, its discriminator selecting it.
		v := s.Named.Variants[0]
		var val jen.Code
		if v.Tag != nil && len(v.Values) > 0 && v.Schema.IsStruct() {
			val = e.pkgQual(v.Schema.Named.GoName).Add(e.exampleValuesWith(v.Schema.Named, depth+1, v.Tag, e.tagValue(v)))
		} else {
			val = e.exampleValue(v.Schema, name, nil, false, depth+1)
		}
		if val == nil {
			return nil
		}
		return e.pkgQual(s.Named.GoName).Values(jen.Id(v.GoName).Op(":").Add(e.pointerTo(v.Schema, val)))
	case s.Kind == model.KindString && s.Format == "date":
		if ex, ok := example.(string); ok {
			if _, err := time.Parse(time.DateOnly, ex); err == nil {
				return jen.Lit(ex)
			}
		}
		return jen.Qual("time", "Now").Call().Dot("Format").Call(jen.Qual("time", "DateOnly"))
	case s.Kind == model.KindBinary:
		return jen.Index().Byte().Call(jen.Lit("the body's bytes"))
	case s.Kind == model.KindReader:
		return jen.Qual("strings", "NewReader").Call(jen.Lit("the file's bytes"))
	case s.Kind == model.KindBytes:
		return jen.Index().Byte().Call(jen.Lit(exampleString(&model.Schema{Kind: model.KindString}, name, example, false)))
	case s.Kind == model.KindMap:
		if s.MinProperties == nil || *s.MinProperties == 0 {
			return jen.Map(jen.String()).Add(e.exampleType(s.Elem)).Values()
		}
		v := e.exampleValue(s.Elem, name, nil, false, depth)
		if v == nil {
			return nil
		}
		return jen.Map(jen.String()).Add(e.exampleType(s.Elem)).Values(jen.Lit(name).Op(":").Add(v))
	case s.IsStruct():
		return e.pkgQual(s.Named.GoName).Add(e.exampleValues(s.Named, depth+1))
	case s.Kind == model.KindString:
		return jen.Lit(exampleString(s, name, example, inPath))
	case s.IsInteger():
		n, ok := exampleInt(example)
		if !ok || !inBounds(float64(n), s) || s.Kind == model.KindInt32 && (n < math.MinInt32 || n > math.MaxInt32) ||
			(s.Kind == model.KindUint32 || s.Kind == model.KindUint64) && n < 0 {
			n = int64(placeholderNumber(s, true))
		}
		return jen.Lit(int(n))
	case s.Kind == model.KindFloat64:
		x, ok := example.(float64)
		if !ok || !inBounds(x, s) {
			x = placeholderNumber(s, false)
		}
		return jen.Lit(x)
	case s.Kind == model.KindBool:
		return jen.True()
	case s.Kind == model.KindTime:
		return jen.Qual("time", "Now").Call()
	case s.Kind == model.KindRaw:
		return jen.Qual("encoding/json", "RawMessage").Call(jen.Lit("{}"))
	case s.Kind == model.KindArray:
		count := 1
		if s.MinItems != nil {
			count = max(count, int(*s.MinItems))
		}
		if s.MaxItems != nil {
			count = min(count, int(*s.MaxItems))
		}
		count = min(count, maxExampleItems)
		elem := func() jen.Code { return e.exampleValue(s.Elem, name, nil, false, depth) }
		return jen.Index().Add(e.exampleType(s.Elem)).ValuesFunc(func(g *jen.Group) {
			for range count {
				if v := elem(); v != nil {
					g.Add(v)
				}
			}
		})
	}
	return nil
}

// exampleType is the Go type of a value of schema s, as the external test
// package spells it.
func (e *emitter) exampleType(s *model.Schema) jen.Code {
	switch s.Kind {
	case model.KindArray:
		return jen.Index().Add(e.exampleType(s.Elem))
	case model.KindMap:
		return jen.Map(jen.String()).Add(e.exampleType(s.Elem))
	case model.KindNamed:
		return e.pkgQual(s.Named.GoName)
	}
	return goType(s)
}

// inBounds reports whether x satisfies the minimum and maximum of s.
func inBounds(x float64, s *model.Schema) bool {
	if m := s.Minimum; m != nil && (x < *m || s.ExclusiveMinimum && x == *m) {
		return false
	}
	if m := s.Maximum; m != nil && (x > *m || s.ExclusiveMaximum && x == *m) {
		return false
	}
	return true
}

// placeholderNumber is 1, or the nearest value to it within the bounds of s.
func placeholderNumber(s *model.Schema, integer bool) float64 {
	step := 0.5
	if integer {
		step = 1
	}
	x := 1.0
	if m := s.Minimum; m != nil && x <= *m {
		x = *m
		if s.ExclusiveMinimum {
			x += step
		}
	}
	if m := s.Maximum; m != nil && x >= *m {
		x = *m
		if s.ExclusiveMaximum {
			x -= step
		}
	}
	if integer {
		x = math.Floor(x)
	}
	return x
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
	case string:
		if n, err := strconv.ParseInt(x, 10, 64); err == nil {
			return n, true
		}
	}
	return 0, false
}
