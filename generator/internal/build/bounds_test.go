package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/payforge/wechatpay/generator/internal/load"
	"github.com/payforge/wechatpay/generator/internal/model"
)

// buildSpec builds the model of a spec given as text.
func buildSpec(t *testing.T, spec string) *model.Package {
	t.Helper()
	path := filepath.Join(t.TempDir(), "spec.yaml")
	if err := os.WriteFile(path, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	doc, err := load.Load(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := Build(doc, Options{Spec: path, SpecBase: "spec.yaml", Package: "x", ImportPath: "example.com/x"})
	if err != nil {
		t.Fatal(err)
	}
	return pkg
}

// requestField is the field of the request of the package's one operation
// named name in the spec.
func requestField(t *testing.T, pkg *model.Package, name string) *model.Field {
	t.Helper()
	for _, f := range pkg.Operations[0].Request.Fields {
		if f.JSONName == name {
			return f
		}
	}
	t.Fatalf("no request field %q", name)
	return nil
}

// TestBoundsMerged: the bounds of a schema and of the parts of its allOf,
// OpenAPI 3.0's minimum with exclusiveMinimum: true and 3.1's
// exclusiveMinimum: N alike, merge as (value, exclusive) pairs: the
// stricter one wins, and on equal values the exclusive one.
func TestBoundsMerged(t *testing.T) {
	pkg := buildSpec(t, `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /x:
    post:
      operationId: x
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                a:
                  allOf:
                    - {type: integer, exclusiveMinimum: 0}
                    - {type: integer, maximum: 100}
                b:
                  type: integer
                  exclusiveMaximum: 10
                  allOf:
                    - {type: integer, maximum: 50}
                c:
                  type: integer
                  minimum: 5
                  allOf:
                    - {type: integer, exclusiveMinimum: 5}
                d:
                  type: integer
                  minimum: 7
                  exclusiveMinimum: 3
                e:
                  type: integer
                  exclusiveMinimum: 7
                  allOf:
                    - {type: integer, minimum: 7}
                    - {type: integer, minimum: 2}
      responses:
        "204": {description: ok}
`)
	type bound struct {
		min, max         *float64
		exclMin, exclMax bool
	}
	f := func(v float64) *float64 { return &v }
	for _, c := range []struct {
		name string
		want bound
	}{
		{"a", bound{min: f(0), exclMin: true, max: f(100)}},
		{"b", bound{max: f(10), exclMax: true}},
		{"c", bound{min: f(5), exclMin: true}},
		{"d", bound{min: f(7)}},
		{"e", bound{min: f(7), exclMin: true}},
	} {
		s := requestField(t, pkg, c.name).Schema
		got := bound{s.Minimum, s.Maximum, s.ExclusiveMinimum && s.Minimum != nil, s.ExclusiveMaximum && s.Maximum != nil}
		eq := func(x, y *float64) bool { return x == nil && y == nil || x != nil && y != nil && *x == *y }
		if !eq(got.min, c.want.min) || !eq(got.max, c.want.max) || got.exclMin != c.want.exclMin || got.exclMax != c.want.exclMax {
			str := func(b bound) string {
				p := func(v *float64) any {
					if v == nil {
						return "none"
					}
					return *v
				}
				return fmt.Sprintf("min %v (exclusive %v), max %v (exclusive %v)", p(b.min), b.exclMin, p(b.max), b.exclMax)
			}
			t.Errorf("%s: %s, want %s", c.name, str(got), str(c.want))
		}
	}
}

// TestNullableUnionKeywords: the keywords beside a oneOf or anyOf that only
// makes its one other branch nullable rule the value too, merged with the
// branch's own.
func TestNullableUnionKeywords(t *testing.T) {
	pkg := buildSpec(t, `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /x:
    post:
      operationId: x
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [code, ref, n]
              properties:
                code:
                  oneOf: [{type: string}, {type: 'null'}]
                  maxLength: 4
                  pattern: '^[A-Z]+$'
                ref:
                  anyOf: [{$ref: '#/components/schemas/Code'}, {type: 'null'}]
                  minLength: 2
                n:
                  oneOf: [{type: integer, maximum: 9}, {type: 'null'}]
                  minimum: 1
                plain:
                  oneOf: [{$ref: '#/components/schemas/Code'}, {type: 'null'}]
                  description: Only a description beside the union.
      responses:
        "204": {description: ok}
components:
  schemas:
    Code:
      type: string
      maxLength: 8
      pattern: '^[a-z]+$'
`)
	code := requestField(t, pkg, "code")
	if s := code.Schema; s.Kind != model.KindString || s.MaxLength == nil || *s.MaxLength != 4 || s.Pattern == nil || s.Pattern.Expr != "^[A-Z]+$" || !code.Nullable {
		t.Errorf("code: %+v (nullable %v), want a nullable string of maxLength 4 and pattern ^[A-Z]+$", s, code.Nullable)
	}
	ref := requestField(t, pkg, "ref")
	if s := ref.Schema; s.Kind != model.KindString || s.MinLength == nil || *s.MinLength != 2 || s.MaxLength == nil || *s.MaxLength != 8 ||
		s.Pattern == nil || s.Pattern.Expr != "^[a-z]+$" || !ref.Nullable {
		t.Errorf("ref: %+v (nullable %v), want a nullable string of minLength 2, maxLength 8 and pattern ^[a-z]+$", s, ref.Nullable)
	}
	n := requestField(t, pkg, "n")
	if s := n.Schema; s.Kind != model.KindInt64 || s.Minimum == nil || *s.Minimum != 1 || s.Maximum == nil || *s.Maximum != 9 || !n.Nullable {
		t.Errorf("n: %+v (nullable %v), want a nullable integer from 1 to 9", s, n.Nullable)
	}
	plain := requestField(t, pkg, "plain")
	if s := plain.Schema; s.Kind != model.KindString || s.MaxLength == nil || *s.MaxLength != 8 || !plain.Nullable {
		t.Errorf("plain: %+v (nullable %v), want Code's rules", s, plain.Nullable)
	}
}
