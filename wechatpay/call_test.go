package wechatpay

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

const callTemplate = "/v3/things/{thing_id}/parts/{part}"

// TestCallSignsWhatIsSent checks the request line, body and headers the server
// received, and that openssl's signature over them is the one sent.
func TestCallSignsWhatIsSent(t *testing.T) {
	requireOpenSSL(t)
	tests := []struct {
		name     string
		method   string
		tmpl     string
		values   map[string]string
		query    url.Values
		body     any
		wantURI  string
		wantBody string
	}{
		{
			name:   "values needing escapes, query and a struct body",
			method: http.MethodPost,
			tmpl:   callTemplate,
			values: map[string]string{"thing_id": "a b", "part": "用/户?#%"},
			query:  url.Values{"q": {"x y&z/ç"}, "limit": {"10"}},
			body: struct {
				Remark string `json:"remark"`
			}{"用户解约"},
			wantURI:  "/v3/things/a%20b/parts/%E7%94%A8%2F%E6%88%B7%3F%23%25?limit=10&q=x+y%26z%2F%C3%A7",
			wantBody: `{"remark":"用户解约"}`,
		},
		{
			name:     "[]byte body sent as is",
			method:   http.MethodPost,
			tmpl:     callTemplate,
			values:   map[string]string{"thing_id": "1", "part": "2"},
			body:     []byte(` {"a": 1} `),
			wantURI:  "/v3/things/1/parts/2",
			wantBody: ` {"a": 1} `,
		},
		{
			name:     "json.RawMessage body sent as is",
			method:   http.MethodPut,
			tmpl:     callTemplate,
			values:   map[string]string{"thing_id": "1", "part": "2"},
			body:     json.RawMessage(`{"b":[1,2]}`),
			wantURI:  "/v3/things/1/parts/2",
			wantBody: `{"b":[1,2]}`,
		},
		{
			name:    "GET without body or placeholders",
			method:  http.MethodGet,
			tmpl:    "/v3/certificates",
			query:   url.Values{"a": {"1"}},
			wantURI: "/v3/certificates?a=1",
		},
		{
			name:    "repeated placeholder",
			method:  http.MethodDelete,
			tmpl:    "/v3/{id}/{id}",
			values:  map[string]string{"id": "a+b"},
			wantURI: "/v3/a+b/a+b",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder(t, 200, okHeader(t, terminateResp), terminateResp)
			c := newTestClient(t, testConfig(t, rec.URL))
			var out plaintextFixture
			if err := c.Call(context.Background(), tt.method, tt.tmpl, tt.values, tt.query, tt.body, &out); err != nil {
				t.Fatalf("Call: %v", err)
			}
			if out != (plaintextFixture{"1900000109", 12535, "wxwtdk20200910100000"}) {
				t.Errorf("result = %+v", out)
			}
			got := rec.only(t)
			if got.method != tt.method || got.requestURI != tt.wantURI {
				t.Errorf("request line = %s %s, want %s %s", got.method, got.requestURI, tt.method, tt.wantURI)
			}
			if string(got.body) != tt.wantBody {
				t.Errorf("body = %q, want %q", got.body, tt.wantBody)
			}
			if ct := got.header.Get("Content-Type"); (ct == "application/json") != (tt.body != nil) {
				t.Errorf("Content-Type = %q with body %v", ct, tt.body)
			}
			msg := tt.method + "\n" + got.requestURI + "\n1554208460\n" + testNonce + "\n" + string(got.body) + "\n"
			want := opensslSign(t, td("merchant_key.pem"), []byte(msg))
			if f := parseAuthorization(t, got.header.Get("Authorization")); f.signature != want {
				t.Errorf("signature does not cover %q", msg)
			}
		})
	}
}

func TestCallResult(t *testing.T) {
	requireOpenSSL(t)
	values := map[string]string{"thing_id": "1", "part": "2"}
	t.Run("nil result ignores the body", func(t *testing.T) {
		rec := newRecorder(t, 200, okHeader(t, terminateResp), terminateResp)
		c := newTestClient(t, testConfig(t, rec.URL))
		if err := c.Call(context.Background(), "GET", callTemplate, values, nil, nil, nil); err != nil {
			t.Fatalf("Call: %v", err)
		}
	})
	t.Run("*[]byte takes the body as is", func(t *testing.T) {
		rec := newRecorder(t, 200, okHeader(t, terminateResp), terminateResp)
		c := newTestClient(t, testConfig(t, rec.URL))
		var raw []byte
		if err := c.Call(context.Background(), "GET", callTemplate, values, nil, nil, &raw); err != nil || string(raw) != terminateResp {
			t.Fatalf("Call = %q, %v", raw, err)
		}
	})
	t.Run("204 leaves the result untouched", func(t *testing.T) {
		rec := newRecorder(t, 204, okHeader(t, ""), "")
		c := newTestClient(t, testConfig(t, rec.URL))
		out := plaintextFixture{MchID: "kept"}
		if err := c.Call(context.Background(), "POST", callTemplate, values, nil, map[string]string{}, &out); err != nil || out.MchID != "kept" {
			t.Fatalf("Call = %+v, %v", out, err)
		}
	})
}

func TestCallValidation(t *testing.T) {
	ok := map[string]string{"thing_id": "1", "part": "2"}
	with := func(k, v string) map[string]string {
		m := map[string]string{"thing_id": "1", "part": "2"}
		m[k] = v
		return m
	}
	tests := []struct {
		name   string
		tmpl   string
		values map[string]string
		body   any
		want   []string // Field of each error, in order
		rule   string
	}{
		{"placeholder without value", callTemplate, map[string]string{"thing_id": "1"}, nil, []string{"part"}, "path"},
		{"nil pathValues", callTemplate, nil, nil, []string{"thing_id", "part"}, "path"},
		{"empty value", callTemplate, with("part", ""), nil, []string{"part"}, "path"},
		{"value .", callTemplate, with("part", "."), nil, []string{"part"}, "path"},
		{"value ..", callTemplate, with("thing_id", ".."), nil, []string{"thing_id"}, "path"},
		{"value not UTF-8", callTemplate, with("part", "ab\xffcd"), nil, []string{"part"}, "path"},
		{"unused keys", callTemplate, with("zeta", "1"), nil, []string{"zeta"}, "path"},
		{"several problems", callTemplate, map[string]string{"thing_id": "", "b": "x", "a": "y"}, nil, []string{"thing_id", "part", "a", "b"}, "path"},
		{"unclosed brace", "/v3/things/{thing_id", ok, nil, []string{"pathTemplate"}, "path"},
		{"stray closing brace", "/v3/things/thing_id}/{part}", ok, nil, []string{"pathTemplate"}, "path"},
		{"nested braces", "/v3/things/{thing_{id}}", ok, nil, []string{"pathTemplate"}, "path"},
		{"empty placeholder", "/v3/things/{}", ok, nil, []string{"pathTemplate"}, "path"},
		{"body does not encode", callTemplate, ok, map[string]any{"c": make(chan int)}, []string{"body"}, "json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder(t, 200, nil, "")
			c := newTestClient(t, testConfig(t, rec.URL))
			err := c.Call(context.Background(), "POST", tt.tmpl, tt.values, nil, tt.body, nil)
			var got []string
			for _, e := range flatten(err) {
				var ve *ValidationError
				if !errors.As(e, &ve) {
					t.Fatalf("error %T %v is not a *ValidationError", e, e)
				}
				if ve.Rule != tt.rule {
					t.Errorf("Rule = %q, want %q", ve.Rule, tt.rule)
				}
				got = append(got, ve.Field)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("fields = %v, want %v (%v)", got, tt.want, err)
			}
			if n := len(rec.requests()); n != 0 {
				t.Errorf("server received %d requests", n)
			}
			if strings.Contains(err.Error(), "ab\xffcd") {
				t.Errorf("error quotes a value: %q", err)
			}
		})
	}
}

// flatten returns the members of a joined error, or err alone.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

// TestCallErrors checks that Call fails with the types generated calls use,
// named by method and template, never by the values filled in.
func TestCallErrors(t *testing.T) {
	requireOpenSSL(t)
	const op = "POST " + callTemplate
	values := map[string]string{"thing_id": "secret-id-1", "part": "2"}
	call := func(t *testing.T, url string) error {
		t.Helper()
		c := newTestClient(t, testConfig(t, url))
		var out plaintextFixture
		err := c.Call(context.Background(), "POST", callTemplate, values, nil, map[string]string{"k": "v"}, &out)
		if err == nil {
			t.Fatal("Call succeeded")
		}
		if strings.Contains(err.Error(), "secret-id-1") {
			t.Errorf("error quotes a path value: %v", err)
		}
		return err
	}
	t.Run("APIError", func(t *testing.T) {
		rec := newRecorder(t, 400, http.Header{"Request-Id": {testRequestID}}, `{"code":"PARAM_ERROR","message":"参数错误"}`)
		var apiErr *APIError
		if err := call(t, rec.URL); !errors.As(err, &apiErr) || apiErr.Code != "PARAM_ERROR" || apiErr.Operation != op {
			t.Errorf("error = %v, want *APIError PARAM_ERROR of %s", err, op)
		}
	})
	t.Run("VerificationError", func(t *testing.T) {
		h := signedHeader(t, "other_key.pem", testPubKeyID, tsAt(0), testRespNonce, []byte(terminateResp))
		rec := newRecorder(t, 200, h, terminateResp)
		var verr *VerificationError
		err := call(t, rec.URL)
		if !errors.As(err, &verr) || !errors.Is(err, ErrBadSignature) || verr.Operation != op {
			t.Errorf("error = %v, want *VerificationError of %s", err, op)
		}
		if strings.Contains(err.Error(), "wxwtdk20200910100000") {
			t.Errorf("error quotes the unverified body: %v", err)
		}
	})
	t.Run("DecodeError", func(t *testing.T) {
		body := `{"mchid":"1900000109","service_id":"12535"}`
		rec := newRecorder(t, 200, okHeader(t, body), body)
		var derr *DecodeError
		if err := call(t, rec.URL); !errors.As(err, &derr) || derr.Operation != op || derr.RequestID != testRequestID {
			t.Errorf("error = %v, want *DecodeError of %s", err, op)
		}
	})
	t.Run("TransportError", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		var terr *TransportError
		if err := call(t, url); !errors.As(err, &terr) || terr.Operation != op || terr.Path != callTemplate {
			t.Errorf("error = %v, want *TransportError of %s", err, op)
		}
	})
}

// TestCallResultChecked gives Call results it cannot fill: each is a
// *ValidationError naming "result" and nothing reaches the server, so a
// non-repeatable POST is never sent only to fail at decoding.
func TestCallResultChecked(t *testing.T) {
	values := map[string]string{"thing_id": "1", "part": "2"}
	var nilPtr *plaintextFixture
	var nilBytes *[]byte
	for _, tc := range []struct {
		name   string
		result any
	}{
		{"struct value", plaintextFixture{}},
		{"map value", map[string]any{}},
		{"slice value", []byte{}},
		{"string", "x"},
		{"typed nil pointer", nilPtr},
		{"typed nil *[]byte", nilBytes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, 200, nil, "")
			c := newTestClient(t, testConfig(t, rec.URL))
			err := c.Call(context.Background(), "POST", callTemplate, values, nil, map[string]string{"k": "v"}, tc.result)
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != "result" {
				t.Fatalf("Call = %v, want a *ValidationError for result", err)
			}
			if n := len(rec.requests()); n != 0 {
				t.Errorf("server received %d requests", n)
			}
		})
	}
}

// TestCallDecodeErrorHoldsNoValue: an answer that does not fit result is a
// *DecodeError that quotes none of its values, even where encoding/json's
// own message would (an overflowing number, the character a syntax error
// stopped at, the text a time failed to parse from), and whose cause still
// names the field and the type.
func TestCallDecodeErrorHoldsNoValue(t *testing.T) {
	requireOpenSSL(t)
	for _, tc := range []struct {
		name, body, secret string
	}{
		{"overflowing number", `{"amount":123456789012345678901234567890}`, "123456789012345678901234567890"},
		{"syntax error", `{"amount":7Q}`, "'Q'"},
		{"time that does not parse", `{"created":"2020-13-45T99:00:00+08:00 secret"}`, "secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, 200, okHeader(t, tc.body), tc.body)
			c := newTestClient(t, testConfig(t, rec.URL))
			var out struct {
				Amount  int64     `json:"amount"`
				Created time.Time `json:"created"`
			}
			err := c.Call(context.Background(), "GET", "/v3/x", nil, nil, nil, &out)
			var derr *DecodeError
			if !errors.As(err, &derr) {
				t.Fatalf("Call = %v, want a *DecodeError", err)
			}
			if strings.Contains(err.Error(), tc.secret) {
				t.Errorf("the DecodeError quotes %q of the answer: %v", tc.secret, err)
			}
		})
	}
	body := `{"amount":123456789012345678901234567890}`
	rec := newRecorder(t, 200, okHeader(t, body), body)
	c := newTestClient(t, testConfig(t, rec.URL))
	var out struct {
		Amount int64 `json:"amount"`
	}
	err := c.Call(context.Background(), "GET", "/v3/x", nil, nil, nil, &out)
	var typeErr *json.UnmarshalTypeError
	if !errors.As(err, &typeErr) || typeErr.Field != "amount" || typeErr.Type.Kind() != reflect.Int64 {
		t.Errorf("Call = %v, want a cause *json.UnmarshalTypeError of field amount, type int64", err)
	}
}
