package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/payforge/wechatpay/generator/internal/model"
)

// otherField is the unexported field of a union holding the JSON of an
// answer: a variant the discriminator does not name, or any answer of a
// union without a discriminator.
const otherField = "raw"

// union declares a oneOf or an anyOf of schemas: a struct with a pointer
// per variant, set one to send; its MarshalJSON and UnmarshalJSON; an As
// method per variant for a union without a discriminator, which decodes
// the JSON as answered; its validate method; and its checkAnswer method
// when a variant has one.
func (e *emitter) union(f *jen.File, n *model.Named) error {
	d, err := e.doc("union", n)
	if err != nil {
		return err
	}
	recv := receiver(n)
	var fields []jen.Code
	for i, v := range n.Variants {
		if i > 0 {
			fields = append(fields, jen.Line())
		}
		vd, err := e.doc("variant", struct {
			Union   *model.Named
			Variant *model.Variant
		}{n, v})
		if err != nil {
			return err
		}
		fields = append(fields, vd...)
		fields = append(fields, jen.Id(v.GoName).Op("*").Add(goType(v.Schema)))
	}
	rawDoc := otherField + " is the JSON of an answer no variant holds; Validate refuses it."
	if !e.answered[n] {
		rawDoc = otherField + " is decoded JSON no variant holds, as it came; Validate refuses it."
	}
	fields = append(fields, jen.Line(), jen.Comment(rawDoc), jen.Id(otherField).Qual("encoding/json", "RawMessage"))
	addComments(f, d)
	f.Type().Id(n.GoName).Struct(fields...)

	// MarshalJSON: the variant set, else the JSON as it came.
	var cases []jen.Code
	for _, v := range n.Variants {
		cases = append(cases, jen.Case(jen.Id(recv).Dot(v.GoName).Op("!=").Nil()).Block(
			jen.Return(jen.Qual("encoding/json", "Marshal").Call(jen.Id(recv).Dot(v.GoName)))))
	}
	cases = append(cases, jen.Case(jen.Id(recv).Dot(otherField).Op("!=").Nil()).Block(
		jen.Return(jen.Id(recv).Dot(otherField), jen.Nil())))
	f.Line()
	commentf(f, "MarshalJSON writes the variant set (Validate checks that one is), else the JSON of the answer %s was decoded from, else null.", n.GoName)
	f.Func().Params(jen.Id(recv).Id(n.GoName)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(
		jen.Switch().Block(cases...),
		jen.Return(jen.Index().Byte().Call(jen.Lit("null")), jen.Nil()),
	)

	// UnmarshalJSON.
	f.Line()
	body := []jen.Code{
		jen.Op("*").Id(recv).Op("=").Id(n.GoName).Values(),
		jen.If(jen.String().Call(jen.Id("data")).Op("==").Lit("null")).Block(jen.Return(jen.Nil())),
	}
	if n.Discriminator != "" {
		// Only requests carry a union no answer does: a member its variant
		// does not have is a mistake to refuse (the JSON body given to the
		// operation's Call), not a field WeChat Pay added.
		decode, how := jen.Qual("encoding/json", "Unmarshal"), ""
		if !e.answered[n] {
			decode, how = jen.Qual(ValidatePath, "UnmarshalStrict"), ", refusing a member the variant does not have"
		}
		commentf(f, "UnmarshalJSON decodes data into the variant its %s names%s; the JSON of a variant the spec does not know is kept as it is, and Validate refuses it.", n.Discriminator, how)
		var sw []jen.Code
		for _, v := range n.Variants {
			var values []jen.Code
			for _, val := range v.Values {
				values = append(values, jen.Lit(val))
			}
			sw = append(sw, jen.Case(values...).Block(
				jen.Id(recv).Dot(v.GoName).Op("=").New(goType(v.Schema)),
				jen.Return(jen.Add(decode).Call(jen.Id("data"), jen.Id(recv).Dot(v.GoName))),
			))
		}
		body = append(body,
			jen.List(jen.Id("tag"), jen.Err()).Op(":=").Qual(ValidatePath, "DiscriminatorValue").Call(jen.Id("data"), jen.Lit(n.Discriminator)),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.Switch(jen.Id("tag")).Block(sw...),
		)
	} else {
		commentf(f, "UnmarshalJSON keeps data, the JSON of an answer: the As methods read it as one variant or another.")
	}
	body = append(body,
		jen.Id(recv).Dot(otherField).Op("=").Qual("bytes", "Clone").Call(jen.Id("data")),
		jen.Return(jen.Nil()),
	)
	f.Func().Params(jen.Id(recv).Op("*").Id(n.GoName)).Id("UnmarshalJSON").Params(jen.Id("data").Index().Byte()).Error().Block(body...)

	if n.Discriminator == "" {
		for _, v := range n.Variants {
			f.Line()
			commentf(f, "As%s returns the variant %s: the one set, else the JSON of the answer decoded as one.", v.GoName, v.GoName)
			typ := goType(v.Schema)
			f.Func().Params(jen.Id(recv).Id(n.GoName)).Id("As"+v.GoName).Params().Params(typ, jen.Error()).Block(
				jen.If(jen.Id(recv).Dot(v.GoName).Op("!=").Nil()).Block(jen.Return(jen.Op("*").Id(recv).Dot(v.GoName), jen.Nil())),
				jen.Var().Id("out").Add(goType(v.Schema)),
				jen.Err().Op(":=").Qual("encoding/json", "Unmarshal").Call(jen.Id(recv).Dot(otherField), jen.Op("&").Id("out")),
				jen.Return(jen.Id("out"), jen.Err()),
			)
		}
	}

	if n.Validated {
		f.Line()
		if err := e.unionValidate(f, n, recv); err != nil {
			return err
		}
	}
	if e.answerChecked[n] {
		f.Line()
		commentf(f, "checkAnswer checks the variant an answer decoded into, as that variant's own checkAnswer does.")
		var checks []jen.Code
		for _, v := range n.Variants {
			if s := answerObject(v.Schema); s != nil && e.answerChecked[s] && v.Schema.Kind == model.KindNamed {
				checks = append(checks, jen.If(jen.Id(recv).Dot(v.GoName).Op("!=").Nil()).Block(
					jen.Return(jen.Id(recv).Dot(v.GoName).Dot("checkAnswer").Call(jen.Id("data"), jen.Id("field")))))
			}
		}
		checks = append(checks, jen.Return(jen.Nil()))
		f.Func().Params(jen.Id(recv).Op("*").Id(n.GoName)).Id("checkAnswer").Params(
			jen.Id("data").Index().Byte(),
			jen.Id("field").String(),
		).Error().Block(checks...)
	}
	return nil
}

// unionValidate emits the validate method of a union: how many variants
// are set (validate.Errors.Variants, rule oneOf), then the rules of the one
// set and, with a discriminator, that its discriminator selects it.
func (e *emitter) unionValidate(f *jen.File, n *model.Named, recv string) error {
	d, err := e.doc("validateUnion", n)
	if err != nil {
		return err
	}
	e.inNested = true
	defer func() { e.inNested = false }()
	var set []jen.Code
	for _, v := range n.Variants {
		set = append(set, jen.Id(recv).Dot(v.GoName).Op("!=").Nil())
	}
	set = append(set, jen.Id(recv).Dot(otherField).Op("!=").Nil())
	body := []jen.Code{
		errs().Dot("Variants").Call(append([]jen.Code{jen.Id("field"), jen.Id("presence")}, set...)...),
	}
	// Decoded JSON that no variant holds is sent as it came, unchecked and
	// with no field encrypted: a request never carries it.
	onlyRaw := jen.Id(recv).Dot(otherField).Op("!=").Nil()
	for _, v := range n.Variants {
		onlyRaw = onlyRaw.Op("&&").Id(recv).Dot(v.GoName).Op("==").Nil()
	}
	args := []jen.Code{jen.Id("field"), jen.Id(recv).Dot(otherField), jen.Lit(n.Discriminator)}
	for _, v := range n.Variants {
		for _, val := range v.Values {
			args = append(args, jen.Lit(val))
		}
	}
	body = append(body, jen.If(onlyRaw).Block(errs().Dot("NoVariant").Call(args...)))
	for _, v := range n.Variants {
		vv := func() *jen.Statement { return jen.Id(recv).Dot(v.GoName) }
		var inner []jen.Code
		if v.Schema.IsStruct() {
			inner = e.checks(vv, fieldName{dyn: jen.Id("field")}, v.Schema, present, 0, model.InBody)
		} else {
			inner = e.checks(func() *jen.Statement { return jen.Op("*").Add(vv()) }, fieldName{dyn: jen.Id("field")}, v.Schema, present, 0, model.InBody)
		}
		if n.Discriminator != "" && v.Tag != nil {
			tag := vv().Dot(v.Tag.GoName)
			if v.Tag.Pointer {
				tag = jen.Op("*").Add(tag)
			}
			if v.Tag.Schema.Kind == model.KindString || v.Tag.Schema.IsEnum() && !v.Tag.Schema.IsNumberEnum() {
				args := []jen.Code{jen.Id("field").Op("+").Lit("." + n.Discriminator), jen.String().Call(tag)}
				for _, val := range v.Values {
					args = append(args, jen.Lit(val))
				}
				check := errs().Dot("Discriminator").Call(args...)
				if v.Tag.Pointer {
					check = jen.If(vv().Dot(v.Tag.GoName).Op("!=").Nil()).Block(check)
				}
				inner = append(inner, check)
			}
		}
		if len(inner) > 0 {
			body = append(body, jen.If(vv().Op("!=").Nil()).Block(inner...))
		}
	}
	addComments(f, d)
	f.Func().Params(jen.Id(recv).Op("*").Id(n.GoName)).Id("validate").Params(
		jen.Id(errsVar).Op("*").Qual(ValidatePath, "Errors"),
		jen.Id("field").String(),
		jen.Id("presence").Qual(ValidatePath, "Presence"),
	).Block(body...)
	return nil
}

// commentf adds a doc comment of fixed text to f, wrapped like the others.
func commentf(f *jen.File, format string, args ...any) {
	addComments(f, comments(wrap(fmt.Sprintf(format, args...))))
}
