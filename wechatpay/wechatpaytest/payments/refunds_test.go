package payments_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/internal/sandboxtest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/payments"
)

// createRefund's rules: the order, its total, what is left to refund, the
// out_refund_no that refunds once; and the three ends of a refund, each
// notified.
func TestRefunds(t *testing.T) {
	e := newEnv(t, payments.Options{})
	ctx := context.Background()
	tx := e.pay("refund-order-1", 100)
	e.prepay(nativePath, e.order("native", "refund-unpaid", 100))

	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
		code   string
		field  string
	}{
		{"an unknown order", e.refundBody("nosuch-0001", "r-x", 10, 100), 404, "RESOURCE_NOT_EXISTS", "/out_trade_no"},
		{"an unknown transaction", map[string]any{"transaction_id": "sandbox0", "out_refund_no": "r-x",
			"amount": map[string]any{"refund": 10, "total": 100, "currency": "CNY"}}, 404, "RESOURCE_NOT_EXISTS", "/transaction_id"},
		{"two numbers of two orders", map[string]any{"transaction_id": tx.TransactionID, "out_trade_no": "refund-unpaid",
			"out_refund_no": "r-x", "amount": map[string]any{"refund": 10, "total": 100, "currency": "CNY"}}, 400, "PARAM_ERROR", "/out_trade_no"},
		{"an unpaid order", e.refundBody("refund-unpaid", "r-x", 10, 100), 400, "INVALID_REQUEST", "/out_trade_no"},
		{"another total", e.refundBody("refund-order-1", "r-x", 10, 99), 400, "PARAM_ERROR", "/amount/total"},
		{"0 fen", e.refundBody("refund-order-1", "r-x", 0, 100), 400, "PARAM_ERROR", "/amount/refund"},
		{"more than the order", e.refundBody("refund-order-1", "r-x", 101, 100), 400, "PARAM_ERROR", "/amount/refund"},
		{"neither number (the spec)", map[string]any{"out_refund_no": "r-x",
			"amount": map[string]any{"refund": 10, "total": 100, "currency": "CNY"}}, 400, "PARAM_ERROR", "/transaction_id"},
	} {
		_, err := e.do(http.MethodPost, refundsPath, nil, tc.body)
		fails(t, tc.name, err, tc.status, tc.code, tc.field)
	}
	if _, ok := e.family.RefundStatus("r-x"); ok {
		t.Error("a refused refund was kept")
	}

	// 60 fen refunded, by transaction_id, from available funds.
	var r1 refund
	body := map[string]any{"transaction_id": tx.TransactionID, "out_refund_no": "r-1", "notify_url": e.notifyURL(),
		"funds_account": "AVAILABLE", "amount": map[string]any{"refund": 60, "total": 100, "currency": "CNY"}}
	e.ok(http.MethodPost, refundsPath, nil, body, &r1)
	if r1.Status != "PROCESSING" || r1.FundsAccount != "AVAILABLE" || r1.OutTradeNo != "refund-order-1" {
		t.Errorf("refund 1: %+v", r1)
	}
	var again refund
	e.ok(http.MethodPost, refundsPath, nil, body, &again)
	if again.RefundID != r1.RefundID {
		t.Errorf("the same out_refund_no again made refund %s, first %s", again.RefundID, r1.RefundID)
	}
	_, err := e.do(http.MethodPost, refundsPath, nil, e.refundBody("refund-order-1", "r-1", 10, 100))
	fails(t, "out_refund_no of another refund", err, http.StatusBadRequest, "INVALID_REQUEST", "/out_refund_no")
	_, err = e.do(http.MethodPost, refundsPath, nil, e.refundBody("refund-order-1", "r-2", 50, 100))
	fails(t, "more than is left", err, http.StatusBadRequest, "PARAM_ERROR", "/amount/refund")

	// Closed: the 60 fen can be refunded again, and the order is SUCCESS again.
	if err := e.family.SettleRefund(ctx, "r-1", payments.RefundClosed); err != nil {
		t.Fatal(err)
	}
	n := e.merchant.next(t)
	var notified refund
	if err := json.Unmarshal(n.Plaintext, &notified); err != nil || n.EventType != "REFUND.CLOSED" || notified.RefundStatus != "CLOSED" || notified.SuccessTime != "" {
		t.Errorf("closed: %s %s", n.EventType, n.Plaintext)
	}
	if tx, _ := e.query("refund-order-1"); tx.TradeState != "SUCCESS" {
		t.Errorf("order after its only refund closed: %s", tx.TradeState)
	}
	if err := e.family.SettleRefund(ctx, "r-1", payments.RefundSuccess); err == nil {
		t.Error("settled a closed refund")
	}

	// Abnormal, then successful.
	var r2 refund
	e.ok(http.MethodPost, refundsPath, nil, e.refundBody("refund-order-1", "r-2", 100, 100), &r2)
	if err := e.family.SettleRefund(ctx, "r-2", payments.RefundAbnormal); err != nil {
		t.Fatal(err)
	}
	if n := e.merchant.next(t); n.EventType != "REFUND.ABNORMAL" {
		t.Errorf("abnormal: %s", n.EventType)
	}
	var q refund
	e.ok(http.MethodGet, refundsPath+"/r-2", nil, nil, &q)
	if q.Status != "ABNORMAL" || q.SuccessTime != "" {
		t.Errorf("abnormal refund: %+v", q)
	}
	if err := e.family.SettleRefund(ctx, "r-2", payments.RefundAbnormal); err == nil {
		t.Error("an abnormal refund turned abnormal again")
	}
	e.clock.Add(time.Hour)
	if err := e.family.SettleRefund(ctx, "r-2", payments.RefundSuccess); err != nil {
		t.Fatal(err)
	}
	if n := e.merchant.next(t); n.EventType != "REFUND.SUCCESS" {
		t.Errorf("success after abnormal: %s", n.EventType)
	}
	e.ok(http.MethodGet, refundsPath+"/r-2", nil, nil, &q)
	if q.Status != "SUCCESS" || q.SuccessTime != "2026-03-10T11:00:00+08:00" {
		t.Errorf("refund 2: %+v", q)
	}
	if err := e.family.SendRefundNotification(ctx, "r-2"); err != nil {
		t.Errorf("SendRefundNotification: %v", err)
	}
	if n := e.merchant.next(t); n.EventType != "REFUND.SUCCESS" {
		t.Errorf("sent again: %s", n.EventType)
	}
	if err := e.family.SettleRefund(ctx, "r-2", "REFUNDED"); err == nil {
		t.Error("an outcome that is not one")
	}
	if err := e.family.SettleRefund(ctx, "nosuch", payments.RefundSuccess); err == nil {
		t.Error("settled an unknown refund")
	}

	_, err = e.do(http.MethodGet, refundsPath+"/nosuch", nil, nil)
	fails(t, "an unknown refund", err, http.StatusNotFound, "RESOURCE_NOT_EXISTS", "out_refund_no")

	// A year after the payment it is too late.
	e.pay("refund-order-2", 100)
	e.clock.Add(366 * 24 * time.Hour)
	_, err = e.do(http.MethodPost, refundsPath, nil, e.refundBody("refund-order-2", "r-3", 10, 100))
	fails(t, "a year later", err, http.StatusBadRequest, "INVALID_REQUEST", "/out_trade_no")
}

// A refund request without notify_url is notified at Options.RefundNotifyURL
// (the merchant platform's address), and not at all without one.
func TestRefundNotifyURL(t *testing.T) {
	ctx := context.Background()
	for _, configured := range []bool{false, true} {
		e := newEnvFor(t, func(m *merchant) payments.Options {
			if configured {
				return payments.Options{RefundNotifyURL: m.URL + "/refunds"}
			}
			return payments.Options{}
		})
		e.pay("no-url-1", 100)
		body := e.refundBody("no-url-1", "r-1", 10, 100)
		delete(body, "notify_url")
		e.ok(http.MethodPost, refundsPath, nil, body, nil)
		if err := e.family.SettleRefund(ctx, "r-1", payments.RefundSuccess); err != nil {
			t.Fatal(err)
		}
		if configured {
			if n := e.merchant.next(t); n.EventType != "REFUND.SUCCESS" {
				t.Errorf("configured URL: %s", n.EventType)
			}
		} else {
			e.merchant.none(t)
			if err := e.family.SendRefundNotification(ctx, "r-1"); err == nil {
				t.Error("SendRefundNotification without an address")
			}
		}
	}
}

// AutoPay pays each order and AutoSettleRefunds ends each refund, as the
// sandbox command's flags do.
func TestAutoPayAndSettle(t *testing.T) {
	e := newEnv(t, payments.Options{AutoPay: 10 * time.Millisecond, AutoSettleRefunds: 10 * time.Millisecond, RefundOutcome: payments.RefundAbnormal})
	e.prepay(nativePath, e.order("native", "auto-0001", 100))
	if n := e.merchant.next(t); n.EventType != "TRANSACTION.SUCCESS" {
		t.Fatalf("auto pay: %s", n.EventType)
	}
	if st, _ := e.family.TradeState("auto-0001"); st != "SUCCESS" {
		t.Fatalf("auto pay: %s", st)
	}
	e.ok(http.MethodPost, refundsPath, nil, e.refundBody("auto-0001", "auto-r1", 100, 100), nil)
	if n := e.merchant.next(t); n.EventType != "REFUND.ABNORMAL" {
		t.Fatalf("auto settle: %s", n.EventType)
	}

	// Close cancels a payment still waiting, which then never happens.
	slow := payments.New(payments.Options{AutoPay: time.Hour})
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{Behaviours: []wechatpaytest.Behaviour{slow}, NoNotifications: true})
	body := e.order("native", "auto-0002", 1)
	body["mchid"] = srv.MchID()
	if err := sandboxtest.NewRuntime(t, srv).Call(context.Background(), http.MethodPost, nativePath, nil, nil, body, nil); err != nil {
		t.Fatal(err)
	}
	srv.Close() // goleak (TestMain) fails the package if the payment's goroutine outlives it
	if st, _ := slow.TradeState("auto-0002"); st != "NOTPAY" {
		t.Errorf("after Close: %s", st)
	}
}

// Attach refuses options that make no sense.
func TestOptionsRefused(t *testing.T) {
	for _, opts := range []payments.Options{
		{RefundOutcome: "REFUNDED"},
		{AutoPay: -time.Second},
		{SpecFiles: []string{"nosuch.yaml"}},
	} {
		_, err := wechatpaytest.NewServer(wechatpaytest.Options{Behaviours: []wechatpaytest.Behaviour{payments.New(opts)}})
		if err == nil {
			t.Errorf("%+v: served", opts)
		}
	}
}

// applyAbnormalRefund: an ABNORMAL refund sent to the user's debit card
// (its number and name encrypted under the WeChat Pay key) or to the
// merchant's account is PROCESSING again, and can then succeed.
func TestAbnormalRefund(t *testing.T) {
	e := newEnv(t, payments.Options{})
	ctx := context.Background()
	e.pay("abnormal-1", 100)
	var r refund
	e.ok(http.MethodPost, refundsPath, nil, e.refundBody("abnormal-1", "ab-r1", 100, 100), &r)
	enc, err := e.rt.Encrypter()
	if err != nil {
		t.Fatal(err)
	}
	encrypt := func(s string) string {
		c, err := enc.Encrypt("field", s)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	toCard := map[string]any{"out_refund_no": "ab-r1", "type": "USER_BANK_CARD", "bank_type": "ICBC_DEBIT",
		"bank_account": encrypt("6222020200112345678"), "real_name": encrypt("张三")}
	apply := func(refundID string, body map[string]any, serial string) (*wechatpay.Response, error) {
		t.Helper()
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		path := refundsPath + "/" + refundID + "/apply-abnormal-refund"
		resp, err := e.rt.Do(ctx, &wechatpay.Request{Operation: "applyAbnormalRefund", Method: http.MethodPost,
			PathTemplate: path, Path: path, Body: raw, WechatpaySerial: serial})
		if err == nil {
			checkAgainstSpec(t, http.MethodPost, path, nil, resp)
		}
		return resp, err
	}

	_, err = apply(r.RefundID, toCard, enc.Serial())
	fails(t, "a refund still processing", err, http.StatusBadRequest, "INVALID_REQUEST", "refund_id")
	if err := e.family.SettleRefund(ctx, "ab-r1", payments.RefundAbnormal); err != nil {
		t.Fatal(err)
	}
	e.merchant.next(t)
	_, err = apply("sandbox0", toCard, enc.Serial())
	fails(t, "an unknown refund", err, http.StatusNotFound, "RESOURCE_NOT_EXISTS", "refund_id")
	wrongNo := map[string]any{"out_refund_no": "ab-r2", "type": "MERCHANT_BANK_CARD"}
	_, err = apply(r.RefundID, wrongNo, enc.Serial())
	fails(t, "another out_refund_no", err, http.StatusBadRequest, "PARAM_ERROR", "/out_refund_no")
	garbled := map[string]any{"out_refund_no": "ab-r1", "type": "USER_BANK_CARD", "bank_type": "ICBC_DEBIT",
		"bank_account": "bm90IGVuY3J5cHRlZA==", "real_name": encrypt("张三")}
	_, err = apply(r.RefundID, garbled, enc.Serial())
	fails(t, "a card number that does not decrypt", err, http.StatusBadRequest, "PARAM_ERROR", "/bank_account")

	resp, err := apply(r.RefundID, toCard, enc.Serial())
	if err != nil {
		t.Fatal(err)
	}
	var handled refund
	if err := json.Unmarshal(resp.Body, &handled); err != nil || handled.Status != "PROCESSING" || handled.UserReceivedAccount != "ICBC_DEBIT借记卡5678" {
		t.Errorf("handled: %s", resp.Body)
	}
	if err := e.family.SettleRefund(ctx, "ab-r1", payments.RefundSuccess); err != nil {
		t.Fatal(err)
	}
	if n := e.merchant.next(t); n.EventType != "REFUND.SUCCESS" {
		t.Errorf("after handling: %s", n.EventType)
	}
}
