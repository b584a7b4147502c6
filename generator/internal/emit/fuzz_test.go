package emit

import (
	"go/parser"
	"go/token"
	"regexp"
	"testing"
	"unicode"

	"github.com/payforge/wechatpay/generator/internal/model"
	"github.com/payforge/wechatpay/generator/internal/naming"
)

// prosePackage is a small model whose every piece of prose is one of the
// given strings: the spec's title, description and file name, an
// operation's summary and description, a field's description, example and
// pattern, an enum value and an error code.
func prosePackage(title, description, summary, enumValue, example, pattern string) *model.Package {
	enum := &model.Named{GoName: "State", Role: model.RoleEnum, Description: description, Location: "components.schemas.State", Validated: true}
	enum.Enum = append(enum.Enum, &model.EnumValue{GoName: "StateOff", Value: "OFF"})
	if word, err := naming.Exported(enumValue); err == nil && enumValue != "OFF" && word != "Off" {
		enum.Enum = append(enum.Enum, &model.EnumValue{GoName: "State" + word, Value: enumValue})
	}
	note := &model.Schema{Kind: model.KindString}
	if _, err := regexp.Compile(pattern); err == nil {
		note.Pattern = &model.Pattern{Var: "notePattern", Expr: pattern}
	}
	op := &model.Operation{
		ID: "makeThing", GoName: "MakeThing", Method: "POST", Path: "/x",
		Segments: []model.Segment{{Literal: "/x"}},
		Summary:  summary, Description: description, DocURL: example, Location: "paths./x.post",
		HasBody: true,
		Responses: []*model.Response{
			{Status: "200", Description: description},
			{Status: "400", Description: summary, ErrorCodes: []string{enumValue}},
		},
	}
	req := &model.Named{GoName: "MakeThingRequest", Role: model.RoleRequest, Op: op, Description: summary, Validated: true}
	req.Fields = []*model.Field{
		{JSONName: "note", GoName: "Note", Schema: note, Required: true, Description: description, Example: example},
		{JSONName: "state", GoName: "State", Schema: &model.Schema{Kind: model.KindNamed, Named: enum}, Required: true, Description: example},
	}
	op.Request = req
	op.Owned = []*model.Named{req, enum}
	enum.Op = op
	pkg := &model.Package{
		Name: "p", ImportPath: "example.com/p", SpecFile: title + ".yaml",
		Title: title, Version: summary, Description: description, DocURL: example,
		Operations: []*model.Operation{op}, Main: op,
	}
	if note.Pattern != nil {
		pkg.Patterns = []*model.Pattern{note.Pattern}
	}
	return pkg
}

// FuzzEmitProse feeds arbitrary text, invalid UTF-8 included, to every
// place the emitter writes spec prose: Emit must succeed, every file it
// makes must parse, and no comment may hold a control or format character.
func FuzzEmitProse(f *testing.F) {
	f.Add("Title", "A description.", "A summary.", "ON", "an example", `^[a-z]+$`)
	f.Add("\ufeffT", "line\u2028separator", "\u202eRLO", "A\u200bB", "\x00\xff\xfe", "^[^\ufeff]*$")
	f.Add("*/ /*", "// not a directive\n//go:generate x", "\t\tcode", "`", "\"quoted\"", `\`)
	f.Fuzz(func(t *testing.T, title, description, summary, enumValue, example, pattern string) {
		files, err := Emit(prosePackage(title, description, summary, enumValue, example, pattern))
		if err != nil {
			t.Fatalf("Emit: %v", err)
		}
		fset := token.NewFileSet()
		for _, f := range files {
			file, err := parser.ParseFile(fset, f.Name, f.Data, parser.ParseComments)
			if err != nil {
				t.Fatalf("%s does not parse: %v\n%s", f.Name, err, f.Data)
			}
			for _, group := range file.Comments {
				for _, c := range group.List {
					for _, r := range c.Text {
						if r != '\t' && (unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)) {
							t.Fatalf("%s: a comment holds %U: %q", f.Name, r, c.Text)
						}
					}
				}
			}
		}
	})
}
