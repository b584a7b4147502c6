package generator

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// hostileProse holds the characters that broke or could break a generated
// file when written into a comment: a byte order mark (gofmt: "illegal byte
// order mark"), other format characters (zero width space, a right-to-left
// override), line and paragraph separators, a C1 control (NEL) and a C0
// control. The YAML escapes produce the characters themselves.
const hostileProse = `\ufeffBOM \u200bzero-width \u202eRLO\u202c \u2028LS \u2029PS \x85NEL \x01SOH end`

// hostileSpec is a spec whose every piece of prose (title, description,
// summary, descriptions of operations, parameters, properties and
// responses, enum values, examples, error codes) holds hostileProse.
const hostileSpec = `openapi: 3.0.3
info:
  title: "Title HOSTILE"
  version: "1 HOSTILE"
  description: "Description HOSTILE"
externalDocs: {url: "https://example.com/docs"}
paths:
  /v3/things/{thing_id}:
    post:
      operationId: makeThing
      summary: "Summary HOSTILE"
      description: "Operation HOSTILE"
      externalDocs: {url: "https://example.com/op"}
      parameters:
        - name: thing_id
          in: path
          required: true
          description: "Parameter HOSTILE"
          example: "abc HOSTILE"
          schema: {type: string, maxLength: 64}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              description: "Body HOSTILE"
              required: [state]
              properties:
                state:
                  type: string
                  description: "State HOSTILE"
                  enum: ["ON HOSTILE", "OFF"]
                note:
                  type: string
                  description: "Note HOSTILE"
                  pattern: "^[^\x02]*$"
                  example: "note HOSTILE"
      responses:
        "200":
          description: "Done HOSTILE"
          content:
            application/json:
              schema:
                type: object
                description: "Answer HOSTILE"
                properties:
                  kind:
                    type: string
                    x-wechatpay-known-values: ["A HOSTILE", "B"]
        "400":
          description: "Bad HOSTILE"
          x-wechatpay-error-codes: ["PARAM_ERROR HOSTILE"]
`

// TestHostileProse: such characters in spec prose never break the output
// (issue 13.6). The generator writes them into string literals escaped and
// leaves them out of comments, and every file it emits parses.
func TestHostileProse(t *testing.T) {
	spec := filepath.Join(t.TempDir(), "hostile.yaml")
	if err := os.WriteFile(spec, []byte(strings.ReplaceAll(hostileSpec, "HOSTILE", hostileProse)), 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := generate(spec, "hostile", fixedImport("example.com/hostile"))
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		file, err := parser.ParseFile(fset, f.Name, f.Data, parser.ParseComments)
		if err != nil {
			t.Fatalf("%s does not parse: %v", f.Name, err)
		}
		for _, group := range file.Comments {
			for _, c := range group.List {
				for _, r := range c.Text {
					if r != '\t' && (unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)) || r == unicode.ReplacementChar {
						t.Errorf("%s: a comment holds %U: %q", f.Name, r, c.Text)
					}
				}
			}
		}
	}
}
