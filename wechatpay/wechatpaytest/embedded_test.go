package wechatpaytest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/internal/sandboxtest"
)

// BenchmarkNewServer measures starting and closing a sandbox that serves
// the embedded specs, as a test that needs no behaviour does.
func BenchmarkNewServer(b *testing.B) {
	opts := wechatpaytest.Options{
		MerchantKey:  sandboxtest.MerchantKey(),
		WechatpayKey: sandboxtest.WechatpayKey(),
		APIv3Key:     []byte("0123456789abcdefABCDEF0123456789"),
	}
	for b.Loop() {
		srv, err := wechatpaytest.NewServer(opts)
		if err != nil {
			b.Fatal(err)
		}
		srv.Close()
	}
}

// TestEmbeddedSpecsShared: servers of one process share the documents of
// spec.FS, loaded once; several servers checking requests against them at
// once each answer as the spec says (go test -race watches the sharing).
func TestEmbeddedSpecsShared(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 2 {
		srv := sandboxtest.NewServer(t, wechatpaytest.Options{})
		rt := sandboxtest.NewRuntime(t, srv)
		for i := range 4 {
			wg.Go(func() {
				// OutTradeNo (common.yaml) wants 6 to 32 characters.
				code := "abc"
				if i%2 == 0 {
					code = "abcdef"
				}
				var tx struct {
					OutTradeNo string `json:"out_trade_no"`
				}
				err := rt.Call(context.Background(), http.MethodGet, "/v3/pay/transactions/out-trade-no/{out_trade_no}",
					map[string]string{"out_trade_no": code}, url.Values{"mchid": {srv.MchID()}}, nil, &tx)
				var apiErr *wechatpay.APIError
				switch {
				case len(code) < 6 && (!errors.As(err, &apiErr) || apiErr.Code != "PARAM_ERROR"):
					errs <- fmt.Errorf("out_trade_no %q: %v, want PARAM_ERROR", code, err)
				case len(code) >= 6 && err != nil:
					errs <- fmt.Errorf("out_trade_no %q: %v", code, err)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
