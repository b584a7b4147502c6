package wechatpay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// scriptedServer answers the n-th request (from 1) with answers[n-1], the
// last one repeating, and records each request's Authorization header.
type scriptedServer struct {
	*httptest.Server
	mu    sync.Mutex
	auths []string
}

func newScriptedServer(t *testing.T, answers ...func(w http.ResponseWriter)) *scriptedServer {
	s := &scriptedServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.auths = append(s.auths, r.Header.Get("Authorization"))
		n := len(s.auths)
		s.mu.Unlock()
		answers[min(n, len(answers))-1](w)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *scriptedServer) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auths...)
}

func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
}

func systemError(w http.ResponseWriter) {
	writeAnswer(w, http.Header{}, 500, `{"code":"SYSTEM_ERROR","message":"系统错误"}`)
}

func TestRetryPolicy(t *testing.T) {
	const okBody = `{"mchid":"1900000109"}`
	ok := func(t *testing.T) func(w http.ResponseWriter) {
		h := okHeader(t, okBody)
		return func(w http.ResponseWriter) { writeAnswer(w, h, 200, okBody) }
	}
	paramError := func(w http.ResponseWriter) {
		writeAnswer(w, http.Header{}, 400, `{"code":"PARAM_ERROR","message":"参数错误"}`)
	}
	unsigned := func(w http.ResponseWriter) { writeAnswer(w, http.Header{}, 200, okBody) }

	cases := []struct {
		name     string
		method   string
		policy   RetryPolicy
		answers  func(t *testing.T) []func(http.ResponseWriter)
		wantSent int
		wantOK   bool
	}{
		{"zero policy repeats nothing", http.MethodGet, RetryPolicy{},
			func(t *testing.T) []func(http.ResponseWriter) {
				return []func(http.ResponseWriter){dropConnection, ok(t)}
			}, 1, false},
		{"GET after dropped connections", http.MethodGet, RetryPolicy{MaxAttempts: 3},
			func(t *testing.T) []func(http.ResponseWriter) {
				return []func(http.ResponseWriter){dropConnection, dropConnection, ok(t)}
			}, 3, true},
		{"GET gives up after MaxAttempts", http.MethodGet, RetryPolicy{MaxAttempts: 3},
			func(t *testing.T) []func(http.ResponseWriter) { return []func(http.ResponseWriter){systemError} }, 3, false},
		{"GET after SYSTEM_ERROR", http.MethodGet, RetryPolicy{MaxAttempts: 2},
			func(t *testing.T) []func(http.ResponseWriter) { return []func(http.ResponseWriter){systemError, ok(t)} }, 2, true},
		{"POST is not repeated by default", http.MethodPost, RetryPolicy{MaxAttempts: 3},
			func(t *testing.T) []func(http.ResponseWriter) { return []func(http.ResponseWriter){systemError, ok(t)} }, 1, false},
		{"POST with RetryUnsafe", http.MethodPost, RetryPolicy{MaxAttempts: 3, RetryUnsafe: true},
			func(t *testing.T) []func(http.ResponseWriter) {
				return []func(http.ResponseWriter){dropConnection, ok(t)}
			}, 2, true},
		{"PARAM_ERROR is final", http.MethodGet, RetryPolicy{MaxAttempts: 3},
			func(t *testing.T) []func(http.ResponseWriter) { return []func(http.ResponseWriter){paramError, ok(t)} }, 1, false},
		{"a verification failure is final", http.MethodGet, RetryPolicy{MaxAttempts: 3},
			func(t *testing.T) []func(http.ResponseWriter) { return []func(http.ResponseWriter){unsigned, ok(t)} }, 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newScriptedServer(t, tc.answers(t)...)
			cfg := testConfig(t, srv.URL)
			cfg.Retry = tc.policy
			c, err := NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var waits []time.Duration
			c.retry.sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
			req := terminateRequest()
			req.Method = tc.method
			if tc.method == http.MethodGet {
				req.Body = nil
			}
			_, err = c.Do(context.Background(), req)
			if (err == nil) != tc.wantOK {
				t.Fatalf("err = %v, want success %v", err, tc.wantOK)
			}
			auths := srv.requests()
			if len(auths) != tc.wantSent {
				t.Fatalf("server got %d requests, want %d", len(auths), tc.wantSent)
			}
			if len(waits) != tc.wantSent-1 {
				t.Errorf("waited %d times, want %d", len(waits), tc.wantSent-1)
			}
			seen := map[string]bool{}
			for _, a := range auths {
				if seen[a] {
					t.Errorf("a repeated attempt reused its Authorization header: each attempt must be signed anew")
				}
				seen[a] = true
			}
		})
	}
}

func TestRetryDelay(t *testing.T) {
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}.withDefaults()
	for _, tc := range []struct {
		attempt int
		base    time.Duration
	}{{1, 100 * time.Millisecond}, {2, 200 * time.Millisecond}, {3, 400 * time.Millisecond}, {4, 800 * time.Millisecond}, {5, time.Second}, {40, time.Second}} {
		for range 50 {
			d := p.delay(tc.attempt)
			if d < tc.base || d > tc.base+tc.base/2 {
				t.Fatalf("delay(%d) = %v, want within [%v, %v]", tc.attempt, d, tc.base, tc.base+tc.base/2)
			}
		}
	}
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	var sent atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent.Add(1)
		systemError(w)
	}))
	defer srv.Close()
	cfg := testConfig(t, srv.URL)
	cfg.Retry = RetryPolicy{MaxAttempts: 100, BaseDelay: time.Hour, MaxDelay: time.Hour}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The context ends while the client backs off: cancelled at the start
	// of the hour's wait, not after a deadline a loaded machine could miss
	// before the first answer.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.retry.sleep = func(ctx context.Context, d time.Duration) error {
		cancel()
		return sleepContext(ctx, d)
	}
	req := terminateRequest()
	req.Method, req.Body = http.MethodGet, nil
	_, err = c.Do(ctx, req)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "SYSTEM_ERROR" {
		t.Errorf("err = %v, want the last SYSTEM_ERROR", err)
	}
	if n := sent.Load(); n != 1 {
		t.Errorf("server got %d requests while the client backed off for an hour, want 1", n)
	}
}

// TestRetryClientTimeout: an attempt that outlasts the http.Client's Timeout
// is repeated (net/http's timeout error matches context.DeadlineExceeded,
// but the caller's context has not ended); one that outlasts the caller's
// context is not.
func TestRetryClientTimeout(t *testing.T) {
	var sent atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent.Add(1)
		select { // slower than any timeout below
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		systemError(w)
	}))
	defer srv.Close()
	get := terminateRequest()
	get.Method, get.Body = http.MethodGet, nil

	t.Run("client timeout", func(t *testing.T) {
		sent.Store(0)
		cfg := testConfig(t, srv.URL)
		cfg.HTTPClient = &http.Client{Timeout: 50 * time.Millisecond}
		cfg.Retry = RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}
		c := newTestClient(t, cfg)
		_, err := c.Do(context.Background(), get)
		var te *TransportError
		if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want a *TransportError of the client's timeout", err)
		}
		if n := sent.Load(); n != 3 {
			t.Errorf("server got %d requests, want 3", n)
		}
	})
	t.Run("caller's deadline", func(t *testing.T) {
		sent.Store(0)
		cfg := testConfig(t, srv.URL)
		cfg.Retry = RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}
		c := newTestClient(t, cfg)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := c.Do(ctx, get)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want the caller's deadline", err)
		}
		if n := sent.Load(); n != 1 {
			t.Errorf("server got %d requests after the caller's deadline, want 1", n)
		}
	})
}

func TestRetryPolicyConfig(t *testing.T) {
	for _, p := range []RetryPolicy{{MaxAttempts: -1}, {BaseDelay: -time.Second}, {BaseDelay: 3 * time.Second, MaxDelay: time.Second}} {
		cfg := testConfig(t, "")
		cfg.Retry = p
		if _, err := NewClient(cfg); err == nil {
			t.Errorf("NewClient accepted Retry %+v", p)
		}
	}
}

// TestRetryAgreesWithTemporary serves each answer of a table to a GET under a
// two-attempt policy: the policy repeats the call exactly when the first
// answer's APIError.Temporary says so, and both follow WeChat Pay's table.
func TestRetryAgreesWithTemporary(t *testing.T) {
	const html = `<html><body>gateway</body></html>`
	for _, tc := range []struct {
		name      string
		status    int
		ct, body  string
		temporary bool
	}{
		{"500 SYSTEM_ERROR", 500, "application/json", `{"code":"SYSTEM_ERROR","message":"系统错误"}`, true},
		{"500 other code", 500, "application/json", `{"code":"BANK_ERROR","message":"x"}`, false},
		{"500 HTML from a proxy", 500, "text/html", html, false},
		{"501 without body", 501, "", "", false},
		{"502 SERVICE_UNAVAILABLE", 502, "application/json", `{"code":"SERVICE_UNAVAILABLE","message":"x"}`, true},
		{"502 HTML from a proxy", 502, "text/html", html, true},
		{"503 SERVICE_UNAVAILABLE", 503, "application/json", `{"code":"SERVICE_UNAVAILABLE","message":"x"}`, true},
		{"503 without body", 503, "", "", true},
		{"504 HTML from a proxy", 504, "text/html", html, false},
		{"429 RATELIMIT_EXCEEDED", 429, "application/json", `{"code":"RATELIMIT_EXCEEDED","message":"x"}`, true},
		{"429 without body", 429, "", "", true},
		{"400 PARAM_ERROR", 400, "application/json", `{"code":"PARAM_ERROR","message":"x"}`, false},
		{"400 SYSTEM_ERROR", 400, "application/json", `{"code":"SYSTEM_ERROR","message":"x"}`, true},
		{"404 ORDER_NOT_EXIST", 404, "application/json", `{"code":"ORDER_NOT_EXIST","message":"x"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newScriptedServer(t, func(w http.ResponseWriter) {
				if tc.ct != "" {
					w.Header().Set("Content-Type", tc.ct)
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			cfg := testConfig(t, srv.URL)
			cfg.Retry = RetryPolicy{MaxAttempts: 2}
			c, err := NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			c.retry.sleep = func(context.Context, time.Duration) error { return nil }
			req := terminateRequest()
			req.Method, req.Body = http.MethodGet, nil
			_, err = c.Do(context.Background(), req)
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("Do = %v, want *APIError", err)
			}
			repeated := len(srv.requests()) == 2
			if apiErr.Temporary() != tc.temporary || repeated != tc.temporary {
				t.Errorf("Temporary() = %v, repeated = %v; want both %v", apiErr.Temporary(), repeated, tc.temporary)
			}
		})
	}
}

// TestRetryDelayExtremes: delays near the largest time.Duration neither wrap
// negative while doubling (rand.N panicked on it) nor overflow when the
// random part is added: they saturate.
func TestRetryDelayExtremes(t *testing.T) {
	const maxDur = time.Duration(math.MaxInt64)
	for _, p := range []RetryPolicy{
		{BaseDelay: time.Nanosecond, MaxDelay: maxDur},
		{BaseDelay: time.Second, MaxDelay: maxDur},
		{BaseDelay: maxDur/2 + 1, MaxDelay: maxDur},
		{BaseDelay: maxDur, MaxDelay: maxDur},
		{BaseDelay: maxDur - 1, MaxDelay: maxDur - 1},
		{BaseDelay: time.Hour, MaxDelay: maxDur / 3},
	} {
		p = p.withDefaults()
		for _, attempt := range []int{1, 2, 3, 30, 62, 63, 64, 65, 100, 1000, math.MaxInt} {
			for range 20 {
				var d time.Duration
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Fatalf("BaseDelay %d, MaxDelay %d: delay(%d) panicked: %v", p.BaseDelay, p.MaxDelay, attempt, r)
						}
					}()
					d = p.delay(attempt)
				}()
				// The bounds in exact arithmetic: base = min(MaxDelay,
				// BaseDelay·2^(attempt-1)), the delay within [base, 1.5·base],
				// capped at the largest Duration.
				base := new(big.Int).Lsh(big.NewInt(int64(p.BaseDelay)), uint(min(attempt-1, 200)))
				if base.Cmp(big.NewInt(int64(p.MaxDelay))) > 0 {
					base.SetInt64(int64(p.MaxDelay))
				}
				hi := new(big.Int).Add(base, new(big.Int).Rsh(base, 1))
				if hi.Cmp(big.NewInt(math.MaxInt64)) > 0 {
					hi.SetInt64(math.MaxInt64)
				}
				if got := big.NewInt(int64(d)); got.Cmp(base) < 0 || got.Cmp(hi) > 0 {
					t.Fatalf("BaseDelay %d, MaxDelay %d: delay(%d) = %d, want within [%s, %s]", p.BaseDelay, p.MaxDelay, attempt, d, base, hi)
				}
			}
		}
	}
}

// TestRefusedBeforeSending: a nil context, or a path without its leading
// slash, is a *ValidationError returned at once, with or without a retry
// policy: nothing is sent, nothing is repeated, nothing panics.
func TestRefusedBeforeSending(t *testing.T) {
	srv := newScriptedServer(t, systemError)
	for _, attempts := range []int{0, 3} {
		cfg := testConfig(t, srv.URL)
		cfg.Retry = RetryPolicy{MaxAttempts: attempts}
		c := newTestClient(t, cfg)
		backoffs := 0
		c.retry.sleep = func(context.Context, time.Duration) error { backoffs++; return nil }
		var nilCtx context.Context // a caller's zero value, not a literal nil
		ctx := context.Background()
		get := func(path string) *Request {
			return &Request{Operation: "op", Method: http.MethodGet, PathTemplate: path, Path: path}
		}
		for _, tc := range []struct {
			name, field, rule string
			call              func() error
		}{
			{"Do with a nil context", "ctx", "required", func() error { _, err := c.Do(nilCtx, get("/v3/a")); return err }},
			{"Call with a nil context", "ctx", "required", func() error {
				return c.Call(nilCtx, http.MethodGet, "/v3/a/{id}", map[string]string{"id": "1"}, nil, nil, nil)
			}},
			{"Download with a nil context", "ctx", "required", func() error {
				_, err := c.Download(nilCtx, get("/v3/a"), io.Discard)
				return err
			}},
			{"DownloadBill with a nil context", "ctx", "required", func() error {
				_, err := c.DownloadBill(nilCtx, &BillDownload{Bill: Bill{HashType: "SHA1", HashValue: strings.Repeat("0", 40), DownloadURL: srv.URL + billToken}}, io.Discard)
				return err
			}},
			{"Do with a relative path", "Path", "path", func() error { _, err := c.Do(ctx, get("v3/a")); return err }},
			{"Call with a relative template", "pathTemplate", "path", func() error {
				return c.Call(ctx, http.MethodGet, "v3/x/{id}", map[string]string{"id": "1"}, nil, nil, nil)
			}},
		} {
			t.Run(fmt.Sprintf("%s, %d attempts", tc.name, attempts), func(t *testing.T) {
				backoffs = 0
				var err error
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Fatalf("panicked: %v", p)
						}
					}()
					err = tc.call()
				}()
				var ve *ValidationError
				if !errors.As(err, &ve) || ve.Field != tc.field || ve.Rule != tc.rule {
					t.Errorf("error = %T %v, want a *ValidationError of %s, rule %s", err, err, tc.field, tc.rule)
				}
				if n := len(srv.requests()); n != 0 || backoffs != 0 {
					t.Errorf("%d requests sent after %d back-offs, want none", n, backoffs)
				}
			})
		}
	}
}
