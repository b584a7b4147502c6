package main

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
)

// journeySpecsDir holds copies of the journey's specs, for -journey-specs.
const journeySpecsDir = "../../generator/testdata/wechatpay"

// TestRunJourney: by default the sandbox serves orders and refunds next to
// the contract family, with the embedded specs; -auto-pay makes the user pay, and
// -auto-settle-refunds ends refunds as -refund-outcome says, each notified
// to a merchant that knows nothing but the files in DIR.
func TestRunJourney(t *testing.T) {
	var handler atomic.Pointer[wechatpay.NotifyHandler]
	merchant := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := handler.Load(); h != nil {
			h.ServeHTTP(w, r)
			return
		}
		http.Error(w, "not ready", http.StatusServiceUnavailable)
	}))
	defer merchant.Close()
	tmp := t.TempDir()
	caFile := filepath.Join(tmp, "merchant-ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: merchant.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "sandbox")
	s := start(t, "-dir", dir, "-auto-pay", "20ms", "-auto-settle-refunds", "20ms",
		"-refund-outcome", "ABNORMAL", "-notify-ca", caFile)
	defer s.stop(t)

	notifyCfg, err := wechatpay.LoadNotifyConfig(filepath.Join(dir, configFile))
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan *wechatpay.Notification, 4)
	h, err := wechatpay.NewNotifyHandler(notifyCfg, func(_ context.Context, n *wechatpay.Notification) error {
		got <- n
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	handler.Store(h)
	next := func(want string) *wechatpay.Notification {
		t.Helper()
		select {
		case n := <-got:
			if n.EventType != want {
				t.Fatalf("notification %s %s, want %s", n.EventType, n.Plaintext, want)
			}
			return n
		case <-time.After(10 * time.Second):
			t.Fatalf("no %s notification\n%s", want, s.stderr)
			return nil
		}
	}

	rt := client(t, dir, s.url)
	ctx := context.Background()
	var prepay struct {
		CodeURL string `json:"code_url"`
	}
	order := map[string]any{"appid": "wxd678efh567hg6787", "mchid": "1900000109", "description": "QQ公仔",
		"out_trade_no": "cmd-journey-1", "notify_url": merchant.URL + "/notify", "amount": map[string]any{"total": 88}}
	if err := rt.Call(ctx, http.MethodPost, "/v3/pay/transactions/native", nil, nil, order, &prepay); err != nil || prepay.CodeURL == "" {
		t.Fatalf("nativePrepay: %v %+v\n%s", err, prepay, s.stderr)
	}
	n := next("TRANSACTION.SUCCESS")
	var tx struct {
		OutTradeNo string `json:"out_trade_no"`
		TradeState string `json:"trade_state"`
	}
	if err := json.Unmarshal(n.Plaintext, &tx); err != nil || tx.OutTradeNo != "cmd-journey-1" || tx.TradeState != "SUCCESS" {
		t.Errorf("payment notification %s", n.Plaintext)
	}
	refund := map[string]any{"out_trade_no": "cmd-journey-1", "out_refund_no": "cmd-refund-1", "notify_url": merchant.URL + "/notify",
		"amount": map[string]any{"refund": 88, "total": 88, "currency": "CNY"}}
	if err := rt.Call(ctx, http.MethodPost, "/v3/refund/domestic/refunds", nil, nil, refund, nil); err != nil {
		t.Fatal(err)
	}
	next("REFUND.ABNORMAL")
	var queried struct {
		Status string `json:"status"`
	}
	if err := rt.Call(ctx, http.MethodGet, "/v3/refund/domestic/refunds/{out_refund_no}", map[string]string{"out_refund_no": "cmd-refund-1"},
		nil, nil, &queried); err != nil || queried.Status != "ABNORMAL" {
		t.Errorf("queryRefund: %v %+v", err, queried)
	}
}

// TestRunJourneySpecsOverride: -journey-specs DIR serves the journey with
// the specs of a folder instead of the embedded ones. The folder's copy
// limits description to 18 characters (its example's length), the embedded
// specs to 127: an order the embedded specs take is refused, by the
// folder's rule.
func TestRunJourneySpecsOverride(t *testing.T) {
	specs := t.TempDir()
	for _, name := range []string{"payments.yaml", "contract-payments.yaml", "refunds.yaml", "notifications.yaml", "common.yaml"} {
		data, err := os.ReadFile(filepath.Join(journeySpecsDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "common.yaml" {
			before := "      maxLength: 127\n      description: What is being paid for"
			if !strings.Contains(string(data), before) {
				t.Fatalf("%s: no %q to edit", name, before)
			}
			data = []byte(strings.Replace(string(data), before, "      maxLength: 18\n      description: What is being paid for", 1))
		}
		if err := os.WriteFile(filepath.Join(specs, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	order := map[string]any{"appid": "wxd678efh567hg6787", "mchid": "1900000109", "description": "Image形象店-深圳腾大-QQ公仔2",
		"out_trade_no": "cmd-override-1", "notify_url": "https://merchant.example/notify", "amount": map[string]any{"total": 88}}
	for _, c := range []struct {
		args []string
		code string // the error code, or "" for success
	}{
		{nil, ""},
		{[]string{"-journey-specs", specs}, "PARAM_ERROR"},
	} {
		dir := filepath.Join(t.TempDir(), "sandbox")
		s := start(t, append([]string{"-dir", dir}, c.args...)...)
		err := client(t, dir, s.url).Call(context.Background(), http.MethodPost, "/v3/pay/transactions/native", nil, nil, order, nil)
		var apiErr *wechatpay.APIError
		switch {
		case c.code == "" && err != nil:
			t.Errorf("%q: %v", c.args, err)
		case c.code != "" && (!errors.As(err, &apiErr) || apiErr.Code != c.code || apiErr.Detail == nil || apiErr.Detail.Field != "/description"):
			t.Errorf("%q: %v, want %s about /description", c.args, err, c.code)
		}
		s.stop(t)
	}
}
