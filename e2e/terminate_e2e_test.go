package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/wechatpay"
)

const (
	terminatePath = "/v3/password-exempt-contract/contracts/service-id/12535/out-contract-code/wxwtdk20200910100000/terminate"
	echoBody      = `{"mchid":"1900000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000"}`
)

func exampleRequest() *passwordexemptcontract.TerminateByCodeRequest {
	return &passwordexemptcontract.TerminateByCodeRequest{
		ServiceID:                 12535,
		OutContractCode:           "wxwtdk20200910100000",
		ContractTerminationRemark: "用户解约",
	}
}

func setup(t *testing.T) (*standIn, *passwordexemptcontract.Client) {
	t.Helper()
	k := loadKeys(t)
	s := newStandIn(t, k)
	return s, passwordexemptcontract.NewClient(newRuntime(t, k, s.URL, s.Client()))
}

func TestTerminateByCodeSuccess(t *testing.T) {
	s, c := setup(t)
	s.script(answer{body: echoBody})
	got, err := c.TerminateByCode(context.Background(), exampleRequest())
	if err != nil {
		t.Fatalf("TerminateByCode: %v", err)
	}
	want := passwordexemptcontract.TerminateByCodeResponse{MchID: "1900000109", ServiceID: 12535, OutContractCode: "wxwtdk20200910100000"}
	if *got != want {
		t.Errorf("response = %+v, want %+v", *got, want)
	}
	reqs := s.requests()
	if len(reqs) != 1 {
		t.Fatalf("server received %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if !r.signatureOK {
		t.Errorf("independent check rejected the signature: %s", r.problem)
	}
	if r.method != http.MethodPost || r.requestURI != terminatePath {
		t.Errorf("request line = %s %s, want POST %s", r.method, r.requestURI, terminatePath)
	}
	if want := `{"contract_termination_remark":"用户解约"}`; r.body != want {
		t.Errorf("body = %s, want %s", r.body, want)
	}
	for h, want := range map[string]string{
		"Accept":           "application/json",
		"Content-Type":     "application/json",
		"Wechatpay-Serial": testPubKeyID,
	} {
		if got := r.header.Get(h); got != want {
			t.Errorf("header %s = %q, want %q", h, got, want)
		}
	}
	if r.header.Get("User-Agent") == "" {
		t.Error("no User-Agent sent")
	}
}

func TestTerminateByCodeDocumentedErrors(t *testing.T) {
	s, c := setup(t)
	cases := []struct {
		status int
		code   string
	}{
		{400, "PARAM_ERROR"},
		{400, "INVALID_REQUEST"},
		{401, "SIGN_ERROR"},
		{403, "NO_AUTH"},
		{500, "SYSTEM_ERROR"},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			s.script(answer{
				status: tc.status, unsigned: true, requestIDSent: "rid-" + tc.code,
				body: `{"code":"` + tc.code + `","message":"documented","detail":{"field":"/contract_termination_remark","value":"x","issue":"bad","location":"body"}}`,
			})
			resp, err := c.TerminateByCode(context.Background(), exampleRequest())
			if resp != nil {
				t.Errorf("got a response %+v with an error answer", resp)
			}
			var apiErr *wechatpay.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v (%T) is not *wechatpay.APIError", err, err)
			}
			if apiErr.StatusCode != tc.status || apiErr.Code != tc.code || apiErr.RequestID != "rid-"+tc.code {
				t.Errorf("APIError = %+v, want status %d code %s", apiErr, tc.status, tc.code)
			}
			if apiErr.Detail == nil || apiErr.Detail.Field != "/contract_termination_remark" || apiErr.Detail.Location != "body" {
				t.Errorf("detail = %+v", apiErr.Detail)
			}
			if got, want := apiErr.Temporary(), tc.code == "SYSTEM_ERROR"; got != want {
				t.Errorf("Temporary() = %v, want %v", got, want)
			}
		})
	}
}

func TestTerminateByCodeVerificationFailures(t *testing.T) {
	s, c := setup(t)
	cases := []struct {
		name string
		a    answer
		want error
	}{
		{"missing timestamp", answer{omitHeader: "Wechatpay-Timestamp"}, wechatpay.ErrMissingHeader},
		{"missing nonce", answer{omitHeader: "Wechatpay-Nonce"}, wechatpay.ErrMissingHeader},
		{"missing signature", answer{omitHeader: "Wechatpay-Signature"}, wechatpay.ErrMissingHeader},
		{"missing serial", answer{omitHeader: "Wechatpay-Serial"}, wechatpay.ErrMissingHeader},
		{"no signature headers at all", answer{unsigned: true}, wechatpay.ErrMissingHeader},
		{"unknown serial", answer{serial: otherPubKeyID}, wechatpay.ErrUnknownSerial},
		{"wrong key", answer{signWith: loadKeys(t).other}, wechatpay.ErrBadSignature},
		{"tampered body", answer{tamperedBody: strings.Replace(echoBody, "12535", "12536", 1)}, wechatpay.ErrBadSignature},
		{"301 s old", answer{timestamp: testNow - 301}, wechatpay.ErrStaleTimestamp},
		{"301 s ahead", answer{timestamp: testNow + 301}, wechatpay.ErrStaleTimestamp},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.a.body = echoBody
			tc.a.requestIDSent = "rid-verify"
			s.script(tc.a)
			resp, err := c.TerminateByCode(context.Background(), exampleRequest())
			if resp != nil {
				t.Fatalf("unverified answer returned as %+v", resp)
			}
			var verr *wechatpay.VerificationError
			if !errors.As(err, &verr) {
				t.Fatalf("error %v (%T) is not *wechatpay.VerificationError", err, err)
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("error %v does not wrap %v", err, tc.want)
			}
			if verr.RequestID != "rid-verify" {
				t.Errorf("RequestID = %q, want rid-verify", verr.RequestID)
			}
		})
	}
	// The edges of the window are accepted.
	for _, ts := range []int64{testNow - 300, testNow + 300} {
		s.script(answer{body: echoBody, timestamp: ts})
		if _, err := c.TerminateByCode(context.Background(), exampleRequest()); err != nil {
			t.Errorf("timestamp %+d s rejected: %v", ts-testNow, err)
		}
	}
}

func TestTerminateByCodeDecodeError(t *testing.T) {
	s, c := setup(t)
	s.script(answer{body: `{"mchid":1900000109}`})
	_, err := c.TerminateByCode(context.Background(), exampleRequest())
	var derr *wechatpay.DecodeError
	if !errors.As(err, &derr) {
		t.Fatalf("error %v (%T) is not *wechatpay.DecodeError", err, err)
	}
}

func TestTerminateByCodeValidation(t *testing.T) {
	s, c := setup(t)
	s.script(answer{body: echoBody})
	remark := func(n int) *passwordexemptcontract.TerminateByCodeRequest {
		r := exampleRequest()
		r.ContractTerminationRemark = strings.Repeat("解", n)
		return r
	}
	code := func(v string) *passwordexemptcontract.TerminateByCodeRequest {
		r := exampleRequest()
		r.OutContractCode = v
		return r
	}
	cases := []struct {
		name  string
		req   *passwordexemptcontract.TerminateByCodeRequest
		field string // "" means valid
		rule  string
	}{
		{"256 Chinese characters", remark(256), "", ""},
		{"257 Chinese characters", remark(257), "contract_termination_remark", "maxLength"},
		{"empty remark", remark(0), "contract_termination_remark", "required"},
		{"32-character code", code(strings.Repeat("a", 32)), "", ""},
		{"33-character code", code(strings.Repeat("a", 33)), "out_contract_code", ""},
		{"empty code", code(""), "out_contract_code", "required"},
		{"slash", code("a/b"), "out_contract_code", "pattern"},
		{"dot segment", code(".."), "out_contract_code", "pattern"},
		{"percent", code("a%2Fb"), "out_contract_code", "pattern"},
		{"question mark", code("a?b=c"), "out_contract_code", "pattern"},
		{"hash", code("a#b"), "out_contract_code", "pattern"},
		{"space", code("a b"), "out_contract_code", "pattern"},
		{"non-ASCII", code("协议1"), "out_contract_code", "pattern"},
		{"nil request", nil, "request", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.req != nil {
				// An answer that echoes this request, as WeChat Pay's does.
				s.script(answer{body: fmt.Sprintf(`{"mchid":%q,"service_id":%d,"out_contract_code":%q}`, testMchID, tc.req.ServiceID, tc.req.OutContractCode)})
			}
			before := len(s.requests())
			_, err := c.TerminateByCode(context.Background(), tc.req)
			sent := len(s.requests()) - before
			if tc.field == "" {
				if err != nil || sent != 1 {
					t.Fatalf("valid request: err = %v, sent %d", err, sent)
				}
				return
			}
			if sent != 0 {
				t.Errorf("invalid request was sent")
			}
			var verr *wechatpay.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("error %v (%T) is not *wechatpay.ValidationError", err, err)
			}
			if verr.Field != tc.field || (tc.rule != "" && verr.Rule != tc.rule) {
				t.Errorf("ValidationError = %+v, want field %s rule %q", verr, tc.field, tc.rule)
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Errorf("message %q does not name the field", err)
			}
		})
	}
}
