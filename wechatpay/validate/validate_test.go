package validate

import (
	"errors"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/payforge/wechatpay/wechatpay"
)

// got lists the violations err joins as "field rule: message".
func got(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var out []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var ve *wechatpay.ValidationError
		if !errors.As(e, &ve) {
			t.Fatalf("%v is not a *wechatpay.ValidationError", e)
		}
		out = append(out, ve.Field+" "+ve.Rule+": "+ve.Message)
	}
	return out
}

func TestRules(t *testing.T) {
	code := regexp.MustCompile(`^[0-9A-Za-z]{1,32}$`)
	for _, tt := range []struct {
		name  string
		check func(*Errors)
		want  []string
	}{
		{"valid", func(v *Errors) {
			v.String("a", "abc", Required).MinLength(1).MaxLength(3).Pattern(code)
			v.Int("n", 5).Minimum(5).Maximum(5)
			v.Number("x", 0.5).Minimum(0.5).Maximum(1)
			v.Enum("e", "A", Required, true, "A, B")
			v.Items("l", 2, true, Required).MinItems(2).MaxItems(2)
			v.Required("t", true)
			v.AnyOf("p|q", true, "one of p and q is required")
		}, nil},
		{"required string: nothing else is checked", func(v *Errors) {
			v.String("a", "", Required).MinLength(2).Pattern(code)
		}, []string{"a required: is required"}},
		{"optional string: empty means absent", func(v *Errors) {
			v.String("a", "", Optional).MinLength(2).Pattern(code)
		}, nil},
		{"element: an empty string is checked", func(v *Errors) {
			v.String("a[0]", "", Element).MinLength(2).Pattern(code)
		}, []string{"a[0] minLength: has 0 characters, at least 2 are required", "a[0] pattern: does not match the pattern ^[0-9A-Za-z]{1,32}$"}},
		{"invalid UTF-8: nothing else is checked", func(v *Errors) {
			v.String("a", "ok\xff", Optional).MaxLength(1).Pattern(code)
		}, []string{"a utf8: is not valid UTF-8"}},
		{"lengths count characters", func(v *Errors) {
			v.String("a", "解解", Required).MinLength(3).MaxLength(1)
			v.String("b", "解解", Required).MaxLength(1)
		}, []string{"a minLength: has 2 characters, at least 3 are required", "a maxLength: has 2 characters, at most 1 is allowed",
			"b maxLength: has 2 characters, at most 1 is allowed"}},
		{"path segment", func(v *Errors) {
			v.String("p", "..", Required).PathSegment()
			v.String("q", ".", Required).PathSegment()
			v.String("r", "...", Required).PathSegment()
		}, []string{"p pattern: is . or .., which would change the URL path", "q pattern: is . or .., which would change the URL path"}},
		{"integers", func(v *Errors) {
			v.Int("a", 0).Minimum(1).Maximum(10)
			v.Int("b", 11).Minimum(1).Maximum(10)
			v.Int("c", 1).ExclusiveMinimum(1).ExclusiveMaximum(1)
			v.Int("d", 2000000).Maximum(1000000)
		}, []string{"a minimum: is 0, at least 1 is allowed", "b maximum: is 11, at most 10 is allowed",
			"c minimum: is 1, it must be greater than 1", "c maximum: is 1, it must be less than 1",
			"d maximum: is 2000000, at most 1000000 is allowed"}},
		{"numbers", func(v *Errors) {
			v.Number("a", 0.25).Minimum(0.5)
			v.Number("b", 2).ExclusiveMaximum(2)
			v.Number("c", 0.5).ExclusiveMinimum(0.5).Maximum(0.25)
		}, []string{"a minimum: is 0.25, at least 0.5 is allowed", "b maximum: is 2, it must be less than 2",
			"c minimum: is 0.5, it must be greater than 0.5", "c maximum: is 0.5, at most 0.25 is allowed"}},
		{"numbers are finite, and no other rule is checked on one that is not", func(v *Errors) {
			v.Number("a", math.NaN()).Minimum(0)
			v.Number("b", math.Inf(1)).Maximum(1)
			v.Number("c", math.Inf(-1)).Minimum(0)
			v.Number("d", math.MaxFloat64)
		}, []string{"a finite: is NaN, which JSON cannot carry", "b finite: is +Inf, which JSON cannot carry", "c finite: is -Inf, which JSON cannot carry"}},
		{"enums", func(v *Errors) {
			v.Enum("a", "", Required, false, "A, B")
			v.Enum("b", "", Optional, false, "A, B")
			v.Enum("c", "", Element, false, "A, B")
			v.Enum("d", "C%d", Optional, false, "A, B")
		}, []string{"a required: is required", `c enum: is "", which is not one of A, B`, `d enum: is "C%d", which is not one of A, B`}},
		{"arrays", func(v *Errors) {
			v.Items("a", 0, false, Required).MinItems(1)
			v.Items("b", 0, false, Optional).MinItems(1) // absent: not sent, so not checked
			v.Items("c", 3, true, Optional).MaxItems(2)
			v.Items("d", 0, true, Optional).MinItems(1) // present and empty: sent as []
		}, []string{"a required: is required", "c maxItems: has 3 items, at most 2 are allowed", "d minItems: has 0 items, at least 1 is required"}},
		{"required and anyOf", func(v *Errors) {
			v.Required("t", false)
			v.AnyOf(Index("x", 2)+".p|"+Index("x", 2)+".q", false, "one of p and q is required")
		}, []string{"t required: is required", "x[2].p|x[2].q anyOf: one of p and q is required"}},
	} {
		var v Errors
		tt.check(&v)
		if g := got(t, v.Err()); !slices.Equal(g, tt.want) {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, strings.Join(g, "; "), strings.Join(tt.want, "; "))
		}
	}
}

func TestNilRequest(t *testing.T) {
	var ve *wechatpay.ValidationError
	if err := NilRequest(); !errors.As(err, &ve) || ve.Field != "request" || ve.Rule != "required" || ve.Message != "is nil" {
		t.Fatalf("NilRequest() = %#v", err)
	}
}
