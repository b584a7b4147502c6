package emit

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/dave/jennifer/jen"

	"github.com/payforge/wechatpay/generator/internal/model"
	"github.com/payforge/wechatpay/templates"
)

// prose executes the templates of package templates.
type prose struct {
	t *template.Template
}

func newProse() (*prose, error) {
	t, err := template.New("").Funcs(template.FuncMap{
		"join": strings.Join,
		"num":  formatNumber,
		"in": func(f *model.Field) string {
			switch f.In {
			case model.InPath:
				return "path"
			case model.InQuery:
				return "query"
			}
			return "body"
		},
		"wrap":   wrap,
		"isTime": func(f *model.Field) bool { return f.Schema.Kind == model.KindTime },
		"anyOf":  anyOfSentence,
		// methods links the Client methods of ops: "[Client.A], [Client.B]
		// and [Client.C]".
		"methods": func(ops []*model.Operation) string {
			links := make([]string, len(ops))
			for i, op := range ops {
				links[i] = "[Client." + op.GoName + "]"
			}
			if len(links) < 2 {
				return strings.Join(links, "")
			}
			return strings.Join(links[:len(links)-1], ", ") + " and " + links[len(links)-1]
		},
		"errorResponses": func(op *model.Operation) []*model.Response {
			var out []*model.Response
			for _, r := range op.Responses {
				if len(r.ErrorCodes) > 0 {
					out = append(out, r)
				}
			}
			return out
		},
	}).ParseFS(templates.FS, "*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parsing the templates: %v", err)
	}
	return &prose{t: t}, nil
}

// text executes the named template and tidies the result: trailing spaces
// and blank lines at either end are removed, runs of blank lines become one,
// and carriage returns are dropped.
func (p *prose) text(name string, data any) (string, error) {
	var buf bytes.Buffer
	if err := p.t.ExecuteTemplate(&buf, name, data); err != nil {
		return "", fmt.Errorf("executing template %s: %v", name, err)
	}
	var lines []string
	blank := true
	for _, line := range strings.Split(strings.ReplaceAll(buf.String(), "\r", ""), "\n") {
		line = strings.TrimRight(line, " \t")
		if line == "" {
			if !blank {
				lines = append(lines, "")
			}
			blank = true
			continue
		}
		lines = append(lines, line)
		blank = false
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n"), nil
}

// comments turns text into line comments, one jen.Comment a line. A blank
// line becomes a bare "//", which jen writes as is.
func comments(text string) []jen.Code {
	if text == "" {
		return nil
	}
	var out []jen.Code
	for _, line := range strings.Split(text, "\n") {
		if line == "" {
			out = append(out, jen.Comment("//"))
		} else {
			out = append(out, jen.Comment(sanitize(line)))
		}
	}
	return out
}

// sanitize keeps a comment line from being read as the start of a
// formatting-disabled comment by jen, and drops control characters.
func sanitize(line string) string {
	line = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, line)
	if strings.HasPrefix(line, "//") || strings.HasPrefix(line, "/*") {
		line = " " + line
	}
	return line
}

// formatNumber writes a bound from the spec the shortest way: 1, 0.5, 1e+21.
func formatNumber(v *float64) string {
	return strconv.FormatFloat(*v, 'g', -1, 64)
}

// addComments adds comment lines at the top level of f, one line each.
func addComments(f *jen.File, lines []jen.Code) {
	for _, c := range lines {
		f.Add(c)
	}
}

// wrapWidth is the width, in characters, that wrap fills lines to.
const wrapWidth = 80

// wrap fills a sentence the generator writes into lines of at most
// wrapWidth characters, where its words allow.
func wrap(text string) string {
	var b strings.Builder
	width := 0
	for i, word := range strings.Fields(text) {
		n := utf8.RuneCountInString(word)
		switch {
		case i == 0:
		case width+1+n > wrapWidth:
			b.WriteByte('\n')
			width = 0
		default:
			b.WriteByte(' ')
			width++
		}
		b.WriteString(word)
		width += n
	}
	return b.String()
}
