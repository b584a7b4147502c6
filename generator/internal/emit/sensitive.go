package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/payforge/wechatpay/generator/internal/model"
)

// Sensitive fields (x-wechatpay-encrypted). A type that holds one, directly
// or in a type it holds, gets an encrypted method when a request carries it
// (a copy with the ciphertext under one wechatpay.Encrypter) and a decrypt
// method when an answer does (the plaintext, in place).

// findSealed decides which named types hold a sensitive field, to a fixed
// point (types hold each other), then which of them a request carries and
// which an answer does.
func (e *emitter) findSealed() {
	markToFixedPoint(e.allNamed(), e.sealed, func(n *model.Named) bool {
		for _, f := range n.Fields {
			if e.schemaSealed(f.Schema) {
				return true
			}
		}
		for _, v := range n.Variants {
			if e.schemaSealed(v.Schema) {
				return true
			}
		}
		return false
	})
	var mark func(n *model.Named, into map[*model.Named]bool)
	mark = func(n *model.Named, into map[*model.Named]bool) {
		if !e.sealed[n] || into[n] {
			return
		}
		into[n] = true
		walk := func(s *model.Schema) {
			for ; s != nil; s = s.Elem {
				if s.Kind == model.KindNamed {
					mark(s.Named, into)
				}
			}
		}
		for _, f := range n.Fields {
			walk(f.Schema)
		}
		for _, v := range n.Variants {
			walk(v.Schema)
		}
	}
	for _, op := range e.pkg.Operations {
		for _, f := range op.Request.Fields {
			if f.In == model.InBody || f.In == model.InBodyValue {
				for s := f.Schema; s != nil; s = s.Elem {
					if s.Kind == model.KindNamed {
						mark(s.Named, e.encrypts)
					}
				}
				if e.schemaSealed(f.Schema) {
					e.opEncrypts[op] = true
				}
			}
		}
		if op.Response != nil {
			mark(op.Response, e.decrypts)
		}
		for s := op.Answer; s != nil; s = s.Elem {
			if s.Kind == model.KindNamed {
				mark(s.Named, e.decrypts)
			}
		}
	}
}

// schemaSealed reports whether a value of schema s holds a sensitive field.
func (e *emitter) schemaSealed(s *model.Schema) bool {
	switch s.Kind {
	case model.KindString:
		return s.Encrypted
	case model.KindArray, model.KindMap:
		return e.schemaSealed(s.Elem)
	case model.KindNamed:
		return e.sealed[s.Named]
	}
	return false
}

// encryptedMethod emits the encrypted method of a type a request carries:
// a copy of the value whose sensitive fields hold their ciphertext, each
// error naming the field below field. The value itself is not changed:
// slices, maps and pointers on the way are copied.
func (e *emitter) encryptedMethod(f *jen.File, n *model.Named) error {
	recv := receiver(n)
	var body []jen.Code
	fail := jen.Return(jen.Id(recv), jen.Err())
	usesErr := false
	if n.Role == model.RoleUnion {
		for _, v := range n.Variants {
			if !e.schemaSealed(v.Schema) {
				continue
			}
			code, err := e.sealValue(jen.Id(recv).Dot(v.GoName), v.Schema, true, jen.Id("field"), fail, &usesErr)
			if err != nil {
				return fmt.Errorf("%s: %v", n.GoName, err)
			}
			body = append(body, code...)
		}
	} else {
		for _, fd := range n.Fields {
			if (fd.In != model.InBody && fd.In != model.InBodyValue) || !e.schemaSealed(fd.Schema) {
				continue
			}
			code, err := e.sealValue(jen.Id(recv).Dot(fd.GoName), fd.Schema, fd.Pointer,
				jen.Qual(ValidatePath, "Path").Call(jen.Id("field"), jen.Lit(fd.JSONName)), fail, &usesErr)
			if err != nil {
				return fmt.Errorf("%s: %v", n.GoName, err)
			}
			body = append(body, code...)
		}
	}
	if usesErr {
		body = append([]jen.Code{jen.Var().Err().Error()}, body...)
	}
	commentf(f, "encrypted returns a copy of %s whose sensitive fields hold their ciphertext under enc, each error naming its field below field; %s itself is not changed.", recv, recv)
	f.Func().Params(jen.Id(recv).Id(n.GoName)).Id("encrypted").Params(
		jen.Id("enc").Op("*").Qual(RuntimePath, "Encrypter"),
		jen.Id("field").String(),
	).Params(jen.Id(n.GoName), jen.Error()).Block(append(body, jen.Return(jen.Id(recv), jen.Nil()))...)
	return nil
}

// sealValue returns the statements that replace v, a value of schema s (a
// pointer to one when pointer is set) named name, with its encrypted copy;
// it sets usesErr when they assign to the method's variable err.
func (e *emitter) sealValue(v *jen.Statement, s *model.Schema, pointer bool, name jen.Code, fail jen.Code, usesErr *bool) ([]jen.Code, error) {
	switch {
	case s.Kind == model.KindString && pointer:
		return []jen.Code{jen.If(jen.Add(v).Op("!=").Nil()).Block(
			jen.Id("text").Op(":=").Op("*").Add(v),
			jen.If(jen.Err().Op(":=").Qual(ValidatePath, "Encrypt").Call(jen.Id("enc"), name, jen.Op("&").Id("text")), jen.Err().Op("!=").Nil()).Block(fail),
			jen.Add(v).Op("=").Op("&").Id("text"),
		)}, nil
	case s.Kind == model.KindString:
		return []jen.Code{jen.If(jen.Err().Op(":=").Qual(ValidatePath, "Encrypt").Call(jen.Id("enc"), name, jen.Op("&").Add(v)), jen.Err().Op("!=").Nil()).Block(fail)}, nil
	case s.Kind == model.KindNamed && pointer:
		return []jen.Code{jen.If(jen.Add(v).Op("!=").Nil()).Block(
			jen.List(jen.Id("sealed"), jen.Err()).Op(":=").Add(v).Dot("encrypted").Call(jen.Id("enc"), name),
			jen.If(jen.Err().Op("!=").Nil()).Block(fail),
			jen.Add(v).Op("=").Op("&").Id("sealed"),
		)}, nil
	case s.Kind == model.KindNamed:
		*usesErr = true
		return []jen.Code{jen.If(jen.List(v, jen.Err()).Op("=").Add(v).Dot("encrypted").Call(jen.Id("enc"), name), jen.Err().Op("!=").Nil()).Block(fail)}, nil
	case s.Kind == model.KindArray && s.Elem.Kind != model.KindArray && s.Elem.Kind != model.KindMap:
		item, err := e.sealValue(jen.Id("items").Index(jen.Id("i")), s.Elem, false, jen.Qual(ValidatePath, "Index").Call(name, jen.Id("i")), fail, usesErr)
		if err != nil {
			return nil, err
		}
		return []jen.Code{jen.If(jen.Add(v).Op("!=").Nil()).Block(
			jen.Id("items").Op(":=").Qual("slices", "Clone").Call(v),
			jen.For(jen.Id("i").Op(":=").Range().Id("items")).Block(item...),
			jen.Add(v).Op("=").Id("items"),
		)}, nil
	case s.Kind == model.KindMap && s.Elem.Kind != model.KindArray && s.Elem.Kind != model.KindMap:
		item, err := e.sealValue(jen.Id("item"), s.Elem, false, jen.Qual(ValidatePath, "Path").Call(name, jen.Id("k")), fail, usesErr)
		if err != nil {
			return nil, err
		}
		return []jen.Code{jen.If(jen.Add(v).Op("!=").Nil()).Block(
			jen.Id("items").Op(":=").Make(goType(s), jen.Len(v)),
			jen.For(jen.List(jen.Id("k"), jen.Id("item")).Op(":=").Range().Add(v)).Block(
				append(item, jen.Id("items").Index(jen.Id("k")).Op("=").Id("item"))...),
			jen.Add(v).Op("=").Id("items"),
		)}, nil
	}
	return nil, fmt.Errorf("a sensitive field (%s) nested in arrays or maps of arrays or maps", "x-wechatpay-encrypted")
}

// decryptMethod emits the decrypt method of a type an answer carries: its
// sensitive fields, decrypted in place with the merchant's key, each error
// a *wechatpay.DecodeError naming its field below field.
func (e *emitter) decryptMethod(f *jen.File, n *model.Named) error {
	recv := receiver(n)
	var body []jen.Code
	if n.Role == model.RoleUnion {
		for _, v := range n.Variants {
			if !e.schemaSealed(v.Schema) {
				continue
			}
			code, err := e.openValue(jen.Id(recv).Dot(v.GoName), v.Schema, true, jen.Id("field"), jen.Id("rt"), returnErr)
			if err != nil {
				return fmt.Errorf("%s: %v", n.GoName, err)
			}
			body = append(body, code...)
		}
	} else {
		for _, fd := range n.Fields {
			if !e.schemaSealed(fd.Schema) {
				continue
			}
			code, err := e.openValue(jen.Id(recv).Dot(fd.GoName), fd.Schema, fd.Pointer,
				jen.Qual(ValidatePath, "Path").Call(jen.Id("field"), jen.Lit(fd.JSONName)), jen.Id("rt"), returnErr)
			if err != nil {
				return fmt.Errorf("%s: %v", n.GoName, err)
			}
			body = append(body, code...)
		}
	}
	commentf(f, "decrypt replaces the ciphertext of the sensitive fields of %s with their plaintext, decrypted with rt's merchant key; an error names its field below field.", recv)
	f.Func().Params(jen.Id(recv).Op("*").Id(n.GoName)).Id("decrypt").Params(
		jen.Id("rt").Op("*").Qual(RuntimePath, "Client"),
		jen.Id("field").String(),
	).Error().Block(append(body, jen.Return(jen.Nil()))...)
	return nil
}

// returnErr is the failure of a decrypt method: the error as it is.
func returnErr() jen.Code { return jen.Return(jen.Err()) }

// openValue returns the statements that decrypt v, a value of schema s (a
// pointer to one when pointer is set) named name, in place, with the
// runtime client rt; fail is what they do with an error.
func (e *emitter) openValue(v *jen.Statement, s *model.Schema, pointer bool, name, rt jen.Code, fail func() jen.Code) ([]jen.Code, error) {
	switch {
	case s.Kind == model.KindString && pointer:
		return []jen.Code{jen.If(jen.Add(v).Op("!=").Nil()).Block(
			jen.If(jen.Err().Op(":=").Qual(ValidatePath, "Decrypt").Call(rt, name, v), jen.Err().Op("!=").Nil()).Block(fail()),
		)}, nil
	case s.Kind == model.KindString:
		return []jen.Code{jen.If(jen.Err().Op(":=").Qual(ValidatePath, "Decrypt").Call(rt, name, jen.Op("&").Add(v)), jen.Err().Op("!=").Nil()).Block(fail())}, nil
	case s.Kind == model.KindNamed && pointer:
		return []jen.Code{jen.If(jen.Add(v).Op("!=").Nil()).Block(
			jen.If(jen.Err().Op(":=").Add(v).Dot("decrypt").Call(rt, name), jen.Err().Op("!=").Nil()).Block(fail()),
		)}, nil
	case s.Kind == model.KindNamed:
		return []jen.Code{jen.If(jen.Err().Op(":=").Add(v).Dot("decrypt").Call(rt, name), jen.Err().Op("!=").Nil()).Block(fail())}, nil
	case s.Kind == model.KindArray && s.Elem.Kind != model.KindArray && s.Elem.Kind != model.KindMap:
		item, err := e.openValue(jen.Add(v).Index(jen.Id("i")), s.Elem, false, jen.Qual(ValidatePath, "Index").Call(name, jen.Id("i")), rt, fail)
		if err != nil {
			return nil, err
		}
		return []jen.Code{jen.For(jen.Id("i").Op(":=").Range().Add(v)).Block(item...)}, nil
	case s.Kind == model.KindMap && s.Elem.Kind != model.KindArray && s.Elem.Kind != model.KindMap:
		item, err := e.openValue(jen.Id("item"), s.Elem, false, jen.Qual(ValidatePath, "Path").Call(name, jen.Id("k")), rt, fail)
		if err != nil {
			return nil, err
		}
		return []jen.Code{jen.For(jen.List(jen.Id("_"), jen.Id("k")).Op(":=").Range().Qual("slices", "Sorted").Call(jen.Qual("maps", "Keys").Call(v))).Block(
			append(append([]jen.Code{jen.Id("item").Op(":=").Add(v).Index(jen.Id("k"))}, item...),
				jen.Add(v).Index(jen.Id("k")).Op("=").Id("item"))...)}, nil
	}
	return nil, fmt.Errorf("a sensitive field (%s) nested in arrays or maps of arrays or maps", "x-wechatpay-encrypted")
}
