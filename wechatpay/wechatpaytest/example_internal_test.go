package wechatpaytest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestBuiltExamples checks the values built from schemas without examples:
// each is valid against its schema and the same on every run.
func TestBuiltExamples(t *testing.T) {
	for _, tc := range []struct {
		schema string // YAML
		want   string // JSON
	}{
		{`{type: string}`, `"example"`},
		{`{type: string, minLength: 9, maxLength: 9}`, `"examplexx"`},
		{`{type: string, maxLength: 3}`, `"exa"`},
		{`{type: string, pattern: "^[0-9A-Za-z]{1,32}$"}`, `"a"`},
		{`{type: string, pattern: "^[a-z]+$", minLength: 4}`, `"aaaa"`},
		{`{type: string, pattern: "^(SUCCESS|FAIL)_[0-9]{3}$"}`, `"SUCCESS_000"`},
		{`{type: string, pattern: "^\\S+@\\S+$"}`, `"a@a"`},
		{`{type: string, format: date-time}`, `"2020-09-10T13:29:35+08:00"`},
		{`{type: string, format: date}`, `"2020-09-10"`},
		{`{type: string, enum: [B, A]}`, `"B"`},
		{`{type: string, x-wechatpay-known-values: [SIGNED]}`, `"SIGNED"`},
		{`{type: string, example: 用户解约}`, `"用户解约"`},
		{`{type: integer}`, `1`},
		{`{type: integer, minimum: 0, exclusiveMinimum: true}`, `1`},
		{`{type: integer, minimum: 7, multipleOf: 5}`, `10`},
		{`{type: integer, maximum: -3}`, `-3`},
		{`{type: number, minimum: 0.5}`, `1`},
		{`{type: boolean}`, `false`},
		{`{type: array, items: {type: integer}, minItems: 2}`, `[1,1]`},
		{`{type: array, items: {type: string}, maxItems: 0}`, `[]`},
		{`{type: object, required: [a], properties: {a: {type: string}, b: {type: integer}}}`, `{"a":"example","b":1}`},
		{`{type: object, properties: {a: {type: string, minLength: 3, maxLength: 2}}}`, `{}`},
		{`{allOf: [{type: object, properties: {a: {type: integer}}}, {type: object, properties: {b: {type: boolean}}}]}`, `{"a":1,"b":false}`},
		{`{oneOf: [{type: integer, maximum: -1, minimum: -1}, {type: string}]}`, `-1`},
		{`{anyOf: [{type: string, minLength: 3, maxLength: 2}, {type: integer}]}`, `1`},
		{`{}`, `"example"`},
	} {
		s := loadSchema(t, tc.schema)
		v, err := example(&openapi3.SchemaRef{Value: s}, "", 0)
		if err != nil {
			t.Errorf("%s: %v", tc.schema, err)
			continue
		}
		got, _ := json.Marshal(v)
		if string(got) != tc.want {
			t.Errorf("%s: built %s, want %s", tc.schema, got, tc.want)
		}
		if err := s.VisitJSON(v); err != nil {
			t.Errorf("%s: built %s breaks its schema: %v", tc.schema, got, err)
		}
	}
}

func TestBuiltExampleErrors(t *testing.T) {
	for _, tc := range []struct{ schema, want string }{
		{`{type: string, minLength: 3, maxLength: 2}`, "no built value fits"},
		{`{type: object, required: [a], properties: {a: {type: string, pattern: "^a$", minLength: 2}}}`, "/a"},
		{`{type: array, items: {type: string}, minItems: 2, uniqueItems: true}`, "unique"},
		{`{type: object, required: [a], properties: {a: {type: integer, minimum: 5, maximum: 4}}}`, "/a"},
	} {
		_, err := example(&openapi3.SchemaRef{Value: loadSchema(t, tc.schema)}, "", 0)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.schema, err, tc.want)
		}
	}
	// A schema that requires itself ends.
	self := &openapi3.Schema{Type: &openapi3.Types{"object"}, Required: []string{"next"}}
	self.Properties = openapi3.Schemas{"next": &openapi3.SchemaRef{Value: self}}
	if _, err := example(&openapi3.SchemaRef{Value: self}, "", 0); err == nil || !strings.Contains(err.Error(), "too deep") {
		t.Errorf("self-requiring schema: %v", err)
	}
}

func loadSchema(t *testing.T, y string) *openapi3.Schema {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData([]byte("openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths: {}\ncomponents:\n  schemas:\n    S: " + y + "\n"))
	if err != nil {
		t.Fatalf("%s: %v", y, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("%s: %v", y, err)
	}
	return doc.Components.Schemas["S"].Value
}
