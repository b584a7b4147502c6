package emit

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/payforge/wechatpay/generator/internal/model"
)

func TestSample(t *testing.T) {
	for _, tt := range []struct{ expr, hint, want string }{
		{`^https://[^?#]+$`, "notifyurl", "https://notifyurl"},
		{`^https://[^?#]+$`, "", "https://a"},
		{`^[0-9A-Za-z]{1,32}$`, "outcontractcode", "outcontractcode"},
		{`^[0-9A-Za-z]{1,4}$`, "outcontractcode", "outc"},
		{`^[A-Z]{2}[0-9]{6}$`, "orderno", "AA000000"},
		{`^(SUCCESS|FAIL)$`, "state", "SUCCESS"},
		{`^\d{4}-\d{2}-\d{2}$`, "", "0000-00-00"},
		{`^[^a-zA-Z0-9]+$`, "", "!"},
		{`(?i)^abc$`, "", "ABC"},
	} {
		got, ok := sample(tt.expr, tt.hint)
		if !ok || got != tt.want {
			t.Errorf("sample(%q, %q) = %q, %v; want %q", tt.expr, tt.hint, got, ok, tt.want)
			continue
		}
		if !regexp.MustCompile(tt.expr).MatchString(got) {
			t.Errorf("sample(%q, %q) = %q, which it does not match", tt.expr, tt.hint, got)
		}
	}
	if got, ok := sample(`\bword\b`, ""); ok {
		t.Errorf("sample of a word boundary = %q, want a refusal", got)
	}
}

func TestExampleString(t *testing.T) {
	u := func(n uint64) *uint64 { return &n }
	pattern := func(expr string) *model.Pattern { return &model.Pattern{Var: "p", Expr: expr} }
	for _, tt := range []struct {
		name    string
		schema  model.Schema
		example any
		inPath  bool
		want    string
	}{
		{"spec example that passes", model.Schema{Constraints: model.Constraints{Pattern: pattern(`^[0-9A-Za-z]{1,32}$`)}}, "wxwtdk20200910100000", true, "wxwtdk20200910100000"},
		{"spec example that breaks the pattern", model.Schema{Constraints: model.Constraints{Pattern: pattern(`^https://[^?#]+$`)}}, "http://x", false, "https://notifyurl"},
		{"no example: the bracketed name", model.Schema{Constraints: model.Constraints{MaxLength: u(32)}}, nil, false, "<notify_url>"},
		{"name cut to the maximum length", model.Schema{Constraints: model.Constraints{MaxLength: u(4)}}, nil, false, "noti"},
		{"name padded to the minimum length", model.Schema{Constraints: model.Constraints{MinLength: u(20)}}, nil, false, "notify_urlxxxxxxxxxx"},
		{"the bracketed name when it fits", model.Schema{Constraints: model.Constraints{MinLength: u(12), MaxLength: u(12)}}, nil, false, "<notify_url>"},
		{"unsatisfiable: the example as it is", model.Schema{Constraints: model.Constraints{Pattern: pattern(`^\bx\b$`)}}, "y", false, "y"},
	} {
		s := tt.schema
		s.Kind = model.KindString
		if got := exampleString(&s, "notify_url", tt.example, tt.inPath); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestExampleSize: an example meets minLength and minItems only up to a
// size a reader would type; above it the example is a placeholder, and
// generating it allocates next to nothing whatever the spec asks.
func TestExampleSize(t *testing.T) {
	n := func(v uint64) *uint64 { return &v }
	if got := exampleString(&model.Schema{Kind: model.KindString, Constraints: model.Constraints{MinLength: n(12)}}, "name", nil, false); got != "namexxxxxxxx" {
		t.Errorf("minLength 12: %q, want the name padded", got)
	}
	for _, m := range []uint64{maxExampleLength + 1, 1 << 20, math.MaxInt32} {
		if got := exampleString(&model.Schema{Kind: model.KindString, Constraints: model.Constraints{MinLength: n(m)}}, "name", nil, false); got != "<name>" {
			t.Errorf("minLength %d: %d characters, want the placeholder <name>", m, len(got))
		}
	}
	e := &emitter{}
	for _, m := range []uint64{3, 1 << 20, math.MaxInt32} {
		s := &model.Schema{Kind: model.KindArray, Elem: &model.Schema{Kind: model.KindInt64}, Constraints: model.Constraints{MinItems: n(m)}}
		got := fmt.Sprintf("%#v", e.exampleValue(s, "ids", nil, false, 0))
		want := int(min(m, maxExampleItems))
		if c := strings.Count(got, "1"); c != want {
			t.Errorf("minItems %d: %s, want %d elements", m, got, want)
		}
	}
}
