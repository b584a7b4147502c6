package e2e_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptrace"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
)

// TestSandboxCloseWithUnusedConnection: a call whose context ends while its
// connection is being dialed leaves that connection, which never carried a
// request, in the pool of the client ClientConfig hands out (net/http keeps
// dialing for a future request). http.Server.Shutdown counts such a
// connection as active until it is 5 s old, so Close, which closes the
// client's idle connections only after Shutdown, waits out its 5 s timeout.
// The same happens after any burst of concurrent calls (TestConcurrentCalls
// spends 5 s in Close).
func TestSandboxCloseWithUnusedConnection(t *testing.T) {
	k := loadKeys(t)
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{MerchantKey: k.merchant, WechatpayKey: k.wechatpay, Logger: recorded.logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	rt, err := wechatpay.NewClient(recordedConfig(srv))
	if err != nil {
		t.Fatal(err)
	}

	// The caller gives up as soon as the connection is established.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{ConnectDone: func(string, string, error) { cancel() }})
	err = rt.Call(ctx, http.MethodGet, "/v3/password-exempt-contract/contracts/service-id/{service_id}/out-contract-code/{out_contract_code}",
		map[string]string{"service_id": "12535", "out_contract_code": contracts.ExampleOutContractCode}, nil, nil, nil)
	recorded.sawError(err)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("call: %v, want context.Canceled", err)
	}
	time.Sleep(100 * time.Millisecond) // the dial completes and parks the connection in the pool

	start := time.Now()
	srv.Close()
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v with one unused pooled connection, want well under 1s "+
			"(wechatpaytest.Server.Close could call s.client.CloseIdleConnections() before s.httpSrv.Shutdown)", d.Round(time.Millisecond))
	}
}
