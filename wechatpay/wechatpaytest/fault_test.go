package wechatpaytest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	st "github.com/payforge/wechatpay/wechatpay/wechatpaytest/internal/sandboxtest"
)

// TestFaults injects each fault and checks the error a runtime client sees,
// and whether the operation ran.
func TestFaults(t *testing.T) {
	srv, terminations := newCounted(t, wechatpaytest.Options{})
	rt := st.NewRuntime(t, srv)

	apiError := func(status int, code string) func(*testing.T, error) {
		return func(t *testing.T, err error) {
			var e *wechatpay.APIError
			if !errors.As(err, &e) || e.StatusCode != status || e.Code != code || e.RequestID == "" {
				t.Fatalf("got %v, want *APIError %d %q with a Request-ID", err, status, code)
			}
		}
	}
	transportError := func(t *testing.T, err error) {
		var e *wechatpay.TransportError
		if !errors.As(err, &e) {
			t.Fatalf("got %T %v, want *TransportError", err, err)
		}
	}
	verificationError := func(cause error) func(*testing.T, error) {
		return func(t *testing.T, err error) {
			var e *wechatpay.VerificationError
			if !errors.As(err, &e) || !errors.Is(err, cause) {
				t.Fatalf("got %v, want *VerificationError wrapping %q", err, cause)
			}
		}
	}

	tests := []struct {
		fault   wechatpaytest.Fault
		timeout time.Duration // of the call's context; 0 for none
		check   func(*testing.T, error)
	}{
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultError}, 0, apiError(500, "SYSTEM_ERROR")},
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultError, Status: 403, Code: "NO_AUTH", Message: "商户暂无权限使用此功能"}, 0, apiError(403, "NO_AUTH")},
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultError, Code: "FREQUENCY_LIMITED"}, 0, apiError(500, "FREQUENCY_LIMITED")},
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultHTML}, 0, apiError(502, "")},
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultHTML, Status: 503}, 0, apiError(503, "")},
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultDelay, Delay: time.Minute}, 100 * time.Millisecond, transportError},
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultDelay, Delay: 10 * time.Millisecond}, 0, nil},
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultDropConnection}, 0, transportError},
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultTruncatedBody}, 0, transportError},
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultBadSignature}, 0, verificationError(wechatpay.ErrBadSignature)},
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultTamperedBody}, 0, verificationError(wechatpay.ErrBadSignature)},
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultStaleTimestamp}, 0, verificationError(wechatpay.ErrStaleTimestamp)},
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultUnknownSerial}, 0, verificationError(wechatpay.ErrUnknownSerial)},
		{wechatpaytest.Fault{Kind: wechatpaytest.FaultMissingSignature}, 0, verificationError(wechatpay.ErrMissingHeader)},
	}
	for i, tt := range tests {
		name := fmt.Sprintf("%v/%d", tt.fault.Kind, tt.fault.Status)
		t.Run(name, func(t *testing.T) {
			if err := srv.InjectFault("terminateByCode", tt.fault); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			before := terminations.calls.Load()
			_, err := rt.Do(ctx, st.TerminateRequest(1, fmt.Sprintf("fault%d", i)))
			if tt.check == nil {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			tt.check(t, err)

			// The operation ran only when the fault spoils its answer; a
			// caller that gave up during a delay stops it.
			ran := terminations.calls.Load() > before
			wantRan := tt.fault.Kind != wechatpaytest.FaultError && tt.fault.Kind != wechatpaytest.FaultHTML &&
				tt.fault.Kind != wechatpaytest.FaultDropConnection && tt.timeout == 0
			if ran != wantRan {
				t.Errorf("operation ran: %v, want %v", ran, wantRan)
			}
			// A one-shot fault is gone.
			if _, err := rt.Do(context.Background(), st.TerminateRequest(1, "after")); err != nil {
				t.Errorf("call after the fault: %v", err)
			}
		})
	}
}

func TestFaultTimes(t *testing.T) {
	srv, _ := newCounted(t, wechatpaytest.Options{})
	rt := st.NewRuntime(t, srv)
	call := func() error {
		_, err := rt.Do(context.Background(), st.TerminateRequest(7, "neverthere"))
		return err
	}
	code := func(err error) string {
		var e *wechatpay.APIError
		switch {
		case err == nil:
			return "OK"
		case errors.As(err, &e):
			return e.Code
		}
		return err.Error()
	}
	if err := srv.InjectFault("terminateByCode", wechatpaytest.Fault{Kind: wechatpaytest.FaultError, Times: 2}); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"SYSTEM_ERROR", "SYSTEM_ERROR", "OK"} {
		if got := code(call()); got != want {
			t.Errorf("call %d: %s, want %s", i, got, want)
		}
	}
	if err := srv.InjectFault("terminateByCode", wechatpaytest.Fault{Kind: wechatpaytest.FaultError, Times: -1}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if got := code(call()); got != "SYSTEM_ERROR" {
			t.Errorf("call %d with a lasting fault: %s", i, got)
		}
	}
	srv.ClearFault("terminateByCode")
	if got := code(call()); got != "OK" {
		t.Errorf("after ClearFault: %s", got)
	}

	for _, f := range []wechatpaytest.Fault{
		{},
		{Kind: wechatpaytest.FaultDelay},
		{Kind: wechatpaytest.FaultError, Status: 200, Code: "X"},
		{Kind: wechatpaytest.FaultHTML, Status: 404},
	} {
		if err := srv.InjectFault("terminateByCode", f); err == nil {
			t.Errorf("InjectFault accepted %+v", f)
		}
	}
	if err := srv.InjectFault("noSuchOperation", wechatpaytest.Fault{Kind: wechatpaytest.FaultHTML}); err == nil {
		t.Error("InjectFault accepted an unknown operation")
	}
	// Requests that fail the checks do not use up a fault.
	if err := srv.InjectFault("terminateByCode", wechatpaytest.Fault{Kind: wechatpaytest.FaultHTML}); err != nil {
		t.Fatal(err)
	}
	q := st.Valid(srv, 7, "neverthere")
	q.WechatpaySerial = "-"
	if a := q.Send(t, srv); a.Error.Code != "INVALID_REQUEST" {
		t.Fatalf("request without Wechatpay-Serial: %s", a.Body)
	}
	var e *wechatpay.APIError
	if err := call(); !errors.As(err, &e) || e.StatusCode != http.StatusBadGateway {
		t.Errorf("fault after a rejected request: %v", err)
	}
}

// TestCloseDuringDelay checks that Close ends a request held by a delay
// fault instead of waiting for it.
func TestCloseDuringDelay(t *testing.T) {
	terminations := &counter{}
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{MerchantKey: st.MerchantKey(), WechatpayKey: st.WechatpayKey(),
		Behaviours: []wechatpaytest.Behaviour{terminations}})
	if err != nil {
		t.Fatal(err)
	}
	rt := st.NewRuntime(t, srv)
	if err := srv.InjectFault("terminateByCode", wechatpaytest.Fault{Kind: wechatpaytest.FaultDelay, Delay: time.Hour}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		_, err := rt.Do(context.Background(), st.TerminateRequest(sid, code))
		done <- err
	}()
	time.Sleep(100 * time.Millisecond) // let the request reach the delay
	start := time.Now()
	srv.Close()
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close took %v", d)
	}
	var e *wechatpay.TransportError
	if err := <-done; !errors.As(err, &e) {
		t.Errorf("call cut by Close: %v, want *TransportError", err)
	}
	if n := terminations.calls.Load(); n != 0 {
		t.Errorf("the call cut by Close ran terminateByCode")
	}
}
