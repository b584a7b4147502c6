package payments_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/payforge/wechatpay/spec"
	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/internal/sandboxtest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/payments"
)

// journeyFS holds the journey's specs: the family serves those embedded in
// package spec, and the tests check its answers against them.
var journeyFS fs.FS = spec.FS

// apiV3Key is the merchant's APIv3 key in these tests.
var apiV3Key = []byte("0123456789abcdefABCDEF0123456789")

// start is the sandbox clock's first time in these tests: 10:00 in China.
var start = time.Date(2026, 3, 10, 10, 0, 0, 0, time.FixedZone("CST", 8*60*60))

// merchant is a merchant's notify_url: an HTTPS server verifying and
// decrypting notifications with the runtime's NotifyHandler.
type merchant struct {
	*httptest.Server
	got chan *wechatpay.Notification
}

func newMerchant(t *testing.T, now func() time.Time) *merchant {
	t.Helper()
	vk, err := wechatpay.PublicKeyModeKey(wechatpaytest.DefaultWechatpayKeyID, &sandboxtest.WechatpayKey().PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := wechatpay.NewKeySet(vk)
	if err != nil {
		t.Fatal(err)
	}
	m := &merchant{got: make(chan *wechatpay.Notification, 16)}
	h, err := wechatpay.NewNotifyHandler(wechatpay.NotifyConfig{Keys: keys, APIv3Key: apiV3Key, Clock: now},
		func(_ context.Context, n *wechatpay.Notification) error {
			m.got <- n
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	m.Server = httptest.NewTLSServer(h)
	t.Cleanup(m.Close)
	return m
}

// next waits for the next notification.
func (m *merchant) next(t *testing.T) *wechatpay.Notification {
	t.Helper()
	select {
	case n := <-m.got:
		return n
	case <-time.After(10 * time.Second):
		t.Fatal("no notification")
		return nil
	}
}

// none checks that no notification arrived.
func (m *merchant) none(t *testing.T) {
	t.Helper()
	select {
	case n := <-m.got:
		t.Errorf("unexpected notification %s %s", n.EventType, n.Plaintext)
	default:
	}
}

// env is a sandbox running the contract family and the payments family,
// a runtime client for it, and a merchant that receives notifications.
type env struct {
	t         *testing.T
	clock     *wechatpaytest.Clock
	srv       *wechatpaytest.Server
	family    *payments.Family
	contracts *contracts.Family
	rt        *wechatpay.Client
	merchant  *merchant
}

// newEnv starts an env; opts.SpecFS and opts.Contracts are set for the test.
func newEnv(t *testing.T, opts payments.Options) *env {
	t.Helper()
	return newEnvFor(t, func(*merchant) payments.Options { return opts })
}

// newEnvFor is newEnv with options that name the merchant's server.
func newEnvFor(t *testing.T, options func(*merchant) payments.Options) *env {
	t.Helper()
	e := &env{t: t, clock: wechatpaytest.NewClock(start)}
	e.merchant = newMerchant(t, e.clock.Now)
	opts := options(e.merchant)
	e.contracts = contracts.New(contracts.Options{})
	opts.Contracts = e.contracts
	e.family = payments.New(opts)
	e.srv = sandboxtest.NewServer(t, wechatpaytest.Options{
		Clock:        e.clock.Now,
		APIv3Key:     apiV3Key,
		NotifyClient: e.merchant.Client(),
		Behaviours:   []wechatpaytest.Behaviour{e.contracts, e.family},
	})
	e.rt = sandboxtest.NewRuntime(t, e.srv)
	return e
}

// notifyURL is the merchant's notify_url.
func (e *env) notifyURL() string { return e.merchant.URL + "/notify" }

// do sends a call through the runtime; a 2xx answer is checked against the
// journey's spec.
func (e *env) do(method, path string, query url.Values, body any) (*wechatpay.Response, error) {
	e.t.Helper()
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			e.t.Fatal(err)
		}
	}
	resp, err := e.rt.Do(context.Background(), &wechatpay.Request{Operation: method + " " + path, Method: method,
		PathTemplate: path, Path: path, Query: query, Body: raw})
	if err == nil {
		checkAgainstSpec(e.t, method, path, query, resp)
	}
	return resp, err
}

// ok is do for a call that must succeed; it decodes the answer into v.
func (e *env) ok(method, path string, query url.Values, body, v any) *wechatpay.Response {
	e.t.Helper()
	resp, err := e.do(method, path, query, body)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	if v != nil {
		if err := json.Unmarshal(resp.Body, v); err != nil {
			e.t.Fatalf("%s %s: %s: %v", method, path, resp.Body, err)
		}
	}
	return resp
}

// fails checks that err is the API error status/code, about field when
// field is not empty.
func fails(t *testing.T, what string, err error, status int, code, field string) {
	t.Helper()
	var apiErr *wechatpay.APIError
	switch {
	case !errors.As(err, &apiErr):
		t.Errorf("%s: %v, want %d %s", what, err, status, code)
	case apiErr.StatusCode != status || apiErr.Code != code:
		t.Errorf("%s: %d %s %q, want %d %s", what, apiErr.StatusCode, apiErr.Code, apiErr.Message, status, code)
	case field != "" && (apiErr.Detail == nil || apiErr.Detail.Field != field):
		t.Errorf("%s: %s detail %+v, want the field %s", what, code, apiErr.Detail, field)
	}
}

// The journey's specs, routed, to check answers against.
var specRouters = sync.OnceValues(func() ([]routers.Router, error) {
	var rs []routers.Router
	for _, name := range payments.DefaultSpecFiles() {
		loader := openapi3.NewLoader()
		loader.IsExternalRefsAllowed = true
		loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
			return fs.ReadFile(journeyFS, u.Path)
		}
		data, err := fs.ReadFile(journeyFS, name)
		if err != nil {
			return nil, err
		}
		doc, err := loader.LoadFromDataWithPath(data, &url.URL{Path: name})
		if err != nil {
			return nil, err
		}
		doc.Servers = nil
		r, err := legacy.NewRouter(doc)
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	return rs, nil
})

// checkAgainstSpec validates an answer against the operation's spec.
func checkAgainstSpec(t *testing.T, method, path string, query url.Values, resp *wechatpay.Response) {
	t.Helper()
	rs, err := specRouters()
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(method, path+"?"+query.Encode(), nil)
	for _, r := range rs {
		route, params, err := r.FindRoute(req)
		if err != nil {
			continue
		}
		err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
			Status:                 resp.StatusCode, Header: resp.Header, Body: io.NopCloser(bytes.NewReader(resp.Body)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true},
		})
		if err != nil {
			t.Errorf("%s %s: answer %d %s breaks the spec: %v", method, path, resp.StatusCode, resp.Body, err)
		}
		return
	}
	t.Errorf("%s %s: no operation of the journey's specs", method, path)
}

// Paths of the operations.
const (
	jsapiPath             = "/v3/pay/transactions/jsapi"
	appPath               = "/v3/pay/transactions/app"
	h5Path                = "/v3/pay/transactions/h5"
	nativePath            = "/v3/pay/transactions/native"
	jsapiContractPath     = "/v3/pay/transactions/jsapi-with-contract"
	appContractPath       = "/v3/pay/transactions/app-with-contract"
	partnerContractPath   = "/v3/pay/partner/transactions/jsapi-with-contract"
	outTradeNoPath        = "/v3/pay/transactions/out-trade-no/"
	transactionIDPath     = "/v3/pay/transactions/id/"
	refundsPath           = "/v3/refund/domestic/refunds"
	contractQueryPathTmpl = "/v3/password-exempt-contract/contracts/service-id/%d/out-contract-code/%s"
)

// order returns a valid body of a direct order; kind is jsapi, app, h5 or
// native.
func (e *env) order(kind, outTradeNo string, total int64) map[string]any {
	b := map[string]any{
		"appid": "wxd678efh567hg6787", "mchid": e.srv.MchID(), "description": "Image形象店-深圳腾大-QQ公仔",
		"out_trade_no": outTradeNo, "notify_url": e.notifyURL(), "attach": "自定义数据",
		"amount": map[string]any{"total": total, "currency": "CNY"},
	}
	switch kind {
	case "jsapi":
		b["payer"] = map[string]any{"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}
	case "h5":
		b["scene_info"] = map[string]any{"payer_client_ip": "14.23.150.211", "h5_info": map[string]any{"type": "Wap"}}
	}
	return b
}

// prepay places a direct order and returns the answer's one field.
func (e *env) prepay(path string, body map[string]any) map[string]string {
	e.t.Helper()
	var answer map[string]string
	e.ok(http.MethodPost, path, nil, body, &answer)
	return answer
}

// transaction is an order as the queries answer it.
type transaction struct {
	AppID          string `json:"appid"`
	MchID          string `json:"mchid"`
	OutTradeNo     string `json:"out_trade_no"`
	TransactionID  string `json:"transaction_id"`
	TradeType      string `json:"trade_type"`
	TradeState     string `json:"trade_state"`
	TradeStateDesc string `json:"trade_state_desc"`
	BankType       string `json:"bank_type"`
	Attach         string `json:"attach"`
	SuccessTime    string `json:"success_time"`
	Payer          *struct {
		OpenID string `json:"openid"`
	} `json:"payer"`
	Amount struct {
		Total         int64  `json:"total"`
		PayerTotal    int64  `json:"payer_total"`
		Currency      string `json:"currency"`
		PayerCurrency string `json:"payer_currency"`
	} `json:"amount"`
}

// query answers the order by out_trade_no; raw is the answer's body.
func (e *env) query(outTradeNo string) (tx transaction, raw []byte) {
	e.t.Helper()
	resp := e.ok(http.MethodGet, outTradeNoPath+outTradeNo, url.Values{"mchid": {e.srv.MchID()}}, nil, &tx)
	return tx, resp.Body
}

// refund is a refund as the refund operations answer it.
type refund struct {
	RefundID            string `json:"refund_id"`
	OutRefundNo         string `json:"out_refund_no"`
	TransactionID       string `json:"transaction_id"`
	OutTradeNo          string `json:"out_trade_no"`
	Channel             string `json:"channel"`
	UserReceivedAccount string `json:"user_received_account"`
	SuccessTime         string `json:"success_time"`
	CreateTime          string `json:"create_time"`
	Status              string `json:"status"`
	RefundStatus        string `json:"refund_status"` // the notification's name of status
	FundsAccount        string `json:"funds_account"`
	Amount              struct {
		Total       int64  `json:"total"`
		Refund      int64  `json:"refund"`
		PayerRefund int64  `json:"payer_refund"`
		Currency    string `json:"currency"`
	} `json:"amount"`
}

// refundBody is a valid refund request of out_trade_no.
func (e *env) refundBody(outTradeNo, outRefundNo string, amount, total int64) map[string]any {
	return map[string]any{"out_trade_no": outTradeNo, "out_refund_no": outRefundNo, "reason": "商品已售完",
		"notify_url": e.notifyURL(), "amount": map[string]any{"refund": amount, "total": total, "currency": "CNY"}}
}

// pay places and pays a JSAPI order, consuming its notification.
func (e *env) pay(outTradeNo string, total int64) transaction {
	e.t.Helper()
	e.prepay(jsapiPath, e.order("jsapi", outTradeNo, total))
	if err := e.family.Pay(context.Background(), outTradeNo); err != nil {
		e.t.Fatal(err)
	}
	e.merchant.next(e.t)
	tx, _ := e.query(outTradeNo)
	return tx
}

// header returns a bill's detail header, for downloadBill.
func header(detail, _ []string) []string { return detail }
