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
	return []string{"Client", "NewClient", "Operation", "Operations", "Param"}
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
)

// Emit renders the package: one file for the package documentation, one for
// the client and its table of operations, one per operation, one each for
// shared types and patterns when there are any, and example_test.go with an
// Example per operation. Every file starts with the line of package header.
// Files are sorted by name.
func Emit(pkg *model.Package) ([]File, error) {
	p, err := newProse()
	if err != nil {
		return nil, err
	}
	e := &emitter{pkg: pkg, prose: p, checked: map[*model.Named]bool{}}
	e.header = strings.TrimPrefix(header.Line(pkg.SpecFile), "// ")
	e.findChecks()

	var files []File
	add := func(name string, f *jen.File, err error) error {
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := f.Render(&buf); err != nil {
			return fmt.Errorf("rendering %s: %v", name, err)
		}
		// jennifer sorts the imports as one block; goimports groups them
		// the way people write them: the standard library, then the rest.
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
	"DELETE": "MethodDelete",
	"GET":    "MethodGet",
	"PATCH":  "MethodPatch",
	"POST":   "MethodPost",
	"PUT":    "MethodPut",
}

func method(m string) *jen.Statement {
	return jen.Qual("net/http", httpMethods[m])
}

func (e *emitter) clientFile() (*jen.File, error) {
	f := e.newFile()
	var err error
	docs := func(name string, data any) []jen.Code {
		if err != nil {
			return nil
		}
		var c []jen.Code
		c, err = e.doc(name, data)
		return c
	}

	addComments(f, docs("client", e.pkg))
	f.Type().Id("Client").Struct(
		jen.Id("rt").Op("*").Qual(RuntimePath, "Client"),
	)
	f.Line()
	addComments(f, docs("newClient", e.pkg))
	f.Func().Id("NewClient").Params(jen.Id("rt").Op("*").Qual(RuntimePath, "Client")).Op("*").Id("Client").Block(
		jen.Return(jen.Op("&").Id("Client").Values(jen.Id("rt").Op(":").Id("rt"))),
	)
	f.Line()
	addComments(f, docs("operationType", e.pkg))
	callSig := jen.Func().Params(
		jen.Id("ctx").Qual("context", "Context"),
		jen.Id("c").Op("*").Id("Client"),
		jen.Id("params").Map(jen.String()).String(),
		jen.Id("body").Index().Byte(),
	).Params(jen.Any(), jen.Error())
	var fields []jen.Code
	for i, fd := range []struct {
		name string
		typ  jen.Code
	}{
		{"ID", jen.String()},
		{"Method", jen.String()},
		{"PathTemplate", jen.String()},
		{"Summary", jen.String()},
		{"Params", jen.Index().Id("Param")},
		{"HasBody", jen.Bool()},
		{"Call", callSig},
	} {
		if i > 0 {
			fields = append(fields, jen.Line())
		}
		fields = append(fields, docs("operation"+fd.name, e.pkg)...)
		fields = append(fields, jen.Id(fd.name).Add(fd.typ))
	}
	f.Type().Id("Operation").Struct(fields...)
	f.Line()
	addComments(f, docs("paramType", e.pkg))
	fields = nil
	for i, fd := range []struct {
		name, doc string
		typ       jen.Code
	}{
		{"Name", "paramName", jen.String()},
		{"In", "paramIn", jen.String()},
		{"Type", "paramType_", jen.String()},
		{"Required", "paramRequired", jen.Bool()},
		{"Description", "paramDescription", jen.String()},
	} {
		if i > 0 {
			fields = append(fields, jen.Line())
		}
		fields = append(fields, docs(fd.doc, e.pkg)...)
		fields = append(fields, jen.Id(fd.name).Add(fd.typ))
	}
	f.Type().Id("Param").Struct(fields...)
	f.Line()
	addComments(f, docs("operations", e.pkg))
	var ops []jen.Code
	for _, op := range e.pkg.Operations {
		params := jen.Index().Id("Param").ValuesFunc(func(g *jen.Group) {
			for _, p := range append(append([]*model.Field{}, op.PathParams...), op.QueryParams...) {
				in := "path"
				if p.In == model.InQuery {
					in = "query"
				}
				g.Line().Values(
					jen.Id("Name").Op(":").Lit(p.JSONName),
					jen.Id("In").Op(":").Lit(in),
					jen.Id("Type").Op(":").Lit(specType(p.Schema)),
					jen.Id("Required").Op(":").Lit(p.Required),
					jen.Id("Description").Op(":").Lit(p.Description),
				)
			}
			if len(op.PathParams)+len(op.QueryParams) > 0 {
				g.Line()
			}
		})
		ops = append(ops, jen.Values(
			jen.Line().Id("ID").Op(":").Lit(op.ID),
			jen.Line().Id("Method").Op(":").Add(method(op.Method)),
			jen.Line().Id("PathTemplate").Op(":").Lit(op.Path),
			jen.Line().Id("Summary").Op(":").Lit(op.Summary),
			jen.Line().Id("Params").Op(":").Add(params),
			jen.Line().Id("HasBody").Op(":").Lit(op.HasBody),
			jen.Line().Id("Call").Op(":").Id(invokerName(op.GoName)),
			jen.Line(),
		))
	}
	f.Var().Id("Operations").Op("=").Index().Id("Operation").ValuesFunc(func(g *jen.Group) {
		for _, op := range ops {
			g.Line().Add(op)
		}
		g.Line()
	})
	return f, err
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
	if n.Role == model.RoleEnum {
		return e.enum(f, n)
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
		if fd.In == model.InBody {
			tag = fd.JSONName
			if !fd.Required {
				// The zero value of an optional field that is not a
				// pointer (a string, time, enum or slice) is never a
				// value WeChat Pay gives a meaning to: it means absent.
				tag += ",omitzero"
			}
		}
		fields = append(fields, jen.Id(fd.GoName).Add(typ).Tag(map[string]string{"json": tag}))
	}
	addComments(f, d)
	f.Type().Id(n.GoName).Struct(fields...)
	if n.Role == model.RoleStruct && n.Validated && e.hasChecks(n) {
		f.Line()
		return e.nestedValidate(f, n)
	}
	return nil
}

func (e *emitter) enum(f *jen.File, n *model.Named) error {
	d, err := e.doc("enum", n)
	if err != nil {
		return err
	}
	addComments(f, d)
	f.Type().Id(n.GoName).String()
	f.Line()
	d, err = e.doc("enumValues", n)
	if err != nil {
		return err
	}
	addComments(f, d)
	f.Const().DefsFunc(func(g *jen.Group) {
		for _, v := range n.Enum {
			g.Id(v.GoName).Id(n.GoName).Op("=").Lit(v.Value)
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

// goType is the Go type of a value of schema s.
func goType(s *model.Schema) *jen.Statement {
	switch s.Kind {
	case model.KindString:
		return jen.String()
	case model.KindInt32:
		return jen.Int32()
	case model.KindInt64:
		return jen.Int64()
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
