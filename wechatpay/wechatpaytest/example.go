package wechatpaytest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// An operation no behaviour serves is answered with an example the sandbox
// builds once, when the server starts, from its spec: the success response
// (the lowest 2xx status the operation lists) with the first example found
// of, in order, the media type's example, its first named example (by name),
// the schema's example, or one built from the schema. The answer is checked
// against the spec with openapi3filter.ValidateResponse; an operation whose
// example breaks its own spec stops NewServer with an error naming it.

// maxExampleDepth bounds the nesting of a built example, so that a schema
// that contains itself ends.
const maxExampleDepth = 12

// exampleTime is the time in built examples of format date-time, the time of
// WeChat Pay's own examples.
const exampleTime = "2020-09-10T13:29:35+08:00"

// exampleHandler returns the handler answering route's example, or an error
// saying why none could be built. Like WeChat Pay, whose answers echo the
// identifiers of the request they answer, it answers the example with the
// request's values in their place (see echo).
func exampleHandler(route *routers.Route, mchID string) (Handler, error) {
	resp, err := buildExample(route)
	if err != nil {
		return nil, err
	}
	return func(c *Call) (*Response, error) {
		answer := &Response{Status: resp.Status, Header: resp.Header.Clone(), Body: resp.Body}
		if body, ok := echo(resp.Body, c, mchID); ok {
			echoed := &Response{Status: resp.Status, Header: answer.Header, Body: body}
			if checkAnswer(route, echoed) == nil {
				answer = echoed
			}
		}
		return answer, nil
	}, nil
}

// echo returns the JSON object example with each top-level property that
// names a value of the request set to that value, as the generated clients
// expect of an answer (they compare what WeChat Pay echoes with what was
// sent): a path or query parameter, or a top-level string or number of the
// JSON request body, of the same name; and "mchid" set to the sandbox's
// merchant ID when the request names none. Parameters travel as text; a
// number in the example gets the parameter's value as a number. It reports
// false when nothing changed, or the example is not a JSON object. A result
// that breaks the spec is not answered (the caller checks).
func echo(example []byte, c *Call, mchID string) ([]byte, bool) {
	var answer map[string]json.RawMessage
	if json.Unmarshal(example, &answer) != nil || answer == nil {
		return nil, false
	}
	sent := map[string]json.RawMessage{}
	var body map[string]json.RawMessage
	if json.Unmarshal(c.Body, &body) == nil {
		for name, v := range body {
			if t := bytes.TrimSpace(v); len(t) > 0 && (t[0] == '"' || t[0] == '-' || t[0] >= '0' && t[0] <= '9') {
				sent[name] = v
			}
		}
	}
	text := map[string]string{}
	if c.Request != nil {
		for name, vs := range c.Request.URL.Query() {
			if len(vs) == 1 {
				text[name] = vs[0]
			}
		}
	}
	maps.Copy(text, c.PathParams)
	if _, ok := text["mchid"]; !ok && sent["mchid"] == nil {
		text["mchid"] = mchID
	}
	changed := false
	for name, old := range answer {
		v, ok := sent[name]
		if s, isText := text[name]; isText {
			v, ok = textValue(old, s)
		}
		if ok && !bytes.Equal(v, old) {
			answer[name] = v
			changed = true
		}
	}
	if !changed {
		return nil, false
	}
	out, err := marshal(answer)
	return out, err == nil
}

// textValue is s, a parameter's text, as the JSON value that replaces old: a
// number when old is one and s reads as one, a string otherwise.
func textValue(old json.RawMessage, s string) (json.RawMessage, bool) {
	if t := bytes.TrimSpace(old); len(t) > 0 && t[0] != '"' {
		if _, err := strconv.ParseFloat(s, 64); err != nil || !json.Valid([]byte(s)) {
			return nil, false
		}
		return json.RawMessage(s), true
	}
	b, err := marshal(s)
	return b, err == nil
}

// buildExample builds route's example answer and checks it against the spec.
func buildExample(route *routers.Route) (*Response, error) {
	status, resp, err := successResponse(route.Operation)
	if err != nil {
		return nil, err
	}
	answer := &Response{Status: status, Header: make(http.Header)}
	for _, name := range slices.Sorted(maps.Keys(resp.Headers)) {
		h := resp.Headers[name].Value
		if h == nil || !h.Required {
			continue
		}
		v, err := headerExample(h)
		if err != nil {
			return nil, fmt.Errorf("%d answer, header %s: %w", status, name, err)
		}
		answer.Header.Set(name, v)
	}
	if len(resp.Content) > 0 {
		mediaType, mt := pickMediaType(resp.Content)
		v, err := mediaExample(mt)
		if err != nil {
			return nil, fmt.Errorf("%d answer, %s: %w", status, mediaType, err)
		}
		if isJSON(mediaType) {
			if answer.Body, err = marshal(v); err != nil {
				return nil, err
			}
		} else {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("%d answer, %s: give a string example for a body that is not JSON", status, mediaType)
			}
			answer.Body = []byte(s)
		}
		answer.Header.Set("Content-Type", mediaType)
	}
	if err := checkAnswer(route, answer); err != nil {
		return nil, fmt.Errorf("the example %d answer breaks the spec: %w", status, err)
	}
	return answer, nil
}

// successResponse returns the lowest 2xx response the operation lists.
func successResponse(op *openapi3.Operation) (int, *openapi3.Response, error) {
	best, key := 0, ""
	for k := range op.Responses.Map() {
		code := 0
		switch {
		case k == "2XX" || k == "2xx":
			code = http.StatusOK
		default:
			n, err := strconv.Atoi(k)
			if err != nil || n < 200 || n > 299 {
				continue
			}
			code = n
		}
		if best == 0 || code < best || (code == best && k != "2XX" && k != "2xx") {
			best, key = code, k
		}
	}
	if best == 0 {
		return 0, nil, errors.New("it lists no 2xx answer to build an example from")
	}
	ref := op.Responses.Value(key)
	if ref == nil || ref.Value == nil {
		return 0, nil, fmt.Errorf("its %s answer is not resolved", key)
	}
	return best, ref.Value, nil
}

// pickMediaType prefers application/json, then any JSON type, then the
// first by name.
func pickMediaType(content openapi3.Content) (string, *openapi3.MediaType) {
	if mt := content["application/json"]; mt != nil {
		return "application/json", mt
	}
	names := slices.Sorted(maps.Keys(content))
	for _, name := range names {
		if isJSON(name) {
			return name, content[name]
		}
	}
	return names[0], content[names[0]]
}

func isJSON(mediaType string) bool {
	base, _, _ := strings.Cut(mediaType, ";")
	base = strings.TrimSpace(strings.ToLower(base))
	return base == "application/json" || strings.HasSuffix(base, "+json")
}

// mediaExample returns the example of a media type, or builds one.
func mediaExample(mt *openapi3.MediaType) (any, error) {
	if mt.Example != nil {
		return mt.Example, nil
	}
	for _, name := range slices.Sorted(maps.Keys(mt.Examples)) {
		if ex := mt.Examples[name]; ex != nil && ex.Value != nil && ex.Value.Value != nil {
			return ex.Value.Value, nil
		}
	}
	if mt.Schema == nil {
		return nil, errors.New("no example and no schema")
	}
	return example(mt.Schema, "", 0)
}

// headerExample returns a value for a response header.
func headerExample(h *openapi3.Header) (string, error) {
	v := h.Example
	if v == nil && h.Schema != nil {
		var err error
		if v, err = example(h.Schema, "", 0); err != nil {
			return "", err
		}
	}
	switch v := v.(type) {
	case nil:
		return "", errors.New("no example and no schema")
	case string:
		return v, nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	default:
		return fmt.Sprint(v), nil
	}
}

// example returns an example value of the schema at path (a JSON pointer,
// for errors), as encoding/json decodes JSON: maps, slices, float64,
// strings and booleans. Stated examples, enums and defaults come first.
func example(ref *openapi3.SchemaRef, path string, depth int) (any, error) {
	if ref == nil || ref.Value == nil {
		return nil, fmt.Errorf("%s: schema not resolved", pointerOrRoot(path))
	}
	s := ref.Value
	if depth > maxExampleDepth {
		return nil, fmt.Errorf("%s: schema nested too deep to build an example; give one", pointerOrRoot(path))
	}
	switch {
	case s.Example != nil:
		return s.Example, nil
	case len(s.Examples) > 0:
		return s.Examples[0], nil
	case s.Const != nil:
		return s.Const, nil
	case len(s.Enum) > 0:
		return s.Enum[0], nil
	case len(knownValues(s)) > 0:
		return knownValues(s)[0], nil
	case s.Default != nil:
		return s.Default, nil
	case len(s.AllOf) > 0:
		return allOfExample(s, path, depth)
	case len(s.OneOf) > 0 || len(s.AnyOf) > 0:
		for _, alt := range append(slices.Clone(s.OneOf), s.AnyOf...) {
			v, err := example(alt, path, depth+1)
			if err == nil && s.VisitJSON(v) == nil {
				return v, nil
			}
		}
		if s.Properties == nil {
			return nil, fmt.Errorf("%s: no alternative gives a valid example; give one", pointerOrRoot(path))
		}
	}
	switch {
	case s.Type.Is(openapi3.TypeObject) || (s.Type == nil && len(s.Properties) > 0):
		return objectExample(s, path, depth)
	case s.Type.Is(openapi3.TypeArray) || (s.Type == nil && s.Items != nil):
		return arrayExample(s, path, depth)
	case s.Type.Is(openapi3.TypeString):
		return first(s, path, stringCandidates(s))
	case s.Type.Is(openapi3.TypeInteger), s.Type.Is(openapi3.TypeNumber):
		return first(s, path, numberCandidates(s))
	case s.Type.Is(openapi3.TypeBoolean):
		return first(s, path, []any{false, true})
	case s.Type == nil:
		return "example", nil // any value fits a schema without a type
	}
	return nil, fmt.Errorf("%s: cannot build an example of type %v; give one", pointerOrRoot(path), s.Type.Slice())
}

// knownValues reads x-wechatpay-known-values, the values an open string
// takes in WeChat Pay's examples.
func knownValues(s *openapi3.Schema) []any {
	vs, _ := s.Extensions["x-wechatpay-known-values"].([]any)
	return vs
}

// first returns the first candidate the schema accepts.
func first(s *openapi3.Schema, path string, candidates []any) (any, error) {
	var err error
	for _, c := range candidates {
		if err = s.VisitJSON(c); err == nil {
			return c, nil
		}
	}
	return nil, fmt.Errorf("%s: no built value fits the schema (%s); give an example", pointerOrRoot(path), shortReason(err))
}

// objectExample fills every property it can, or only the required ones when
// the whole breaks a rule of the object.
func objectExample(s *openapi3.Schema, path string, depth int) (any, error) {
	full, required := map[string]any{}, map[string]any{}
	for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
		prop := s.Properties[name]
		if prop.Value != nil && prop.Value.WriteOnly {
			continue
		}
		v, err := example(prop, path+"/"+name, depth+1)
		isRequired := slices.Contains(s.Required, name)
		switch {
		case err != nil && isRequired:
			return nil, err
		case err != nil:
			continue
		}
		full[name] = v
		if isRequired {
			required[name] = v
		}
	}
	if s.VisitJSON(full) == nil {
		return full, nil
	}
	err := s.VisitJSON(required)
	if err == nil {
		return required, nil
	}
	return nil, fmt.Errorf("%s: the built object breaks the schema (%s); give an example", pointerOrRoot(path), shortReason(err))
}

func arrayExample(s *openapi3.Schema, path string, depth int) (any, error) {
	n := max(s.MinItems, 1)
	if s.MaxItems != nil {
		n = min(n, *s.MaxItems)
	}
	if s.UniqueItems && n > 1 {
		return nil, fmt.Errorf("%s: cannot build %d unique items; give an example", pointerOrRoot(path), n)
	}
	items := make([]any, 0, n)
	if n > 0 {
		v, err := example(s.Items, path+"/0", depth+1)
		if err != nil {
			return nil, err
		}
		for range n {
			items = append(items, v)
		}
	}
	return items, nil
}

func allOfExample(s *openapi3.Schema, path string, depth int) (any, error) {
	merged := map[string]any{}
	for _, part := range s.AllOf {
		v, err := example(part, path, depth+1)
		if err != nil {
			return nil, err
		}
		m, ok := v.(map[string]any)
		if !ok {
			if len(s.AllOf) == 1 {
				return v, nil
			}
			return nil, fmt.Errorf("%s: cannot merge allOf parts that are not objects; give an example", pointerOrRoot(path))
		}
		maps.Copy(merged, m)
	}
	if s.Properties != nil {
		own, err := objectExample(s, path, depth)
		if err != nil {
			return nil, err
		}
		maps.Copy(merged, own.(map[string]any))
	}
	return merged, nil
}

// stringCandidates are strings for s: by format, from its pattern, then a
// plain word fitted to its lengths.
func stringCandidates(s *openapi3.Schema) []any {
	var out []any
	switch s.Format {
	case "date-time":
		out = append(out, exampleTime)
	case "date":
		out = append(out, exampleTime[:10])
	case "time":
		out = append(out, exampleTime[11:])
	case "uri", "url":
		out = append(out, "https://example.com/")
	case "email":
		out = append(out, "user@example.com")
	case "uuid":
		out = append(out, "00000000-0000-0000-0000-000000000000")
	case "byte":
		out = append(out, "ZXhhbXBsZQ==")
	case "ipv4":
		out = append(out, "192.0.2.1")
	case "ipv6":
		out = append(out, "2001:db8::1")
	}
	if s.Pattern != "" {
		for extra := 0; extra <= max(int(s.MinLength), 1); extra++ {
			if v, ok := fromPattern(s.Pattern, extra); ok {
				out = append(out, v)
			}
		}
	}
	word := "example"
	for utf8.RuneCountInString(word) < int(s.MinLength) {
		word += "x"
	}
	if s.MaxLength != nil && uint64(utf8.RuneCountInString(word)) > *s.MaxLength {
		word = string([]rune(word)[:*s.MaxLength])
	}
	return append(out, word)
}

// numberCandidates are numbers for s: near its bounds, then 1 and 0.
func numberCandidates(s *openapi3.Schema) []any {
	var out []float64
	step := 1.0
	if s.MultipleOf != nil && *s.MultipleOf > 0 {
		step = *s.MultipleOf
	}
	if s.Min != nil {
		lo := math.Ceil(*s.Min/step) * step
		out = append(out, lo, lo+step)
	}
	if s.ExclusiveMin.Value != nil {
		lo := (math.Floor(*s.ExclusiveMin.Value/step) + 1) * step
		out = append(out, lo)
	}
	if s.Max != nil {
		hi := math.Floor(*s.Max/step) * step
		out = append(out, hi, hi-step)
	}
	if s.ExclusiveMax.Value != nil {
		hi := (math.Ceil(*s.ExclusiveMax.Value/step) - 1) * step
		out = append(out, hi)
	}
	out = append(out, step, 0)
	candidates := make([]any, len(out))
	for i, v := range out {
		candidates[i] = v
	}
	return candidates
}

// fromPattern returns a string matching pattern, repeating each unbounded
// or ranged part extra times beyond its minimum.
func fromPattern(pattern string, extra int) (string, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	if !generate(&b, re.Simplify(), extra) {
		return "", false
	}
	compiled, err := regexp.Compile(pattern)
	if err != nil || !compiled.MatchString(b.String()) {
		return "", false
	}
	return b.String(), true
}

func generate(b *strings.Builder, re *syntax.Regexp, extra int) bool {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
		return true
	case syntax.OpCharClass:
		r, ok := pickRune(re.Rune)
		if ok {
			b.WriteRune(r)
		}
		return ok
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte('x')
		return true
	case syntax.OpCapture:
		return generate(b, re.Sub[0], extra)
	case syntax.OpStar, syntax.OpQuest, syntax.OpPlus, syntax.OpRepeat:
		lo, hi := 0, extra
		switch re.Op {
		case syntax.OpQuest:
			hi = min(extra, 1)
		case syntax.OpPlus:
			lo, hi = 1, 1+extra
		case syntax.OpRepeat:
			lo, hi = re.Min, re.Min+extra
			if re.Max >= 0 {
				hi = min(hi, re.Max)
			}
		}
		for range max(lo, hi) {
			if !generate(b, re.Sub[0], extra) {
				return false
			}
		}
		return true
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !generate(b, sub, extra) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		return generate(b, re.Sub[0], extra)
	}
	return false
}

// pickRune picks a readable rune from a character class given as ranges:
// a letter or digit when it has one, else its first printable rune.
func pickRune(ranges []rune) (rune, bool) {
	in := func(r rune) bool {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= r && r <= ranges[i+1] {
				return true
			}
		}
		return false
	}
	for _, r := range "aA0x" {
		if in(r) {
			return r, true
		}
	}
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := max(ranges[i], '!'); r <= ranges[i+1] && r < ranges[i]+256; r++ {
			if unicode.IsPrint(r) && !unicode.IsSpace(r) {
				return r, true
			}
		}
	}
	return 0, false
}

// checkAnswer validates an answer against route's operation in the spec.
func checkAnswer(route *routers.Route, answer *Response) error {
	req := httptest.NewRequestWithContext(context.Background(), route.Method, "/", nil)
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: route},
		Status:                 answer.Status,
		Header:                 answer.Header,
		Body:                   io.NopCloser(bytes.NewReader(answer.Body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	})
}

func pointerOrRoot(path string) string {
	if path == "" {
		return "body"
	}
	return path
}

// shortReason is a schema error's reason without kin-openapi's dump of the
// schema and value.
func shortReason(err error) string {
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		return schemaIssue(se)
	}
	if err == nil {
		return "no candidate"
	}
	return err.Error()
}
