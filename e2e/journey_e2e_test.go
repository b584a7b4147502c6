package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/payforge/wechatpay/gen/bills"
	"github.com/payforge/wechatpay/gen/contractpayments"
	pec "github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/gen/payments"
	"github.com/payforge/wechatpay/gen/refunds"
	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
	sbx "github.com/payforge/wechatpay/wechatpay/wechatpaytest/payments"
)

// The merchant's journey after the contract, through the generated clients
// of spec/payments.yaml, contract-payments.yaml, refunds.yaml and bills.yaml
// against the sandbox: every operation's success and each documented failure
// the sandbox models (wechatpaytest/payments' package doc), and the typed
// notifications.

// journeyStart is the sandbox's first time in these tests: 10:00 in China.
var journeyStart = time.Date(2026, 3, 10, 10, 0, 0, 0, time.FixedZone("CST", 8*60*60))

// Values of the official examples.
const (
	journeyAppID  = "wxd678efh567hg6787"
	journeyOpenID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
	journeyGoods  = "Image形象店-深圳腾大-QQ公仔"
)

// journeyEnv is a sandbox running the contract family and the payments
// family, the generated clients, and a merchant whose notify_url verifies
// and decrypts notifications with the runtime's NotifyHandler.
type journeyEnv struct {
	srv       *wechatpaytest.Server
	contracts *contracts.Family
	journey   *sbx.Family
	clock     *wechatpaytest.Clock
	rt        *wechatpay.Client
	pay       *payments.Client
	cpay      *contractpayments.Client
	refund    *refunds.Client
	bill      *bills.Client
	pec       *pec.Client
	notifyURL string
	notified  chan *wechatpay.Notification
}

func newJourney(t *testing.T) *journeyEnv {
	t.Helper()
	e := &journeyEnv{clock: wechatpaytest.NewClock(journeyStart), notified: make(chan *wechatpay.Notification, 16)}
	var handler struct {
		sync.Mutex
		h http.Handler
	}
	merchant := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler.Lock()
		h := handler.h
		handler.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(merchant.Close)
	e.notifyURL = merchant.URL + "/wechatpay/notify"

	k := loadKeys(t)
	e.contracts = contracts.New(contracts.Options{})
	e.journey = sbx.New(sbx.Options{Contracts: e.contracts})
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{
		MerchantKey: k.merchant, WechatpayKey: k.wechatpay,
		Clock:        e.clock.Now,
		Logger:       recorded.logger,
		NotifyClient: merchant.Client(),
		Behaviours:   []wechatpaytest.Behaviour{e.contracts, e.journey},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	e.srv = srv
	cfg := recordedConfig(srv)
	if e.rt, err = wechatpay.NewClient(cfg); err != nil {
		t.Fatal(err)
	}
	keys, err := wechatpay.NewKeySet(cfg.VerificationKeys...)
	if err != nil {
		t.Fatal(err)
	}
	h, err := wechatpay.NewNotifyHandler(wechatpay.NotifyConfig{Keys: keys, APIv3Key: srv.APIv3Key(), Clock: e.clock.Now, Logger: recorded.logger},
		func(_ context.Context, n *wechatpay.Notification) error {
			e.notified <- n
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	handler.Lock()
	handler.h = h
	handler.Unlock()
	e.pay, e.cpay, e.refund, e.bill, e.pec = payments.NewClient(e.rt), contractpayments.NewClient(e.rt),
		refunds.NewClient(e.rt), bills.NewClient(e.rt), pec.NewClient(e.rt)
	return e
}

// next returns the next notification the merchant handled.
func (e *journeyEnv) next(t *testing.T) *wechatpay.Notification {
	t.Helper()
	select {
	case n := <-e.notified:
		return n
	case <-time.After(10 * time.Second):
		t.Fatal("no notification")
		return nil
	}
}

// jsapiOrder is a JSAPI order of total fen, notified to the merchant.
func (e *journeyEnv) jsapiOrder(outTradeNo string, total int64) *payments.JsapiPrepayRequest {
	return &payments.JsapiPrepayRequest{
		AppID: journeyAppID, MchID: e.srv.MchID(), Description: journeyGoods, OutTradeNo: outTradeNo,
		NotifyURL: e.notifyURL, Attach: "自定义数据",
		Amount: payments.OrderAmount{Total: total}, Payer: payments.Payer{OpenID: journeyOpenID},
	}
}

// paidOrder places a JSAPI order and makes the user pay it; it returns the
// transaction as the payment notification carries it.
func (e *journeyEnv) paidOrder(t *testing.T, outTradeNo string, total int64) *payments.Transaction {
	t.Helper()
	ctx := context.Background()
	if _, err := e.pay.JsapiPrepay(ctx, e.jsapiOrder(outTradeNo, total)); err != nil {
		t.Fatal(err)
	}
	if err := e.journey.Pay(ctx, outTradeNo); err != nil {
		t.Fatal(err)
	}
	tx, err := payments.DecodeTransactionSuccess(e.next(t))
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// apiError checks that err is the API error status/code, about field when
// field is not empty.
func apiError(t *testing.T, what string, err error, status int, code, field string) {
	t.Helper()
	var apiErr *wechatpay.APIError
	switch {
	case !errors.As(err, &apiErr):
		t.Errorf("%s: %v, want %d %s", what, err, status, code)
	case apiErr.StatusCode != status || apiErr.Code != code:
		t.Errorf("%s: %d %s %q, want %d %s", what, apiErr.StatusCode, apiErr.Code, apiErr.Message, status, code)
	case field != "" && (apiErr.Detail == nil || apiErr.Detail.Field != field):
		t.Errorf("%s: %s with detail %+v, want the field %s", what, code, apiErr.Detail, field)
	}
}

// notSent checks that err is a *wechatpay.ValidationError of field and rule.
func notSent(t *testing.T, what string, err error, field, rule string) {
	t.Helper()
	var ve *wechatpay.ValidationError
	if !errors.As(err, &ve) || ve.Field != field || ve.Rule != rule {
		t.Errorf("%s: %v, want a *wechatpay.ValidationError of %s, rule %s", what, err, field, rule)
	}
}

// TestJourneyOrders: the four kinds of order answer what starts the
// payment, and are NOTPAY until the user pays; the refusals the sandbox
// models, and a request the spec refuses, which is never sent.
func TestJourneyOrders(t *testing.T) {
	e := newJourney(t)
	ctx := context.Background()
	mchID := e.srv.MchID()
	amount := payments.OrderAmount{Total: 100, Currency: payments.CurrencyCny}

	jsapi, err := e.pay.JsapiPrepay(ctx, e.jsapiOrder("order-jsapi-1", 100))
	if err != nil || !strings.HasPrefix(jsapi.PrepayID, sbx.PrepayIDPrefix) {
		t.Fatalf("JsapiPrepay: %+v, %v", jsapi, err)
	}
	app, err := e.pay.AppPrepay(ctx, &payments.AppPrepayRequest{AppID: journeyAppID, MchID: mchID, Description: journeyGoods,
		OutTradeNo: "order-app-1", NotifyURL: e.notifyURL, Amount: amount})
	if err != nil || !strings.HasPrefix(app.PrepayID, sbx.PrepayIDPrefix) || app.PrepayID == jsapi.PrepayID {
		t.Fatalf("AppPrepay: %+v, %v", app, err)
	}
	h5, err := e.pay.H5Prepay(ctx, &payments.H5PrepayRequest{AppID: journeyAppID, MchID: mchID, Description: journeyGoods,
		OutTradeNo: "order-h5-1", NotifyURL: e.notifyURL, Amount: amount,
		SceneInfo: payments.H5SceneInfo{PayerClientIP: "14.23.150.211", H5Info: payments.H5Info{Type: "Wap"}}})
	if err != nil || !strings.HasPrefix(h5.H5URL, sbx.PaymentURLBase) {
		t.Fatalf("H5Prepay: %+v, %v", h5, err)
	}
	native, err := e.pay.NativePrepay(ctx, &payments.NativePrepayRequest{AppID: journeyAppID, MchID: mchID, Description: journeyGoods,
		OutTradeNo: "order-native-1", NotifyURL: e.notifyURL, Amount: amount})
	if err != nil || !strings.HasPrefix(native.CodeURL, sbx.PaymentURLBase) {
		t.Fatalf("NativePrepay: %+v, %v", native, err)
	}
	for no, tradeType := range map[string]payments.TradeType{"order-jsapi-1": payments.TradeTypeJsapi, "order-app-1": payments.TradeTypeApp,
		"order-h5-1": payments.TradeTypeMweb, "order-native-1": payments.TradeTypeNative} {
		tx, err := e.pay.QueryByOutTradeNo(ctx, &payments.QueryByOutTradeNoRequest{OutTradeNo: no, MchID: mchID})
		if err != nil || tx.OutTradeNo != no || tx.TradeState != payments.TradeStateNotpay || tx.TradeType != tradeType ||
			tx.TransactionID != "" || tx.Amount == nil || tx.Amount.Total == nil || *tx.Amount.Total != 100 {
			t.Errorf("query of %s: %+v, %v", no, tx, err)
		}
	}

	// The same order again while unpaid is answered as the first time.
	again, err := e.pay.JsapiPrepay(ctx, e.jsapiOrder("order-jsapi-1", 100))
	if err != nil || again.PrepayID != jsapi.PrepayID {
		t.Errorf("the same order again: %+v, %v; want prepay_id %s", again, err, jsapi.PrepayID)
	}
	_, err = e.pay.JsapiPrepay(ctx, e.jsapiOrder("order-jsapi-1", 200))
	apiError(t, "an out_trade_no used for another order", err, http.StatusForbidden, "OUT_TRADE_NO_USED", "/out_trade_no")
	other := e.jsapiOrder("order-jsapi-2", 100)
	other.MchID = "1900000999"
	_, err = e.pay.JsapiPrepay(ctx, other)
	apiError(t, "another merchant's mchid", err, http.StatusBadRequest, "PARAM_ERROR", "/mchid")
	_, err = e.pay.JsapiPrepay(ctx, e.jsapiOrder("order-jsapi-3", 0))
	apiError(t, "a total of 0", err, http.StatusBadRequest, "PARAM_ERROR", "/amount/total")

	// Refused by the spec before anything is sent.
	_, err = e.pay.JsapiPrepay(ctx, e.jsapiOrder("short", 100))
	notSent(t, "a 5-character out_trade_no", err, "out_trade_no", "minLength")
	bad := e.jsapiOrder("order-jsapi-4", 100)
	bad.NotifyURL = "https://merchant.example/notify?x=1"
	_, err = e.pay.JsapiPrepay(ctx, bad)
	notSent(t, "a notify_url with a query", err, "notify_url", "pattern")
	if _, ok := e.journey.TradeState("order-jsapi-4"); ok {
		t.Error("a refused order reached the sandbox")
	}
}

// TestJourneyQueryAndClose: the queries answer the transaction, paid or not;
// close ends an unpaid order (204) and answers each documented refusal.
func TestJourneyQueryAndClose(t *testing.T) {
	e := newJourney(t)
	ctx := context.Background()
	mchID := e.srv.MchID()

	_, err := e.pay.QueryByOutTradeNo(ctx, &payments.QueryByOutTradeNoRequest{OutTradeNo: "no-such-order", MchID: mchID})
	apiError(t, "query of an unknown order", err, http.StatusNotFound, "ORDER_NOT_EXIST", "")
	_, err = e.pay.QueryByTransactionID(ctx, &payments.QueryByTransactionIDRequest{TransactionID: "4200000000000000000000000001", MchID: mchID})
	apiError(t, "query of an unknown transaction_id", err, http.StatusNotFound, "ORDER_NOT_EXIST", "")

	// Paid: both queries answer the transaction the notification carried.
	tx := e.paidOrder(t, "close-paid-1", 100)
	byNo, err := e.pay.QueryByOutTradeNo(ctx, &payments.QueryByOutTradeNoRequest{OutTradeNo: "close-paid-1", MchID: mchID})
	if err != nil {
		t.Fatal(err)
	}
	byID, err := e.pay.QueryByTransactionID(ctx, &payments.QueryByTransactionIDRequest{TransactionID: tx.TransactionID, MchID: mchID})
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range []*payments.Transaction{byNo, byID} {
		if got.TransactionID != tx.TransactionID || got.TradeState != payments.TradeStateSuccess || !got.SuccessTime.Equal(tx.SuccessTime) ||
			got.Payer == nil || got.Payer.OpenID != journeyOpenID || got.Attach != "自定义数据" || *got.Amount.PayerTotal != 100 {
			t.Errorf("queried %+v; notified %+v", got, tx)
		}
	}
	_, err = e.pay.QueryByOutTradeNo(ctx, &payments.QueryByOutTradeNoRequest{OutTradeNo: "close-paid-1", MchID: "1900000999"})
	apiError(t, "query with another merchant's mchid", err, http.StatusBadRequest, "PARAM_ERROR", "")

	closeOrder := func(no string) error {
		return e.pay.CloseOrder(ctx, &payments.CloseOrderRequest{OutTradeNo: no, MchID: mchID})
	}
	apiError(t, "close of a paid order", closeOrder("close-paid-1"), http.StatusBadRequest, "INVALID_REQUEST", "")
	apiError(t, "close of an unknown order", closeOrder("no-such-order"), http.StatusNotFound, "ORDER_NOT_EXIST", "")

	if _, err := e.pay.NativePrepay(ctx, &payments.NativePrepayRequest{AppID: journeyAppID, MchID: mchID, Description: journeyGoods,
		OutTradeNo: "close-unpaid-1", NotifyURL: e.notifyURL, Amount: payments.OrderAmount{Total: 1}}); err != nil {
		t.Fatal(err)
	}
	if err := closeOrder("close-unpaid-1"); err != nil {
		t.Fatalf("close of an unpaid order: %v", err)
	}
	if got, err := e.pay.QueryByOutTradeNo(ctx, &payments.QueryByOutTradeNoRequest{OutTradeNo: "close-unpaid-1", MchID: mchID}); err != nil ||
		got.TradeState != payments.TradeStateClosed {
		t.Errorf("a closed order: %+v, %v", got, err)
	}
	apiError(t, "close of a closed order", closeOrder("close-unpaid-1"), http.StatusBadRequest, "ORDER_CLOSED", "")
	if err := e.journey.Pay(ctx, "close-unpaid-1"); err == nil {
		t.Error("a closed order was paid")
	}

	// While the user pays: 202 USER_PAYING, an error the spec documents.
	if _, err := e.pay.JsapiPrepay(ctx, e.jsapiOrder("close-paying-1", 100)); err != nil {
		t.Fatal(err)
	}
	if err := e.journey.BeginPayment("close-paying-1"); err != nil {
		t.Fatal(err)
	}
	apiError(t, "close while the user pays", closeOrder("close-paying-1"), http.StatusAccepted, "USER_PAYING", "")
	err = e.pay.CloseOrder(ctx, &payments.CloseOrderRequest{OutTradeNo: "close-paying-1", MchID: "1900000999"})
	apiError(t, "close with another merchant's mchid", err, http.StatusBadRequest, "PARAM_ERROR", "")
}

// TestJourneyContractOrders: an order under a contract needs the contract
// in effect, as the contract family says.
func TestJourneyContractOrders(t *testing.T) {
	e := newJourney(t)
	ctx := context.Background()
	mchID := e.srv.MchID()
	contract, err := e.pec.QueryByCode(ctx, &pec.QueryByCodeRequest{ServiceID: contracts.ExampleServiceID, OutContractCode: contracts.ExampleOutContractCode})
	if err != nil {
		t.Fatal(err)
	}
	order := func(no, contractID string) *contractpayments.JsapiWithContractPrepayRequest {
		r := &contractpayments.JsapiWithContractPrepayRequest{AppID: journeyAppID, MchID: mchID, Description: journeyGoods,
			OutTradeNo: no, NotifyURL: e.notifyURL, Amount: contractpayments.OrderAmount{Total: 100},
			Payer: contractpayments.Payer{OpenID: journeyOpenID}}
		if contractID != "" {
			r.ContractInfo = &contractpayments.ContractInfo{PasswordFreeContractID: contractID}
		}
		return r
	}
	got, err := e.cpay.JsapiWithContractPrepay(ctx, order("contract-order-1", contract.ContractID))
	if err != nil || !strings.HasPrefix(got.PrepayID, sbx.PrepayIDPrefix) {
		t.Fatalf("JsapiWithContractPrepay: %+v, %v", got, err)
	}
	if state, _ := e.journey.TradeState("contract-order-1"); state != sbx.StateNotPay {
		t.Errorf("the order under the contract is %q", state)
	}
	_, err = e.cpay.JsapiWithContractPrepay(ctx, order("contract-order-2", ""))
	apiError(t, "no contract named", err, http.StatusBadRequest, "PARAM_ERROR", "/contract_info/password_free_contract_id")
	_, err = e.cpay.JsapiWithContractPrepay(ctx, order("contract-order-3", "no-such-contract"))
	apiError(t, "an unknown contract", err, http.StatusBadRequest, "PARAM_ERROR", "")

	// APP下单并签约 signs while paying: it may name no contract.
	app, err := e.cpay.AppWithContractPrepay(ctx, &contractpayments.AppWithContractPrepayRequest{AppID: journeyAppID, MchID: mchID,
		Description: journeyGoods, OutTradeNo: "contract-app-1", NotifyURL: e.notifyURL, Amount: contractpayments.OrderAmount{Total: 100}})
	if err != nil || !strings.HasPrefix(app.PrepayID, sbx.PrepayIDPrefix) {
		t.Errorf("AppWithContractPrepay: %+v, %v", app, err)
	}
	// A service provider's order under its sub-merchant's contract.
	partner, err := e.cpay.PartnerJsapiWithContractPrepay(ctx, &contractpayments.PartnerJsapiWithContractPrepayRequest{
		SpAppID: journeyAppID, SpMchID: mchID, SubMchID: "1900000110", Description: journeyGoods, OutTradeNo: "contract-partner-1",
		NotifyURL: e.notifyURL, Amount: contractpayments.OrderAmount{Total: 100},
		Payer:        &contractpayments.PartnerPayer{SpOpenID: journeyOpenID},
		ContractInfo: &contractpayments.ContractInfo{PasswordFreeContractID: contract.ContractID}})
	if err != nil || !strings.HasPrefix(partner.PrepayID, sbx.PrepayIDPrefix) {
		t.Errorf("PartnerJsapiWithContractPrepay: %+v, %v", partner, err)
	}

	// Once the contract ends, no order is placed under it.
	if _, err := e.pec.TerminateByCode(ctx, &pec.TerminateByCodeRequest{ServiceID: contracts.ExampleServiceID,
		OutContractCode: contracts.ExampleOutContractCode, ContractTerminationRemark: "用户解约"}); err != nil {
		t.Fatal(err)
	}
	_, err = e.cpay.JsapiWithContractPrepay(ctx, order("contract-order-4", contract.ContractID))
	apiError(t, "a terminated contract", err, http.StatusBadRequest, "INVALID_REQUEST", "")
}

// TestJourneyRefunds: a refund of a paid order is PROCESSING, then ends
// SUCCESS, ABNORMAL or CLOSED, each notified and decoded into the generated
// type; an abnormal refund is sent to a card with encrypted fields; the
// refusals the sandbox models.
func TestJourneyRefunds(t *testing.T) {
	e := newJourney(t)
	ctx := context.Background()
	tx := e.paidOrder(t, "refund-order-1", 100)
	refund := func(no string, amount, total int64) *refunds.CreateRefundRequest {
		return &refunds.CreateRefundRequest{OutTradeNo: "refund-order-1", OutRefundNo: no, NotifyURL: e.notifyURL, Reason: "商品已售完",
			Amount: refunds.CreateRefundAmount{Refund: amount, Total: total, Currency: refunds.CreateRefundAmountCurrencyCny}}
	}

	r, err := e.refund.CreateRefund(ctx, refund("refund-1", 30, 100))
	if err != nil || r.Status != refunds.RefundStatusProcessing || r.TransactionID != tx.TransactionID || r.Channel != refunds.RefundChannelOriginal ||
		!strings.HasPrefix(r.RefundID, sbx.RefundIDPrefix) || r.Amount == nil || *r.Amount.Refund != 30 || r.CreateTime.IsZero() {
		t.Fatalf("CreateRefund: %+v, %v", r, err)
	}
	again, err := e.refund.CreateRefund(ctx, refund("refund-1", 30, 100))
	if err != nil || again.RefundID != r.RefundID {
		t.Errorf("the same refund again: %+v, %v; want refund %s", again, err, r.RefundID)
	}
	if err := e.journey.SettleRefund(ctx, "refund-1", sbx.RefundSuccess); err != nil {
		t.Fatal(err)
	}
	n := e.next(t)
	done, err := refunds.DecodeRefundResult(n)
	if err != nil || n.EventType != refunds.EventRefundSuccess || done.RefundStatus != refunds.RefundStatusSuccess ||
		done.RefundID != r.RefundID || done.OutTradeNo != "refund-order-1" || done.SuccessTime.IsZero() {
		t.Errorf("refund notification %s: %+v, %v", n.EventType, done, err)
	}
	q, err := e.refund.QueryRefund(ctx, &refunds.QueryRefundRequest{OutRefundNo: "refund-1"})
	if err != nil || q.Status != refunds.RefundStatusSuccess || !q.SuccessTime.Equal(done.SuccessTime) {
		t.Errorf("QueryRefund: %+v, %v", q, err)
	}

	// Refusals.
	_, err = e.refund.CreateRefund(ctx, refund("refund-2", 71, 100))
	apiError(t, "more than what is left", err, http.StatusBadRequest, "PARAM_ERROR", "/amount/refund")
	_, err = e.refund.CreateRefund(ctx, refund("refund-2", 10, 99))
	apiError(t, "a total that is not the order's", err, http.StatusBadRequest, "PARAM_ERROR", "/amount/total")
	_, err = e.refund.CreateRefund(ctx, refund("refund-1", 10, 100))
	apiError(t, "an out_refund_no used for another refund", err, http.StatusBadRequest, "INVALID_REQUEST", "/out_refund_no")
	unknown := refund("refund-3", 10, 100)
	unknown.OutTradeNo = "no-such-order"
	_, err = e.refund.CreateRefund(ctx, unknown)
	apiError(t, "an unknown order", err, http.StatusNotFound, "RESOURCE_NOT_EXISTS", "/out_trade_no")
	if _, err := e.pay.NativePrepay(ctx, &payments.NativePrepayRequest{AppID: journeyAppID, MchID: e.srv.MchID(), Description: journeyGoods,
		OutTradeNo: "refund-unpaid-1", NotifyURL: e.notifyURL, Amount: payments.OrderAmount{Total: 100}}); err != nil {
		t.Fatal(err)
	}
	unpaid := refund("refund-4", 10, 100)
	unpaid.OutTradeNo = "refund-unpaid-1"
	_, err = e.refund.CreateRefund(ctx, unpaid)
	apiError(t, "an unpaid order", err, http.StatusBadRequest, "INVALID_REQUEST", "")
	_, err = e.refund.QueryRefund(ctx, &refunds.QueryRefundRequest{OutRefundNo: "no-such-refund"})
	apiError(t, "query of an unknown refund", err, http.StatusNotFound, "RESOURCE_NOT_EXISTS", "")
	twoOrders := refund("refund-9", 10, 100)
	twoOrders.OutTradeNo, twoOrders.TransactionID = "refund-unpaid-1", tx.TransactionID
	_, err = e.refund.CreateRefund(ctx, twoOrders)
	apiError(t, "transaction_id and out_trade_no of two orders", err, http.StatusBadRequest, "PARAM_ERROR", "")
	// One of transaction_id and out_trade_no, before anything is sent.
	neither := refund("refund-5", 10, 100)
	neither.OutTradeNo = ""
	_, err = e.refund.CreateRefund(ctx, neither)
	notSent(t, "neither transaction_id nor out_trade_no", err, "transaction_id|out_trade_no", "anyOf")

	// ABNORMAL, then sent to the user's card: the card number and name are
	// encrypted for the sandbox, which decrypts them.
	if _, err := e.refund.CreateRefund(ctx, refund("refund-6", 20, 100)); err != nil {
		t.Fatal(err)
	}
	abnormal := func(no string) *refunds.ApplyAbnormalRefundRequest {
		return &refunds.ApplyAbnormalRefundRequest{RefundID: no, Body: refunds.AbnormalRefundBody{
			AbnormalRefundToUserBankCard: &refunds.AbnormalRefundToUserBankCard{OutRefundNo: "refund-6",
				Type: refunds.AbnormalRefundToUserBankCardTypeUserBankCard, BankType: "ICBC_DEBIT",
				BankAccount: "6222020000001234", RealName: "张三"}}}
	}
	r6, err := e.refund.QueryRefund(ctx, &refunds.QueryRefundRequest{OutRefundNo: "refund-6"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.refund.ApplyAbnormalRefund(ctx, abnormal(r6.RefundID))
	apiError(t, "an abnormal refund of a refund that is not ABNORMAL", err, http.StatusBadRequest, "INVALID_REQUEST", "")
	if err := e.journey.SettleRefund(ctx, "refund-6", sbx.RefundAbnormal); err != nil {
		t.Fatal(err)
	}
	n = e.next(t)
	if got, err := refunds.DecodeRefundResult(n); err != nil || n.EventType != refunds.EventRefundAbnormal || got.RefundStatus != refunds.RefundStatusAbnormal {
		t.Errorf("abnormal refund notification %s: %+v, %v", n.EventType, got, err)
	}
	_, err = e.refund.ApplyAbnormalRefund(ctx, abnormal("no-such-refund"))
	apiError(t, "an abnormal refund of an unknown refund", err, http.StatusNotFound, "RESOURCE_NOT_EXISTS", "")
	wrongNo := abnormal(r6.RefundID)
	wrongNo.Body.AbnormalRefundToUserBankCard.OutRefundNo = "refund-1"
	_, err = e.refund.ApplyAbnormalRefund(ctx, wrongNo)
	apiError(t, "an abnormal refund naming another out_refund_no", err, http.StatusBadRequest, "PARAM_ERROR", "")
	toCard, err := e.refund.ApplyAbnormalRefund(ctx, abnormal(r6.RefundID))
	if err != nil || toCard.Status != refunds.RefundStatusProcessing || !strings.HasSuffix(toCard.UserReceivedAccount, "1234") {
		t.Fatalf("ApplyAbnormalRefund to the user's card: %+v, %v", toCard, err)
	}

	// ABNORMAL, then sent to the merchant's bank account.
	if _, err := e.refund.CreateRefund(ctx, refund("refund-10", 10, 100)); err != nil {
		t.Fatal(err)
	}
	if err := e.journey.SettleRefund(ctx, "refund-10", sbx.RefundAbnormal); err != nil {
		t.Fatal(err)
	}
	e.next(t)
	r10, err := e.refund.QueryRefund(ctx, &refunds.QueryRefundRequest{OutRefundNo: "refund-10"})
	if err != nil {
		t.Fatal(err)
	}
	toMerchant, err := e.refund.ApplyAbnormalRefund(ctx, &refunds.ApplyAbnormalRefundRequest{RefundID: r10.RefundID, Body: refunds.AbnormalRefundBody{
		AbnormalRefundToMerchantBankCard: &refunds.AbnormalRefundToMerchantBankCard{OutRefundNo: "refund-10",
			Type: refunds.AbnormalRefundToMerchantBankCardTypeMerchantBankCard}}})
	if err != nil || toMerchant.Status != refunds.RefundStatusProcessing || toMerchant.UserReceivedAccount != "商户结算银行账户" {
		t.Errorf("ApplyAbnormalRefund to the merchant's account: %+v, %v", toMerchant, err)
	}

	// CLOSED: its amount can be refunded again.
	if _, err := e.refund.CreateRefund(ctx, refund("refund-7", 40, 100)); err != nil {
		t.Fatal(err)
	}
	if err := e.journey.SettleRefund(ctx, "refund-7", sbx.RefundClosed); err != nil {
		t.Fatal(err)
	}
	n = e.next(t)
	if got, err := refunds.DecodeRefundResult(n); err != nil || n.EventType != refunds.EventRefundClosed || got.RefundStatus != refunds.RefundStatusClosed {
		t.Errorf("closed refund notification %s: %+v, %v", n.EventType, got, err)
	}
	if _, err := e.refund.CreateRefund(ctx, refund("refund-8", 40, 100)); err != nil {
		t.Errorf("a refund of what a closed refund left: %v", err)
	}

	// A year and a day after the payment, no refund is accepted.
	e.clock.Set(e.clock.Now().AddDate(1, 0, 1))
	_, err = e.refund.CreateRefund(ctx, refund("refund-11", 1, 100))
	apiError(t, "a refund more than a year after the payment", err, http.StatusBadRequest, "INVALID_REQUEST", "")
}

// TestJourneyNotificationTypes: each decoder takes its own event types and
// refuses the others with wechatpay.ErrEventType, whose plaintext the
// handler still has as raw JSON: here the contract family's signing
// notification, which no decoder of the journey takes.
func TestJourneyNotificationTypes(t *testing.T) {
	e := newJourney(t)
	ctx := context.Background()
	tx := e.paidOrder(t, "types-order-1", 100)
	if tx.TradeState != payments.TradeStateSuccess || tx.TradeType != payments.TradeTypeJsapi || tx.OutTradeNo != "types-order-1" {
		t.Errorf("payment notification %+v", tx)
	}
	if _, err := e.pec.PreSignNormalMiniProgram(ctx, &pec.PreSignNormalMiniProgramRequest{AppID: journeyAppID, ServiceID: contracts.ExampleServiceID,
		OutContractCode: "typesContract1", NotifyURL: e.notifyURL, ContractDisplayAccount: "张三", OpenID: journeyOpenID}); err != nil {
		t.Fatal(err)
	}
	if err := e.contracts.SignContract(ctx, contracts.ExampleServiceID, "typesContract1"); err != nil {
		t.Fatal(err)
	}
	n := e.next(t)
	for name, decode := range map[string]func(*wechatpay.Notification) error{
		"DecodeTransactionSuccess": func(n *wechatpay.Notification) error { _, err := payments.DecodeTransactionSuccess(n); return err },
		"contractpayments' decoder": func(n *wechatpay.Notification) error {
			_, err := contractpayments.DecodeTransactionSuccess(n)
			return err
		},
		"DecodeRefundResult": func(n *wechatpay.Notification) error { _, err := refunds.DecodeRefundResult(n); return err },
	} {
		var de *wechatpay.DecodeError
		if err := decode(n); !errors.Is(err, wechatpay.ErrEventType) || !errors.As(err, &de) || de.Notification != n.ID || de.Field != "event_type" {
			t.Errorf("%s of a %s notification: %v, want wechatpay.ErrEventType", name, n.EventType, err)
		}
	}
	contract, err := wechatpay.DecodeNotification[pec.QueryByCodeResponse](n)
	if err != nil || contract.OutContractCode != "typesContract1" {
		t.Errorf("the raw plaintext of %s: %+v, %v", n.EventType, contract, err)
	}
}

// download downloads the bill info describes with the runtime's
// DownloadBill, which checks its SHA-1 against hash_value.
func (e *journeyEnv) download(info *bills.BillInfo, gzipped bool) (string, error) {
	var out strings.Builder
	_, err := e.rt.DownloadBill(context.Background(), &wechatpay.BillDownload{
		Bill:    wechatpay.Bill{HashType: string(info.HashType), HashValue: info.HashValue, DownloadURL: info.DownloadURL},
		Gzipped: gzipped, Gunzip: gzipped,
	}, &out)
	return out.String(), err
}

// TestJourneyBills: the next day's trade bill lists the day's payment and
// refund, and the fund-flow bill the money in and out, each downloaded and
// checked by its hash (gzip too); a tampered file is caught; the refusals
// the sandbox models.
func TestJourneyBills(t *testing.T) {
	e := newJourney(t)
	ctx := context.Background()
	tx := e.paidOrder(t, "bill-order-1", 250)
	r, err := e.refund.CreateRefund(ctx, &refunds.CreateRefundRequest{TransactionID: tx.TransactionID, OutRefundNo: "bill-refund-1",
		Amount: refunds.CreateRefundAmount{Refund: 50, Total: 250, Currency: refunds.CreateRefundAmountCurrencyCny}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.journey.SettleRefund(ctx, "bill-refund-1", sbx.RefundSuccess); err != nil {
		t.Fatal(err)
	}

	day := journeyStart.Format(time.DateOnly)
	// Before 9:00 the next day the bill is being made.
	_, err = e.bill.ApplyTradeBill(ctx, &bills.ApplyTradeBillRequest{BillDate: day})
	apiError(t, "the bill of today", err, http.StatusBadRequest, "STATEMENT_CREATING", "")

	e.clock.Set(journeyStart.Add(24 * time.Hour)) // 10:00 the next day
	info, err := e.bill.ApplyTradeBill(ctx, &bills.ApplyTradeBillRequest{BillDate: day, BillType: bills.ApplyTradeBillRequestBillTypeAll})
	if err != nil || info.HashType != bills.BillInfoHashTypeSha1 || !strings.HasPrefix(info.DownloadURL, e.srv.URL+"/v3/billdownload/file?") {
		t.Fatalf("ApplyTradeBill: %+v, %v", info, err)
	}
	trade, err := e.download(info, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"`" + tx.TransactionID + ",`bill-order-1,", "`" + r.RefundID + ",`bill-refund-1,`0.50,", "`2.50,"} {
		if !strings.Contains(trade, want) {
			t.Errorf("trade bill lacks %q:\n%s", want, trade)
		}
	}
	gz, err := e.bill.ApplyTradeBill(ctx, &bills.ApplyTradeBillRequest{BillDate: day, TarType: bills.ApplyTradeBillRequestTarTypeGzip})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.download(gz, true); err != nil || got != trade {
		t.Errorf("the gzip bill, gunzipped: %v\n%s\nwant\n%s", err, got, trade)
	}
	// A file that is not the bill is refused by its hash.
	if err := e.srv.InjectFault("downloadBill", wechatpaytest.Fault{Kind: wechatpaytest.FaultTamperedBody}); err != nil {
		t.Fatal(err)
	}
	var integrity *wechatpay.BillIntegrityError
	if _, err := e.download(info, false); !errors.As(err, &integrity) {
		t.Errorf("a tampered bill: %v, want a *wechatpay.BillIntegrityError", err)
	}

	flow, err := e.bill.ApplyFundFlowBill(ctx, &bills.ApplyFundFlowBillRequest{BillDate: day})
	if err != nil {
		t.Fatal(err)
	}
	fund, err := e.download(flow, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"`" + tx.TransactionID + ",", "`收入,`2.50,`2.50,", "`" + r.RefundID + ",", "`支出,`0.50,`2.00,"} {
		if !strings.Contains(fund, want) {
			t.Errorf("fund-flow bill lacks %q:\n%s", want, fund)
		}
	}

	// Refusals.
	_, err = e.bill.ApplyTradeBill(ctx, &bills.ApplyTradeBillRequest{BillDate: journeyStart.AddDate(0, 0, -1).Format(time.DateOnly)})
	apiError(t, "a day with nothing to bill", err, http.StatusBadRequest, "NO_STATEMENT_EXIST", "")
	_, err = e.bill.ApplyTradeBill(ctx, &bills.ApplyTradeBillRequest{BillDate: journeyStart.AddDate(0, -4, 0).Format(time.DateOnly)})
	apiError(t, "a day more than three months ago", err, http.StatusBadRequest, "PARAM_ERROR", "bill_date")
	_, err = e.bill.ApplyFundFlowBill(ctx, &bills.ApplyFundFlowBillRequest{BillDate: day, AccountType: bills.ApplyFundFlowBillRequestAccountTypeAll})
	apiError(t, "account_type ALL, an e-commerce platform's", err, http.StatusBadRequest, "PARAM_ERROR", "account_type")
	_, err = e.bill.ApplyTradeBill(ctx, &bills.ApplyTradeBillRequest{BillDate: day, BillType: bills.ApplyTradeBillRequestBillTypeRechargeRefund})
	apiError(t, "a bill type the sandbox has nothing for", err, http.StatusBadRequest, "NO_STATEMENT_EXIST", "")
	_, err = e.bill.ApplyFundFlowBill(ctx, &bills.ApplyFundFlowBillRequest{BillDate: day, AccountType: bills.ApplyFundFlowBillRequestAccountTypeOperation})
	apiError(t, "the operation account's fund flow", err, http.StatusBadRequest, "NO_STATEMENT_EXIST", "")
	_, err = e.bill.ApplyTradeBill(ctx, &bills.ApplyTradeBillRequest{BillDate: journeyStart.AddDate(0, 0, 2).Format(time.DateOnly)})
	apiError(t, "a day to come", err, http.StatusBadRequest, "PARAM_ERROR", "bill_date")
	_, err = e.bill.ApplyTradeBill(ctx, &bills.ApplyTradeBillRequest{BillDate: "2026-3-10"})
	notSent(t, "a bill_date that is not yyyy-MM-DD", err, "bill_date", "format")
}

// TestJourneyNotifyURLRules: a payment's and a refund's notify_url that no
// URL WeChat Pay can call holds (Unicode whitespace, control and invisible
// format characters, no host) is refused by Validate, naming the field and
// rule pattern, and by the sandbox (400 PARAM_ERROR on /notify_url) when it
// arrives raw through Client.Call: both read the spec's pattern with Go's
// regexp.
func TestJourneyNotifyURLRules(t *testing.T) {
	e := newJourney(t)
	ctx := context.Background()
	for _, u := range []struct{ name, value string }{
		{"no-break space", "https://merchant.example/n\u00a0otify"},
		{"ideographic space", "https://merchant.example/\u3000notify"},
		{"vertical tab", "https://merchant.example/\vnotify"},
		{"line separator", "https://merchant.example/\u2028notify"},
		{"byte order mark", "https://merchant.example/notify\ufeff"},
		{"zero-width space", "https://merchant.example/\u200bnotify"},
		{"newline", "https://merchant.example\n/notify"},
		{"no host", "https:///notify"},
	} {
		order := e.jsapiOrder("notify-rules-1", 1)
		order.NotifyURL = u.value
		_, err := e.pay.JsapiPrepay(ctx, order)
		notSent(t, "order: "+u.name, err, "notify_url", "pattern")
		body, err := json.Marshal(map[string]any{"appid": journeyAppID, "mchid": e.srv.MchID(), "description": journeyGoods,
			"out_trade_no": "notify-rules-1", "notify_url": u.value, "amount": map[string]any{"total": 1}, "payer": map[string]any{"openid": journeyOpenID}})
		if err != nil {
			t.Fatal(err)
		}
		err = e.rt.Call(ctx, http.MethodPost, "/v3/pay/transactions/jsapi", nil, nil, body, nil)
		apiError(t, "order through Call: "+u.name, err, http.StatusBadRequest, "PARAM_ERROR", "/notify_url")

		refund := &refunds.CreateRefundRequest{TransactionID: "4200000000000000000000000001", OutRefundNo: "notify-rules-r1", NotifyURL: u.value,
			Amount: refunds.CreateRefundAmount{Refund: 1, Total: 1, Currency: "CNY"}}
		_, err = e.refund.CreateRefund(ctx, refund)
		notSent(t, "refund: "+u.name, err, "notify_url", "pattern")
	}
	if st, ok := e.journey.TradeState("notify-rules-1"); ok {
		t.Errorf("a refused order was placed: %s", st)
	}
	// The valid address the cases start from passes both.
	if _, err := e.pay.JsapiPrepay(ctx, e.jsapiOrder("notify-rules-2", 1)); err != nil {
		t.Errorf("a valid order: %v", err)
	}
}
