package payments

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
)

// Values the sandbox makes up where WeChat Pay's are not documented or are
// WeChat Pay's own secrets. Each says "sandbox"; see the package doc.
const (
	// PrepayIDPrefix starts every prepay_id: "sandbox-prepay-" and 32 hex
	// digits (47 characters, within the 64 of the wiki's string[1,64]).
	PrepayIDPrefix = "sandbox-prepay-"
	// TransactionIDPrefix starts every transaction_id: "sandbox" and 25
	// digits (32 characters, the schema's maximum).
	TransactionIDPrefix = "sandbox"
	// PaymentURLBase starts every h5_url and code_url: a host of the
	// reserved .invalid domain (RFC 2606), which never resolves, followed by
	// h5?prepay_id=… or native?prepay_id=….
	PaymentURLBase = "https://sandbox.invalid/"
	// BankType is the bank_type of every paid order.
	BankType = "SANDBOX_BANK"
	// OpenIDPrefix starts the payer OpenID the sandbox makes up when the
	// order named none (an APP, H5 or Native order): "sandbox-openid-" and
	// 16 hex digits.
	OpenIDPrefix = "sandbox-openid-"
)

// defaultTimeExpire is how long an order without time_expire can be paid
// ("超过 7 天未支付的订单,无法再支付"); minTimeExpire the earliest time_expire
// takes effect ("早于下单时间后1分钟" is moved to one minute after ordering),
// both from the order pages (payments.yaml, TimeExpire).
const (
	defaultTimeExpire = 7 * 24 * time.Hour
	minTimeExpire     = time.Minute
)

// contractRule says what an order operation wants of contract_info.
type contractRule int

const (
	noContract       contractRule = iota // no contract_info in the spec
	contractRequired                     // jsapi-with-contract: password_free_contract_id of an active contract
	contractOptional                     // app-with-contract: the user may sign while paying
)

// prepayKind is one of the order operations.
type prepayKind struct {
	tradeType string // the transaction's trade_type
	answer    string // the answer's one field: prepay_id, h5_url or code_url
	contract  contractRule
	partner   bool // the service-provider form: sp_mchid, sub_mchid
}

var prepayKinds = map[string]prepayKind{
	"jsapiPrepay":                    {tradeType: "JSAPI", answer: "prepay_id"},
	"appPrepay":                      {tradeType: "APP", answer: "prepay_id"},
	"h5Prepay":                       {tradeType: "MWEB", answer: "h5_url"},
	"nativePrepay":                   {tradeType: "NATIVE", answer: "code_url"},
	"jsapiWithContractPrepay":        {tradeType: "JSAPI", answer: "prepay_id", contract: contractRequired},
	"appWithContractPrepay":          {tradeType: "APP", answer: "prepay_id", contract: contractOptional},
	"partnerJsapiWithContractPrepay": {tradeType: "JSAPI", answer: "prepay_id", contract: contractRequired, partner: true},
}

// orderBody is what an order request carries: the union of the bodies of
// the order operations. The engine checked it against the spec.
type orderBody struct {
	AppID       string `json:"appid"`
	MchID       string `json:"mchid"`
	SpAppID     string `json:"sp_appid"`
	SpMchID     string `json:"sp_mchid"`
	SubAppID    string `json:"sub_appid"`
	SubMchID    string `json:"sub_mchid"`
	Description string `json:"description"`
	OutTradeNo  string `json:"out_trade_no"`
	TimeExpire  string `json:"time_expire"`
	Attach      string `json:"attach"`
	NotifyURL   string `json:"notify_url"`
	Amount      struct {
		Total    int64  `json:"total"`
		Currency string `json:"currency"`
	} `json:"amount"`
	Payer struct {
		OpenID    string `json:"openid"`
		SpOpenID  string `json:"sp_openid"`
		SubOpenID string `json:"sub_openid"`
	} `json:"payer"`
	SceneInfo struct {
		DeviceID string `json:"device_id"`
	} `json:"scene_info"`
	ContractInfo json.RawMessage `json:"contract_info"`
}

// order is the sandbox's record of one order.
type order struct {
	operation  string // the operationId that placed it
	kind       prepayKind
	request    []byte // the request body, canonical: a repeat is the same bytes
	answer     []byte // what the order operation answered
	outTradeNo string
	appID      string // appid, or sp_appid for a service provider
	mchID      string // mchid, or sp_mchid
	subAppID   string
	subMchID   string
	descr      string
	attach     string
	notifyURL  string
	total      int64
	currency   string
	openID     string // payer.openid (sp_openid for a service provider); made up when paid without one
	subOpenID  string
	deviceID   string
	contractID string // contract_info.password_free_contract_id
	placedAt   time.Time
	expiresAt  time.Time

	state         string
	transactionID string    // set when paid
	paidAt        time.Time // set when paid
	closedAt      time.Time
	refunded      int64 // the sum of its refunds not closed
}

// paid reports whether the user paid the order.
func (o *order) paid() bool { return !o.paidAt.IsZero() }

// transactionView is an order as the queries answer it (common.yaml
// Transaction), also the plaintext of the payment notification.
type transactionView struct {
	AppID          string      `json:"appid"`
	MchID          string      `json:"mchid"`
	OutTradeNo     string      `json:"out_trade_no"`
	TransactionID  string      `json:"transaction_id,omitempty"`
	TradeType      string      `json:"trade_type"`
	TradeState     string      `json:"trade_state"`
	TradeStateDesc string      `json:"trade_state_desc"`
	BankType       string      `json:"bank_type,omitempty"`
	Attach         string      `json:"attach,omitempty"`
	SuccessTime    string      `json:"success_time,omitempty"`
	Payer          *payerView  `json:"payer,omitempty"`
	Amount         *amountView `json:"amount"`
}

type payerView struct {
	OpenID string `json:"openid"`
}

type amountView struct {
	Total         int64  `json:"total"`
	PayerTotal    *int64 `json:"payer_total,omitempty"`
	Currency      string `json:"currency"`
	PayerCurrency string `json:"payer_currency,omitempty"`
}

// tradeStateDescs are the trade_state_desc the sandbox answers for each
// trade_state (TradeStateDesc).
var tradeStateDescs = map[string]string{
	StateNotPay:     "sandbox: not paid",
	StateUserPaying: "sandbox: the user is paying",
	StateSuccess:    "sandbox: paid",
	StateRefund:     "sandbox: paid, refund requested",
	StateClosed:     "sandbox: closed",
}

// TradeStateDesc returns the trade_state_desc the sandbox answers for a
// trade_state: a sandbox text, since the official descriptions are not on
// the pages read.
func TradeStateDesc(state string) string { return tradeStateDescs[state] }

// view returns o as the queries answer it.
func (o *order) view() transactionView {
	v := transactionView{
		AppID:          o.appID,
		MchID:          o.mchID,
		OutTradeNo:     o.outTradeNo,
		TradeType:      o.kind.tradeType,
		TradeState:     o.state,
		TradeStateDesc: TradeStateDesc(o.state),
		Attach:         o.attach,
		Amount:         &amountView{Total: o.total, Currency: o.currency},
	}
	if o.openID != "" {
		v.Payer = &payerView{OpenID: o.openID}
	}
	if o.paid() {
		v.TransactionID = o.transactionID
		v.BankType = BankType
		v.SuccessTime = rfc3339(o.paidAt)
		total := o.total
		v.Amount.PayerTotal = &total
		v.Amount.PayerCurrency = o.currency
	}
	return v
}

// canonical returns the JSON body with its objects' keys sorted and no
// space, so that two requests with the same content compare equal.
func canonical(body []byte) ([]byte, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// bodyError is the answer for a body the engine's spec check let through
// but the family cannot read: a sandbox bug, 500.
func bodyError(err error) error {
	return fmt.Errorf("read the body the spec accepted: %w", err)
}

func paramError(field string, value any, issue string) error {
	return wechatpaytest.ParamError(&wechatpaytest.Detail{Field: field, Value: value, Issue: issue, Location: "body"})
}

// invalidRequest is 400 INVALID_REQUEST: a well-formed request that the
// state or history of what it names forbids.
func invalidRequest(message string, d *wechatpaytest.Detail) error {
	return &wechatpaytest.Error{Status: http.StatusBadRequest, Code: "INVALID_REQUEST", Message: message, Detail: d}
}

// orderNotFound is 404 ORDER_NOT_EXIST "订单不存在", as merchants quote WeChat
// Pay's answer to a query of an unknown order.
func orderNotFound(field, value string) error {
	return &wechatpaytest.Error{Status: http.StatusNotFound, Code: "ORDER_NOT_EXIST", Message: "订单不存在",
		Detail: &wechatpaytest.Detail{Field: field, Value: value, Issue: "no order of this merchant has this number", Location: "path"}}
}

// prepay places an order.
func (f *Family) prepay(k prepayKind, c *wechatpaytest.Call) (*wechatpaytest.Response, error) {
	var body orderBody
	if err := json.Unmarshal(c.Body, &body); err != nil {
		return nil, bodyError(err)
	}
	request, err := canonical(c.Body)
	if err != nil {
		return nil, bodyError(err)
	}
	now := f.srv.Now()
	o := &order{
		operation: c.OperationID, kind: k, request: request, outTradeNo: body.OutTradeNo,
		appID: body.AppID, mchID: body.MchID, descr: body.Description, attach: body.Attach,
		notifyURL: body.NotifyURL, total: body.Amount.Total, currency: body.Amount.Currency,
		openID: body.Payer.OpenID, deviceID: body.SceneInfo.DeviceID, placedAt: now, state: StateNotPay,
	}
	mchField := "/mchid"
	if k.partner {
		o.appID, o.mchID, o.subAppID, o.subMchID = body.SpAppID, body.SpMchID, body.SubAppID, body.SubMchID
		o.openID, o.subOpenID = body.Payer.SpOpenID, body.Payer.SubOpenID
		mchField = "/sp_mchid"
	}
	if o.currency == "" {
		o.currency = "CNY"
	}
	switch {
	case o.mchID != f.srv.MchID():
		return nil, paramError(mchField, o.mchID, "must be the merchant that signs the request, "+f.srv.MchID())
	case o.total < 1:
		return nil, paramError("/amount/total", o.total, "an order is at least 1 fen")
	}
	o.expiresAt = now.Add(defaultTimeExpire)
	if body.TimeExpire != "" {
		t, err := time.Parse(time.RFC3339, body.TimeExpire)
		if err != nil {
			return nil, paramError("/time_expire", body.TimeExpire, "must be an RFC 3339 time")
		}
		o.expiresAt = t
		if earliest := now.Add(minTimeExpire); t.Before(earliest) {
			o.expiresAt = earliest
		}
	}
	contractID, err := contractOf(k, body.ContractInfo)
	if err != nil {
		return nil, err
	}
	o.contractID = contractID

	f.mu.Lock()
	defer f.mu.Unlock()
	if old := f.orders[o.key()]; old != nil {
		// The same request again gets the same answer while the order waits
		// for payment; any other use of the number is refused.
		if old.state == StateNotPay && old.operation == o.operation && bytes.Equal(old.request, o.request) {
			return &wechatpaytest.Response{Body: old.answer}, nil
		}
		return nil, &wechatpaytest.Error{Status: http.StatusForbidden, Code: "OUT_TRADE_NO_USED", Message: "商户订单号重复",
			Detail: &wechatpaytest.Detail{Field: "/out_trade_no", Value: o.outTradeNo, Location: "body",
				Issue: "this merchant used the number for another order (" + old.state + "); a repeat of the same request is answered again only while the order is unpaid"}}
	}
	if k.contract != noContract && (contractID != "" || k.contract == contractRequired) {
		if err := f.checkContract(contractID); err != nil {
			return nil, err
		}
	}

	prepayID := PrepayIDPrefix + randomHex(16)
	var answer any
	switch k.answer {
	case "h5_url":
		answer = map[string]string{"h5_url": PaymentURLBase + "h5?prepay_id=" + prepayID}
	case "code_url":
		answer = map[string]string{"code_url": PaymentURLBase + "native?prepay_id=" + prepayID}
	default:
		answer = map[string]string{"prepay_id": prepayID}
	}
	resp, err := wechatpaytest.JSON(answer)
	if err != nil {
		return nil, err
	}
	o.answer = resp.Body
	f.orders[o.key()] = o
	if f.opts.AutoPay > 0 {
		// Pay logs the delivery; its error says no more than that log.
		f.srv.AfterFunc(f.opts.AutoPay, func(ctx context.Context) { _ = f.Pay(ctx, o.outTradeNo) })
	}
	return resp, nil
}

// contractOf reads contract_info.password_free_contract_id: a string, or
// absent.
func contractOf(k prepayKind, raw json.RawMessage) (string, error) {
	const field = "/contract_info/password_free_contract_id"
	var info map[string]json.RawMessage
	if k.contract == noContract || len(raw) == 0 || json.Unmarshal(raw, &info) != nil {
		return "", nil // the spec checked contract_info's type
	}
	v, ok := info["password_free_contract_id"]
	if !ok {
		return "", nil
	}
	var id string
	if err := json.Unmarshal(v, &id); err != nil || id == "" {
		return "", paramError(field, v, "must be a contract_id, a non-empty string")
	}
	return id, nil
}

// checkContract refuses an order under a contract that is not in effect.
func (f *Family) checkContract(contractID string) error {
	const field = "/contract_info/password_free_contract_id"
	if contractID == "" {
		return paramError(field, nil, "an order under a contract names it: contract_info.password_free_contract_id, the contract_id of an active contract")
	}
	st := contracts.None
	if f.opts.Contracts != nil {
		st = f.opts.Contracts.StateByID(contractID)
	}
	switch st {
	case contracts.Active:
		return nil
	case contracts.None:
		return paramError(field, contractID, "no contract of this merchant has this contract_id")
	}
	return invalidRequest("the contract is not in effect",
		&wechatpaytest.Detail{Field: field, Value: contractID, Issue: "the contract is " + st.String() + "; orders need an active contract", Location: "body"})
}

// checkMchID refuses a query or close naming another merchant.
func (f *Family) checkMchID(mchID, field, location string) error {
	if mchID == f.srv.MchID() {
		return nil
	}
	return wechatpaytest.ParamError(&wechatpaytest.Detail{Field: field, Value: mchID, Location: location,
		Issue: "must be the merchant that signs the request, " + f.srv.MchID()})
}

// directOrder returns the direct merchant's order with this number: the
// queries, close and refunds of the specs served are the direct merchant's,
// and do not reach a service provider's orders.
func (f *Family) directOrder(outTradeNo string) *order {
	return f.orders[orderKey{outTradeNo: outTradeNo}]
}

// orderKey names an order: out_trade_no is unique per merchant (商户订单号,
// 同一个商户号下唯一), so a service provider's orders are told apart by
// sub_mchid, and the direct merchant's have none.
type orderKey struct {
	subMchID, outTradeNo string
}

func (o *order) key() orderKey {
	if o.kind.partner {
		return orderKey{subMchID: o.subMchID, outTradeNo: o.outTradeNo}
	}
	return orderKey{outTradeNo: o.outTradeNo}
}

// byNumber returns the order the helpers (Pay, TradeState, …) name by
// out_trade_no alone: the direct merchant's, else the one service
// provider's order with that number; nil when there is none, or when the
// orders of several sub-merchants have it (the error says so).
func (f *Family) byNumber(outTradeNo string) (*order, error) {
	if o := f.directOrder(outTradeNo); o != nil {
		return o, nil
	}
	var found *order
	var subs []string
	for k, o := range f.orders {
		if k.outTradeNo == outTradeNo {
			found = o
			subs = append(subs, k.subMchID)
		}
	}
	if len(subs) > 1 {
		slices.Sort(subs)
		return nil, fmt.Errorf("payments: out_trade_no %s names orders of %d sub-merchants (sub_mchid %s); the helpers name an order by its number alone", outTradeNo, len(subs), strings.Join(subs, ", "))
	}
	return found, nil
}

func (f *Family) queryByOutTradeNo(c *wechatpaytest.Call) (*wechatpaytest.Response, error) {
	if err := f.checkMchID(c.Request.URL.Query().Get("mchid"), "mchid", "query"); err != nil {
		return nil, err
	}
	no := c.PathParams["out_trade_no"]
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.directOrder(no)
	if o == nil {
		return nil, orderNotFound("out_trade_no", no)
	}
	return wechatpaytest.JSON(o.view())
}

func (f *Family) queryByTransactionID(c *wechatpaytest.Call) (*wechatpaytest.Response, error) {
	if err := f.checkMchID(c.Request.URL.Query().Get("mchid"), "mchid", "query"); err != nil {
		return nil, err
	}
	id := c.PathParams["transaction_id"]
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.byTxn[id]
	if o == nil || o.kind.partner {
		return nil, orderNotFound("transaction_id", id)
	}
	return wechatpaytest.JSON(o.view())
}

// closeOrder closes an unpaid order: 204 without a body.
func (f *Family) closeOrder(c *wechatpaytest.Call) (*wechatpaytest.Response, error) {
	var body struct {
		MchID string `json:"mchid"`
	}
	if err := json.Unmarshal(c.Body, &body); err != nil {
		return nil, bodyError(err)
	}
	if err := f.checkMchID(body.MchID, "/mchid", "body"); err != nil {
		return nil, err
	}
	no := c.PathParams["out_trade_no"]
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.directOrder(no)
	switch {
	case o == nil:
		return nil, orderNotFound("out_trade_no", no)
	case o.state == StateUserPaying:
		// A 2xx answer with an error body, as the page lists it.
		resp, err := wechatpaytest.JSON(map[string]string{"code": "USER_PAYING", "message": "用户支付中,需要输入密码"})
		if err != nil {
			return nil, err
		}
		resp.Status = userPayingStatus
		return resp, nil
	case o.state == StateClosed:
		return nil, &wechatpaytest.Error{Status: http.StatusBadRequest, Code: "ORDER_CLOSED", Message: "订单已关闭"}
	case o.paid():
		return nil, invalidRequest("无效请求", &wechatpaytest.Detail{Field: "out_trade_no", Value: no, Location: "path",
			Issue: "the order is paid (" + o.state + "): a paid order cannot be closed; refund it instead"})
	}
	o.state = StateClosed
	o.closedAt = f.srv.Now()
	return &wechatpaytest.Response{Status: http.StatusNoContent}, nil
}

// userPayingStatus is the status of the USER_PAYING answer to a close.
const userPayingStatus = http.StatusAccepted
