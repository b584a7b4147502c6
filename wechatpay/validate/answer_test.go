package validate

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
)

func TestObject(t *testing.T) {
	for _, tt := range []struct {
		data, field string
		required    []string
		ok          bool
		wantField   string // the DecodeError's Field
		missing     bool   // the cause is ErrMissingField
	}{
		{`{"a":1,"b":"x"}`, "", []string{"a", "b"}, true, "", false},
		{`{"a":1,"b":"x","c":{}}`, "", nil, true, "", false},
		{`{"a":1}`, "", []string{"a", "b"}, false, "b", true},
		{`{"a":null,"b":"x"}`, "", []string{"a", "b"}, false, "a", true},
		{`{"a":1}`, "info", []string{"b"}, false, "info.b", true},
		{`null`, "info", nil, false, "info", false},
		{`[1]`, "", nil, false, "", false},
	} {
		_, err := Object([]byte(tt.data), tt.field, tt.required...)
		var de *wechatpay.DecodeError
		switch {
		case tt.ok:
			if err != nil {
				t.Errorf("Object(%s, %q, %q) = %v", tt.data, tt.field, tt.required, err)
			}
		case !errors.As(err, &de) || de.Field != tt.wantField || errors.Is(err, wechatpay.ErrMissingField) != tt.missing:
			t.Errorf("Object(%s, %q, %q) = %#v; want field %q, missing %v", tt.data, tt.field, tt.required, err, tt.wantField, tt.missing)
		}
	}
	obj, err := Object([]byte(`{"a":{"x":1},"b":null}`), "")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := Member(obj, "a"); !ok || string(v) != `{"x":1}` {
		t.Errorf("Member a = %s, %v", v, ok)
	}
	for _, name := range []string{"b", "c"} {
		if _, ok := Member(obj, name); ok {
			t.Errorf("Member %s is there", name)
		}
	}
	elems, err := Elements([]byte(`[{"x":1},null]`), "items")
	if err != nil || len(elems) != 2 || string(elems[1]) != "null" {
		t.Errorf("Elements = %q, %v", elems, err)
	}
	if _, err := Elements([]byte(`{}`), "items"); err == nil {
		t.Error("Elements of an object: no error")
	}
}

func TestAnswer(t *testing.T) {
	a := Answer{Operation: "queryByCode", Response: &wechatpay.Response{StatusCode: 200, RequestID: "RID", Body: []byte(`{"mchid":"1900000109","n":2}`)}}
	var out struct {
		MchID string `json:"mchid"`
		N     int    `json:"n"`
	}
	check := func(data []byte, field string) error {
		_, err := Object(data, field, "mchid", "n", "gone")
		return err
	}
	err := a.Decode(&out, check)
	var de *wechatpay.DecodeError
	if !errors.As(err, &de) || de.Operation != "queryByCode" || de.RequestID != "RID" || de.Field != "gone" || !errors.Is(err, wechatpay.ErrMissingField) {
		t.Fatalf("Decode = %#v", err)
	}
	if want := "wechatpay: queryByCode: decode response: gone: required field missing [Request-ID RID]"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	if err := a.Decode(&out, nil); err != nil || out.MchID != "1900000109" || out.N != 2 {
		t.Fatalf("Decode without a check = %v, %+v", err, out)
	}
	for _, body := range []string{`null`, `[]`, `"x"`, `{`} {
		b := Answer{Operation: "op", Response: &wechatpay.Response{Body: []byte(body)}}
		if err := b.Decode(&out, nil); !errors.As(err, &de) {
			t.Errorf("Decode(%s) = %v, want a DecodeError", body, err)
		}
	}

	if err := a.Echo(Same("mchid", out.MchID, "1900000109"), SameIfSent("sub", "x", ""), SameIfSent("n", 2, 2)); err != nil {
		t.Errorf("Echo of equal fields = %v", err)
	}
	err = a.Echo(Same("mchid", out.MchID, "1900000109"), Same("n", out.N, 3), SameIfSent("sub", "x", "y"))
	if !errors.As(err, &de) || de.Field != "n" || !errors.Is(err, wechatpay.ErrNotEchoed) || de.RequestID != "RID" {
		t.Fatalf("Echo = %#v", err)
	}
	if want := "wechatpay: queryByCode: decode response: n: differs from what the request sent [Request-ID RID]"; err.Error() != want {
		t.Errorf("Error() = %q, want %q (and never a value)", err.Error(), want)
	}
	if Path("", "a") != "a" || Path("a", "b") != "a.b" || Index(Path("a", "b"), 3) != "a.b[3]" {
		t.Error("Path or Index")
	}
}

// TestDecodeErrorsHoldNoValue: where encoding/json's message would quote a
// value of the answer or the plaintext (an overflowing number, the character
// a syntax error stopped at, the text a time failed to parse from), the
// *wechatpay.DecodeError does not, at each place that decodes one.
func TestDecodeErrorsHoldNoValue(t *testing.T) {
	type doc struct {
		Amount  int64     `json:"amount"`
		Created time.Time `json:"created"`
	}
	values := []struct{ data, secret string }{
		{`{"amount":123456789012345678901234567890}`, "123456789012345678901234567890"},
		{`{"created":"2020-13-45T99:00:00+08:00 secret"}`, "secret"},
	}
	decoders := []struct {
		name   string
		decode func(data []byte) error
	}{
		{"Answer.Decode", func(data []byte) error {
			var out doc
			return Answer{Operation: "op", Response: &wechatpay.Response{Body: data}}.Decode(&out, nil)
		}},
		{"Notification", func(data []byte) error {
			var out doc
			return Notification(&wechatpay.Notification{ID: "EV-1", EventType: "A", Plaintext: data}, "Cb", &out, nil, "A")
		}},
		{"Values", func(data []byte) error {
			out := map[string]doc{"x": {}}
			return Values(func(*doc, []byte, string) error { return nil })(&out, []byte(`{"x":`+string(data)+`,"y":7Q}`), "m")
		}},
		{"Elements", func(data []byte) error {
			_, err := Elements([]byte(`[`+string(data)+`,7Q]`), "items")
			return err
		}},
		{"Object", func(data []byte) error {
			_, err := Object([]byte(`{"a":`+string(data)+`,"b":7Q}`), "obj")
			return err
		}},
		{"DiscriminatorValue", func(data []byte) error {
			_, notString := DiscriminatorValue([]byte(`{"type":123456789012345678901234567890}`), "type")
			_, notJSON := DiscriminatorValue([]byte(`[7Q]`), "type")
			return errors.Join(notString, notJSON)
		}},
	}
	for _, d := range decoders {
		for _, v := range values {
			err := d.decode([]byte(v.data))
			var de *wechatpay.DecodeError
			if !errors.As(err, &de) {
				t.Errorf("%s(%s) = %v, want a *wechatpay.DecodeError", d.name, v.data, err)
				continue
			}
			for _, secret := range []string{v.secret, "'Q'", "123456789012345678901234567890"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("%s(%s) quotes %s: %v", d.name, v.data, secret, err)
				}
			}
		}
	}
}
