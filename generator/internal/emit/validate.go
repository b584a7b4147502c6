package emit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/payforge/wechatpay/generator/internal/model"
)

// presence says how a value may be absent, which decides the checks made on
// an empty one.
type presence int

const (
	// required: the field must be set; an empty string is a violation.
	required presence = iota
	// optional: the field may be left empty, and then nothing is checked.
	optional
	// present: an element of an array, always there, checked as it is.
	present
)

// fieldName is the expression for the spec's name of a value in a
// ValidationError: a constant ("payer.openid") where it is known, or code
// that builds it (field + ".openid", fmt.Sprintf("items[%d]", i)).
type fieldName struct {
	static string
	dyn    jen.Code
}

func (f fieldName) code() jen.Code {
	if f.dyn == nil {
		return jen.Lit(f.static)
	}
	return f.dyn
}

// child names the property name of the object f names.
func (f fieldName) child(name string) fieldName {
	switch {
	case f.dyn != nil:
		return fieldName{dyn: jen.Add(f.dyn).Op("+").Lit("." + name)}
	case f.static == "":
		return fieldName{static: name}
	}
	return fieldName{static: f.static + "." + name}
}

// index names the element of the array f names at the index in variable i.
func (f fieldName) index(i string) fieldName {
	if f.dyn == nil {
		format := strings.ReplaceAll(f.static, "%", "%%") + "[%d]"
		return fieldName{dyn: jen.Qual("fmt", "Sprintf").Call(jen.Lit(format), jen.Id(i))}
	}
	return fieldName{dyn: jen.Qual("fmt", "Sprintf").Call(jen.Lit("%s[%d]"), f.dyn, jen.Id(i))}
}

// value builds a fresh expression for a value each time it is called, since
// jen statements must not be shared.
type value func() *jen.Statement

// violation appends a *wechatpay.ValidationError to errs.
func violation(field fieldName, rule string, message jen.Code) jen.Code {
	return jen.Id("errs").Op("=").Append(jen.Id("errs"), jen.Op("&").Qual(RuntimePath, "ValidationError").Values(
		jen.Id("Field").Op(":").Add(field.code()),
		jen.Id("Rule").Op(":").Lit(rule),
		jen.Id("Message").Op(":").Add(message),
	))
}

func sprintf(format string, args ...jen.Code) jen.Code {
	return jen.Qual("fmt", "Sprintf").Call(append([]jen.Code{jen.Lit(format)}, args...)...)
}

// indexVars are the loop variables of nested arrays, outermost first.
var indexVars = []string{"i", "j", "k"}

func indexVar(depth int) string {
	if depth < len(indexVars) {
		return indexVars[depth]
	}
	return fmt.Sprintf("i%d", depth)
}

// schemaHasChecks reports whether validation has anything to check in a
// value of schema s (present, or required when req is set).
func (e *emitter) schemaHasChecks(s *model.Schema, req bool) bool {
	switch s.Kind {
	case model.KindString:
		return true // at least valid UTF-8
	case model.KindInt32, model.KindInt64, model.KindFloat64:
		return s.Minimum != nil || s.Maximum != nil
	case model.KindArray:
		return req || s.MinItems != nil || s.MaxItems != nil || e.schemaHasChecks(s.Elem, false)
	case model.KindNamed:
		return s.Named.Role == model.RoleEnum || e.hasChecks(s.Named)
	case model.KindRaw, model.KindTime:
		return req
	}
	return false
}

// hasChecks reports whether a struct has any rule to check.
func (e *emitter) hasChecks(n *model.Named) bool {
	return e.checked[n]
}

// findChecks decides, for every struct of the package, whether it has a
// rule to check, directly or in a struct it holds. Structs may hold each
// other through pointers and slices, so this iterates to a fixed point
// instead of recursing.
func (e *emitter) findChecks() {
	var all []*model.Named
	all = append(all, e.pkg.Shared...)
	for _, op := range e.pkg.Operations {
		all = append(all, op.Owned...)
	}
	for changed := true; changed; {
		changed = false
		for _, n := range all {
			if !n.IsStruct() || e.checked[n] {
				continue
			}
			if len(n.AnyOf) > 0 {
				e.checked[n] = true
				changed = true
				continue
			}
			for _, f := range n.Fields {
				if e.schemaHasChecks(f.Schema, f.Required) {
					e.checked[n] = true
					changed = true
					break
				}
			}
		}
	}
}

// fieldChecks returns the statements that check field fd of the struct v
// points to.
func (e *emitter) fieldChecks(recv string, fd *model.Field, name fieldName) []jen.Code {
	v := func() *jen.Statement { return jen.Id(recv).Dot(fd.GoName) }
	p := optional
	if fd.Required {
		p = required
	}
	if fd.Pointer {
		// A struct's validate method takes the pointer; a number is
		// compared through it.
		deref := func() *jen.Statement { return jen.Op("*").Add(v()) }
		if fd.Schema.IsStruct() {
			deref = v
		}
		inner := e.checks(deref, name, fd.Schema, present, 0, false)
		if len(inner) == 0 {
			return nil
		}
		return []jen.Code{jen.If(v().Op("!=").Nil()).Block(inner...)}
	}
	return e.checks(v, name, fd.Schema, p, 0, fd.In == model.InPath)
}

// checks returns the statements that append a violation to errs for each
// rule of s that the value v breaks. inPath marks a path parameter, which
// must not be "." or "..", as those would change the URL's path.
func (e *emitter) checks(v value, name fieldName, s *model.Schema, p presence, depth int, inPath bool) []jen.Code {
	switch s.Kind {
	case model.KindString:
		return e.stringChecks(v, v, name, s, p, inPath)
	case model.KindInt32, model.KindInt64, model.KindFloat64:
		return numberChecks(v, name, s)
	case model.KindRaw:
		if p == required {
			return []jen.Code{jen.If(jen.Len(v()).Op("==").Lit(0)).Block(violation(name, "required", jen.Lit("is required")))}
		}
	case model.KindTime:
		if p == required {
			return []jen.Code{jen.If(v().Dot("IsZero").Call()).Block(violation(name, "required", jen.Lit("is required")))}
		}
	case model.KindArray:
		return e.arrayChecks(v, name, s, p, depth)
	case model.KindNamed:
		if s.Named.Role == model.RoleEnum && s.Named.Open {
			// Any value is valid; the rules of the string still apply.
			text := func() *jen.Statement { return jen.String().Call(v()) }
			return e.stringChecks(v, text, name, s, p, inPath)
		}
		if s.Named.Role == model.RoleEnum {
			return enumChecks(v, name, s.Named, p)
		}
		if !e.hasChecks(s.Named) {
			return nil
		}
		// A struct value is always there; an optional one is a pointer,
		// checked for nil by the caller.
		return []jen.Code{jen.Id("errs").Op("=").Append(jen.Id("errs"), v().Dot("validate").Call(name.code()).Op("..."))}
	}
	return nil
}

func plural(n uint64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// stringChecks checks a string, or a named string type: v is the value,
// compared with "", and text the same as a string, for the functions that
// take one.
func (e *emitter) stringChecks(v, text value, name fieldName, s *model.Schema, p presence, inPath bool) []jen.Code {
	var inner []jen.Code
	if s.MinLength != nil || s.MaxLength != nil {
		count := jen.Id("n").Op(":=").Qual("unicode/utf8", "RuneCountInString").Call(text())
		var stmt *jen.Statement
		if m := s.MinLength; m != nil {
			stmt = jen.If(count, jen.Id("n").Op("<").Lit(int(*m))).Block(violation(name, "minLength",
				sprintf(fmt.Sprintf("has %%d characters, at least %d %s required", *m, plural(*m, "is", "are")), jen.Id("n"))))
		}
		if m := s.MaxLength; m != nil {
			cond := []jen.Code{jen.Id("n").Op(">").Lit(int(*m))}
			if stmt == nil {
				cond = append([]jen.Code{count}, cond...)
				stmt = jen.If(cond...)
			} else {
				stmt = stmt.Else().If(cond...)
			}
			stmt.Block(violation(name, "maxLength",
				sprintf(fmt.Sprintf("has %%d characters, at most %d %s allowed", *m, plural(*m, "is", "are")), jen.Id("n"))))
		}
		inner = append(inner, stmt)
	}
	if s.Pattern != nil {
		inner = append(inner, jen.If(jen.Op("!").Id(s.Pattern.Var).Dot("MatchString").Call(text())).Block(
			violation(name, "pattern", jen.Lit("does not match the pattern "+s.Pattern.Expr))))
	} else if inPath {
		inner = append(inner, jen.If(v().Op("==").Lit(".").Op("||").Add(v()).Op("==").Lit("..")).Block(
			violation(name, "pattern", jen.Lit("is . or .., which would change the URL path"))))
	}
	utf8Bad := func() *jen.Statement { return jen.Op("!").Qual("unicode/utf8", "ValidString").Call(text()) }
	utf8Violation := violation(name, "utf8", jen.Lit("is not valid UTF-8"))
	switch p {
	case required:
		stmt := jen.If(v().Op("==").Lit("")).Block(violation(name, "required", jen.Lit("is required"))).
			Else().If(utf8Bad()).Block(utf8Violation)
		elseChecks(stmt, inner)
		return []jen.Code{stmt}
	case optional:
		if len(inner) == 0 {
			return []jen.Code{jen.If(utf8Bad()).Block(utf8Violation)}
		}
		return []jen.Code{jen.If(v().Op("!=").Lit("")).Block(
			elseChecks(jen.If(utf8Bad()).Block(utf8Violation), inner),
		)}
	}
	return []jen.Code{elseChecks(jen.If(utf8Bad()).Block(utf8Violation), inner)}
}

// elseChecks adds the checks made when the value passed the first ones, as
// the else branch of the if statement stmt: "else if" when there is a single
// check, an else block of them otherwise.
func elseChecks(stmt *jen.Statement, inner []jen.Code) *jen.Statement {
	switch len(inner) {
	case 0:
	case 1:
		stmt.Else().Add(inner[0])
	default:
		stmt.Else().Block(inner...)
	}
	return stmt
}

func numberChecks(v value, name fieldName, s *model.Schema) []jen.Code {
	verb := "%d"
	lit := func(f float64) jen.Code { return jen.Lit(int(f)) }
	if s.Kind == model.KindFloat64 {
		verb = "%g"
		lit = func(f float64) jen.Code { return jen.Lit(f) }
	}
	var out []jen.Code
	if m := s.Minimum; m != nil {
		op, msg := "<", "is "+verb+", at least "+formatNumber(m)+" is allowed"
		if s.ExclusiveMinimum {
			op, msg = "<=", "is "+verb+", it must be greater than "+formatNumber(m)
		}
		out = append(out, jen.If(v().Op(op).Add(lit(*m))).Block(violation(name, "minimum", sprintf(msg, v()))))
	}
	if m := s.Maximum; m != nil {
		op, msg := ">", "is "+verb+", at most "+formatNumber(m)+" is allowed"
		if s.ExclusiveMaximum {
			op, msg = ">=", "is "+verb+", it must be less than "+formatNumber(m)
		}
		out = append(out, jen.If(v().Op(op).Add(lit(*m))).Block(violation(name, "maximum", sprintf(msg, v()))))
	}
	return out
}

func enumChecks(v value, name fieldName, n *model.Named, p presence) []jen.Code {
	var values []string
	for _, ev := range n.Enum {
		values = append(values, ev.Value)
	}
	bad := violation(name, "enum", sprintf("is %q, which is not one of "+strings.ReplaceAll(strings.Join(values, ", "), "%", "%%"), v()))
	unknown := func() *jen.Statement { return jen.Op("!").Add(v()).Dot("Known").Call() }
	switch p {
	case required:
		return []jen.Code{jen.If(v().Op("==").Lit("")).Block(violation(name, "required", jen.Lit("is required"))).
			Else().If(unknown()).Block(bad)}
	case optional:
		return []jen.Code{jen.If(v().Op("!=").Lit("").Op("&&").Add(unknown())).Block(bad)}
	}
	return []jen.Code{jen.If(unknown()).Block(bad)}
}

func (e *emitter) arrayChecks(v value, name fieldName, s *model.Schema, p presence, depth int) []jen.Code {
	var out []jen.Code
	var stmt *jen.Statement
	if p == required {
		stmt = jen.If(v().Op("==").Nil()).Block(violation(name, "required", jen.Lit("is required")))
	}
	count := func(cond jen.Code, rule, msg string) {
		c := []jen.Code{jen.Id("n").Op(":=").Len(v()), cond}
		if stmt == nil {
			stmt = jen.If(c...)
		} else {
			stmt = stmt.Else().If(c...)
		}
		stmt.Block(violation(name, rule, sprintf(msg, jen.Id("n"))))
	}
	if m := s.MinItems; m != nil {
		count(jen.Id("n").Op("<").Lit(int(*m)), "minItems", fmt.Sprintf("has %%d items, at least %d %s required", *m, plural(*m, "is", "are")))
	}
	if m := s.MaxItems; m != nil {
		count(jen.Id("n").Op(">").Lit(int(*m)), "maxItems", fmt.Sprintf("has %%d items, at most %d %s allowed", *m, plural(*m, "is", "are")))
	}
	if stmt != nil {
		out = append(out, stmt)
	}
	i := indexVar(depth)
	elem := e.checks(func() *jen.Statement { return v().Index(jen.Id(i)) }, name.index(i), s.Elem, present, depth+1, false)
	if len(elem) > 0 {
		out = append(out, jen.For(jen.Id(i).Op(":=").Range().Add(v())).Block(elem...))
	}
	return out
}

// requestValidate emits the Validate method of a request type.
func (e *emitter) requestValidate(f *jen.File, n *model.Named) error {
	d, err := e.doc("validate", n)
	if err != nil {
		return err
	}
	body := []jen.Code{
		jen.If(jen.Id("r").Op("==").Nil()).Block(
			jen.Return(jen.Op("&").Qual(RuntimePath, "ValidationError").Values(
				jen.Id("Field").Op(":").Lit("request"),
				jen.Id("Rule").Op(":").Lit("required"),
				jen.Id("Message").Op(":").Lit("is nil"),
			)),
		),
	}
	var checks []jen.Code
	for _, fd := range n.Fields {
		checks = append(checks, e.fieldChecks("r", fd, fieldName{static: fd.JSONName})...)
	}
	for _, rule := range n.AnyOf {
		checks = append(checks, anyOfCheck("r", rule, fieldName{}))
	}
	if len(checks) > 0 {
		body = append(body, jen.Var().Id("errs").Index().Error())
		body = append(body, checks...)
		body = append(body, jen.Return(jen.Qual("errors", "Join").Call(jen.Id("errs").Op("..."))))
	} else {
		body = append(body, jen.Return(jen.Nil()))
	}
	addComments(f, d)
	f.Func().Params(jen.Id("r").Op("*").Id(n.GoName)).Id("Validate").Params().Error().Block(body...)
	return nil
}

// receiver picks the receiver name of a nested type's validate method: its
// first letter, unless that is a name the method uses itself.
func receiver(n *model.Named) string {
	r := strings.ToLower(n.GoName[:1])
	if strings.Contains("efijkn", r) {
		return "v"
	}
	return r
}

// nestedValidate emits the validate method of a struct a request carries.
func (e *emitter) nestedValidate(f *jen.File, n *model.Named) error {
	d, err := e.doc("validateNested", n)
	if err != nil {
		return err
	}
	recv := receiver(n)
	body := []jen.Code{jen.Var().Id("errs").Index().Error()}
	for _, fd := range n.Fields {
		body = append(body, e.fieldChecks(recv, fd, fieldName{dyn: jen.Id("field")}.child(fd.JSONName))...)
	}
	for _, rule := range n.AnyOf {
		body = append(body, anyOfCheck(recv, rule, fieldName{dyn: jen.Id("field")}))
	}
	body = append(body, jen.Return(jen.Id("errs")))
	addComments(f, d)
	f.Func().Params(jen.Id(recv).Op("*").Id(n.GoName)).Id("validate").Params(jen.Id("field").String()).Index().Error().Block(body...)
	return nil
}

// anyOfCheck returns the statement that appends a violation of rule "anyOf"
// to errs when no branch of rule has all of its fields present. The
// violation names every field of the rule, joined with "|", below parent.
func anyOfCheck(recv string, rule *model.AnyOf, parent fieldName) jen.Code {
	var fields []*model.Field
	var cond *jen.Statement
	for _, branch := range rule.Branches {
		// The builder keeps only branches with a field that may be
		// absent, so present is never empty.
		var present []jen.Code
		var mayBeAbsent []*model.Field
		for _, f := range branch {
			if !slices.Contains(fields, f) {
				fields = append(fields, f)
			}
			if p := presentExpr(jen.Id(recv).Dot(f.GoName), f); p != nil {
				present = append(present, p)
				mayBeAbsent = append(mayBeAbsent, f)
			}
		}
		var absent jen.Code
		if len(mayBeAbsent) == 1 {
			f := mayBeAbsent[0]
			absent = absentExpr(jen.Id(recv).Dot(f.GoName), f)
		} else {
			all := jen.Add(present[0])
			for _, p := range present[1:] {
				all = all.Op("&&").Add(p)
			}
			absent = jen.Op("!").Parens(all)
		}
		if cond == nil {
			cond = jen.Add(absent)
		} else {
			cond = cond.Op("&&").Add(absent)
		}
	}
	var names []string
	for _, f := range fields {
		names = append(names, f.JSONName)
	}
	return jen.If(cond).Block(violation(anyOfField(parent, names), "anyOf", jen.Lit(anyOfMessage(rule))))
}

// presentExpr is the condition that field f of a struct, the value v, is
// present: set, for a pointer; not empty, for a string, an enum, a time or
// raw JSON; not nil, for a slice. It is nil for a field that is always
// present: a required number, boolean or object.
func presentExpr(v *jen.Statement, f *model.Field) jen.Code {
	switch {
	case f.Pointer, f.Schema.Kind == model.KindArray:
		return v.Op("!=").Nil()
	case f.Schema.Kind == model.KindString, f.Schema.IsEnum():
		return v.Op("!=").Lit("")
	case f.Schema.Kind == model.KindTime:
		return jen.Op("!").Add(v).Dot("IsZero").Call()
	case f.Schema.Kind == model.KindRaw:
		return jen.Len(v).Op(">").Lit(0)
	}
	return nil
}

// absentExpr is the negation of presentExpr, for a field that may be absent.
func absentExpr(v *jen.Statement, f *model.Field) jen.Code {
	switch {
	case f.Pointer, f.Schema.Kind == model.KindArray:
		return v.Op("==").Nil()
	case f.Schema.Kind == model.KindString, f.Schema.IsEnum():
		return v.Op("==").Lit("")
	case f.Schema.Kind == model.KindTime:
		return v.Dot("IsZero").Call()
	}
	return jen.Len(v).Op("==").Lit(0)
}

// anyOfField names the fields of an anyOf below parent, joined with "|":
// "openid|sub_openid", or field + ".openid|" + field + ".sub_openid".
func anyOfField(parent fieldName, names []string) fieldName {
	if parent.dyn == nil {
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = parent.child(n).static
		}
		return fieldName{static: strings.Join(parts, "|")}
	}
	var expr *jen.Statement
	for i, n := range names {
		lit := "." + n
		if i < len(names)-1 {
			lit += "|"
		}
		if expr == nil {
			expr = jen.Id("field").Op("+").Lit(lit)
		} else {
			expr = expr.Op("+").Id("field").Op("+").Lit(lit)
		}
	}
	return fieldName{dyn: expr}
}

// anyOfSentence states an anyOf rule in a doc comment: "Validate requires
// one of openid and sub_openid.", or "Validate requires appid and openid,
// or sub_appid and sub_openid."
func anyOfSentence(rule *model.AnyOf) string {
	var branches []string
	single := true
	for _, branch := range rule.Branches {
		var names []string
		for _, f := range branch {
			names = append(names, f.JSONName)
		}
		single = single && len(names) == 1
		branches = append(branches, strings.Join(names, " and "))
	}
	if single {
		return "Validate requires " + strings.TrimSuffix(anyOfMessage(rule), " is required") + "."
	}
	return "Validate requires " + strings.Join(branches, ", or ") + "."
}

// anyOfMessage says what an anyOf requires: "one of openid and sub_openid
// is required", or, when a branch lists several fields, "one of these is
// required: appid and openid; sub_appid and sub_openid".
func anyOfMessage(rule *model.AnyOf) string {
	single := true
	var branches []string
	for _, branch := range rule.Branches {
		var names []string
		for _, f := range branch {
			names = append(names, f.JSONName)
		}
		single = single && len(names) == 1
		branches = append(branches, strings.Join(names, " and "))
	}
	if single {
		last := len(branches) - 1
		if last == 0 {
			return branches[0] + " is required"
		}
		return "one of " + strings.Join(branches[:last], ", ") + " and " + branches[last] + " is required"
	}
	return "one of these is required: " + strings.Join(branches, "; ")
}
