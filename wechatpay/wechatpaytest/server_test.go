package wechatpaytest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
)

func ptr(s string) *string { return &s }

// TestRejections breaks one part of an otherwise valid request per case.
func TestRejections(t *testing.T) {
	srv := newServer(t, wechatpaytest.Options{})
	const sid, code = wechatpaytest.ExampleServiceID, wechatpaytest.ExampleOutContractCode
	validURI := fmt.Sprintf(terminatePath, sid, code)

	tests := []struct {
		name     string
		edit     func(q *rawRequest)
		status   int
		code     string
		field    string // detail.field, when the answer has a detail
		location string
	}{
		{"missing Authorization", func(q *rawRequest) { q.Authorization = func(string) string { return "" } }, 401, "SIGN_ERROR", "", ""},
		{"wrong scheme", func(q *rawRequest) {
			q.Authorization = func(a string) string {
				return strings.Replace(a, "WECHATPAY2-SHA256-RSA2048", "WECHATPAY2-SHA256-RSA4096", 1)
			}
		}, 401, "SIGN_ERROR", "", ""},
		{"scheme in lower case", func(q *rawRequest) {
			q.Authorization = func(a string) string {
				return strings.Replace(a, "WECHATPAY2-SHA256-RSA2048", "wechatpay2-sha256-rsa2048", 1)
			}
		}, 401, "SIGN_ERROR", "", ""},
		{"space after comma", func(q *rawRequest) {
			q.Authorization = func(a string) string { return strings.ReplaceAll(a, `",`, `", `) }
		}, 401, "SIGN_ERROR", "", ""},
		{"field repeated", func(q *rawRequest) {
			q.Authorization = func(a string) string { return a + `,mchid="` + q.MchID + `"` }
		}, 401, "SIGN_ERROR", "", ""},
		{"field missing", func(q *rawRequest) {
			q.Authorization = func(a string) string { a, _, _ = strings.Cut(a, `,serial_no=`); return a }
		}, 401, "SIGN_ERROR", "", ""},
		{"unknown field", func(q *rawRequest) {
			q.Authorization = func(a string) string { return a + `,extra="1"` }
		}, 401, "SIGN_ERROR", "", ""},
		{"unknown mchid", func(q *rawRequest) { q.MchID = "1900000110" }, 401, "SIGN_ERROR", "", ""},
		{"unknown merchant serial", func(q *rawRequest) { q.SerialNo = "3775B6A45ACD588826D15E583A95F5DD00000001" }, 401, "SIGN_ERROR", "", ""},
		{"signed with another key", func(q *rawRequest) { q.Key = otherKey() }, 401, "SIGN_ERROR", "", ""},
		{"signature not Base64", func(q *rawRequest) {
			q.Authorization = func(a string) string {
				i := strings.Index(a, `signature="`) + len(`signature="`)
				return a[:i] + "!" + a[i+1:]
			}
		}, 401, "SIGN_ERROR", "", ""},
		{"body changed after signing", func(q *rawRequest) { q.SignBody = ptr(`{"contract_termination_remark":"用户解约 "}`) }, 401, "SIGN_ERROR", "", ""},
		{"URL changed after signing", func(q *rawRequest) { q.SignURI = ptr(fmt.Sprintf(terminatePath, sid+1, code)) }, 401, "SIGN_ERROR", "", ""},
		{"query added after signing", func(q *rawRequest) { q.SignURI = ptr(q.URI); q.URI += "?x=1" }, 401, "SIGN_ERROR", "", ""},
		{"method changed after signing", func(q *rawRequest) { q.SignMethod = ptr("PUT") }, 401, "SIGN_ERROR", "", ""},
		// Relative to the request's own time: a second may pass during the test.
		{"stale timestamp", func(q *rawRequest) { q.Timestamp -= 301 }, 401, "SIGN_ERROR", "", ""},
		{"future timestamp", func(q *rawRequest) { q.Timestamp += 310 }, 401, "SIGN_ERROR", "", ""},
		{"timestamp not a number", func(q *rawRequest) {
			q.Authorization = func(a string) string {
				return strings.Replace(a, fmt.Sprintf(`timestamp="%d"`, q.Timestamp), `timestamp="+1"`, 1)
			}
		}, 401, "SIGN_ERROR", "", ""},
		{"missing Wechatpay-Serial", func(q *rawRequest) { q.WechatpaySerial = "-" }, 400, "INVALID_REQUEST", "", ""},
		{"wrong Wechatpay-Serial", func(q *rawRequest) { q.WechatpaySerial = "PUB_KEY_ID_0114232134912410000000000001" }, 400, "INVALID_REQUEST", "", ""},
		{"remark of 257 characters", func(q *rawRequest) {
			q.Body = `{"contract_termination_remark":"` + strings.Repeat("约", 257) + `"}`
		}, 400, "PARAM_ERROR", "/contract_termination_remark", "body"},
		{"remark missing", func(q *rawRequest) { q.Body = `{}` }, 400, "PARAM_ERROR", "/contract_termination_remark", "body"},
		{"remark not a string", func(q *rawRequest) { q.Body = `{"contract_termination_remark":1}` }, 400, "PARAM_ERROR", "/contract_termination_remark", "body"},
		{"body missing", func(q *rawRequest) { q.Body = "" }, 400, "PARAM_ERROR", "", "body"},
		{"body not JSON", func(q *rawRequest) { q.Body = "{" }, 400, "PARAM_ERROR", "", "body"},
		{"wrong Content-Type", func(q *rawRequest) { q.ContentType = "text/plain" }, 400, "PARAM_ERROR", "", "body"},
		{"out_contract_code breaks the pattern", func(q *rawRequest) { q.URI = fmt.Sprintf(terminatePath, sid, "wxwtdk-2020") }, 400, "PARAM_ERROR", "out_contract_code", "path"},
		{"out_contract_code of 33 characters", func(q *rawRequest) { q.URI = fmt.Sprintf(terminatePath, sid, strings.Repeat("a", 33)) }, 400, "PARAM_ERROR", "out_contract_code", "path"},
		{"service_id not an integer", func(q *rawRequest) { q.URI = strings.Replace(validURI, "/12535/", "/x12535/", 1) }, 400, "PARAM_ERROR", "service_id", "path"},
		{"unknown path", func(q *rawRequest) { q.URI = "/v3/password-exempt-contract/contracts/unknown" }, 404, "INVALID_REQUEST", "", ""},
		{"trailing slash", func(q *rawRequest) { q.URI += "/" }, 404, "INVALID_REQUEST", "", ""},
		{"wrong method", func(q *rawRequest) { q.Method, q.Body, q.ContentType = "GET", "", "" }, 404, "INVALID_REQUEST", "", ""},
		{"body over 1 MiB", func(q *rawRequest) { q.Body = strings.Repeat(" ", 1<<20+1) }, 400, "INVALID_REQUEST", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := validRequest(srv, sid, code)
			tt.edit(q)
			a := q.send(t, srv)
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
	if got := srv.ContractState(sid, code); got != wechatpaytest.ContractActive {
		t.Errorf("example contract is %v after rejected requests, want active", got)
	}
}

func TestParamErrorDetail(t *testing.T) {
	srv := newServer(t, wechatpaytest.Options{})
	q := validRequest(srv, wechatpaytest.ExampleServiceID, "wxwtdk-2020")
	a := q.send(t, srv)
	d := a.Error.Detail
	if d == nil || string(d.Value) != `"wxwtdk-2020"` || !strings.Contains(d.Issue, "regular expression") {
		t.Errorf("detail of a pattern violation: %s", a.Body)
	}
	// 256 characters of three bytes each are within string(256).
	q = validRequest(srv, wechatpaytest.ExampleServiceID, wechatpaytest.ExampleOutContractCode)
	q.Body = `{"contract_termination_remark":"` + strings.Repeat("约", 256) + `"}`
	if a := q.send(t, srv); a.Status != http.StatusOK {
		t.Errorf("remark of 256 characters: %d %s", a.Status, a.Body)
	}
}

func TestReplayedNonce(t *testing.T) {
	srv := newServer(t, wechatpaytest.Options{})
	q := validRequest(srv, wechatpaytest.ExampleServiceID, wechatpaytest.ExampleOutContractCode)
	if a := q.send(t, srv); a.Status != http.StatusOK {
		t.Fatalf("first request: %d %s", a.Status, a.Body)
	}
	// The same nonce with a fresh signature is still a replay.
	q.Timestamp++
	if a := q.send(t, srv); a.Status != http.StatusUnauthorized || a.Error.Code != "SIGN_ERROR" {
		t.Fatalf("replayed nonce: %d %s, want 401 SIGN_ERROR", a.Status, a.Body)
	}
}

func TestTerminate(t *testing.T) {
	srv := newServer(t, wechatpaytest.Options{})
	const sid, code = wechatpaytest.ExampleServiceID, wechatpaytest.ExampleOutContractCode

	a := validRequest(srv, sid, code).send(t, srv)
	want := `{"mchid":"1900000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000"}`
	if a.Status != http.StatusOK || string(a.Body) != want {
		t.Fatalf("terminate: %d %s, want 200 %s", a.Status, a.Body, want)
	}
	verifyAnswer(t, a, time.Now())
	if got := srv.ContractState(sid, code); got != wechatpaytest.ContractTerminated {
		t.Errorf("state after terminate: %v", got)
	}

	a = validRequest(srv, sid, code).send(t, srv)
	if a.Status != http.StatusBadRequest || a.Error.Code != "INVALID_REQUEST" {
		t.Fatalf("second terminate: %d %s, want 400 INVALID_REQUEST", a.Status, a.Body)
	}
	if err := srv.AddContract(sid, code); err == nil {
		t.Error("AddContract reused a terminated code")
	}
}

func TestUnknownContract(t *testing.T) {
	srv := newServer(t, wechatpaytest.Options{NoExampleContract: true})
	const sid, code = wechatpaytest.ExampleServiceID, wechatpaytest.ExampleOutContractCode
	if got := srv.ContractState(sid, code); got != wechatpaytest.ContractNone {
		t.Fatalf("example contract seeded despite NoExampleContract: %v", got)
	}
	a := validRequest(srv, sid, code).send(t, srv)
	if a.Status != http.StatusBadRequest || a.Error.Code != "PARAM_ERROR" ||
		a.Error.Detail == nil || a.Error.Detail.Field != "out_contract_code" || a.Error.Detail.Location != "path" {
		t.Fatalf("unknown contract: %d %s, want 400 PARAM_ERROR on out_contract_code", a.Status, a.Body)
	}
	// Same code under another service ID is another contract.
	if err := srv.AddContract(sid+1, code); err != nil {
		t.Fatal(err)
	}
	if a := validRequest(srv, sid, code).send(t, srv); a.Status != http.StatusBadRequest {
		t.Errorf("contract of another service ID terminated: %d %s", a.Status, a.Body)
	}
	if a := validRequest(srv, sid+1, code).send(t, srv); a.Status != http.StatusOK {
		t.Errorf("added contract: %d %s", a.Status, a.Body)
	}
	if err := srv.AddContract(1, "bad-code"); err == nil {
		t.Error("AddContract accepted a code breaking the pattern")
	}
}

// TestRuntimeClient calls the sandbox through the runtime with a fixed clock.
func TestRuntimeClient(t *testing.T) {
	clock := func() time.Time { return time.Unix(1554208460, 0) }
	srv := newServer(t, wechatpaytest.Options{Clock: clock, MchID: "1230000109"})
	rt := newRuntime(t, srv)
	resp, err := rt.Do(context.Background(), terminateRequest(wechatpaytest.ExampleServiceID, wechatpaytest.ExampleOutContractCode))
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Header.Get("Wechatpay-Timestamp"); got != "1554208460" {
		t.Errorf("Wechatpay-Timestamp = %s, want the sandbox clock", got)
	}
	if !strings.Contains(string(resp.Body), `"mchid":"1230000109"`) || resp.RequestID == "" {
		t.Errorf("answer %s, Request-ID %q", resp.Body, resp.RequestID)
	}
	_, err = rt.Do(context.Background(), terminateRequest(wechatpaytest.ExampleServiceID, wechatpaytest.ExampleOutContractCode))
	var apiErr *wechatpay.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "INVALID_REQUEST" || apiErr.RequestID == "" {
		t.Errorf("second call: %v", err)
	}
}

func TestNewServerOptions(t *testing.T) {
	for _, opts := range []wechatpaytest.Options{
		{WechatpayKeyID: "PUB_KEY_ID_abc"},
		{Addr: "256.0.0.1:0"},
		{APIv3Key: make([]byte, 31)},
	} {
		opts.MerchantKey, opts.WechatpayKey = merchantKey(), wechatpayKey()
		if srv, err := wechatpaytest.NewServer(opts); err == nil {
			srv.Close()
			t.Errorf("NewServer(%+v) succeeded", opts)
		}
	}
}

func TestConcurrentCalls(t *testing.T) {
	srv := newServer(t, wechatpaytest.Options{})
	rt := newRuntime(t, srv)
	const n = 20
	for i := range n {
		if err := srv.AddContract(99, fmt.Sprintf("par%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	errs := make(chan error, 2*n)
	for i := range 2 * n {
		go func() {
			// Two callers race for each contract: exactly one may win.
			_, err := rt.Do(context.Background(), terminateRequest(99, fmt.Sprintf("par%d", i%n)))
			errs <- err
		}()
	}
	wins := 0
	for range 2 * n {
		err := <-errs
		var apiErr *wechatpay.APIError
		switch {
		case err == nil:
			wins++
		case errors.As(err, &apiErr) && apiErr.Code == "INVALID_REQUEST":
		default:
			t.Errorf("concurrent call: %v", err)
		}
	}
	if wins != n {
		t.Errorf("%d calls terminated a contract, want %d", wins, n)
	}
}

// TestRoutesOnEscapedPath: a path value holding an escaped slash is one
// segment, so it can reach no other operation; it is checked, decoded, as the
// value of its parameter.
func TestRoutesOnEscapedPath(t *testing.T) {
	srv := newServer(t, wechatpaytest.Options{})
	const sid, code = wechatpaytest.ExampleServiceID, wechatpaytest.ExampleOutContractCode
	query := fmt.Sprintf("/v3/password-exempt-contract/contracts/service-id/%d/out-contract-code/", sid)

	// POST to the query path with the value "CODE/terminate": the query has no POST.
	q := validRequest(srv, sid, code)
	q.URI = query + code + "%2Fterminate"
	a := q.send(t, srv)
	if a.Status != http.StatusNotFound || a.Error.Code != "INVALID_REQUEST" || !strings.Contains(a.Error.Message, "no POST operation") {
		t.Errorf("POST %s: %d %s, want 404 INVALID_REQUEST naming no POST operation", q.URI, a.Status, a.Body)
	}
	if got := srv.ContractState(sid, code); got != wechatpaytest.ContractActive {
		t.Fatalf("POST %s left the contract %v, want active", q.URI, got)
	}

	// The same value queried, and terminated, is a value breaking the pattern.
	for _, tc := range []struct{ method, uri, body string }{
		{http.MethodGet, query + code + "%2Fterminate", ""},
		{http.MethodGet, query + code + "%2fterminate", ""},
		{http.MethodPost, query + "ab%2Fcd/terminate", remarkBody},
	} {
		q := validRequest(srv, sid, code)
		q.Method, q.URI, q.Body = tc.method, tc.uri, tc.body
		if tc.body == "" {
			q.ContentType = ""
		}
		a := q.send(t, srv)
		d := a.Error.Detail
		if a.Status != http.StatusBadRequest || a.Error.Code != "PARAM_ERROR" || d == nil ||
			d.Field != "out_contract_code" || d.Location != "path" || !strings.Contains(string(d.Value), "/") {
			t.Errorf("%s %s: %d %s, want 400 PARAM_ERROR on out_contract_code holding a slash", tc.method, tc.uri, a.Status, a.Body)
		}
	}
	if got := srv.ContractState(sid, code); got != wechatpaytest.ContractActive {
		t.Errorf("contract is %v, want active", got)
	}
}
