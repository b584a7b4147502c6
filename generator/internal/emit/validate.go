package emit

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/payforge/wechatpay/generator/internal/model"
)

// ValidatePath is the import path of the runtime package whose helpers the
// generated Validate methods call, one call per rule.
const ValidatePath = RuntimePath + "/validate"

// errsVar is the name of the *validate.Errors that Validate methods collect
// violations in.
const errsVar = "errs"

// presence is the validate.Presence of a value: how it may be absent, which
// decides the checks made on an empty one.
type presence string

const (
	// required: the field must be set; an empty string is a violation.
	required presence = "Required"
	// optional: the field may be left empty, and then nothing is checked.
	optional presence = "Optional"
	// present: an element of an array, always there, checked as it is.
	present presence = "Element"
)

func (p presence) code() jen.Code { return jen.Qual(ValidatePath, string(p)) }

// fieldName is the expression for the spec's name of a value in a
// ValidationError: a constant ("payer.openid") where it is known, or code
// that builds it (field + ".openid", validate.Index("items", i)).
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

// key names the value of the map f names at the key in variable k.
func (f fieldName) key(k string) fieldName {
	return fieldName{dyn: jen.Qual(ValidatePath, "Path").Call(f.code(), jen.Id(k))}
}

// index names the element of the array f names at the index in variable i.
func (f fieldName) index(i string) fieldName {
	return fieldName{dyn: jen.Qual(ValidatePath, "Index").Call(f.code(), jen.Id(i))}
}

// value builds a fresh expression for a value each time it is called, since
// jen statements must not be shared.
type value func() *jen.Statement

// errs is the collector of violations, to call a method on.
func errs() *jen.Statement { return jen.Id(errsVar) }

// errsPointer is the collector of violations as a *validate.Errors: the
// address of Validate's variable, or the parameter of a nested type's
// validate method, which is already a pointer.
func (e *emitter) errsPointer() jen.Code {
	if e.inNested {
		return jen.Id(errsVar)
	}
	return jen.Op("&").Id(errsVar)
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
	case model.KindFloat64:
		return true // at least finite
	case model.KindInt32, model.KindInt64, model.KindUint32, model.KindUint64:
		return s.Minimum != nil || s.Maximum != nil
	case model.KindBytes:
		return req || s.MinLength != nil || s.MaxLength != nil || s.Pattern != nil
	case model.KindArray:
		return req || s.MinItems != nil || s.MaxItems != nil || s.UniqueItems || e.schemaHasChecks(s.Elem, false)
	case model.KindMap:
		return req || s.MinProperties != nil || s.MaxProperties != nil || e.schemaHasChecks(s.Elem, false)
	case model.KindNamed:
		return s.Named.Role == model.RoleEnum || s.Named.Role == model.RoleUnion || e.hasChecks(s.Named)
	case model.KindRaw, model.KindTime, model.KindReader, model.KindBinary:
		return req
	}
	return false
}

// hasChecks reports whether a struct has any rule to check.
func (e *emitter) hasChecks(n *model.Named) bool {
	return e.checked[n]
}

// findChecks decides, for every struct of the package, whether it has a
// rule to check, directly or in a struct it holds.
func (e *emitter) findChecks() {
	markToFixedPoint(e.allNamed(), e.checked, func(n *model.Named) bool {
		if !n.IsStruct() {
			return false
		}
		if len(n.AnyOf) > 0 {
			return true
		}
		for _, f := range n.Fields {
			if f.ReadOnly || e.schemaHasChecks(f.Schema, f.Required) {
				return true
			}
		}
		return false
	})
}

// allNamed is every named type of the package: the shared ones, then those
// of each operation.
func (e *emitter) allNamed() []*model.Named {
	all := slices.Clone(e.pkg.Shared)
	for _, op := range e.pkg.Operations {
		all = append(all, op.Owned...)
	}
	return all
}

// markToFixedPoint sets set[n] for each type n of nodes that holds reports
// true for, pass after pass until a pass marks nothing: holds may look at
// set (a type holding a marked type is marked), and types may hold each
// other through pointers, slices and maps, so this iterates instead of
// recursing. findChecks, findSealed and findAnswerChecks use it.
func markToFixedPoint(nodes []*model.Named, set map[*model.Named]bool, holds func(*model.Named) bool) {
	for changed := true; changed; {
		changed = false
		for _, n := range nodes {
			if !set[n] && holds(n) {
				set[n], changed = true, true
			}
		}
	}
}

// fieldChecks returns the statements that check field fd of the struct recv
// points to.
func (e *emitter) fieldChecks(recv string, fd *model.Field, name fieldName) []jen.Code {
	v := func() *jen.Statement { return jen.Id(recv).Dot(fd.GoName) }
	if fd.ReadOnly {
		// WeChat Pay sets it; a request leaves it out.
		if present := presentExpr(v(), fd); present != nil {
			return []jen.Code{errs().Dot("ReadOnly").Call(name.code(), present)}
		}
		return nil
	}
	p := optional
	if fd.Required {
		p = required
	}
	if fd.Pointer {
		// A struct's validate method takes the pointer; a number is
		// checked through it.
		deref := func() *jen.Statement { return jen.Op("*").Add(v()) }
		var inner []jen.Code
		switch {
		case fd.Schema.IsStruct():
			inner = e.checks(v, name, fd.Schema, present, 0, fd.In)
		case fd.Schema.IsEnum() && !fd.Schema.Named.Open:
			// Known is called through the pointer.
			inner = []jen.Code{enumCheck(deref, v, name, fd.Schema.Named, present)}
		default:
			inner = e.checks(deref, name, fd.Schema, present, 0, fd.In)
		}
		if len(inner) == 0 {
			return nil
		}
		return []jen.Code{jen.If(v().Op("!=").Nil()).Block(inner...)}
	}
	return e.checks(v, name, fd.Schema, p, 0, fd.In)
}

// checks returns the statements that record a violation in errs for each
// rule of s that the value v breaks: one statement per value, one call per
// rule. in tells where the value travels: a path parameter must not be "."
// or "..", as those would change the URL's path, and a header parameter must
// hold no control character.
func (e *emitter) checks(v value, name fieldName, s *model.Schema, p presence, depth int, in model.In) []jen.Code {
	switch s.Kind {
	case model.KindString:
		return []jen.Code{stringChecks(v(), name, s, p, in)}
	case model.KindInt32, model.KindInt64, model.KindUint32, model.KindUint64, model.KindFloat64:
		if c := numberChecks(v, name, s); c != nil {
			return []jen.Code{c}
		}
	case model.KindBytes:
		if p == required || s.MinLength != nil || s.MaxLength != nil || s.Pattern != nil {
			// The rules apply to the Base64 text JSON carries.
			return []jen.Code{stringRules(errs().Dot("Base64").Call(name.code(), v(), p.code()), s, p, in)}
		}
	case model.KindMap:
		return e.mapChecks(v, name, s, p, depth, in)
	case model.KindRaw:
		if p == required {
			return []jen.Code{errs().Dot("Required").Call(name.code(), jen.Len(v()).Op(">").Lit(0))}
		}
	case model.KindReader:
		if p == required {
			return []jen.Code{errs().Dot("Required").Call(name.code(), v().Op("!=").Nil())}
		}
	case model.KindBinary:
		if p == required {
			return []jen.Code{errs().Dot("Required").Call(name.code(), jen.Len(v()).Op(">").Lit(0))}
		}
	case model.KindTime:
		if p == required {
			return []jen.Code{errs().Dot("Required").Call(name.code(), jen.Op("!").Add(v()).Dot("IsZero").Call())}
		}
	case model.KindArray:
		return e.arrayChecks(v, name, s, p, depth, in)
	case model.KindNamed:
		if s.Named.Role == model.RoleEnum && s.Named.Open {
			// Any value is valid; the rules of the string still apply.
			return []jen.Code{stringChecks(jen.String().Call(v()), name, s, p, in)}
		}
		if s.Named.Role == model.RoleEnum {
			return []jen.Code{enumCheck(v, v, name, s.Named, p)}
		}
		if s.Named.Role == model.RoleUnion {
			// Its validate method checks how many variants are set.
			return []jen.Code{v().Dot("validate").Call(e.errsPointer(), name.code(), p.code())}
		}
		if !e.hasChecks(s.Named) {
			return nil
		}
		// A struct value is always there; an optional one is a pointer,
		// checked for nil by the caller.
		return []jen.Code{v().Dot("validate").Call(e.errsPointer(), name.code())}
	}
	return nil
}

// stringChecks checks a string, or a named string type converted to one:
// errs.String(field, value, presence) then one call per rule.
func stringChecks(text jen.Code, name fieldName, s *model.Schema, p presence, in model.In) jen.Code {
	return stringRules(errs().Dot("String").Call(name.code(), text, p.code()), s, p, in)
}

// stringRules adds the rules of s to stmt, the start of the checks of a
// string (validate.String).
func stringRules(stmt *jen.Statement, s *model.Schema, p presence, in model.In) *jen.Statement {
	// An empty required or optional string never reaches the rules after
	// String (it is refused, or absent), so minLength 1 says nothing more.
	if m := s.MinLength; m != nil && (*m > 1 || p == present) {
		stmt = stmt.Dot("MinLength").Call(jen.Lit(int(*m)))
	}
	if m := s.MaxLength; m != nil {
		stmt = stmt.Dot("MaxLength").Call(jen.Lit(int(*m)))
	}
	if s.Pattern != nil {
		stmt = stmt.Dot("Pattern").Call(jen.Id(s.Pattern.Var))
	}
	if in == model.InPath && (s.Kind == model.KindString || s.IsEnum()) && dotSegmentPasses(s.Pattern) {
		// The method writes the path itself: this is the only check of
		// it, needed unless the pattern already refuses both.
		stmt = stmt.Dot("PathSegment").Call()
	}
	if s.Kind == model.KindString && s.Format == "date" {
		stmt = stmt.Dot("Date").Call()
	}
	switch in {
	case model.InHeader:
		stmt = stmt.Dot("Header").Call()
	case model.InCookie:
		stmt = stmt.Dot("Cookie").Call()
	}
	return stmt
}

// dotSegmentPasses reports whether a string of pattern p (nil for none)
// may be "." or "..", the values a path parameter must not have.
func dotSegmentPasses(p *model.Pattern) bool {
	if p == nil {
		return true
	}
	re, err := regexp.Compile(p.Expr)
	return err != nil || re.MatchString(".") || re.MatchString("..")
}

// numberChecks checks an integer against its bounds, or returns nil when it
// has none; a float is also checked for being finite, always.
func numberChecks(v value, name fieldName, s *model.Schema) jen.Code {
	if s.Minimum == nil && s.Maximum == nil && s.Kind != model.KindFloat64 {
		return nil
	}
	var stmt *jen.Statement
	var lit func(float64) jen.Code
	switch s.Kind {
	case model.KindFloat64:
		stmt = errs().Dot("Number").Call(name.code(), v())
		lit = func(f float64) jen.Code { return jen.Lit(f) }
	case model.KindInt32:
		stmt = errs().Dot("Int").Call(name.code(), jen.Int64().Call(v()))
		lit = func(f float64) jen.Code { return jen.Lit(int(f)) }
	case model.KindUint32:
		stmt = errs().Dot("Uint").Call(name.code(), jen.Uint64().Call(v()))
		lit = func(f float64) jen.Code { return jen.Lit(int(f)) }
	case model.KindUint64:
		stmt = errs().Dot("Uint").Call(name.code(), v())
		lit = func(f float64) jen.Code { return jen.Lit(int(f)) }
	default:
		stmt = errs().Dot("Int").Call(name.code(), v())
		lit = func(f float64) jen.Code { return jen.Lit(int(f)) }
	}
	if m := s.Minimum; m != nil {
		method := "Minimum"
		if s.ExclusiveMinimum {
			method = "ExclusiveMinimum"
		}
		stmt = stmt.Dot(method).Call(lit(*m))
	}
	if m := s.Maximum; m != nil {
		method := "Maximum"
		if s.ExclusiveMaximum {
			method = "ExclusiveMaximum"
		}
		stmt = stmt.Dot(method).Call(lit(*m))
	}
	return stmt
}

// enumCheck checks v, a value of a closed enum, against the values the spec
// lists; its Known method is called on recv (v, or a pointer to it).
func enumCheck(v, recv value, name fieldName, n *model.Named, p presence) jen.Code {
	switch n.EnumKind {
	case model.KindString:
		return errs().Dot("Enum").Call(name.code(), jen.String().Call(v()), p.code(), recv().Dot("Known").Call(), jen.Lit(enumValues(n)))
	case model.KindFloat64:
		return errs().Dot("NumberEnum").Call(name.code(), jen.Float64().Call(v()), recv().Dot("Known").Call(), jen.Lit(enumValues(n)))
	}
	return errs().Dot("IntEnum").Call(name.code(), jen.Int64().Call(v()), recv().Dot("Known").Call(), jen.Lit(enumValues(n)))
}

// enumValues lists the values of an enum as the violations quote them:
// "A, B".
func enumValues(n *model.Named) string {
	var values []string
	for _, ev := range n.Enum {
		values = append(values, ev.Value)
	}
	return strings.Join(values, ", ")
}

// mapChecks checks a map: its number of members, then each value, in the
// order of the member names so that the violations come in a stable order.
func (e *emitter) mapChecks(v value, name fieldName, s *model.Schema, p presence, depth int, in model.In) []jen.Code {
	var out []jen.Code
	if s.MinProperties != nil || s.MaxProperties != nil {
		stmt := errs().Dot("Properties").Call(name.code(), jen.Len(v()), v().Op("!=").Nil(), p.code())
		if m := s.MinProperties; m != nil {
			stmt = stmt.Dot("MinProperties").Call(jen.Lit(int(*m)))
		}
		if m := s.MaxProperties; m != nil {
			stmt = stmt.Dot("MaxProperties").Call(jen.Lit(int(*m)))
		}
		out = append(out, stmt)
	} else if p == required {
		out = append(out, errs().Dot("Required").Call(name.code(), v().Op("!=").Nil()))
	}
	k, x := "k", "x"
	if depth > 0 {
		k, x = fmt.Sprintf("k%d", depth), fmt.Sprintf("x%d", depth)
	}
	// A value of a map is copied into x: the validate method of a struct
	// takes its address.
	elem := e.checks(func() *jen.Statement { return jen.Id(x) }, name.key(k), s.Elem, present, depth+1, in)
	if len(elem) > 0 {
		out = append(out, jen.For(jen.List(jen.Id("_"), jen.Id(k)).Op(":=").Range().Qual("slices", "Sorted").Call(jen.Qual("maps", "Keys").Call(v()))).Block(
			append([]jen.Code{jen.Id(x).Op(":=").Add(v()).Index(jen.Id(k))}, elem...)...))
	}
	return out
}

func (e *emitter) arrayChecks(v value, name fieldName, s *model.Schema, p presence, depth int, in model.In) []jen.Code {
	var out []jen.Code
	if s.MinItems != nil || s.MaxItems != nil || s.UniqueItems {
		stmt := errs().Dot("Items").Call(name.code(), jen.Len(v()), v().Op("!=").Nil(), p.code())
		if m := s.MinItems; m != nil {
			stmt = stmt.Dot("MinItems").Call(jen.Lit(int(*m)))
		}
		if m := s.MaxItems; m != nil {
			stmt = stmt.Dot("MaxItems").Call(jen.Lit(int(*m)))
		}
		if s.UniqueItems {
			dup := "Duplicate"
			if !comparable(s.Elem) {
				dup = "DuplicateJSON"
			}
			stmt = stmt.Dot("UniqueItems").Call(jen.Qual(ValidatePath, dup).Call(v()))
		}
		out = append(out, stmt)
	} else if p == required {
		out = append(out, errs().Dot("Required").Call(name.code(), v().Op("!=").Nil()))
	}
	i := indexVar(depth)
	elem := e.checks(func() *jen.Statement { return v().Index(jen.Id(i)) }, name.index(i), s.Elem, present, depth+1, in)
	if len(elem) > 0 {
		out = append(out, jen.For(jen.Id(i).Op(":=").Range().Add(v())).Block(elem...))
	}
	return out
}

// comparable reports whether Go's == on values of schema s says what JSON
// equality says: strings, numbers, booleans and enums. Times compare their
// location too, and structs their pointers; those are compared as JSON.
func comparable(s *model.Schema) bool {
	switch s.Kind {
	case model.KindString, model.KindInt32, model.KindInt64, model.KindFloat64, model.KindBool:
		return true
	}
	return s.IsEnum()
}

// requestValidate emits the Validate method of a request type.
func (e *emitter) requestValidate(f *jen.File, n *model.Named) error {
	d, err := e.doc("validate", n)
	if err != nil {
		return err
	}
	body := []jen.Code{
		jen.If(jen.Id("r").Op("==").Nil()).Block(
			jen.Return(jen.Qual(ValidatePath, "NilRequest").Call()),
		),
	}
	var checks []jen.Code
	op := n.Op
	if op.Download != nil && op.Download.Bill {
		// The runtime checks the rest of the BillDownload before it sends.
		checks = append(checks, errs().Dot("String").Call(jen.Lit(op.Download.URLField), jen.Id("r").Dot("DownloadURL"), required.code()))
	}
	for _, fd := range n.Fields {
		if up := op.Upload; up != nil && fd == up.FileName && up.FileNameRules != nil {
			// The file name must pass the rules of meta's filename, which
			// the runtime writes it into.
			checks = append(checks, stringChecks(jen.Id("r").Dot(fd.GoName), fieldName{static: "filename"}, up.FileNameRules.Schema, required, model.InPart))
			continue
		}
		checks = append(checks, e.fieldChecks("r", fd, fieldName{static: fd.JSONName})...)
	}
	for _, rule := range n.AnyOf {
		checks = append(checks, anyOfCheck("r", rule, fieldName{}))
	}
	if len(checks) > 0 {
		body = append(body, jen.Var().Id(errsVar).Qual(ValidatePath, "Errors"))
		body = append(body, checks...)
		body = append(body, jen.Return(errs().Dot("Err").Call()))
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
	e.inNested = true
	defer func() { e.inNested = false }()
	var body []jen.Code
	for _, fd := range n.Fields {
		body = append(body, e.fieldChecks(recv, fd, fieldName{dyn: jen.Id("field")}.child(fd.JSONName))...)
	}
	for _, rule := range n.AnyOf {
		body = append(body, anyOfCheck(recv, rule, fieldName{dyn: jen.Id("field")}))
	}
	addComments(f, d)
	f.Func().Params(jen.Id(recv).Op("*").Id(n.GoName)).Id("validate").Params(
		jen.Id(errsVar).Op("*").Qual(ValidatePath, "Errors"),
		jen.Id("field").String(),
	).Block(body...)
	return nil
}

// anyOfCheck returns the statement that records a violation of rule "anyOf"
// when no branch of rule has all of its fields present. The violation names
// every field of the rule, joined with "|", below parent.
func anyOfCheck(recv string, rule *model.AnyOf, parent fieldName) jen.Code {
	var fields []*model.Field
	var cond *jen.Statement
	for _, branch := range rule.Branches {
		// The builder keeps only branches with a field that may be
		// absent, so present is never empty.
		var present []jen.Code
		for _, f := range branch {
			if !slices.Contains(fields, f) {
				fields = append(fields, f)
			}
			if p := presentExpr(jen.Id(recv).Dot(f.GoName), f); p != nil {
				present = append(present, p)
			}
		}
		all := jen.Add(present[0])
		for _, p := range present[1:] {
			all = all.Op("&&").Add(p)
		}
		if len(present) > 1 && len(rule.Branches) > 1 {
			all = jen.Parens(all)
		}
		if cond == nil {
			cond = all
		} else {
			cond = cond.Op("||").Add(all)
		}
	}
	var names []string
	for _, f := range fields {
		names = append(names, f.JSONName)
	}
	return errs().Dot("AnyOf").Call(anyOfField(parent, names).code(), cond, jen.Lit(anyOfMessage(rule)))
}

// presentExpr is the condition that field f of a struct, the value v, is
// present: set, for a pointer; not empty, for a string, an enum, a time or
// raw JSON; not nil, for a slice. It is nil for a field that is always
// present: a required number, boolean or object.
func presentExpr(v *jen.Statement, f *model.Field) jen.Code {
	switch {
	case f.Pointer, f.Schema.Kind == model.KindArray, f.Schema.Kind == model.KindMap:
		return v.Op("!=").Nil()
	case f.Schema.Kind == model.KindBytes, f.Schema.Kind == model.KindBinary:
		return jen.Len(v).Op(">").Lit(0)
	case f.Schema.Kind == model.KindString, f.Schema.IsEnum() && !f.Schema.IsNumberEnum():
		return v.Op("!=").Lit("")
	case f.Schema.Kind == model.KindTime:
		return jen.Op("!").Add(v).Dot("IsZero").Call()
	case f.Schema.Kind == model.KindRaw:
		return jen.Len(v).Op(">").Lit(0)
	}
	return nil
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
