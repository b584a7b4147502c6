package wechatpaytest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	st "github.com/payforge/wechatpay/wechatpay/wechatpaytest/internal/sandboxtest"

	"github.com/payforge/wechatpay/internal/testkit"
)

func ptr(s string) *string { return &s }

// The example contract of the official pages, as engine tests name it: no
// behaviour keeps contracts here, so any well-formed values would do.
const (
	sid  = 12535
	code = "wxwtdk20200910100000"
)

// counter serves terminateByCode, counting calls, so that a test sees whether
// the operation ran; every other operation is answered with its example.
type counter struct {
	calls atomic.Int64
}

func (c *counter) Attach(srv *wechatpaytest.Server) (map[string]wechatpaytest.Handler, error) {
	return map[string]wechatpaytest.Handler{
		"terminateByCode": func(call *wechatpaytest.Call) (*wechatpaytest.Response, error) {
			c.calls.Add(1)
			serviceID, _ := strconv.ParseInt(call.PathParams["service_id"], 10, 64) // checked against the spec
			return wechatpaytest.JSON(map[string]any{"mchid": srv.MchID(), "service_id": serviceID,
				"out_contract_code": call.PathParams["out_contract_code"]})
		},
	}, nil
}

// newCounted starts a sandbox whose terminateByCode counts its calls.
func newCounted(t *testing.T, opts wechatpaytest.Options) (*wechatpaytest.Server, *counter) {
	t.Helper()
	c := &counter{}
	opts.Behaviours = append(opts.Behaviours, c)
	return st.NewServer(t, opts), c
}

// TestRejections breaks one part of an otherwise valid request per case.
func TestRejections(t *testing.T) {
	srv, terminations := newCounted(t, wechatpaytest.Options{})
	validURI := fmt.Sprintf(st.TerminatePath, sid, code)

	tests := []struct {
		name     string
		edit     func(q *st.Request)
		status   int
		code     string
		field    string // detail.field, when the answer has a detail
		location string
	}{
		{"missing Authorization", func(q *st.Request) { q.Authorization = func(string) string { return "" } }, 401, "SIGN_ERROR", "", ""},
		{"wrong scheme", func(q *st.Request) {
			q.Authorization = func(a string) string {
				return strings.Replace(a, "WECHATPAY2-SHA256-RSA2048", "WECHATPAY2-SHA256-RSA4096", 1)
			}
		}, 401, "SIGN_ERROR", "", ""},
		{"scheme in lower case", func(q *st.Request) {
			q.Authorization = func(a string) string {
				return strings.Replace(a, "WECHATPAY2-SHA256-RSA2048", "wechatpay2-sha256-rsa2048", 1)
			}
		}, 401, "SIGN_ERROR", "", ""},
		{"space after comma", func(q *st.Request) {
			q.Authorization = func(a string) string { return strings.ReplaceAll(a, `",`, `", `) }
		}, 401, "SIGN_ERROR", "", ""},
		{"field repeated", func(q *st.Request) {
			q.Authorization = func(a string) string { return a + `,mchid="` + q.MchID + `"` }
		}, 401, "SIGN_ERROR", "", ""},
		{"field missing", func(q *st.Request) {
			q.Authorization = func(a string) string { a, _, _ = strings.Cut(a, `,serial_no=`); return a }
		}, 401, "SIGN_ERROR", "", ""},
		{"unknown field", func(q *st.Request) {
			q.Authorization = func(a string) string { return a + `,extra="1"` }
		}, 401, "SIGN_ERROR", "", ""},
		{"unknown mchid", func(q *st.Request) { q.MchID = "1900000110" }, 401, "SIGN_ERROR", "", ""},
		{"unknown merchant serial", func(q *st.Request) { q.SerialNo = testkit.MerchantSerial }, 401, "SIGN_ERROR", "", ""},
		{"signed with another key", func(q *st.Request) { q.Key = st.OtherKey() }, 401, "SIGN_ERROR", "", ""},
		{"signature not Base64", func(q *st.Request) {
			q.Authorization = func(a string) string {
				i := strings.Index(a, `signature="`) + len(`signature="`)
				return a[:i] + "!" + a[i+1:]
			}
		}, 401, "SIGN_ERROR", "", ""},
		{"body changed after signing", func(q *st.Request) { q.SignBody = ptr(`{"contract_termination_remark":"用户解约 "}`) }, 401, "SIGN_ERROR", "", ""},
		{"URL changed after signing", func(q *st.Request) { q.SignURI = ptr(fmt.Sprintf(st.TerminatePath, sid+1, code)) }, 401, "SIGN_ERROR", "", ""},
		{"query added after signing", func(q *st.Request) { q.SignURI = ptr(q.URI); q.URI += "?x=1" }, 401, "SIGN_ERROR", "", ""},
		{"method changed after signing", func(q *st.Request) { q.SignMethod = ptr("PUT") }, 401, "SIGN_ERROR", "", ""},
		// Relative to the request's own time: a second may pass during the test.
		{"stale timestamp", func(q *st.Request) { q.Timestamp -= 301 }, 401, "SIGN_ERROR", "", ""},
		{"future timestamp", func(q *st.Request) { q.Timestamp += 310 }, 401, "SIGN_ERROR", "", ""},
		{"timestamp not a number", func(q *st.Request) {
			q.Authorization = func(a string) string {
				return strings.Replace(a, fmt.Sprintf(`timestamp="%d"`, q.Timestamp), `timestamp="+1"`, 1)
			}
		}, 401, "SIGN_ERROR", "", ""},
		{"missing Wechatpay-Serial", func(q *st.Request) { q.WechatpaySerial = "-" }, 400, "INVALID_REQUEST", "", ""},
		{"wrong Wechatpay-Serial", func(q *st.Request) { q.WechatpaySerial = "PUB_KEY_ID_0114232134912410000000000001" }, 400, "INVALID_REQUEST", "", ""},
		{"remark of 257 characters", func(q *st.Request) {
			q.Body = `{"contract_termination_remark":"` + strings.Repeat("约", 257) + `"}`
		}, 400, "PARAM_ERROR", "/contract_termination_remark", "body"},
		{"remark missing", func(q *st.Request) { q.Body = `{}` }, 400, "PARAM_ERROR", "/contract_termination_remark", "body"},
		{"remark not a string", func(q *st.Request) { q.Body = `{"contract_termination_remark":1}` }, 400, "PARAM_ERROR", "/contract_termination_remark", "body"},
		{"body missing", func(q *st.Request) { q.Body = "" }, 400, "PARAM_ERROR", "", "body"},
		{"body not JSON", func(q *st.Request) { q.Body = "{" }, 400, "PARAM_ERROR", "", "body"},
		{"wrong Content-Type", func(q *st.Request) { q.ContentType = "text/plain" }, 400, "PARAM_ERROR", "", "body"},
		{"out_contract_code breaks the pattern", func(q *st.Request) { q.URI = fmt.Sprintf(st.TerminatePath, sid, "wxwtdk-2020") }, 400, "PARAM_ERROR", "out_contract_code", "path"},
		{"out_contract_code of 33 characters", func(q *st.Request) { q.URI = fmt.Sprintf(st.TerminatePath, sid, strings.Repeat("a", 33)) }, 400, "PARAM_ERROR", "out_contract_code", "path"},
		{"service_id not an integer", func(q *st.Request) { q.URI = strings.Replace(validURI, "/12535/", "/x12535/", 1) }, 400, "PARAM_ERROR", "service_id", "path"},
		{"unknown path", func(q *st.Request) { q.URI = "/v3/password-exempt-contract/contracts/unknown" }, 404, "INVALID_REQUEST", "", ""},
		{"trailing slash", func(q *st.Request) { q.URI += "/" }, 404, "INVALID_REQUEST", "", ""},
		{"wrong method", func(q *st.Request) { q.Method, q.Body, q.ContentType = "GET", "", "" }, 404, "INVALID_REQUEST", "", ""},
		{"body over 1 MiB", func(q *st.Request) { q.Body = strings.Repeat(" ", 1<<20+1) }, 400, "INVALID_REQUEST", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := st.Valid(srv, sid, code)
			tt.edit(q)
			a := q.Send(t, srv)
			if a.Status != tt.status || a.Error.Code != tt.code {
				t.Fatalf("answer %d %s (%s), want %d %s", a.Status, a.Error.Code, a.Body, tt.status, tt.code)
			}
			if a.Error.Message == "" {
				t.Errorf("answer has no message: %s", a.Body)
			}
			if a.Header.Get("Wechatpay-Signature") != "" {
				t.Errorf("error answer is signed")
			}
			if tt.location != "" {
				d := a.Error.Detail
				if d == nil || d.Field != tt.field || d.Location != tt.location || d.Issue == "" {
					t.Errorf("detail %s, want field %q location %q and an issue", a.Body, tt.field, tt.location)
				}
			}
		})
	}
	if n := terminations.calls.Load(); n != 0 {
		t.Errorf("terminateByCode ran %d times for rejected requests, want 0", n)
	}
}

func TestParamErrorDetail(t *testing.T) {
	srv := st.NewServer(t, wechatpaytest.Options{})
	q := st.Valid(srv, sid, "wxwtdk-2020")
	a := q.Send(t, srv)
	d := a.Error.Detail
	if d == nil || string(d.Value) != `"wxwtdk-2020"` || !strings.Contains(d.Issue, "regular expression") {
		t.Errorf("detail of a pattern violation: %s", a.Body)
	}
	// 256 characters of three bytes each are within string(256).
	q = st.Valid(srv, sid, code)
	q.Body = `{"contract_termination_remark":"` + strings.Repeat("约", 256) + `"}`
	if a := q.Send(t, srv); a.Status != http.StatusOK {
		t.Errorf("remark of 256 characters: %d %s", a.Status, a.Body)
	}
}

func TestReplayedNonce(t *testing.T) {
	srv := st.NewServer(t, wechatpaytest.Options{})
	q := st.Valid(srv, sid, code)
	if a := q.Send(t, srv); a.Status != http.StatusOK {
		t.Fatalf("first request: %d %s", a.Status, a.Body)
	}
	// The same nonce with a fresh signature is still a replay.
	q.Timestamp++
	if a := q.Send(t, srv); a.Status != http.StatusUnauthorized || a.Error.Code != "SIGN_ERROR" {
		t.Fatalf("replayed nonce: %d %s, want 401 SIGN_ERROR", a.Status, a.Body)
	}
}

// TestRuntimeClient calls the sandbox through the runtime with a fixed clock.
func TestRuntimeClient(t *testing.T) {
	clock := func() time.Time { return time.Unix(1554208460, 0) }
	srv, _ := newCounted(t, wechatpaytest.Options{Clock: clock, MchID: "1230000109"})
	rt := st.NewRuntime(t, srv)
	resp, err := rt.Do(context.Background(), st.TerminateRequest(sid, code))
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Header.Get("Wechatpay-Timestamp"); got != "1554208460" {
		t.Errorf("Wechatpay-Timestamp = %s, want the sandbox clock", got)
	}
	if !strings.Contains(string(resp.Body), `"mchid":"1230000109"`) || resp.RequestID == "" {
		t.Errorf("answer %s, Request-ID %q", resp.Body, resp.RequestID)
	}
	_, err = rt.Do(context.Background(), st.TerminateRequest(sid, "a-b"))
	var apiErr *wechatpay.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "PARAM_ERROR" || apiErr.RequestID == "" {
		t.Errorf("call breaking the spec: %v", err)
	}
}

func TestNewServerOptions(t *testing.T) {
	for _, opts := range []wechatpaytest.Options{
		{WechatpayKeyID: "PUB_KEY_ID_abc"},
		{Addr: "256.0.0.1:0"},
		{APIv3Key: make([]byte, 31)},
	} {
		opts.MerchantKey, opts.WechatpayKey = st.MerchantKey(), st.WechatpayKey()
		if srv, err := wechatpaytest.NewServer(opts); err == nil {
			srv.Close()
			t.Errorf("NewServer(%+v) succeeded", opts)
		}
	}
}

// TestRoutesOnEscapedPath: a path value holding an escaped slash is one
// segment, so it can reach no other operation; it is checked, decoded, as the
// value of its parameter.
func TestRoutesOnEscapedPath(t *testing.T) {
	srv, terminations := newCounted(t, wechatpaytest.Options{})
	query := fmt.Sprintf("/v3/password-exempt-contract/contracts/service-id/%d/out-contract-code/", sid)

	// POST to the query path with the value "CODE/terminate": the query has no POST.
	q := st.Valid(srv, sid, code)
	q.URI = query + code + "%2Fterminate"
	a := q.Send(t, srv)
	if a.Status != http.StatusNotFound || a.Error.Code != "INVALID_REQUEST" || !strings.Contains(a.Error.Message, "no POST operation") {
		t.Errorf("POST %s: %d %s, want 404 INVALID_REQUEST naming no POST operation", q.URI, a.Status, a.Body)
	}
	if n := terminations.calls.Load(); n != 0 {
		t.Fatalf("POST %s ran terminateByCode", q.URI)
	}

	// The same value queried, and terminated, is a value breaking the pattern.
	for _, tc := range []struct{ method, uri, body string }{
		{http.MethodGet, query + code + "%2Fterminate", ""},
		{http.MethodGet, query + code + "%2fterminate", ""},
		{http.MethodPost, query + "ab%2Fcd/terminate", st.RemarkBody},
	} {
		q := st.Valid(srv, sid, code)
		q.Method, q.URI, q.Body = tc.method, tc.uri, tc.body
		if tc.body == "" {
			q.ContentType = ""
		}
		a := q.Send(t, srv)
		d := a.Error.Detail
		if a.Status != http.StatusBadRequest || a.Error.Code != "PARAM_ERROR" || d == nil ||
			d.Field != "out_contract_code" || d.Location != "path" || !strings.Contains(string(d.Value), "/") {
			t.Errorf("%s %s: %d %s, want 400 PARAM_ERROR on out_contract_code holding a slash", tc.method, tc.uri, a.Status, a.Body)
		}
	}
	if n := terminations.calls.Load(); n != 0 {
		t.Errorf("terminateByCode ran %d times, want 0", n)
	}
}
