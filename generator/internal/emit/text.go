package emit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf8"

	"github.com/dave/jennifer/jen"

	"github.com/payforge/wechatpay/generator/internal/model"
	"github.com/payforge/wechatpay/templates"
)

// prose executes the templates of package templates.
type prose struct {
	t *template.Template
}

// hooks are what the templates ask the emitter: whether the objects of an
// answer of a schema have presence checks, whether an operation encrypts
// sensitive fields of its request and decrypts those of its answer. A nil
// hook answers false.
type hooks struct {
	answerChecked func(*model.Schema) bool
	encrypts      func(*model.Operation) bool
	decrypts      func(*model.Operation) bool
}

// newProse parses the templates.
func newProse(h hooks) (*prose, error) {
	if h.answerChecked == nil {
		h.answerChecked = func(*model.Schema) bool { return false }
	}
	if h.encrypts == nil {
		h.encrypts = func(*model.Operation) bool { return false }
	}
	if h.decrypts == nil {
		h.decrypts = func(*model.Operation) bool { return false }
	}
	t, err := template.New("").Funcs(template.FuncMap{
		"join":           strings.Join,
		"callbackEvents": callbackEvents,
		"num":            formatNumber,
		"in": func(f *model.Field) string {
			switch f.In {
			case model.InPath:
				return "path"
			case model.InQuery:
				return "query"
			case model.InHeader:
				return "header"
			case model.InCookie:
				return "cookie"
			}
			return "body"
		},
		"wrap": wrap,
		// count writes a length or a number of items with its noun:
		// "1 character", "32 characters".
		"count": func(n *uint64, one, many string) string {
			if *n == 1 {
				return "1 " + one
			}
			return strconv.FormatUint(*n, 10) + " " + many
		},
		"isTime":  func(f *model.Field) bool { return f.Schema.Kind == model.KindTime },
		"isArray": func(f *model.Field) bool { return f.Schema.Kind == model.KindArray },
		"isMap":   func(f *model.Field) bool { return f.Schema.Kind == model.KindMap },
		// defaultOf is a field's default as JSON, or "" without one.
		"defaultOf": func(f *model.Field) string {
			if f.Default == nil {
				return ""
			}
			data, err := json.Marshal(f.Default)
			if err != nil {
				return ""
			}
			return string(data)
		},
		"isTimeSchema": func(s *model.Schema) bool { return s.Kind == model.KindTime },
		// enumOf is the enum type of a schema, or nil.
		"enumOf": func(s *model.Schema) *model.Named {
			if s.IsEnum() {
				return s.Named
			}
			return nil
		},
		// values lists the values of an enum: "A, B".
		"values": func(n *model.Named) string {
			var vs []string
			for _, v := range n.Enum {
				vs = append(vs, v.Value)
			}
			return strings.Join(vs, ", ")
		},
		"anyOf": anyOfSentence,
		// variantType is the spec's type of a variant of a union.
		"variantType": func(v *model.Variant) string {
			if v.Schema.Kind == model.KindNamed {
				return typeText(v.Schema) + " " + v.Schema.Named.GoName
			}
			return typeText(v.Schema)
		},
		// enumKind says what an enum's values are: "a string", "an
		// integer", "a number".
		"enumKind": func(n *model.Named) string {
			switch n.EnumKind {
			case model.KindString:
				return "a string"
			case model.KindFloat64:
				return "a number"
			}
			return "an integer"
		},
		// answerChecked reports whether an answer of schema s has its
		// objects' presence checks.
		"answerChecked": h.answerChecked,
		"encrypts":      h.encrypts,
		"decrypts":      h.decrypts,
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
		// echoes says what the answer echoes: "service_id and
		// out_contract_code as sent, and mchid as the client's merchant ID".
		"echoes": func(echoes []*model.Echo) string {
			var sent, client []string
			for _, e := range echoes {
				if e.Request == nil {
					client = append(client, e.Answer.JSONName)
				} else {
					sent = append(sent, e.Answer.JSONName)
				}
			}
			var parts []string
			if len(sent) > 0 {
				parts = append(parts, andList(sent)+" as sent")
			}
			if len(client) > 0 {
				parts = append(parts, andList(client)+" as the client's merchant ID")
			}
			return strings.Join(parts, ", and ")
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

// comments turns text into line comments, one jen.Comment a line, each
// line wrapped (see wrapLine). A blank line becomes a bare "//", which jen
// writes as is.
func comments(text string) []jen.Code {
	if text == "" {
		return nil
	}
	var out []jen.Code
	for _, line := range commentLines(text) {
		if line == "" {
			out = append(out, jen.Comment("//"))
		} else {
			out = append(out, jen.Comment(line))
		}
	}
	return out
}

// commentLines cuts text into the lines of a comment, sanitized. A
// paragraph or a list item that has a line longer than wrapWidth is filled
// again (see wrapLine); one that fits keeps the line breaks it was written
// with. Lines indented with a tab (code) are kept as they are.
func commentLines(text string) []string {
	var out, unit []string
	flush := func() {
		if len(unit) == 0 {
			return
		}
		long := false
		for _, l := range unit {
			long = long || utf8.RuneCountInString(l) > wrapWidth
		}
		if !long {
			out = append(out, unit...)
		} else {
			body := strings.TrimLeft(unit[0], " ")
			indent := unit[0][:len(unit[0])-len(body)]
			words := strings.Fields(strings.Join(unit, " "))
			out = append(out, wrapLine(indent+strings.Join(words, " "), wrapWidth)...)
		}
		unit = nil
	}
	for _, line := range strings.Split(text, "\n") {
		line = sanitize(line)
		body := strings.TrimLeft(line, " ")
		switch {
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, "\t"):
			flush()
			out = append(out, line)
		case listMarker.MatchString(body):
			flush()
			unit = []string{line}
		case len(unit) > 0 && listMarker.MatchString(strings.TrimLeft(unit[0], " ")) && body == line:
			// Text in the first column after a list item ends the list.
			flush()
			unit = []string{line}
		default:
			unit = append(unit, line)
		}
	}
	flush()
	return out
}

// sanitize makes a line of text, spec prose included, safe and visible in a
// // comment: invalid UTF-8 becomes U+FFFD; line and paragraph separators
// (U+2028, U+2029) become spaces; control characters but the tab, and
// Unicode format characters (a byte order mark, zero-width spaces,
// bidirectional overrides) are dropped, as gofmt refuses some and the
// others would hide or reorder text. A line that would start a block or a
// formatting-disabled comment for jen gets a space in front.
func sanitize(line string) string {
	line = strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return r
		case unicode.In(r, unicode.Zl, unicode.Zp):
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, strings.ToValidUTF8(line, "\uFFFD"))
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

// wrapWidth is the width, in characters, that comment lines are filled to;
// a single word longer than that (a URL, a path) stays whole.
const wrapWidth = 80

// wrap fills a sentence the generator writes into lines of at most
// wrapWidth characters, where its words allow.
func wrap(text string) string {
	return strings.Join(wrapLine(strings.Join(strings.Fields(text), " "), wrapWidth), "\n")
}

// wrapLine cuts a comment line longer than width characters into lines of
// at most width, at spaces. A line indented with a tab (code in a doc
// comment) is never cut. A list item ("- x", "  - x", "1. x") continues
// indented under its text, as gofmt lays out doc comment lists. No line is
// made to start with a word that would turn it into a list item.
func wrapLine(line string, width int) []string {
	if utf8.RuneCountInString(line) <= width || strings.HasPrefix(line, "\t") {
		return []string{line}
	}
	body := strings.TrimLeft(line, " ")
	indent := line[:len(line)-len(body)]
	cont := indent
	if m := listMarker.FindString(body); m != "" {
		cont = indent + strings.Repeat(" ", len(m))
	}
	words := strings.Fields(body)
	var lines []string
	cur := indent + words[0]
	n := utf8.RuneCountInString(cur)
	for i := 1; i < len(words); i++ {
		w := words[i]
		wn := utf8.RuneCountInString(w)
		// A word that would start a line as a list marker stays with the
		// word before it.
		breakable := !listMarker.MatchString(w + " ")
		if n+1+wn > width && breakable {
			lines = append(lines, cur)
			cur, n = cont+w, len(cont)+wn
			continue
		}
		cur += " " + w
		n += 1 + wn
	}
	return append(lines, cur)
}

// listMarker matches the marker of a list item at the start of a doc
// comment line's text.
var listMarker = regexp.MustCompile(`^([-*+]|[0-9]+[.)]) `)

// andList joins words as a sentence does: "a", "a and b", "a, b and c".
func andList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
