package payments_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/internal/sandboxtest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/payments"
)

// Each kind of direct order answers its own field and has its trade type;
// a user who did not pay leaves the order NOTPAY.
func TestPrepayKinds(t *testing.T) {
	e := newEnv(t, payments.Options{})
	for _, tc := range []struct {
		kind, path, field, prefix, tradeType string
	}{
		{"jsapi", jsapiPath, "prepay_id", payments.PrepayIDPrefix, "JSAPI"},
		{"app", appPath, "prepay_id", payments.PrepayIDPrefix, "APP"},
		{"h5", h5Path, "h5_url", payments.PaymentURLBase + "h5?prepay_id=" + payments.PrepayIDPrefix, "MWEB"},
		{"native", nativePath, "code_url", payments.PaymentURLBase + "native?prepay_id=" + payments.PrepayIDPrefix, "NATIVE"},
	} {
		no := "kind-" + tc.kind
		answer := e.prepay(tc.path, e.order(tc.kind, no, 1))
		if len(answer) != 1 || !strings.HasPrefix(answer[tc.field], tc.prefix) {
			t.Errorf("%s: answer %v, want %s starting %s", tc.kind, answer, tc.field, tc.prefix)
		}
		tx, _ := e.query(no)
		if tx.TradeState != "NOTPAY" || tx.TradeType != tc.tradeType || !strings.Contains(tx.TradeStateDesc, "sandbox") {
			t.Errorf("%s: %+v", tc.kind, tx)
		}
		if tc.kind != "jsapi" && tx.Payer != nil {
			t.Errorf("%s: an unpaid order with a payer %+v", tc.kind, tx.Payer)
		}
		if err := e.family.Pay(context.Background(), no); err != nil {
			t.Fatal(err)
		}
		n := e.merchant.next(t)
		if tx, raw := e.query(no); tx.TradeState != "SUCCESS" || tx.Payer == nil || tx.Payer.OpenID == "" || string(n.Plaintext) != string(raw) {
			t.Errorf("%s paid: %s, notified %s", tc.kind, raw, n.Plaintext)
		} else if tc.kind != "jsapi" && !strings.HasPrefix(tx.Payer.OpenID, payments.OpenIDPrefix) {
			t.Errorf("%s: payer %q, want a made-up OpenID", tc.kind, tx.Payer.OpenID)
		}
	}
}

// The order operations refuse what the spec cannot: another merchant's
// mchid, an order of 0 fen.
func TestPrepayRefusals(t *testing.T) {
	e := newEnv(t, payments.Options{})
	other := e.order("native", "refused-1", 1)
	other["mchid"] = "1900000999"
	_, err := e.do(http.MethodPost, nativePath, nil, other)
	fails(t, "another merchant", err, http.StatusBadRequest, "PARAM_ERROR", "/mchid")
	_, err = e.do(http.MethodPost, nativePath, nil, e.order("native", "refused-2", 0))
	fails(t, "0 fen", err, http.StatusBadRequest, "PARAM_ERROR", "/amount/total")
	// The spec's own checks come first: the engine's.
	_, err = e.do(http.MethodPost, nativePath, nil, e.order("native", "abc", 1))
	fails(t, "a short out_trade_no", err, http.StatusBadRequest, "PARAM_ERROR", "/out_trade_no")
	if _, ok := e.family.TradeState("refused-1"); ok {
		t.Error("a refused order was kept")
	}
}

// A repeat of the same order is answered again; any other use of the
// number is 403 OUT_TRADE_NO_USED.
func TestReusedOutTradeNo(t *testing.T) {
	e := newEnv(t, payments.Options{})
	body := e.order("jsapi", "reuse-0001", 100)
	first := e.prepay(jsapiPath, body)
	// The same content with its keys in another order is the same request.
	again := e.prepay(jsapiPath, maps.Clone(body))
	if again["prepay_id"] != first["prepay_id"] {
		t.Errorf("a repeat got %v, first %v", again, first)
	}
	changed := maps.Clone(body)
	changed["amount"] = map[string]any{"total": 200, "currency": "CNY"}
	_, err := e.do(http.MethodPost, jsapiPath, nil, changed)
	fails(t, "another amount", err, http.StatusForbidden, "OUT_TRADE_NO_USED", "/out_trade_no")
	_, err = e.do(http.MethodPost, appPath, nil, e.order("app", "reuse-0001", 100))
	fails(t, "another kind of order", err, http.StatusForbidden, "OUT_TRADE_NO_USED", "/out_trade_no")

	if err := e.family.Pay(context.Background(), "reuse-0001"); err != nil {
		t.Fatal(err)
	}
	e.merchant.next(t)
	_, err = e.do(http.MethodPost, jsapiPath, nil, body)
	fails(t, "the same request for a paid order", err, http.StatusForbidden, "OUT_TRADE_NO_USED", "/out_trade_no")
}

// closeOrder: 204 for an unpaid order, which is then CLOSED and cannot be
// paid; 400 ORDER_CLOSED again; 202 USER_PAYING while the user pays;
// refused for a paid order and an unknown one.
func TestCloseOrder(t *testing.T) {
	e := newEnv(t, payments.Options{})
	closeBody := map[string]any{"mchid": e.srv.MchID()}
	closePath := func(no string) string { return outTradeNoPath + no + "/close" }

	e.prepay(nativePath, e.order("native", "close-0001", 100))
	resp := e.ok(http.MethodPost, closePath("close-0001"), nil, closeBody, nil)
	if resp.StatusCode != http.StatusNoContent || len(resp.Body) != 0 {
		t.Errorf("close: %d %s", resp.StatusCode, resp.Body)
	}
	if tx, _ := e.query("close-0001"); tx.TradeState != "CLOSED" {
		t.Errorf("closed order: %+v", tx)
	}
	if err := e.family.Pay(context.Background(), "close-0001"); err == nil {
		t.Error("paid a closed order")
	}
	_, err := e.do(http.MethodPost, closePath("close-0001"), nil, closeBody)
	fails(t, "close again", err, http.StatusBadRequest, "ORDER_CLOSED", "")

	// While the user pays, a close is answered 202 USER_PAYING.
	e.prepay(nativePath, e.order("native", "close-0002", 100))
	if err := e.family.BeginPayment("close-0002"); err != nil {
		t.Fatal(err)
	}
	resp = e.ok(http.MethodPost, closePath("close-0002"), nil, closeBody, nil)
	var paying struct{ Code, Message string }
	if err := json.Unmarshal(resp.Body, &paying); err != nil || resp.StatusCode != http.StatusAccepted || paying.Code != "USER_PAYING" {
		t.Errorf("close while paying: %d %s", resp.StatusCode, resp.Body)
	}
	if tx, _ := e.query("close-0002"); tx.TradeState != "USERPAYING" {
		t.Errorf("order being paid: %s", tx.TradeState)
	}
	if err := e.family.Pay(context.Background(), "close-0002"); err != nil {
		t.Fatal(err)
	}
	e.merchant.next(t)
	_, err = e.do(http.MethodPost, closePath("close-0002"), nil, closeBody)
	fails(t, "close a paid order", err, http.StatusBadRequest, "INVALID_REQUEST", "out_trade_no")
	if tx, _ := e.query("close-0002"); tx.TradeState != "SUCCESS" {
		t.Errorf("a paid order after a refused close: %s", tx.TradeState)
	}

	_, err = e.do(http.MethodPost, closePath("nosuch-0001"), nil, closeBody)
	fails(t, "close an unknown order", err, http.StatusNotFound, "ORDER_NOT_EXIST", "out_trade_no")
	_, err = e.do(http.MethodPost, closePath("close-0001"), nil, map[string]any{"mchid": "1900000999"})
	fails(t, "close another merchant's", err, http.StatusBadRequest, "PARAM_ERROR", "/mchid")
	if err := e.family.BeginPayment("close-0001"); err == nil {
		t.Error("BeginPayment of a closed order")
	}
}

// The queries: an unknown order, an unpaid order by a transaction_id it
// does not have, another merchant's mchid.
func TestQueryRefusals(t *testing.T) {
	e := newEnv(t, payments.Options{})
	mchid := url.Values{"mchid": {e.srv.MchID()}}
	_, err := e.do(http.MethodGet, outTradeNoPath+"nosuch-0001", mchid, nil)
	fails(t, "unknown out_trade_no", err, http.StatusNotFound, "ORDER_NOT_EXIST", "out_trade_no")
	_, err = e.do(http.MethodGet, transactionIDPath+"sandbox0000", mchid, nil)
	fails(t, "unknown transaction_id", err, http.StatusNotFound, "ORDER_NOT_EXIST", "transaction_id")
	e.prepay(nativePath, e.order("native", "query-0001", 100))
	_, err = e.do(http.MethodGet, outTradeNoPath+"query-0001", url.Values{"mchid": {"1900000999"}}, nil)
	fails(t, "another merchant", err, http.StatusBadRequest, "PARAM_ERROR", "mchid")
	_, err = e.do(http.MethodGet, outTradeNoPath+"query-0001", nil, nil)
	fails(t, "no mchid (the spec)", err, http.StatusBadRequest, "PARAM_ERROR", "mchid")
}

// Pay: after time_expire an order can no longer be paid; an order without
// one for 7 days.
func TestPayExpiry(t *testing.T) {
	e := newEnv(t, payments.Options{})
	body := e.order("native", "expire-0001", 100)
	body["time_expire"] = start.Add(time.Hour).Format(time.RFC3339)
	e.prepay(nativePath, body)
	e.prepay(nativePath, e.order("native", "expire-0002", 100))
	e.clock.Add(time.Hour + time.Second)
	if err := e.family.Pay(context.Background(), "expire-0001"); !errors.Is(err, payments.ErrExpired) {
		t.Errorf("pay after time_expire: %v", err)
	}
	if err := e.family.Pay(context.Background(), "nosuch"); err == nil || errors.Is(err, payments.ErrExpired) {
		t.Errorf("pay an unknown order: %v", err)
	}
	e.clock.Add(7 * 24 * time.Hour)
	if err := e.family.Pay(context.Background(), "expire-0002"); !errors.Is(err, payments.ErrExpired) {
		t.Errorf("pay after 7 days: %v", err)
	}
	e.merchant.none(t)
}

// Orders under a contract need the contract_id of an active contract:
// absent or unknown, 400 PARAM_ERROR; pending or terminated, 400
// INVALID_REQUEST. APP下单并签约 signs while paying: it may name none.
func TestContractOrders(t *testing.T) {
	e := newEnv(t, payments.Options{})
	ctx := context.Background()
	active := queryContractID(t, e, contracts.ExampleServiceID, contracts.ExampleOutContractCode)
	if err := e.contracts.AddContract(7, "ended1"); err != nil {
		t.Fatal(err)
	}
	ended := queryContractID(t, e, 7, "ended1")
	if err := e.contracts.TerminateByUser(7, "ended1"); err != nil {
		t.Fatal(err)
	}

	withContract := func(kind, no string, id any) map[string]any {
		b := e.order(kind, no, 100)
		if id != nil {
			b["contract_info"] = map[string]any{"password_free_contract_id": id}
		}
		return b
	}
	partner := func(no string, id any) map[string]any {
		b := map[string]any{"sp_appid": "wxsp", "sp_mchid": e.srv.MchID(), "sub_mchid": "1900000110", "sub_appid": "wxsub",
			"description": "d", "out_trade_no": no, "notify_url": e.notifyURL(), "amount": map[string]any{"total": 100},
			"payer": map[string]any{"sub_openid": "osub"}}
		if id != nil {
			b["contract_info"] = map[string]any{"password_free_contract_id": id}
		}
		return b
	}
	for _, tc := range []struct {
		name   string
		path   string
		body   map[string]any
		status int
		code   string
	}{
		{"jsapi without contract_info", jsapiContractPath, withContract("jsapi", "c-0001", nil), 400, "PARAM_ERROR"},
		{"jsapi, unknown contract", jsapiContractPath, withContract("jsapi", "c-0002", "sandboxnosuch"), 400, "PARAM_ERROR"},
		{"jsapi, terminated contract", jsapiContractPath, withContract("jsapi", "c-0003", ended), 400, "INVALID_REQUEST"},
		{"jsapi, active contract", jsapiContractPath, withContract("jsapi", "c-0004", active), 200, ""},
		{"partner without contract_info", partnerContractPath, partner("c-0005", nil), 400, "PARAM_ERROR"},
		{"partner, terminated contract", partnerContractPath, partner("c-0006", ended), 400, "INVALID_REQUEST"},
		{"partner, active contract", partnerContractPath, partner("c-0007", active), 200, ""},
		{"partner, another service provider", partnerContractPath, func() map[string]any {
			b := partner("c-0008", active)
			b["sp_mchid"] = "1900000999"
			return b
		}(), 400, "PARAM_ERROR"},
		{"app, signing while paying", appContractPath, withContract("app", "c-0009", nil), 200, ""},
		{"app, terminated contract", appContractPath, withContract("app", "c-0010", ended), 400, "INVALID_REQUEST"},
		{"app, a contract_id that is not a string", appContractPath, withContract("app", "c-0011", 12), 400, "PARAM_ERROR"},
		{"app, active contract", appContractPath, withContract("app", "c-0012", active), 200, ""},
	} {
		resp, err := e.do(http.MethodPost, tc.path, nil, tc.body)
		if tc.status == 200 {
			if err != nil || !strings.HasPrefix(string(resp.Body), `{"prepay_id":"sandbox-prepay-`) {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		field := "/contract_info/password_free_contract_id"
		if strings.Contains(tc.name, "another") {
			field = "/sp_mchid"
		}
		fails(t, tc.name, err, tc.status, tc.code, field)
	}

	// A service provider's order is paid without a notification, and the
	// direct merchant's queries do not reach it.
	if err := e.family.Pay(ctx, "c-0007"); err != nil {
		t.Fatal(err)
	}
	e.merchant.none(t)
	if st, _ := e.family.TradeState("c-0007"); st != "SUCCESS" {
		t.Errorf("partner order %s", st)
	}
	_, err := e.do(http.MethodGet, outTradeNoPath+"c-0007", url.Values{"mchid": {e.srv.MchID()}}, nil)
	fails(t, "a partner order through the direct query", err, http.StatusNotFound, "ORDER_NOT_EXIST", "out_trade_no")
	if err := e.family.SendPaymentNotification(ctx, "c-0007"); err == nil {
		t.Error("SendPaymentNotification of a partner order")
	}

	// out_trade_no is unique per merchant: the direct merchant and two
	// sub-merchants may each use one number; the same sub-merchant may not
	// use it twice. The helpers name an order by its number: the direct
	// merchant's first, and refuse a number several sub-merchants used.
	if _, err := e.do(http.MethodPost, jsapiContractPath, nil, withContract("jsapi", "c-0013", active)); err != nil {
		t.Fatalf("direct order c-0013: %v", err)
	}
	other := partner("c-0013", active)
	other["sub_mchid"] = "1900000111"
	for _, b := range []map[string]any{partner("c-0013", active), other} {
		if _, err := e.do(http.MethodPost, partnerContractPath, nil, b); err != nil {
			t.Errorf("sub-merchant %v's order c-0013 after the direct merchant's: %v", b["sub_mchid"], err)
		}
	}
	again := partner("c-0013", active)
	again["description"] = "another order"
	_, err = e.do(http.MethodPost, partnerContractPath, nil, again)
	fails(t, "one sub-merchant's number used twice", err, http.StatusForbidden, "OUT_TRADE_NO_USED", "/out_trade_no")
	if err := e.family.Pay(ctx, "c-0013"); err != nil {
		t.Fatalf("Pay names the direct merchant's order: %v", err)
	}
	_, err = e.do(http.MethodGet, outTradeNoPath+"c-0013", url.Values{"mchid": {e.srv.MchID()}}, nil)
	if err != nil {
		t.Errorf("query of the direct merchant's order c-0013: %v", err)
	}
	for _, b := range []map[string]any{partner("c-0014", active), func() map[string]any { b := partner("c-0014", active); b["sub_mchid"] = "1900000111"; return b }()} {
		if _, err := e.do(http.MethodPost, partnerContractPath, nil, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.family.Pay(ctx, "c-0014"); err == nil || !strings.Contains(err.Error(), "2 sub-merchants") {
		t.Errorf("Pay of a number two sub-merchants used: %v, want an error saying so", err)
	}

	// Without a contract family, every contract is unknown.
	bare := payments.New(payments.Options{})
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{Behaviours: []wechatpaytest.Behaviour{bare}, NoNotifications: true})
	rt := sandboxtest.NewRuntime(t, srv)
	err = rt.Call(ctx, http.MethodPost, jsapiContractPath, nil, nil, withContract("jsapi", "c-0013", active), nil)
	fails(t, "no contract family", err, http.StatusBadRequest, "PARAM_ERROR", "/contract_info/password_free_contract_id")
}

// queryContractID answers a contract's contract_id through the contract query.
func queryContractID(t *testing.T, e *env, serviceID int64, code string) string {
	t.Helper()
	var c struct {
		ContractID string `json:"contract_id"`
	}
	if err := e.rt.Call(context.Background(), http.MethodGet, fmt.Sprintf(contractQueryPathTmpl, serviceID, code), nil, nil, nil, &c); err != nil {
		t.Fatal(err)
	}
	return c.ContractID
}
