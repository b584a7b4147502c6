// Package emit writes the Go source of a generated package from the model.
// Every line of Go is built with jennifer; the prose of comments comes from
// the templates of package templates.
package emit

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/dave/jennifer/jen"
	"golang.org/x/tools/imports"

	"github.com/payforge/wechatpay/generator/internal/header"
	"github.com/payforge/wechatpay/generator/internal/model"
	"github.com/payforge/wechatpay/generator/internal/naming"
)

// RuntimePath is the import path of the runtime package that generated code
// calls.
const RuntimePath = "github.com/payforge/wechatpay/wechatpay"

// Reserved returns the top-level names every generated package declares,
// whatever its spec; the builder refuses a spec element that would take one.
func Reserved() []string {
	return []string{"Client", "NewClient", "Operations"}
}

// OperationNames returns the top-level names the package declares for an
// operation of the given Go name besides its request and response types:
// the function behind its entry in Operations.
func OperationNames(goName string) []string {
	return []string{invokerName(goName)}
}

func invokerName(goName string) string { return "call" + goName }

// File is a generated file: its base name and its gofmt-formatted contents.
type File struct {
	Name string
	Data []byte
}

// Fixed file names; an operation's file never takes one of them.
const (
	docFile      = "doc.go"
	clientFile   = "client.go"
	typesFile    = "types.go"
	patternsFile = "patterns.go"
	exampleFile  = "example_test.go"
	// notificationsFile holds the callbacks' event types and decoders.
	notificationsFile = "notifications.go"
)

// Emit renders the package: one file for the package documentation, one for
// the client and its table of operations, one per operation, one each for
// shared types, patterns and the decoders of notifications when there are
// any, and example_test.go with an Example per operation. Every file starts
// with the line of package header. Files are sorted by name.
func Emit(pkg *model.Package) ([]File, error) {
	e := &emitter{pkg: pkg, checked: map[*model.Named]bool{}, answerChecked: map[*model.Named]bool{},
		answered: map[*model.Named]bool{}, sealed: map[*model.Named]bool{}, encrypts: map[*model.Named]bool{}, decrypts: map[*model.Named]bool{},
		opEncrypts: map[*model.Operation]bool{}}
	p, err := newProse(hooks{
		answerChecked: func(s *model.Schema) bool {
			return (s.Kind == model.KindArray || s.Kind == model.KindMap) && e.valueCheck(s) != nil
		},
		encrypts: func(op *model.Operation) bool { return e.opEncrypts[op] },
		decrypts: func(op *model.Operation) bool {
			if op.Response != nil {
				return e.decrypts[op.Response]
			}
			return op.Answer != nil && e.schemaSealed(op.Answer)
		},
	})
	if err != nil {
		return nil, err
	}
	e.prose = p
	e.header = strings.TrimPrefix(header.Line(pkg.SpecFile), "// ")
	e.findChecks()
	e.findAnswerChecks()
	e.findSealed()

	var files []File
	add := func(name string, f *jen.File, err error) error {
		if err != nil {
			return err
		}
		// jennifer sorts the imports as one block; goimports groups them
		// the way people write them: the standard library, then the rest.
		// It also formats the file, so jennifer's own gofmt pass, a second
		// parse and print of every file, is skipped.
		f.NoFormat = true
		var buf bytes.Buffer
		if err := f.Render(&buf); err != nil {
			return fmt.Errorf("rendering %s: %v", name, err)
		}
		data, err := imports.Process(name, buf.Bytes(), &imports.Options{
			Comments: true, TabIndent: true, TabWidth: 8, FormatOnly: true,
		})
		if err != nil {
			return fmt.Errorf("formatting the imports of %s: %v", name, err)
		}
		files = append(files, File{Name: name, Data: data})
		return nil
	}

	f, err := e.docFile()
	if err := add(docFile, f, err); err != nil {
		return nil, err
	}
	f, err = e.clientFile()
	if err := add(clientFile, f, err); err != nil {
		return nil, err
	}
	if len(pkg.Shared) > 0 {
		f, err = e.typesFile()
		if err := add(typesFile, f, err); err != nil {
			return nil, err
		}
	}
	if len(pkg.Patterns) > 0 {
		f, err = e.patternsFile()
		if err := add(patternsFile, f, err); err != nil {
			return nil, err
		}
	}
	if len(pkg.Operations) > 0 {
		f, err = e.exampleFile()
		if err := add(exampleFile, f, err); err != nil {
			return nil, err
		}
	}
	if len(pkg.Callbacks) > 0 {
		f, err = e.notificationsFile()
		if err := add(notificationsFile, f, err); err != nil {
			return nil, err
		}
	}
	for _, op := range pkg.Operations {
		name := naming.FileName(naming.Snake(op.ID))
		if slices.ContainsFunc(files, func(f File) bool { return f.Name == name }) {
			name = naming.FileName(naming.Snake(op.ID) + "_op")
		}
		if slices.ContainsFunc(files, func(f File) bool { return f.Name == name }) {
			return nil, fmt.Errorf("operation %s at %s: its file name %s is taken by another file", op.ID, op.Location, name)
		}
		f, err = e.operationFile(op)
		if err := add(name, f, err); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(files, func(a, b File) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return files, nil
}

type emitter struct {
	pkg    *model.Package
	prose  *prose
	header string
	// checked caches whether a named type has any rule to check.
	checked map[*model.Named]bool
	// inNested is set while the validate method of a nested type is
	// emitted, whose collector of violations is a parameter.
	inNested bool
	// answerChecked holds the struct types that get a checkAnswer method.
	answerChecked map[*model.Named]bool
	// answered holds the structs and unions an answer or a notification
	// can carry: their JSON is read leniently, as WeChat Pay may add fields.
	answered map[*model.Named]bool
	// sealed holds the types that hold a sensitive field; encrypts those a
	// request carries (an encrypted method), decrypts those an answer
	// carries (a decrypt method); opEncrypts the operations whose request
	// holds one.
	sealed, encrypts, decrypts map[*model.Named]bool
	opEncrypts                 map[*model.Operation]bool
}

// newFile starts a generated file with the header line.
func (e *emitter) newFile() *jen.File {
	f := jen.NewFile(e.pkg.Name)
	f.HeaderComment(e.header)
	f.ImportName(RuntimePath, "wechatpay")
	f.ImportName(ValidatePath, "validate")
	return f
}

// doc returns the doc comment the named template makes of data.
func (e *emitter) doc(name string, data any) ([]jen.Code, error) {
	text, err := e.prose.text(name, data)
	if err != nil {
		return nil, err
	}
	return comments(text), nil
}

func (e *emitter) docFile() (*jen.File, error) {
	f := e.newFile()
	text, err := e.prose.text("package", e.pkg)
	if err != nil {
		return nil, err
	}
	for _, line := range commentLines(text) {
		if line == "" {
			f.PackageComment("//")
		} else {
			f.PackageComment(line)
		}
	}
	return f, nil
}

// httpMethods maps a method to its constant in net/http.
var httpMethods = map[string]string{
	"DELETE":  "MethodDelete",
	"GET":     "MethodGet",
	"HEAD":    "MethodHead",
	"OPTIONS": "MethodOptions",
	"PATCH":   "MethodPatch",
	"POST":    "MethodPost",
	"PUT":     "MethodPut",
	"TRACE":   "MethodTrace",
}

// method is the method's constant in net/http, or its name for one net/http
// does not name (LINK, say).
func method(m string) *jen.Statement {
	if c, ok := httpMethods[m]; ok {
		return jen.Qual("net/http", c)
	}
	return jen.Lit(m)
}

func (e *emitter) clientFile() (*jen.File, error) {
	f := e.newFile()
	d, err := e.doc("client", e.pkg)
	if err != nil {
		return nil, err
	}
	addComments(f, d)
	f.Type().Id("Client").Struct(
		jen.Id("rt").Op("*").Qual(RuntimePath, "Client"),
	)
	f.Line()
	if d, err = e.doc("newClient", e.pkg); err != nil {
		return nil, err
	}
	addComments(f, d)
	f.Func().Id("NewClient").Params(jen.Id("rt").Op("*").Qual(RuntimePath, "Client")).Op("*").Id("Client").Block(
		jen.Return(jen.Op("&").Id("Client").Values(jen.Id("rt").Op(":").Id("rt"))),
	)
	f.Line()
	if d, err = e.doc("operations", e.pkg); err != nil {
		return nil, err
	}
	var ops []jen.Code
	for _, op := range e.pkg.Operations {
		entry, err := e.operationEntry(op)
		if err != nil {
			return nil, err
		}
		ops = append(ops, entry)
	}
	addComments(f, d)
	f.Var().Id("Operations").Op("=").Index().Qual(RuntimePath, "Operation").ValuesFunc(func(g *jen.Group) {
		for _, op := range ops {
			g.Line().Add(op)
		}
		g.Line()
	})
	return f, nil
}

// specName is the spec's file name without its extension, which names the
// family of the package's operations in their descriptors.
func (e *emitter) specName() string {
	name := e.pkg.SpecFile
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		name = name[:i]
	}
	return name
}

// operationEntry is the wechatpay.Operation that describes op in the
// Operations table.
func (e *emitter) operationEntry(op *model.Operation) (jen.Code, error) {
	var params []jen.Code
	for _, p := range slices.Concat(op.PathParams, op.QueryParams, op.HeaderParams) {
		c, err := e.fieldEntry(p, p.JSONName, p.Required)
		if err != nil {
			return nil, err
		}
		params = append(params, c)
	}
	var body []jen.Code
	switch {
	case op.Body != nil:
		// The body itself, then what it holds, named from its root.
		c, err := e.fieldEntry(op.Body, op.Body.JSONName, op.Body.Required)
		if err != nil {
			return nil, err
		}
		body = append(body, c)
		s, prefix := op.Body.Schema, ""
		for s.Kind == model.KindArray {
			s, prefix = s.Elem, prefix+"[]"
		}
		if prefix != "" {
			prefix += "."
		}
		if s.IsStruct() {
			inner, err := e.bodyEntries(s.Named.Fields, s.Named.AnyOf, prefix, map[*model.Named]bool{s.Named: true})
			if err != nil {
				return nil, err
			}
			body = append(body, inner...)
		}
	case op.HasBody:
		var fields []*model.Field
		for _, f := range op.Request.Fields {
			if f.In == model.InBody || f.In == model.InForm {
				fields = append(fields, f)
			}
		}
		var err error
		if body, err = e.bodyEntries(fields, op.Request.AnyOf, "", map[*model.Named]bool{}); err != nil {
			return nil, err
		}
	}
	list := func(items []jen.Code) jen.Code {
		if len(items) == 0 {
			return jen.Nil()
		}
		return jen.Index().Qual(RuntimePath, "Field").ValuesFunc(func(g *jen.Group) {
			for _, it := range items {
				g.Line().Add(it)
			}
			g.Line()
		})
	}
	return jen.ValuesFunc(func(g *jen.Group) {
		g.Line().Id("ID").Op(":").Lit(op.ID)
		g.Line().Id("Name").Op(":").Lit(naming.Kebab(op.ID))
		g.Line().Id("Spec").Op(":").Lit(e.specName())
		g.Line().Id("Method").Op(":").Add(method(op.Method))
		g.Line().Id("PathTemplate").Op(":").Lit(op.Path)
		g.Line().Id("Summary").Op(":").Lit(op.Summary)
		if len(params) > 0 {
			g.Line().Id("Params").Op(":").Add(list(params))
		}
		g.Line().Id("HasBody").Op(":").Lit(op.HasBody)
		if len(body) > 0 {
			g.Line().Id("Body").Op(":").Add(list(body))
		}
		g.Line().Id("Call").Op(":").Id(invokerName(op.GoName))
		g.Line()
	}), nil
}

// bodyEntries describes the fields of a body, and below each field that
// holds an object (or an array of them) the fields of that object, named by
// their path. An object already being described (a recursive type) is not
// described again.
func (e *emitter) bodyEntries(fields []*model.Field, anyOf []*model.AnyOf, prefix string, open map[*model.Named]bool) ([]jen.Code, error) {
	var out []jen.Code
	for _, f := range fields {
		name := prefix + f.JSONName
		var extra []string
		for _, rule := range anyOf {
			for _, branch := range rule.Branches {
				if slices.Contains(branch, f) {
					extra = append(extra, anyOfMessage(rule))
					break
				}
			}
		}
		c, err := e.fieldEntry(f, name, f.Required, extra...)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		s, suffix := f.Schema, ""
		for s.Kind == model.KindArray {
			s, suffix = s.Elem, suffix+"[]"
		}
		if s.IsStruct() && !open[s.Named] {
			open[s.Named] = true
			inner, err := e.bodyEntries(s.Named.Fields, s.Named.AnyOf, name+suffix+".", open)
			delete(open, s.Named)
			if err != nil {
				return nil, err
			}
			out = append(out, inner...)
		}
	}
	return out, nil
}

// fieldEntry is the wechatpay.Field that describes f under name; extra are
// rules on the field besides those of its schema (anyOf rules).
func (e *emitter) fieldEntry(f *model.Field, name string, required bool, extra ...string) (jen.Code, error) {
	text, err := e.prose.text("rules", f)
	if err != nil {
		return nil, err
	}
	rules := strings.TrimSuffix(strings.Join(strings.Fields(text), " "), ";")
	if len(extra) > 0 {
		rules = strings.Join(append(slices.DeleteFunc([]string{rules}, func(s string) bool { return s == "" }), extra...), "; ")
	}
	in := "body"
	switch f.In {
	case model.InPath:
		in = "path"
	case model.InQuery:
		in = "query"
	case model.InHeader:
		in = "header"
	case model.InCookie:
		in = "cookie"
	}
	return jen.ValuesFunc(func(g *jen.Group) {
		g.Id("Name").Op(":").Lit(name)
		g.Id("In").Op(":").Lit(in)
		g.Id("Type").Op(":").Lit(typeText(f.Schema))
		g.Id("Required").Op(":").Lit(required)
		if rules != "" {
			g.Id("Rules").Op(":").Lit(rules)
		}
		if f.Description != "" {
			g.Id("Description").Op(":").Lit(f.Description)
		}
	}), nil
}

// typeText is the spec's name of the type of a value of schema s, as a
// wechatpay.Field says it.
func typeText(s *model.Schema) string {
	switch s.Kind {
	case model.KindInt32, model.KindInt64, model.KindUint32, model.KindUint64:
		return "integer"
	case model.KindMap:
		return "object of " + typeText(s.Elem)
	case model.KindReader:
		return "file"
	case model.KindBinary:
		return "bytes"
	case model.KindFloat64:
		return "number"
	case model.KindBool:
		return "boolean"
	case model.KindTime:
		return "date-time"
	case model.KindRaw:
		return "JSON"
	case model.KindArray:
		return "array of " + typeText(s.Elem)
	case model.KindNamed:
		switch {
		case s.Named.IsStruct():
			return "object"
		case s.IsUnion():
			var variants []string
			for _, v := range s.Named.Variants {
				variants = append(variants, typeText(v.Schema))
			}
			return "one of " + strings.Join(variants, ", ")
		case s.Named.EnumKind == model.KindFloat64:
			return "number"
		case s.Named.EnumKind != model.KindString:
			return "integer"
		}
	}
	return "string"
}

func (e *emitter) patternsFile() (*jen.File, error) {
	f := e.newFile()
	d, err := e.doc("patterns", e.pkg)
	if err != nil {
		return nil, err
	}
	addComments(f, d)
	f.Var().DefsFunc(func(g *jen.Group) {
		for _, p := range e.pkg.Patterns {
			g.Id(p.Var).Op("=").Qual("regexp", "MustCompile").Call(jen.Lit(p.Expr))
		}
	})
	return f, nil
}

func (e *emitter) typesFile() (*jen.File, error) {
	f := e.newFile()
	for i, n := range e.pkg.Shared {
		if i > 0 {
			f.Line()
		}
		if err := e.named(f, n); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// operationFile holds the Client method of an operation first, then its
// request type with the Validate method, its response type, and the types
// made for it alone, in the order the spec nests them.
func (e *emitter) operationFile(op *model.Operation) (*jen.File, error) {
	f := e.newFile()
	if err := e.call(f, op); err != nil {
		return nil, err
	}
	f.Line()
	if err := e.invoker(f, op); err != nil {
		return nil, err
	}
	owned := []*model.Named{op.Request}
	if op.Response != nil && op.Response.Role == model.RoleResponse {
		// A response shared by several operations is in types.go.
		owned = append(owned, op.Response)
	}
	for _, n := range op.Owned {
		if n != op.Request && n != op.Response {
			owned = append(owned, n)
		}
	}
	for _, n := range owned {
		f.Line()
		if err := e.named(f, n); err != nil {
			return nil, err
		}
		if n.Role == model.RoleRequest {
			f.Line()
			if err := e.requestValidate(f, n); err != nil {
				return nil, err
			}
		}
	}
	return f, nil
}

// named declares a named type, with its validate method when a request can
// carry it and it has rules to check.
func (e *emitter) named(f *jen.File, n *model.Named) error {
	switch n.Role {
	case model.RoleAlias:
		commentf(f, "%s is a value of the spec (%s).", n.GoName, n.Location)
		if n.Description != "" {
			addComments(f, []jen.Code{jen.Comment("//")})
			addComments(f, comments(n.Description))
		}
		f.Type().Id(n.GoName).Add(goType(n.Alias))
		return nil
	case model.RoleEnum:
		return e.enum(f, n)
	case model.RoleUnion:
		if err := e.union(f, n); err != nil {
			return err
		}
		return e.sensitiveMethods(f, n)
	}
	tmpl := map[model.Role]string{
		model.RoleRequest:  "request",
		model.RoleResponse: "response",
		model.RoleStruct:   "struct",
	}[n.Role]
	if len(n.Answers) > 0 {
		tmpl = "sharedResponse"
	}
	d, err := e.doc(tmpl, n)
	if err != nil {
		return err
	}
	var fields []jen.Code
	for i, fd := range n.Fields {
		if i > 0 {
			fields = append(fields, jen.Line())
		}
		d, err := e.doc("field", fd)
		if err != nil {
			return err
		}
		fields = append(fields, d...)
		typ := goType(fd.Schema)
		if fd.Pointer {
			typ = jen.Op("*").Add(typ)
		}
		tag := "-"
		if fd.In == model.InBody || fd.In == model.InForm {
			tag = fd.JSONName
			if !fd.Required || fd.ReadOnly {
				// The zero value of an optional field that is not a
				// pointer (a string, time, enum or slice) is never a
				// value WeChat Pay gives a meaning to: it means absent.
				// A read-only field is never sent.
				tag += ",omitzero"
			}
		}
		fields = append(fields, jen.Id(fd.GoName).Add(typ).Tag(map[string]string{"json": tag}))
	}
	if n.Role == model.RoleRequest && n.Op.Download != nil && n.Op.Download.Bill {
		// The bill download's request is what the runtime needs to fetch
		// and check the file.
		fields = append(fields, comments(wrap("BillDownload holds "+n.Op.Download.URLField+", hash_type and hash_value of the answer of the bill application, and how to write the file."))...)
		fields = append(fields, jen.Qual(RuntimePath, "BillDownload"))
	}
	addComments(f, d)
	f.Type().Id(n.GoName).Struct(fields...)
	if n.Role == model.RoleStruct && n.Validated && e.hasChecks(n) {
		f.Line()
		if err := e.nestedValidate(f, n); err != nil {
			return err
		}
	}
	if e.answerChecked[n] {
		f.Line()
		if err := e.checkAnswer(f, n); err != nil {
			return err
		}
	}
	return e.sensitiveMethods(f, n)
}

// sensitiveMethods emits the encrypted and decrypt methods of n, as a
// request or an answer carries it.
func (e *emitter) sensitiveMethods(f *jen.File, n *model.Named) error {
	encrypts := e.encrypts[n]
	if n.Role == model.RoleRequest {
		encrypts = e.opEncrypts[n.Op] && n.Op.Body == nil
	}
	if encrypts {
		f.Line()
		if err := e.encryptedMethod(f, n); err != nil {
			return err
		}
	}
	if e.decrypts[n] {
		f.Line()
		return e.decryptMethod(f, n)
	}
	return nil
}

func (e *emitter) enum(f *jen.File, n *model.Named) error {
	d, err := e.doc("enum", n)
	if err != nil {
		return err
	}
	addComments(f, d)
	f.Type().Id(n.GoName).Add(goType(&model.Schema{Kind: n.EnumKind}))
	f.Line()
	d, err = e.doc("enumValues", n)
	if err != nil {
		return err
	}
	addComments(f, d)
	f.Const().DefsFunc(func(g *jen.Group) {
		for _, v := range n.Enum {
			g.Id(v.GoName).Id(n.GoName).Op("=").Add(enumLiteral(n, v))
		}
	})
	f.Line()
	d, err = e.doc("known", n)
	if err != nil {
		return err
	}
	addComments(f, d)
	f.Func().Params(jen.Id("v").Id(n.GoName)).Id("Known").Params().Bool().Block(
		jen.Switch(jen.Id("v")).Block(
			jen.CaseFunc(func(g *jen.Group) {
				for _, v := range n.Enum {
					g.Id(v.GoName)
				}
			}).Block(jen.Return(jen.True())),
		),
		jen.Return(jen.False()),
	)
	return nil
}

// enumLiteral is the constant of an enum value: a string, or a number
// written as the spec's value is.
func enumLiteral(n *model.Named, v *model.EnumValue) jen.Code {
	if n.EnumKind == model.KindString {
		return jen.Lit(v.Value)
	}
	return jen.Op(v.Value)
}

// goType is the Go type of a value of schema s.
func goType(s *model.Schema) *jen.Statement {
	switch s.Kind {
	case model.KindString:
		return jen.String()
	case model.KindInt32:
		return jen.Int32()
	case model.KindInt64:
		return jen.Int64()
	case model.KindUint32:
		return jen.Uint32()
	case model.KindUint64:
		return jen.Uint64()
	case model.KindBytes:
		return jen.Index().Byte()
	case model.KindMap:
		return jen.Map(jen.String()).Add(goType(s.Elem))
	case model.KindReader:
		return jen.Qual("io", "Reader")
	case model.KindBinary:
		return jen.Index().Byte()
	case model.KindFloat64:
		return jen.Float64()
	case model.KindBool:
		return jen.Bool()
	case model.KindTime:
		return jen.Qual("time", "Time")
	case model.KindArray:
		return jen.Index().Add(goType(s.Elem))
	case model.KindNamed:
		return jen.Id(s.Named.GoName)
	}
	return jen.Qual("encoding/json", "RawMessage")
}
