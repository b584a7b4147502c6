package main

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
)

// TestRunNotifies plays a merchant outside the sandbox's process: its
// notify_url is an HTTPS server whose certificate the sandbox trusts through
// -notify-ca, and it verifies and decrypts with nothing but the files in DIR.
// -auto-sign signs the pre-signed contract.
func TestRunNotifies(t *testing.T) {
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
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: merchant.Certificate().Raw})
	if err := os.WriteFile(caFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(tmp, "sandbox")
	s := start(t, "-dir", dir, "-auto-sign", "20ms", "-notify-ca", caFile)
	defer s.stop(t)

	// The merchant's side: the WeChat Pay key and the APIv3 key that
	// config.json names, loaded as a merchant would.
	notifyCfg, err := wechatpay.LoadNotifyConfig(filepath.Join(dir, configFile))
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan passwordexemptcontract.QueryByCodeResponse, 1)
	h, err := wechatpay.NewNotifyHandler(notifyCfg,
		func(_ context.Context, n *wechatpay.Notification) error {
			c, err := wechatpay.DecodeNotification[passwordexemptcontract.QueryByCodeResponse](n)
			if err == nil && n.EventType == contracts.NotificationEventType {
				got <- c
			}
			return err
		})
	if err != nil {
		t.Fatal(err)
	}
	handler.Store(h)

	client := passwordexemptcontract.NewClient(client(t, dir, s.url))
	_, err = client.PreSignNormalMiniProgram(context.Background(), &passwordexemptcontract.PreSignNormalMiniProgramRequest{
		AppID: "wxd678efh567hg6787", ServiceID: 12535, OutContractCode: "cmdnotify1",
		NotifyURL: merchant.URL + "/notify", ContractDisplayAccount: "张三", OpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-got:
		if c.OutContractCode != "cmdnotify1" || c.ContractState != passwordexemptcontract.ContractStateSigned || c.OpenID != "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" {
			t.Errorf("notified contract %+v", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no notification\n%s", s.stderr)
	}
}
