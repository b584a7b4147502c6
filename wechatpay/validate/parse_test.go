package validate

import (
	"errors"
	"slices"
	"testing"

	"github.com/payforge/wechatpay/wechatpay"
)

func TestParseInt(t *testing.T) {
	for _, tt := range []struct {
		text    string
		bits    int
		want    int64
		message string // empty: no error
	}{
		{"12535", 64, 12535, ""},
		{"-1", 64, -1, ""},
		{"2147483647", 32, 2147483647, ""},
		{"abc", 64, 0, "must be an integer"},
		{"1.5", 32, 0, "must be a 32-bit integer"},
		{"", 64, 0, "must be an integer"},
		{"99999999999999999999", 64, 0, "is out of range: a 64-bit integer is at most 9223372036854775807"},
		{"-99999999999999999999", 64, 0, "is out of range: a 64-bit integer is at least -9223372036854775808"},
		{"2147483648", 32, 0, "is out of range: a 32-bit integer is at most 2147483647"},
	} {
		n, err := ParseInt("service_id", tt.text, tt.bits)
		if tt.message == "" {
			if err != nil || n != tt.want {
				t.Errorf("ParseInt(%q, %d) = %d, %v; want %d", tt.text, tt.bits, n, err, tt.want)
			}
			continue
		}
		var ve *wechatpay.ValidationError
		if !errors.As(err, &ve) || ve.Field != "service_id" || ve.Rule != "type" || ve.Message != tt.message {
			t.Errorf("ParseInt(%q, %d) = %d, %#v; want rule type, %q", tt.text, tt.bits, n, err, tt.message)
		}
	}
}

// TestDecodeBodyRefusesTrailingData: anything after the first JSON value is
// refused, like LoadConfig does, so that what is sent is what was given.
func TestDecodeBodyRefusesTrailingData(t *testing.T) {
	type req struct {
		A string `json:"a"`
	}
	for _, body := range []string{
		`{"a":"x"} {"x":1} garbage`,
		`{"a":"x"}{"a":"y"}`,
		`{"a":"x"} garbage`,
		`{"a":"x"} ]`,
		`{"a":"x"}}`,
	} {
		var r req
		err := DecodeBody([]byte(body), &r)
		var ve *wechatpay.ValidationError
		if !errors.As(err, &ve) || ve.Field != "body" || ve.Rule != "json" || ve.Message != "has data after the JSON value" {
			t.Errorf("DecodeBody(%s) = %#v; want a json violation on body", body, err)
		}
	}
	for _, body := range []string{`{"a":"x"}`, " {\"a\":\"x\"} \n\t", `{}`} {
		var r req
		if err := DecodeBody([]byte(body), &r); err != nil {
			t.Errorf("DecodeBody(%q) = %v", body, err)
		}
	}
}

func TestPresent(t *testing.T) {
	paths := []string{"amount", "amount.total", "detail.goods_detail[].quantity", "payer"}
	for _, tt := range []struct {
		body string
		want []string // "field rule", in order
	}{
		{`{"amount":{"total":1},"payer":{}}`, nil},
		{`{}`, []string{"amount required", "payer required"}},
		{`{"amount":null,"payer":{}}`, []string{"amount required"}},
		{`{"amount":{},"payer":{}}`, []string{"amount.total required"}},
		{`{"amount":{"total":null},"payer":{}}`, []string{"amount.total required"}},
		// Names match as encoding/json matches them: case folded, last key wins.
		{`{"AMOUNT":{"Total":1},"Payer":{}}`, nil},
		{`{"amount":{"total":1},"amount":{},"payer":{}}`, []string{"amount.total required"}},
		// Inside an optional object only when it is there; each element of an array.
		{`{"amount":{"total":1},"payer":{},"detail":{}}`, nil},
		{`{"amount":{"total":1},"payer":{},"detail":{"goods_detail":[{"quantity":1},{},{"quantity":2},{"quantity":null}]}}`,
			[]string{"detail.goods_detail[1].quantity required", "detail.goods_detail[3].quantity required"}},
		// A value of the wrong type is DecodeBody's to refuse, not Present's.
		{`{"amount":3,"payer":{},"detail":{"goods_detail":{}}}`, nil},
	} {
		var got []string
		for _, e := range wechatpay.ValidationErrors(Present([]byte(tt.body), paths...)) {
			got = append(got, e.Field+" "+e.Rule)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Present(%s) = %v, want %v", tt.body, got, tt.want)
		}
	}
}
