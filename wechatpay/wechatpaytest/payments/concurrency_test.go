package payments_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/internal/sandboxtest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/payments"
)

// Concurrent journeys keep their own orders and refunds (run with -race),
// and all of them are in the bill.
func TestConcurrentJourneys(t *testing.T) {
	c := wechatpaytest.NewClock(start)
	family := payments.New(payments.Options{})
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{Clock: c.Now, Behaviours: []wechatpaytest.Behaviour{family}, NoNotifications: true})
	rt := sandboxtest.NewRuntime(t, srv)
	ctx := context.Background()
	const n = 12
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			no := fmt.Sprintf("concurrent-%04d", i)
			order := map[string]any{"appid": "wx1", "mchid": srv.MchID(), "description": "d", "out_trade_no": no,
				"notify_url": "https://merchant.example/notify", "amount": map[string]any{"total": 100 + i}}
			if err := rt.Call(ctx, http.MethodPost, nativePath, nil, nil, order, nil); err != nil {
				errs <- err
				return
			}
			if err := family.Pay(ctx, no); err != nil {
				errs <- err
				return
			}
			refund := map[string]any{"out_trade_no": no, "out_refund_no": "r-" + no,
				"amount": map[string]any{"refund": 1, "total": 100 + i, "currency": "CNY"}}
			if err := rt.Call(ctx, http.MethodPost, refundsPath, nil, nil, refund, nil); err != nil {
				errs <- err
				return
			}
			errs <- family.SettleRefund(ctx, "r-"+no, payments.RefundSuccess)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	c.Set(start.AddDate(0, 0, 1))
	lines, summary := downloadBill(t, &env{t: t, rt: rt}, "/v3/bill/tradebill", url.Values{"bill_date": {"2026-03-10"}}, header(payments.BillColumns("tradebill", "ALL")))
	// 12 payments of 1.00 to 1.11 (12.66 in all) and 12 refunds of 0.01.
	if len(lines) != 2*n || summary[0] != "24" || summary[1] != "12.66" || summary[2] != "0.12" {
		t.Errorf("bill: %d lines, summary %v", len(lines), summary)
	}
}
