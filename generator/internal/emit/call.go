package emit

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/payforge/wechatpay/generator/internal/model"
)

// call emits the Client method of an operation: validate, encrypt the
// sensitive fields, build the path, the query, the headers and the body,
// send through the runtime, decode the verified answer and decrypt its
// sensitive fields. An operation whose answer is not JSON writes it to w.
func (e *emitter) call(f *jen.File, op *model.Operation) error {
	d, err := e.doc("method", op)
	if err != nil {
		return err
	}
	params := []jen.Code{
		jen.Id("ctx").Qual("context", "Context"),
		jen.Id("req").Op("*").Id(op.Request.GoName),
	}
	results := []jen.Code{jen.Error()}
	var zero jen.Code // the zero value of the result, before err
	switch {
	case op.Download != nil:
		params = append(params, jen.Id("w").Qual("io", "Writer"))
		results = []jen.Code{jen.Int64(), jen.Error()}
		zero = jen.Lit(0)
	case op.Response != nil:
		results = []jen.Code{jen.Op("*").Id(op.Response.GoName), jen.Error()}
		zero = jen.Nil()
	case op.Answer != nil:
		results = []jen.Code{goType(op.Answer), jen.Error()}
		zero = zeroValue(op.Answer)
	}
	fail := func(err jen.Code) jen.Code {
		if zero == nil {
			return jen.Return(err)
		}
		return jen.Return(zero, err)
	}
	failIf := func() jen.Code { return jen.If(jen.Err().Op("!=").Nil()).Block(fail(jen.Err())) }
	body := []jen.Code{
		jen.If(jen.Err().Op(":=").Id("req").Dot("Validate").Call(), jen.Err().Op("!=").Nil()).Block(fail(jen.Err())),
	}
	if op.Download != nil && op.Download.Bill {
		body = append(body, jen.Return(jen.Id("c").Dot("rt").Dot("DownloadBill").Call(jen.Id("ctx"), jen.Op("&").Id("req").Dot("BillDownload"), jen.Id("w"))))
		addComments(f, d)
		f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(op.GoName).Params(params...).Params(results...).Block(body...)
		return nil
	}
	// sent is what is marshaled: the request (or its body), or its copy
	// with the sensitive fields encrypted.
	sent := jen.Id("req")
	if op.Body != nil {
		sent = jen.Id("req").Dot(op.Body.GoName)
	}
	if e.opEncrypts[op] {
		body = append(body,
			jen.List(jen.Id("enc"), jen.Err()).Op(":=").Id("c").Dot("rt").Dot("Encrypter").Call(),
			failIf(),
		)
		if op.Body == nil {
			body = append(body, jen.List(jen.Id("sealed"), jen.Err()).Op(":=").Id("req").Dot("encrypted").Call(jen.Id("enc"), jen.Lit("")), failIf())
		} else {
			usesErr := false
			seal, err := e.sealValue(jen.Id("sealed"), op.Body.Schema, op.Body.Pointer, jen.Lit(op.Body.JSONName), fail(jen.Err()), &usesErr)
			if err != nil {
				return fmt.Errorf("operation %s: %v", op.ID, err)
			}
			body = append(body, jen.Id("sealed").Op(":=").Id("req").Dot(op.Body.GoName))
			body = append(body, seal...)
		}
		sent = jen.Id("sealed")
	}
	if op.HasBody {
		switch b := op.Body; {
		case len(op.FormFields) > 0:
			// Encoded as a query string is.
			body = append(body, jen.Id("form").Op(":=").Qual("net/url", "Values").Values())
			for _, p := range op.FormFields {
				set, err := paramSet("form", p)
				if err != nil {
					return fmt.Errorf("operation %s: %v", op.ID, err)
				}
				body = append(body, set)
			}
			body = append(body, jen.Id("body").Op(":=").Index().Byte().Call(jen.Id("form").Dot("Encode").Call()))
		case op.BodyType != "":
			// Sent as it is; an empty one is no body.
			body = append(body, jen.Id("body").Op(":=").Id("req").Dot(b.GoName),
				jen.If(jen.Len(jen.Id("body")).Op("==").Lit(0)).Block(jen.Id("body").Op("=").Nil()))
		case b == nil, b.Required || presentExpr(jen.Id("req").Dot(b.GoName), b) == nil:
			body = append(body, jen.List(jen.Id("body"), jen.Err()).Op(":=").Qual("encoding/json", "Marshal").Call(sent), failIf())
		default:
			// An optional body is sent only when it is there.
			body = append(body,
				jen.Var().Id("body").Index().Byte(),
				jen.If(presentExpr(jen.Id("req").Dot(b.GoName), b)).Block(
					jen.List(jen.Id("data"), jen.Err()).Op(":=").Qual("encoding/json", "Marshal").Call(sent),
					failIf(),
					jen.Id("body").Op("=").Id("data"),
				),
			)
		}
	}
	if len(op.QueryParams) > 0 {
		body = append(body, jen.Id("query").Op(":=").Qual("net/url", "Values").Values())
		for _, p := range op.QueryParams {
			set, err := paramSet("query", p)
			if err != nil {
				return fmt.Errorf("operation %s: %v", op.ID, err)
			}
			body = append(body, set)
		}
	}
	if len(op.HeaderParams) > 0 {
		body = append(body, jen.Id("header").Op(":=").Qual("net/http", "Header").Values())
		var cookies []jen.Code
		for _, p := range op.HeaderParams {
			container := "header"
			if p.In == model.InCookie {
				container = "cookies"
			}
			set, err := paramSet(container, p)
			if err != nil {
				return fmt.Errorf("operation %s: %v", op.ID, err)
			}
			if p.In == model.InCookie {
				cookies = append(cookies, set)
			} else {
				body = append(body, set)
			}
		}
		if len(cookies) > 0 {
			// One Cookie header, name=value pairs joined with "; ".
			body = append(body, jen.Id("cookies").Op(":=").Qual("net/url", "Values").Values())
			body = append(body, cookies...)
			body = append(body, jen.If(jen.Len(jen.Id("cookies")).Op(">").Lit(0)).Block(
				jen.Id("pairs").Op(":=").Make(jen.Index().String(), jen.Lit(0), jen.Len(jen.Id("cookies"))),
				jen.For(jen.List(jen.Id("_"), jen.Id("name")).Op(":=").Range().Qual("slices", "Sorted").Call(jen.Qual("maps", "Keys").Call(jen.Id("cookies")))).Block(
					jen.Id("pairs").Op("=").Append(jen.Id("pairs"), jen.Id("name").Op("+").Lit("=").Op("+").Id("cookies").Dot("Get").Call(jen.Id("name")))),
				jen.Id("header").Dot("Set").Call(jen.Lit("Cookie"), jen.Qual("strings", "Join").Call(jen.Id("pairs"), jen.Lit("; "))),
			))
		}
	}

	path, err := pathExpr(op)
	if err != nil {
		return err
	}
	var do *jen.Statement
	if up := op.Upload; up != nil {
		meta := jen.Id("req").Dot(up.Meta.GoName)
		if up.MetaDefault {
			// A nil *T in an any would not be nil: the runtime writes
			// its own meta only for a nil any.
			body = append(body,
				jen.Var().Id("meta").Any(),
				jen.If(jen.Id("req").Dot(up.Meta.GoName).Op("!=").Nil()).Block(jen.Id("meta").Op("=").Id("req").Dot(up.Meta.GoName)),
			)
			meta = jen.Id("meta")
		}
		maxBytes := jen.Qual(RuntimePath, "DefaultMaxUploadBytes")
		if up.MaxBytes > 0 {
			maxBytes = jen.Lit(int(up.MaxBytes))
		}
		fields := []jen.Code{
			jen.Id("Operation").Op(":").Lit(op.ID),
			jen.Id("PathTemplate").Op(":").Lit(op.Path),
			jen.Id("Path").Op(":").Add(path),
			jen.Id("FileName").Op(":").Id("req").Dot(up.FileName.GoName),
			jen.Id("File").Op(":").Id("req").Dot(up.File.GoName),
			jen.Id("Meta").Op(":").Add(meta),
			jen.Id("MaxBytes").Op(":").Add(maxBytes),
		}
		if len(up.Types) > 0 {
			fields = append(fields, jen.Id("Types").Op(":").Index().String().ValuesFunc(func(g *jen.Group) {
				for _, t := range up.Types {
					g.Lit(t)
				}
			}))
		}
		do = jen.Id("c").Dot("rt").Dot("Upload").Call(jen.Id("ctx"), jen.Op("&").Qual(RuntimePath, "Upload").ValuesFunc(func(g *jen.Group) {
			for _, fd := range fields {
				g.Line().Add(fd)
			}
			g.Line()
		}))
	} else {
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
		if op.BodyType != "" {
			fields = append(fields, jen.Id("ContentType").Op(":").Lit(op.BodyType))
		}
		if len(op.HeaderParams) > 0 {
			fields = append(fields, jen.Id("Header").Op(":").Id("header"))
		}
		if e.opEncrypts[op] {
			// WeChat Pay decrypts with the key this header names: the
			// Encrypter's.
			fields = append(fields, jen.Id("WechatpaySerial").Op(":").Id("enc").Dot("Serial").Call())
		}
		request := jen.Op("&").Qual(RuntimePath, "Request").ValuesFunc(func(g *jen.Group) {
			for _, fd := range fields {
				g.Line().Add(fd)
			}
			g.Line()
		})
		if op.Download != nil {
			body = append(body, jen.Return(jen.Id("c").Dot("rt").Dot("Download").Call(jen.Id("ctx"), request, jen.Id("w"))))
			addComments(f, d)
			f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(op.GoName).Params(params...).Params(results...).Block(body...)
			return nil
		}
		do = jen.Id("c").Dot("rt").Dot("Do").Call(jen.Id("ctx"), request)
	}

	// errorStatuses turns the 2xx answers the spec documents as errors
	// into *wechatpay.APIError.
	var errorStatuses []jen.Code
	if len(op.ErrorStatuses) > 0 {
		var cond *jen.Statement
		for _, st := range op.ErrorStatuses {
			is := jen.Id("resp").Dot("StatusCode").Op("==").Add(statusCode(st))
			if cond == nil {
				cond = is
			} else {
				cond = cond.Op("||").Add(is)
			}
		}
		errorStatuses = []jen.Code{jen.If(cond).Block(fail(jen.Id("resp").Dot("APIError").Call(jen.Lit(op.ID))))}
	}
	if zero == nil {
		// The success has no body: a 2xx answer holding WeChat Pay's error
		// body instead (one Response.APIError reads a code from) is an
		// error, whatever its status.
		body = append(body, jen.List(jen.Id("resp"), jen.Err()).Op(":=").Add(do), failIf())
		body = append(body, errorStatuses...)
		body = append(body,
			jen.If(jen.Len(jen.Id("resp").Dot("Body")).Op(">").Lit(0)).Block(
				jen.If(jen.Id("apiErr").Op(":=").Id("resp").Dot("APIError").Call(jen.Lit(op.ID)), jen.Id("apiErr").Dot("Code").Op("!=").Lit("")).Block(
					fail(jen.Id("apiErr")))),
			jen.Return(jen.Nil()))
		addComments(f, d)
		f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(op.GoName).Params(params...).Params(results...).Block(body...)
		return nil
	}
	body = append(body, jen.List(jen.Id("resp"), jen.Err()).Op(":=").Add(do), failIf())
	body = append(body, errorStatuses...)
	if op.MayBeEmpty {
		body = append(body, jen.If(jen.Len(jen.Id("resp").Dot("Body")).Op("==").Lit(0)).Block(jen.Return(zero, jen.Nil())))
	}
	body = append(body, jen.Id("answer").Op(":=").Qual(ValidatePath, "Answer").Values(
		jen.Id("Operation").Op(":").Lit(op.ID),
		jen.Id("Response").Op(":").Id("resp"),
	))
	var outType, check jen.Code
	if op.Response != nil {
		outType, check = jen.Id(op.Response.GoName), jen.Nil()
		if e.answerChecked[op.Response] {
			check = jen.Id("out").Dot("checkAnswer")
		}
	} else {
		outType, check = goType(op.Answer), e.answerCheck(op.Answer)
	}
	body = append(body,
		jen.Var().Id("out").Add(outType),
		jen.If(
			jen.Err().Op(":=").Id("answer").Dot("Decode").Call(jen.Op("&").Id("out"), check),
			jen.Err().Op("!=").Nil(),
		).Block(fail(jen.Err())),
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
		).Block(fail(jen.Err())))
	}
	answerSchema := op.Answer
	if op.Response != nil {
		answerSchema = &model.Schema{Kind: model.KindNamed, Named: op.Response}
	}
	if e.schemaSealed(answerSchema) {
		// The caller sees plaintext only.
		open, err := e.openValue(jen.Id("out"), answerSchema, false, jen.Lit(""), jen.Id("c").Dot("rt"),
			func() jen.Code { return fail(jen.Id("answer").Dot("Err").Call(jen.Err())) })
		if err != nil {
			return fmt.Errorf("operation %s: %v", op.ID, err)
		}
		body = append(body, open...)
	}
	result := jen.Id("out")
	if op.Response != nil {
		result = jen.Op("&").Id("out")
	}
	body = append(body, jen.Return(result, jen.Nil()))
	addComments(f, d)
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(op.GoName).Params(params...).Params(results...).Block(body...)
	return nil
}

// statusCode is the constant of net/http for a status the spec writes,
// such as http.StatusAccepted for "202", or the number.
func statusCode(status string) jen.Code {
	n, err := strconv.Atoi(status)
	if err != nil {
		return jen.Lit(status)
	}
	if c, ok := statusConstants[n]; ok {
		return jen.Qual("net/http", c)
	}
	return jen.Lit(n)
}

// statusConstants name the 2xx statuses of net/http.
var statusConstants = map[int]string{
	200: "StatusOK", 201: "StatusCreated", 202: "StatusAccepted", 203: "StatusNonAuthoritativeInfo",
	204: "StatusNoContent", 205: "StatusResetContent", 206: "StatusPartialContent",
}

// zeroValue is the zero value of a value of schema s, as a return value.
func zeroValue(s *model.Schema) jen.Code {
	switch s.Kind {
	case model.KindString:
		return jen.Lit("")
	case model.KindInt32, model.KindInt64, model.KindUint32, model.KindUint64, model.KindFloat64:
		return jen.Lit(0)
	case model.KindBool:
		return jen.False()
	case model.KindTime:
		return jen.Qual("time", "Time").Values()
	case model.KindNamed:
		switch {
		case s.Named.IsStruct(), s.IsUnion():
			return jen.Id(s.Named.GoName).Values()
		case s.Named.EnumKind != model.KindString:
			return jen.Lit(0)
		}
		return jen.Lit("")
	}
	return jen.Nil()
}

// answerCheck is the check Answer.Decode makes of an answer that is not an
// object: the presence checks of each object of an array, of a map, or
// none.
func (e *emitter) answerCheck(s *model.Schema) jen.Code {
	if s.Kind == model.KindArray && s.Elem.IsStruct() && e.answerChecked[s.Elem.Named] {
		return jen.Qual(ValidatePath, "Elems").Call(jen.Op("&").Id("out"), jen.Parens(jen.Op("*").Id(s.Elem.Named.GoName)).Dot("checkAnswer"))
	}
	if s.Kind == model.KindArray || s.Kind == model.KindMap {
		if check := e.valueCheck(s); check != nil {
			return jen.Func().Params(jen.Id("data").Index().Byte(), jen.Id("field").String()).Error().Block(
				jen.Return(jen.Add(check).Call(jen.Op("&").Id("out"), jen.Id("data"), jen.Id("field"))))
		}
	}
	return jen.Qual(ValidatePath, "AnyJSON")
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
			part = paramString(seg.Param.Schema, jen.Id("req").Dot(seg.Param.GoName), true)
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

// paramString converts v, a value of schema s, to the text of a path,
// query or header parameter: strings path-escaped in a path (the runtime
// encodes the query), numbers and booleans formatted with strconv (numbers
// without an exponent, as an ID written as a number must read), times in
// RFC 3339. It returns nil for a kind of value the builder never lets
// through.
func paramString(s *model.Schema, v *jen.Statement, inPath bool) jen.Code {
	switch {
	case s.Kind == model.KindTime:
		v = v.Dot("Format").Call(jen.Qual("time", "RFC3339Nano"))
		if inPath {
			return jen.Qual("net/url", "PathEscape").Call(v)
		}
		return v
	case s.IsNumberEnum() && s.Named.EnumKind == model.KindFloat64:
		return jen.Qual("strconv", "FormatFloat").Call(jen.Float64().Call(v), jen.LitRune('f'), jen.Lit(-1), jen.Lit(64))
	case s.IsNumberEnum():
		return jen.Qual("strconv", "FormatInt").Call(jen.Int64().Call(v), jen.Lit(10))
	case s.IsEnum():
		v = jen.String().Call(v)
		fallthrough
	case s.Kind == model.KindString:
		if inPath {
			return jen.Qual("net/url", "PathEscape").Call(v)
		}
		return v
	case s.Kind == model.KindBytes:
		v = jen.Qual("encoding/base64", "StdEncoding").Dot("EncodeToString").Call(v)
		if inPath {
			return jen.Qual("net/url", "PathEscape").Call(v)
		}
		return v
	case s.Kind == model.KindUint64:
		return jen.Qual("strconv", "FormatUint").Call(v, jen.Lit(10))
	case s.Kind == model.KindUint32:
		return jen.Qual("strconv", "FormatUint").Call(jen.Uint64().Call(v), jen.Lit(10))
	case s.Kind == model.KindInt64:
		return jen.Qual("strconv", "FormatInt").Call(v, jen.Lit(10))
	case s.Kind == model.KindInt32:
		return jen.Qual("strconv", "FormatInt").Call(jen.Int64().Call(v), jen.Lit(10))
	case s.Kind == model.KindFloat64:
		return jen.Qual("strconv", "FormatFloat").Call(v, jen.LitRune('f'), jen.Lit(-1), jen.Lit(64))
	case s.Kind == model.KindBool:
		return jen.Qual("strconv", "FormatBool").Call(v)
	}
	return nil
}

// paramSet adds one query or header parameter to container (query, a
// url.Values, or header, an http.Header); an optional one only when it is
// set. An array is added once per value when it explodes, else its values
// joined with its delimiter.
func paramSet(container string, p *model.Field) (jen.Code, error) {
	v := func() *jen.Statement { return jen.Id("req").Dot(p.GoName) }
	name := jen.Lit(p.JSONName)
	if p.Schema.Kind == model.KindMap {
		str := paramString(p.Schema.Elem, jen.Add(v()).Index(jen.Id("k")), false)
		if str == nil {
			return nil, fmt.Errorf("parameter %s cannot be formatted", p.JSONName)
		}
		keys := jen.Qual("slices", "Sorted").Call(jen.Qual("maps", "Keys").Call(v()))
		switch p.Delimiter {
		case "[]":
			return jen.For(jen.List(jen.Id("_"), jen.Id("k")).Op(":=").Range().Add(keys)).Block(
				jen.Id(container).Dot("Add").Call(jen.Lit(p.JSONName+"[").Op("+").Id("k").Op("+").Lit("]"), str)), nil
		case "":
			return jen.For(jen.List(jen.Id("_"), jen.Id("k")).Op(":=").Range().Add(keys)).Block(
				jen.Id(container).Dot("Add").Call(jen.Id("k"), str)), nil
		}
		return jen.If(jen.Len(v()).Op(">").Lit(0)).Block(
			jen.Id("values").Op(":=").Make(jen.Index().String(), jen.Lit(0), jen.Lit(2).Op("*").Len(v())),
			jen.For(jen.List(jen.Id("_"), jen.Id("k")).Op(":=").Range().Add(keys)).Block(
				jen.Id("values").Op("=").Append(jen.Id("values"), jen.Id("k"), str)),
			jen.Id(container).Dot("Set").Call(name, jen.Qual("strings", "Join").Call(jen.Id("values"), jen.Lit(p.Delimiter))),
		), nil
	}
	if p.Schema.Kind == model.KindArray {
		elem := p.Schema.Elem
		str := paramString(elem, jen.Id("v"), false)
		if str == nil {
			return nil, fmt.Errorf("parameter %s cannot be formatted", p.JSONName)
		}
		switch {
		case p.Delimiter == "":
			return jen.For(jen.List(jen.Id("_"), jen.Id("v")).Op(":=").Range().Add(v())).Block(
				jen.Id(container).Dot("Add").Call(name, str)), nil
		case elem.Kind == model.KindString:
			return jen.If(jen.Len(v()).Op(">").Lit(0)).Block(
				jen.Id(container).Dot("Set").Call(name, jen.Qual("strings", "Join").Call(v(), jen.Lit(p.Delimiter)))), nil
		}
		return jen.If(jen.Len(v()).Op(">").Lit(0)).Block(
			jen.Id("values").Op(":=").Make(jen.Index().String(), jen.Lit(0), jen.Len(v())),
			jen.For(jen.List(jen.Id("_"), jen.Id("v")).Op(":=").Range().Add(v())).Block(
				jen.Id("values").Op("=").Append(jen.Id("values"), str)),
			jen.Id(container).Dot("Set").Call(name, jen.Qual("strings", "Join").Call(jen.Id("values"), jen.Lit(p.Delimiter))),
		), nil
	}
	arg := v()
	if p.Pointer {
		arg = jen.Op("*").Add(v())
	}
	str := paramString(p.Schema, arg, false)
	if str == nil {
		return nil, fmt.Errorf("parameter %s cannot be formatted", p.JSONName)
	}
	set := jen.Id(container).Dot("Set").Call(name, str)
	switch {
	case p.Pointer:
		return jen.If(v().Op("!=").Nil()).Block(set), nil
	case !p.Required && p.Schema.Kind == model.KindTime:
		return jen.If(jen.Op("!").Add(v()).Dot("IsZero").Call()).Block(set), nil
	case !p.Required && p.Schema.Kind == model.KindBytes:
		return jen.If(jen.Len(v()).Op(">").Lit(0)).Block(set), nil
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
	switch {
	case op.Upload != nil, op.Download != nil && op.Download.Bill:
		field := "file"
		if op.Upload == nil {
			field = op.Download.URLField
		}
		addComments(f, d)
		f.Func().Id(invokerName(op.GoName)).Params(
			jen.Id("_").Qual("context", "Context"),
			jen.Id("_").Op("*").Qual(RuntimePath, "Client"),
			jen.Id("_").Map(jen.String()).String(),
			jen.Id("_").Index().Byte(),
		).Params(jen.Any(), jen.Error()).Block(jen.Return(jen.Nil(), jen.Qual(ValidatePath, "NotFromText").Call(jen.Lit(field))))
		return nil
	}
	body := []jen.Code{jen.Var().Id("req").Id(op.Request.GoName)}
	switch {
	case len(op.FormFields) > 0:
		// The form's fields, from JSON.
		body = append(body, jen.If(
			jen.Err().Op(":=").Qual(ValidatePath, "DecodeBody").Call(jen.Id("body"), jen.Op("&").Id("req")),
			jen.Err().Op("!=").Nil(),
		).Block(jen.Return(jen.Nil(), jen.Err())))
	case op.BodyType != "":
		// The body as it is.
		body = append(body, jen.Id("req").Dot(op.Body.GoName).Op("=").Id("body"))
	case op.Body != nil:
		body = append(body, jen.If(
			jen.Err().Op(":=").Qual(ValidatePath, "DecodeBody").Call(jen.Id("body"), jen.Op("&").Id("req").Dot(op.Body.GoName)),
			jen.Err().Op("!=").Nil(),
		).Block(jen.Return(jen.Nil(), jen.Err())))
		if op.Body.Schema.IsStruct() {
			body = append(body, presentCheck(op.Body.Schema.Named.Fields)...)
		}
	case op.HasBody:
		body = append(body, jen.If(
			jen.Err().Op(":=").Qual(ValidatePath, "DecodeBody").Call(jen.Id("body"), jen.Op("&").Id("req")),
			jen.Err().Op("!=").Nil(),
		).Block(jen.Return(jen.Nil(), jen.Err())))
		var inBody []*model.Field
		for _, f := range op.Request.Fields {
			if f.In == model.InBody {
				inBody = append(inBody, f)
			}
		}
		body = append(body, presentCheck(inBody)...)
	default:
		body = append(body, jen.If(
			jen.Err().Op(":=").Qual(ValidatePath, "NoBody").Call(jen.Id("body")),
			jen.Err().Op("!=").Nil(),
		).Block(jen.Return(jen.Nil(), jen.Err())))
	}
	for _, p := range slices.Concat(op.PathParams, op.QueryParams, op.HeaderParams) {
		set, err := paramParse(p, fail)
		if err != nil {
			return fmt.Errorf("operation %s: %v", op.ID, err)
		}
		if !p.Required && !p.Pointer && (p.Schema.Kind == model.KindString || p.Schema.IsEnum() && !p.Schema.IsNumberEnum()) {
			// The field's empty value means "not sent": a value given
			// empty would silently be left out.
			set = append([]jen.Code{jen.If(jen.Id("v").Op("==").Lit("")).Block(
				jen.Return(jen.Nil(), jen.Qual(ValidatePath, "EmptyParam").Call(jen.Lit(p.JSONName))))}, set...)
		}
		body = append(body, jen.If(
			jen.List(jen.Id("v"), jen.Id("ok")).Op(":=").Id("params").Index(jen.Lit(p.JSONName)),
			jen.Id("ok"),
		).Block(set...))
	}
	call := jen.Id("NewClient").Call(jen.Id("rt")).Dot(op.GoName).Call(jen.Id("ctx"), jen.Op("&").Id("req"))
	switch {
	case op.Download != nil:
		// The file, verified, as bytes.
		body = append(body,
			jen.Var().Id("file").Qual("bytes", "Buffer"),
			jen.If(
				jen.List(jen.Id("_"), jen.Err()).Op(":=").Id("NewClient").Call(jen.Id("rt")).Dot(op.GoName).Call(jen.Id("ctx"), jen.Op("&").Id("req"), jen.Op("&").Id("file")),
				jen.Err().Op("!=").Nil(),
			).Block(jen.Return(jen.Nil(), jen.Err())),
			jen.Return(jen.Id("file").Dot("Bytes").Call(), jen.Nil()),
		)
	case op.Response == nil && op.Answer == nil:
		body = append(body, jen.Return(jen.Nil(), call))
	default:
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

// presentCheck returns the statement that checks, in the JSON body given to
// an operation's Call, the members of fields (a body's properties) that
// decoding cannot tell apart from a value Validate accepts: a required
// number, boolean or object left out decodes to 0, false or an empty
// struct, which would be sent (validate.Present); none when there are none.
func presentCheck(fields []*model.Field) []jen.Code {
	var paths []jen.Code
	for _, p := range requiredMembers(fields, "", map[*model.Named]bool{}) {
		paths = append(paths, jen.Lit(p))
	}
	if len(paths) == 0 {
		return nil
	}
	return []jen.Code{jen.If(
		jen.Err().Op(":=").Qual(ValidatePath, "Present").Call(append([]jen.Code{jen.Id("body")}, paths...)...),
		jen.Err().Op("!=").Nil(),
	).Block(jen.Return(jen.Nil(), jen.Err()))}
}

// requiredMembers lists the paths of validate.Present below prefix: the
// required members of fields whose Go zero value passes as given (numbers,
// booleans, number enums, structs), then those inside the objects of
// fields and of the arrays of objects among them ("goods_detail[].quantity"),
// in the spec's order. A type inside itself is not entered again.
func requiredMembers(fields []*model.Field, prefix string, in map[*model.Named]bool) []string {
	var out []string
	for _, f := range fields {
		if f.ReadOnly || strings.Contains(f.JSONName, ".") || strings.Contains(f.JSONName, "[]") {
			// A name the path syntax cannot hold goes unchecked, as before.
			continue
		}
		s, path := f.Schema, prefix+f.JSONName
		if f.Required && !f.Pointer && (s.IsNumber() || s.Kind == model.KindBool || s.IsNumberEnum() || s.IsStruct()) {
			out = append(out, path)
		}
		if s.Kind == model.KindArray && s.Elem != nil {
			s, path = s.Elem, path+"[]"
		}
		if s.IsStruct() && !in[s.Named] {
			in[s.Named] = true
			out = append(out, requiredMembers(s.Named.Fields, path+".", in)...)
			delete(in, s.Named)
		}
	}
	return out
}

// paramParse returns the statements that set the request field of p from
// the text v; fail returns the error of a parser. The values of an array
// are separated by its delimiter, or by commas for one that explodes.
func paramParse(p *model.Field, fail func() jen.Code) ([]jen.Code, error) {
	target := jen.Id("req").Dot(p.GoName)
	if p.Schema.Kind == model.KindMap {
		// name=value pairs, separated by commas.
		parse, err := textParse(p.JSONName, p.Schema.Elem, jen.Id("value"), fail, func(x jen.Code) jen.Code {
			return jen.Add(target).Index(jen.Id("name")).Op("=").Add(x)
		})
		if err != nil {
			return nil, err
		}
		return []jen.Code{
			jen.Add(target).Op("=").Add(goType(p.Schema)).Values(),
			jen.For(jen.List(jen.Id("_"), jen.Id("item")).Op(":=").Range().Qual("strings", "Split").Call(jen.Id("v"), jen.Lit(","))).Block(
				append([]jen.Code{jen.List(jen.Id("name"), jen.Id("value"), jen.Id("_")).Op(":=").Qual("strings", "Cut").Call(jen.Id("item"), jen.Lit("="))}, parse...)...),
		}, nil
	}
	if p.Schema.Kind == model.KindArray {
		delim := p.Delimiter
		if delim == "" {
			delim = ","
		}
		if p.Schema.Elem.Kind == model.KindString {
			return []jen.Code{jen.Add(target).Op("=").Qual("strings", "Split").Call(jen.Id("v"), jen.Lit(delim))}, nil
		}
		parse, err := textParse(p.JSONName, p.Schema.Elem, jen.Id("item"), fail, func(x jen.Code) jen.Code {
			return jen.Add(target).Op("=").Append(jen.Add(target), x)
		})
		if err != nil {
			return nil, err
		}
		return []jen.Code{jen.For(jen.List(jen.Id("_"), jen.Id("item")).Op(":=").Range().Qual("strings", "Split").Call(jen.Id("v"), jen.Lit(delim))).Block(parse...)}, nil
	}
	return textParse(p.JSONName, p.Schema, jen.Id("v"), fail, func(x jen.Code) jen.Code {
		if p.Pointer {
			return jen.Add(target).Op("=").Op("&").Add(x)
		}
		return jen.Add(target).Op("=").Add(x)
	})
}

// textParse returns the statements that parse text, a value of schema s
// for the parameter name, and pass the result to assign.
func textParse(name string, s *model.Schema, text *jen.Statement, fail func() jen.Code, assign func(jen.Code) jen.Code) ([]jen.Code, error) {
	// parsed parses text into x, converted into y when the field's type is
	// not the parser's.
	parsed := func(parse jen.Code, convert func(jen.Code) jen.Code) []jen.Code {
		code := []jen.Code{jen.List(jen.Id("x"), jen.Err()).Op(":=").Add(parse), fail()}
		if convert == nil {
			return append(code, assign(jen.Id("x")))
		}
		return append(code, jen.Id("y").Op(":=").Add(convert(jen.Id("x"))), assign(jen.Id("y")))
	}
	lit := jen.Lit(name)
	switch {
	case s.IsNumberEnum():
		// Parsed as its number, then converted.
		parse := jen.Qual(ValidatePath, "ParseInt").Call(lit, text, jen.Lit(64))
		switch s.Named.EnumKind {
		case model.KindInt32:
			parse = jen.Qual(ValidatePath, "ParseInt").Call(lit, text, jen.Lit(32))
		case model.KindFloat64:
			parse = jen.Qual(ValidatePath, "ParseFloat").Call(lit, text)
		}
		return parsed(parse, func(c jen.Code) jen.Code { return jen.Id(s.Named.GoName).Call(c) }), nil
	case s.IsEnum():
		return []jen.Code{jen.Id("y").Op(":=").Id(s.Named.GoName).Call(text), assign(jen.Id("y"))}, nil
	case s.Kind == model.KindString:
		return []jen.Code{assign(text)}, nil
	case s.Kind == model.KindInt64:
		return parsed(jen.Qual(ValidatePath, "ParseInt").Call(lit, text, jen.Lit(64)), nil), nil
	case s.Kind == model.KindInt32:
		return parsed(jen.Qual(ValidatePath, "ParseInt").Call(lit, text, jen.Lit(32)),
			func(c jen.Code) jen.Code { return jen.Int32().Call(c) }), nil
	case s.Kind == model.KindUint64:
		return parsed(jen.Qual(ValidatePath, "ParseUint").Call(lit, text, jen.Lit(64)), nil), nil
	case s.Kind == model.KindUint32:
		return parsed(jen.Qual(ValidatePath, "ParseUint").Call(lit, text, jen.Lit(32)),
			func(c jen.Code) jen.Code { return jen.Uint32().Call(c) }), nil
	case s.Kind == model.KindFloat64:
		return parsed(jen.Qual(ValidatePath, "ParseFloat").Call(lit, text), nil), nil
	case s.Kind == model.KindBool:
		return parsed(jen.Qual(ValidatePath, "ParseBool").Call(lit, text), nil), nil
	case s.Kind == model.KindTime:
		return parsed(jen.Qual(ValidatePath, "ParseTime").Call(lit, text), nil), nil
	case s.Kind == model.KindBytes:
		return parsed(jen.Qual(ValidatePath, "ParseBase64").Call(lit, text), nil), nil
	}
	return nil, fmt.Errorf("parameter %s cannot be parsed from text", name)
}

// echoCheck compares a field of the answer with what the request sent: the
// request's field of the same name (when the request may leave it out,
// only if it was sent), or the client's merchant ID.
func echoCheck(echo *model.Echo) jen.Code {
	got := jen.Id("out").Dot(echo.Answer.GoName)
	name := jen.Lit(echo.Answer.JSONName)
	switch {
	case echo.Variants != nil:
		// The value of the variant set (Validate checked that one is).
		union := echo.Request.Schema.Named
		var cases []jen.Code
		for i, v := range union.Variants {
			set := jen.Id("req").Dot(echo.Request.GoName).Dot(v.GoName)
			cases = append(cases, jen.Case(jen.Add(set).Op("!=").Nil()).Block(jen.Return(jen.Add(set).Dot(echo.Variants[i].GoName))))
		}
		sent := jen.Func().Params().Add(goType(echo.Answer.Schema)).Block(
			jen.Switch().Block(cases...),
			jen.Return(zeroValue(echo.Answer.Schema)),
		).Call()
		return jen.Qual(ValidatePath, "Same").Call(name, got, sent)
	case echo.Request == nil:
		return jen.Qual(ValidatePath, "Same").Call(name, got, jen.Id("c").Dot("rt").Dot("MchID").Call())
	case echo.Request.Required:
		return jen.Qual(ValidatePath, "Same").Call(name, got, jen.Id("req").Dot(echo.Request.GoName))
	}
	return jen.Qual(ValidatePath, "SameIfSent").Call(name, got, jen.Id("req").Dot(echo.Request.GoName))
}

// findAnswerChecks decides which struct types get a checkAnswer method: those
// an answer can hold that require a field, directly or in an object inside
// them (reached through a field, or the arrays and maps of one: see
// answerObject). Types may hold each
// other: see markToFixedPoint.
func (e *emitter) findAnswerChecks() {
	var answered []*model.Named
	seen := map[*model.Named]bool{}
	var visit func(n *model.Named)
	visit = func(n *model.Named) {
		if seen[n] || !n.IsStruct() && n.Role != model.RoleUnion {
			return
		}
		seen[n] = true
		e.answered[n] = true
		answered = append(answered, n)
		for _, f := range n.Fields {
			if s := answerObject(f.Schema); s != nil {
				visit(s)
			}
		}
		for _, v := range n.Variants {
			if s := answerObject(v.Schema); s != nil {
				visit(s)
			}
		}
	}
	for _, c := range e.pkg.Callbacks {
		// A notification's plaintext is checked as an answer is.
		visit(c.Plaintext)
	}
	for _, op := range e.pkg.Operations {
		if op.Response != nil {
			visit(op.Response)
		}
		if op.Answer != nil {
			if s := answerObject(op.Answer); s != nil {
				visit(s)
			}
		}
	}
	markToFixedPoint(answered, e.answerChecked, func(n *model.Named) bool {
		for _, f := range n.Fields {
			if s := answerObject(f.Schema); f.Required && !f.WriteOnly || s != nil && e.answerChecked[s] {
				return true
			}
		}
		for _, v := range n.Variants {
			if s := answerObject(v.Schema); v.Schema.Kind == model.KindNamed && s != nil && e.answerChecked[s] {
				return true
			}
		}
		return false
	})
}

// answerObject is the struct type a field of schema s holds, directly or
// inside arrays and maps (the elements of an array, the values of an
// additionalProperties map, at any depth), whose presence checks the answer
// goes through; nil for any other value. The checks name what they look
// into as the request's Validate does: field[i] for the element i of an
// array (validate.Index), field.key for the value of key in a map
// (validate.Path, as a property is named), so a struct of a map at byname
// missing name is byname.k.name.
func answerObject(s *model.Schema) *model.Named {
	for (s.Kind == model.KindArray || s.Kind == model.KindMap) && s.Elem != nil {
		s = s.Elem
	}
	if s.IsStruct() || s.IsUnion() {
		return s.Named
	}
	return nil
}

// valueCheck is the check of a value of schema s an answer holds, as a
// function of the value, its JSON and its name (func(*T, []byte, string)
// error): the checkAnswer method of a struct, or validate.Each and
// validate.Values over the checks of the elements of an array and the
// values of a map; nil when there is nothing to check.
func (e *emitter) valueCheck(s *model.Schema) jen.Code {
	switch s.Kind {
	case model.KindArray, model.KindMap:
		if s.Elem == nil {
			return nil
		}
		inner := e.valueCheck(s.Elem)
		if inner == nil {
			return nil
		}
		if s.Kind == model.KindArray {
			return jen.Qual(ValidatePath, "Each").Call(inner)
		}
		return jen.Qual(ValidatePath, "Values").Call(inner)
	}
	if n := answerObject(s); n != nil && s.Kind == model.KindNamed && e.answerChecked[n] {
		return jen.Parens(jen.Op("*").Id(n.GoName)).Dot("checkAnswer")
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
	var required, orNull []jen.Code
	for _, fd := range n.Fields {
		switch {
		case !fd.Required || fd.WriteOnly:
			// An answer does not hold what only requests send.
		case fd.Nullable:
			orNull = append(orNull, jen.Lit(fd.JSONName))
		default:
			required = append(required, jen.Lit(fd.JSONName))
		}
	}
	object := jen.Qual(ValidatePath, "Object").Call(append([]jen.Code{jen.Id("data"), jen.Id("field")}, required...)...)
	var nested []jen.Code
	if len(orNull) > 0 {
		// Required, but may be null.
		nested = append(nested, jen.If(
			jen.Err().Op(":=").Qual(ValidatePath, "Keys").Call(append([]jen.Code{jen.Id("obj"), jen.Id("field")}, orNull...)...),
			jen.Err().Op("!=").Nil(),
		).Block(jen.Return(jen.Err())))
	}
	for _, fd := range n.Fields {
		s := answerObject(fd.Schema)
		if s == nil || !e.answerChecked[s] {
			continue
		}
		path := jen.Qual(ValidatePath, "Path").Call(jen.Id("field"), jen.Lit(fd.JSONName))
		fail := func() jen.Code { return jen.Return(jen.Err()) }
		var inner []jen.Code
		switch {
		case fd.Schema.Kind == model.KindMap, fd.Schema.Kind == model.KindArray && fd.Schema.Elem.Kind != model.KindNamed:
			// The values of a map, the arrays of an array: each checked
			// as valueCheck says.
			inner = []jen.Code{jen.If(
				jen.Err().Op(":=").Add(e.valueCheck(fd.Schema)).Call(jen.Op("&").Id(recv).Dot(fd.GoName), jen.Id("raw"), path),
				jen.Err().Op("!=").Nil(),
			).Block(fail())}
		case fd.Schema.Kind == model.KindArray:
			// validate.Elems checks that the array holds as many elements
			// as were decoded before it checks each one.
			inner = []jen.Code{jen.If(
				jen.Err().Op(":=").Qual(ValidatePath, "Elems").Call(
					jen.Op("&").Id(recv).Dot(fd.GoName),
					jen.Parens(jen.Op("*").Id(s.GoName)).Dot("checkAnswer"),
				).Call(jen.Id("raw"), path),
				jen.Err().Op("!=").Nil(),
			).Block(fail())}
		default:
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
