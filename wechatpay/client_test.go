package wechatpay

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestAPIErrors(t *testing.T) {
	const paramError = `{"code":"PARAM_ERROR","message":"参数错误","detail":{"field":"/amount/currency","value":"XYZ","issue":"Currency code is invalid","location":"body"}}`
	const html = `<html><body><h1>502 Bad Gateway</h1><p>secret-looking upstream page</p></body></html>`
	reqID := http.Header{"Request-Id": {testRequestID}}
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		want        APIError
		wantDetail  *ErrorDetail
		wantValue   string
		wantMsgPart string // for a non-JSON body: part of the description
		temporary   bool
		wantString  string
	}{
		{
			name: "400 PARAM_ERROR with detail", status: 400, contentType: "application/json", body: paramError,
			want:       APIError{StatusCode: 400, Code: "PARAM_ERROR", Message: "参数错误", RequestID: testRequestID, Operation: "terminateByCode"},
			wantDetail: &ErrorDetail{Field: "/amount/currency", Issue: "Currency code is invalid", Location: "body"},
			wantValue:  `"XYZ"`,
			wantString: "wechatpay: terminateByCode: HTTP 400 PARAM_ERROR: 参数错误 (/amount/currency: Currency code is invalid) [Request-ID " + testRequestID + "]",
		},
		{
			name: "401 SIGN_ERROR", status: 401, contentType: "application/json", body: `{"code":"SIGN_ERROR","message":"签名错误"}`,
			want:       APIError{StatusCode: 401, Code: "SIGN_ERROR", Message: "签名错误", RequestID: testRequestID, Operation: "terminateByCode"},
			wantString: "wechatpay: terminateByCode: HTTP 401 SIGN_ERROR: 签名错误 [Request-ID " + testRequestID + "]",
		},
		{
			name: "403 NO_AUTH", status: 403, contentType: "application/json", body: `{"code":"NO_AUTH","message":"商户暂无权限使用此功能"}`,
			want: APIError{StatusCode: 403, Code: "NO_AUTH", Message: "商户暂无权限使用此功能", RequestID: testRequestID, Operation: "terminateByCode"},
		},
		{
			name: "500 SYSTEM_ERROR", status: 500, contentType: "application/json", body: `{"code":"SYSTEM_ERROR","message":"系统错误"}`,
			want:      APIError{StatusCode: 500, Code: "SYSTEM_ERROR", Message: "系统错误", RequestID: testRequestID, Operation: "terminateByCode"},
			temporary: true,
		},
		{
			name: "500 with an HTML body", status: 500, contentType: "text/html; charset=utf-8", body: html,
			want:        APIError{StatusCode: 500, RequestID: testRequestID, Operation: "terminateByCode"},
			wantMsgPart: "text/html, 85 bytes",
			temporary:   false, // a 500 page says nothing of whether WeChat Pay processed the call
		},
		{
			name: "404 without body", status: 404,
			want:        APIError{StatusCode: 404, RequestID: testRequestID, Operation: "terminateByCode"},
			wantMsgPart: "no content type, 0 bytes",
		},
		{
			name: "400 JSON without code", status: 400, contentType: "application/json", body: `{"message":"x"}`,
			want:        APIError{StatusCode: 400, RequestID: testRequestID, Operation: "terminateByCode"},
			wantMsgPart: "application/json, 15 bytes",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(html) != 85 {
				t.Fatalf("html fixture has %d bytes", len(html))
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range reqID {
					w.Header()[k] = v
				}
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c := newTestClient(t, testConfig(t, srv.URL))
			resp, err := c.Do(context.Background(), terminateRequest())
			if resp != nil {
				t.Errorf("Do returned a response with an API error")
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("Do error = %T %v, want *APIError", err, err)
			}
			got := *apiErr
			got.Detail = nil
			if tt.wantMsgPart != "" {
				if !strings.Contains(got.Message, tt.wantMsgPart) {
					t.Errorf("Message = %q, want it to contain %q", got.Message, tt.wantMsgPart)
				}
				got.Message = ""
				if tt.body != "" && strings.Contains(err.Error(), tt.body) {
					t.Errorf("error quotes the body: %v", err)
				}
			}
			if got != tt.want {
				t.Errorf("APIError = %+v\nwant %+v", got, tt.want)
			}
			switch {
			case tt.wantDetail == nil && apiErr.Detail != nil:
				t.Errorf("Detail = %+v, want nil", apiErr.Detail)
			case tt.wantDetail != nil:
				if apiErr.Detail == nil {
					t.Fatal("Detail is nil")
				}
				d := *apiErr.Detail
				if string(d.Value) != tt.wantValue {
					t.Errorf("Detail.Value = %s, want %s", d.Value, tt.wantValue)
				}
				d.Value = nil
				if d.Field != tt.wantDetail.Field || d.Issue != tt.wantDetail.Issue || d.Location != tt.wantDetail.Location {
					t.Errorf("Detail = %+v, want %+v", d, *tt.wantDetail)
				}
			}
			if apiErr.Temporary() != tt.temporary {
				t.Errorf("Temporary() = %v, want %v", apiErr.Temporary(), tt.temporary)
			}
			if tt.wantString != "" && err.Error() != tt.wantString {
				t.Errorf("Error() =\n%s\nwant\n%s", err.Error(), tt.wantString)
			}
			var verr *VerificationError
			if errors.As(err, &verr) {
				t.Errorf("an unsigned error answer was treated as a verification failure")
			}
		})
	}
}

func TestRedirectIsNotFollowed(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			var otherHits atomic.Int32
			signed := okHeader(t, terminateResp)
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				otherHits.Add(1)
				writeAnswer(w, signed, 200, terminateResp)
			}))
			defer other.Close()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Request-ID", testRequestID)
				http.Redirect(w, r, other.URL+r.URL.Path, status)
			}))
			defer srv.Close()

			cfg := testConfig(t, srv.URL)
			var redirectCalls atomic.Int32
			cfg.HTTPClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
				redirectCalls.Add(1)
				return nil // would follow; the client must override it
			}}
			c := newTestClient(t, cfg)
			resp, err := c.Do(context.Background(), terminateRequest())
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
				t.Fatalf("Do = %v, %v; want *APIError %d", resp, err, status)
			}
			if apiErr.RequestID != testRequestID {
				t.Errorf("RequestID = %q", apiErr.RequestID)
			}
			if n := otherHits.Load(); n != 0 {
				t.Errorf("the other host received %d requests", n)
			}
			if n := redirectCalls.Load(); n != 0 {
				t.Errorf("the caller's CheckRedirect was consulted %d times", n)
			}
			if cfg.HTTPClient.CheckRedirect == nil {
				t.Errorf("NewClient modified the caller's http.Client")
			}
		})
	}
}

func TestTransportErrors(t *testing.T) {
	const template = "/v3/password-exempt-contract/contracts/service-id/{service_id}/out-contract-code/{out_contract_code}/terminate"
	checkTransport := func(t *testing.T, resp *Response, err error) *TransportError {
		t.Helper()
		if resp != nil {
			t.Errorf("Do returned a response with a transport error")
		}
		var terr *TransportError
		if !errors.As(err, &terr) {
			t.Fatalf("Do error = %T %v, want *TransportError", err, err)
		}
		if terr.Operation != "terminateByCode" || terr.Method != "POST" || terr.Path != template {
			t.Errorf("TransportError = %+v", terr)
		}
		return terr
	}

	t.Run("server closes the connection", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}))
		defer srv.Close()
		c := newTestClient(t, testConfig(t, srv.URL))
		resp, err := c.Do(context.Background(), terminateRequest())
		checkTransport(t, resp, err)
	})

	t.Run("nothing listening", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		c := newTestClient(t, testConfig(t, url))
		resp, err := c.Do(context.Background(), terminateRequest())
		checkTransport(t, resp, err)
		// The error names the path template, not the values filled into it.
		if msg := err.Error(); strings.Contains(msg, "wxwtdk20200910100000") || !strings.Contains(msg, "{out_contract_code}") {
			t.Errorf("transport error %q quotes path values or lacks the template", msg)
		}
	})

	t.Run("body larger than MaxResponseBytes", func(t *testing.T) {
		const limit = 64
		for _, tc := range []struct {
			name   string
			status int
			size   int
		}{{"2xx one byte over", 200, limit + 1}, {"error answer far over", 500, 10 * limit}} {
			t.Run(tc.name, func(t *testing.T) {
				body := strings.Repeat("x", tc.size)
				rec := newRecorder(t, tc.status, okHeader(t, body), body)
				cfg := testConfig(t, rec.URL)
				cfg.MaxResponseBytes = limit
				c := newTestClient(t, cfg)
				resp, err := c.Do(context.Background(), terminateRequest())
				checkTransport(t, resp, err)
				if !errors.Is(err, ErrResponseTooLarge) {
					t.Errorf("error %v does not wrap ErrResponseTooLarge", err)
				}
			})
		}
	})

	t.Run("body of exactly MaxResponseBytes", func(t *testing.T) {
		rec := newRecorder(t, 200, okHeader(t, terminateResp), terminateResp)
		cfg := testConfig(t, rec.URL)
		cfg.MaxResponseBytes = int64(len(terminateResp))
		c := newTestClient(t, cfg)
		if _, err := c.Do(context.Background(), terminateRequest()); err != nil {
			t.Errorf("Do: %v", err)
		}
	})

	t.Run("MaxResponseBytes at the int64 maximum", func(t *testing.T) {
		rec := newRecorder(t, 200, okHeader(t, terminateResp), terminateResp)
		cfg := testConfig(t, rec.URL)
		cfg.MaxResponseBytes = math.MaxInt64
		c := newTestClient(t, cfg)
		resp, err := c.Do(context.Background(), terminateRequest())
		if err != nil {
			t.Fatalf("Do: %v", err)
		}
		if string(resp.Body) != terminateResp {
			t.Errorf("Body = %q", resp.Body)
		}
	})

	t.Run("context cancelled in flight", func(t *testing.T) {
		arrived := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Reading the body lets the server notice the client hanging up.
			_, _ = io.ReadAll(r.Body)
			close(arrived)
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}))
		defer srv.Close()
		c := newTestClient(t, testConfig(t, srv.URL))
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-arrived
			cancel()
		}()
		resp, err := c.Do(ctx, terminateRequest())
		checkTransport(t, resp, err)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v does not wrap context.Canceled", err)
		}
	})

	t.Run("context cancelled before the call", func(t *testing.T) {
		rec := newRecorder(t, 200, nil, "")
		c := newTestClient(t, testConfig(t, rec.URL))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		resp, err := c.Do(ctx, terminateRequest())
		checkTransport(t, resp, err)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v does not wrap context.Canceled", err)
		}
		if n := len(rec.requests()); n != 0 {
			t.Errorf("server received %d requests", n)
		}
	})

	t.Run("nonce source fails", func(t *testing.T) {
		rec := newRecorder(t, 200, nil, "")
		c := newTestClient(t, testConfig(t, rec.URL))
		errNoEntropy := errors.New("no entropy")
		c.newNonce = func() (string, error) { return "", errNoEntropy }
		resp, err := c.Do(context.Background(), terminateRequest())
		checkTransport(t, resp, err)
		if !errors.Is(err, errNoEntropy) {
			t.Errorf("error %v does not wrap the nonce error", err)
		}
		if n := len(rec.requests()); n != 0 {
			t.Errorf("server received %d requests", n)
		}
	})

	t.Run("signer fails", func(t *testing.T) {
		rec := newRecorder(t, 200, nil, "")
		cfg := testConfig(t, rec.URL)
		cfg.MerchantKey = failingSigner{mustPrivateKey(t, "merchant_key.pem")}
		c := newTestClient(t, cfg)
		resp, err := c.Do(context.Background(), terminateRequest())
		checkTransport(t, resp, err)
		if !errors.Is(err, errSignerDown) {
			t.Errorf("error %v does not wrap the signer's error", err)
		}
		if n := len(rec.requests()); n != 0 {
			t.Errorf("server received %d requests", n)
		}
	})
	// A path without its leading slash is a *ValidationError, not a
	// transport failure: see TestRefusedBeforeSending.
}

func TestClientUsesCustomUserAgentAndSerial(t *testing.T) {
	requireOpenSSL(t)
	h := signedHeader(t, "platform_key.pem", testPlatformSerial, tsAt(0), testRespNonce, nil)
	rec := newRecorder(t, 204, h, "")
	cfg := testConfig(t, rec.URL)
	cfg.UserAgent = "merchant-app/2.0"
	cfg.WechatpaySerial = testPlatformSerial
	c := newTestClient(t, cfg)
	if _, err := c.Do(context.Background(), &Request{Operation: "op", Method: "GET", PathTemplate: "/v3/a", Path: "/v3/a"}); err != nil {
		t.Fatalf("Do: %v", err)
	}
	got := rec.only(t)
	if ua := got.header.Get("User-Agent"); ua != "merchant-app/2.0" {
		t.Errorf("User-Agent = %q", ua)
	}
	if s := got.header.Get(HeaderSerial); s != testPlatformSerial {
		t.Errorf("Wechatpay-Serial = %q, want %q", s, testPlatformSerial)
	}
	if a := got.header.Get("Accept"); a != "application/json" {
		t.Errorf("Accept = %q", a)
	}
}

func TestClientKeysRotation(t *testing.T) {
	requireOpenSSL(t)
	h := signedHeader(t, "platform_key.pem", testPlatformSerial, tsAt(0), testRespNonce, nil)
	rec := newRecorder(t, 204, h, "")
	c := newTestClient(t, testConfig(t, rec.URL))
	req := &Request{Operation: "op", Method: "GET", PathTemplate: "/v3/a", Path: "/v3/a"}
	if _, err := c.Do(context.Background(), req); err != nil {
		t.Fatalf("before rotation: %v", err)
	}
	c.Keys().Remove(testPlatformSerial)
	if _, err := c.Do(context.Background(), req); !errors.Is(err, ErrUnknownSerial) {
		t.Fatalf("after removing the certificate: %v, want ErrUnknownSerial", err)
	}
}
