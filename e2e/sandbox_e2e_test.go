package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
)

// These tests run the generated client against the sandbox, which checks
// signatures and the spec as WeChat Pay does.

func startSandbox(t *testing.T) (familyServer, *passwordexemptcontract.Client) {
	t.Helper()
	family := contracts.New(contracts.Options{})
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{Logger: recorded.logger, Behaviours: []wechatpaytest.Behaviour{family}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	rt, err := wechatpay.NewClient(recordedConfig(srv))
	if err != nil {
		t.Fatal(err)
	}
	return familyServer{srv, family}, passwordexemptcontract.NewClient(rt)
}

func TestSandboxTerminate(t *testing.T) {
	srv, c := startSandbox(t)
	ctx := context.Background()
	resp, err := c.TerminateByCode(ctx, exampleRequest())
	if err != nil {
		t.Fatalf("first terminate: %v", err)
	}
	if resp.ServiceID != 12535 || resp.OutContractCode != "wxwtdk20200910100000" || resp.MchID != wechatpaytest.DefaultMchID {
		t.Errorf("response = %+v", resp)
	}
	if got := srv.State(12535, "wxwtdk20200910100000"); got != contracts.Terminated {
		t.Errorf("contract state after terminate = %v", got)
	}
}

func TestSandboxDocumentedErrors(t *testing.T) {
	srv, c := startSandbox(t)
	ctx := context.Background()
	unknown := exampleRequest()
	unknown.OutContractCode = "nosuchcontract1"

	wrongKeyCfg := recordedConfig(srv.Server)
	wrongKeyCfg.MerchantKey = loadKeys(t).other
	wrongKeyRT, err := wechatpay.NewClient(wrongKeyCfg)
	if err != nil {
		t.Fatal(err)
	}
	wrongKey := passwordexemptcontract.NewClient(wrongKeyRT)

	cases := []struct {
		name   string
		setup  func()
		client *passwordexemptcontract.Client
		req    *passwordexemptcontract.TerminateByCodeRequest
		status int
		code   string
	}{
		{"unknown contract", nil, c, unknown, 400, "PARAM_ERROR"},
		{"already terminated", func() {
			if _, err := c.TerminateByCode(ctx, exampleRequest()); err != nil {
				t.Fatalf("first terminate: %v", err)
			}
		}, c, exampleRequest(), 400, "INVALID_REQUEST"},
		{"signed with the wrong key", nil, wrongKey, exampleRequest(), 401, "SIGN_ERROR"},
		{"no permission", func() {
			if err := srv.InjectFault("terminateByCode", wechatpaytest.Fault{Kind: wechatpaytest.FaultError, Status: 403, Code: "NO_AUTH", Message: "商户暂无权限使用此功能"}); err != nil {
				t.Fatal(err)
			}
		}, c, exampleRequest(), 403, "NO_AUTH"},
		{"system error", func() {
			if err := srv.InjectFault("terminateByCode", wechatpaytest.Fault{Kind: wechatpaytest.FaultError}); err != nil {
				t.Fatal(err)
			}
		}, c, exampleRequest(), 500, "SYSTEM_ERROR"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
			}
			resp, err := tc.client.TerminateByCode(ctx, tc.req)
			if resp != nil {
				t.Errorf("got a response with an error: %+v", resp)
			}
			var apiErr *wechatpay.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v (%T) is not *wechatpay.APIError", err, err)
			}
			if apiErr.StatusCode != tc.status || apiErr.Code != tc.code {
				t.Errorf("got HTTP %d %s, want %d %s", apiErr.StatusCode, apiErr.Code, tc.status, tc.code)
			}
			if apiErr.RequestID == "" {
				t.Error("APIError carries no Request-ID")
			}
		})
	}
}

func TestSandboxFaults(t *testing.T) {
	cases := []struct {
		fault    wechatpaytest.Fault
		timeout  time.Duration
		check    func(error) bool
		wantType string
	}{
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultDelay, Delay: 2 * time.Second}, 100 * time.Millisecond,
			func(err error) bool { return isTransport(err) && errors.Is(err, context.DeadlineExceeded) }, "TransportError(deadline)"},
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultHTML}, 0,
			func(err error) bool {
				var e *wechatpay.APIError
				return errors.As(err, &e) && e.StatusCode == http.StatusBadGateway && e.Code == "" && e.Temporary()
			}, "APIError(502, no code)"},
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultDropConnection}, 0,
			func(err error) bool { return isTransport(err) && errors.Is(err, io.EOF) }, "TransportError(EOF)"},
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultTruncatedBody}, 0,
			func(err error) bool { return isTransport(err) && errors.Is(err, io.ErrUnexpectedEOF) }, "TransportError(unexpected EOF)"},
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultBadSignature}, 0, verification(wechatpay.ErrBadSignature), "VerificationError(bad signature)"},
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultTamperedBody}, 0, verification(wechatpay.ErrBadSignature), "VerificationError(bad signature)"},
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultStaleTimestamp}, 0, verification(wechatpay.ErrStaleTimestamp), "VerificationError(stale)"},
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultUnknownSerial}, 0, verification(wechatpay.ErrUnknownSerial), "VerificationError(unknown serial)"},
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultMissingSignature}, 0, verification(wechatpay.ErrMissingHeader), "VerificationError(missing header)"},
	}
	defer func() {
		if !t.Failed() {
			fmt.Printf("sandbox faults: %d kinds, each mapped to its error type, no answer returned\n", len(cases))
		}
	}()
	for _, tc := range cases {
		t.Run(tc.fault.Kind.String(), func(t *testing.T) {
			srv, c := startSandbox(t)
			if err := srv.InjectFault("terminateByCode", tc.fault); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			resp, err := c.TerminateByCode(ctx, exampleRequest())
			if resp != nil {
				t.Fatalf("fault %v returned a response: %+v", tc.fault.Kind, resp)
			}
			if !tc.check(err) {
				t.Errorf("error %v (%T), want %s", err, err, tc.wantType)
			}
		})
	}
}

func isTransport(err error) bool {
	recorded.sawError(err)
	var e *wechatpay.TransportError
	return errors.As(err, &e)
}

func verification(cause error) func(error) bool {
	return func(err error) bool {
		recorded.sawError(err)
		var e *wechatpay.VerificationError
		return errors.As(err, &e) && errors.Is(err, cause) && e.RequestID != ""
	}
}
