package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/payforge/wechatpay/generator/internal/model"
)

// notificationsFile holds the event types of the package's callbacks and a
// decoder for each callback (see model.Callback): a function taking the
// verified notification the runtime's handler hands over and returning its
// plaintext as the spec's type, checked as an answer is.
func (e *emitter) notificationsFile() (*jen.File, error) {
	f := e.newFile()
	for _, c := range e.pkg.Callbacks {
		if e.sealed[c.Plaintext] {
			// Its sensitive fields would need the merchant's key,
			// which a decoder of the plaintext does not have.
			return nil, fmt.Errorf("callback %s at %s: a plaintext with a sensitive field (x-wechatpay-encrypted) is not supported", c.Name, c.Location)
		}
	}
	d, err := e.doc("events", e.pkg)
	if err != nil {
		return nil, err
	}
	var consts []jen.Code
	for _, c := range e.pkg.Callbacks {
		for _, ev := range c.Events {
			d, err := e.doc("event", map[string]any{"Event": ev, "Callback": c})
			if err != nil {
				return nil, err
			}
			consts = append(consts, d...)
			consts = append(consts, jen.Id(ev.GoName).Op("=").Lit(ev.Value))
		}
	}
	addComments(f, d)
	f.Const().Defs(consts...)
	for _, c := range e.pkg.Callbacks {
		f.Line()
		d, err := e.doc("decoder", c)
		if err != nil {
			return nil, err
		}
		check := jen.Nil()
		if e.answerChecked[c.Plaintext] {
			check = jen.Id("out").Dot("checkAnswer")
		}
		args := []jen.Code{jen.Id("n"), jen.Lit(c.Name), jen.Op("&").Id("out"), check}
		for _, ev := range c.Events {
			args = append(args, jen.Id(ev.GoName))
		}
		addComments(f, d)
		f.Func().Id(c.GoName).Params(jen.Id("n").Op("*").Qual(RuntimePath, "Notification")).Params(jen.Op("*").Id(c.Plaintext.GoName), jen.Error()).Block(
			jen.Var().Id("out").Id(c.Plaintext.GoName),
			jen.If(
				jen.Err().Op(":=").Qual(ValidatePath, "Notification").Call(args...),
				jen.Err().Op("!=").Nil(),
			).Block(jen.Return(jen.Nil(), jen.Err())),
			jen.Return(jen.Op("&").Id("out"), jen.Nil()),
		)
	}
	return f, nil
}

// callbackEvents lists the event types of a callback as prose: "A", "A or B",
// "A, B or C".
func callbackEvents(c *model.Callback) string {
	s := ""
	for i, ev := range c.Events {
		switch {
		case i == 0:
		case i == len(c.Events)-1:
			s += " or "
		default:
			s += ", "
		}
		s += ev.Value
	}
	return s
}
