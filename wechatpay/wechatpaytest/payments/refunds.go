package payments

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
)

// Refund values: the official ones the refund pages give, and the
// sandbox's own, labelled.
const (
	// RefundIDPrefix starts every refund_id: "sandbox" and 25 digits (32
	// characters, string(32)); WeChat Pay's are digits starting 50 or 52.
	RefundIDPrefix = "sandbox"
	// RefundChannel is the channel of every refund: ORIGINAL (原路退款), a
	// value of the query page's list.
	RefundChannel = "ORIGINAL"
	// UserReceivedAccount is the user_received_account of every refund:
	// 支付用户零钱, a case the query page lists.
	UserReceivedAccount = "支付用户零钱"
	// DefaultFundsAccount is the funds_account of a refund whose request
	// named none: the refund page says unsettled funds pay then.
	DefaultFundsAccount = "UNSETTLED"
	// RefundSummary is the summary of every refund notification, a sandbox
	// value within the refund page's string(16): the official summaries
	// were not found.
	RefundSummary = "sandbox refund"
	// RefundOriginalType and RefundAssociatedData are the resource's
	// original_type and associated_data, as in the pages' examples.
	RefundOriginalType   = "refund"
	RefundAssociatedData = ""
	// StateProcessing is the state of a refund accepted and not yet ended.
	StateProcessing = "PROCESSING"
)

// refundWindow is how long after the payment an order can be refunded
// ("支付成功时间+365天", the refund page).
const refundWindow = 365 * 24 * time.Hour

// refundBody is what a refund request carries; the engine checked it
// against the spec.
type refundBody struct {
	TransactionID string `json:"transaction_id"`
	OutTradeNo    string `json:"out_trade_no"`
	OutRefundNo   string `json:"out_refund_no"`
	Reason        string `json:"reason"`
	NotifyURL     string `json:"notify_url"`
	FundsAccount  string `json:"funds_account"`
	Amount        struct {
		Refund   int64      `json:"refund"`
		Total    int64      `json:"total"`
		Currency string     `json:"currency"`
		From     []fromItem `json:"from"`
	} `json:"amount"`
}

type fromItem struct {
	Account string `json:"account"`
	Amount  int64  `json:"amount"`
}

// refund is the sandbox's record of one refund.
type refund struct {
	order        *order
	outRefundNo  string
	refundID     string
	reason       string
	notifyURL    string
	fundsAccount string
	amount       int64
	from         []fromItem
	createdAt    time.Time
	status       string
	endedAt      time.Time      // when it left PROCESSING, or ABNORMAL
	history      []statusChange // every change of status after PROCESSING
	received     string         // user_received_account once an abnormal refund went elsewhere
}

// statusChange is a refund's status from a time on.
type statusChange struct {
	at     time.Time
	status string
}

// statusAt returns the refund's status at t.
func (r *refund) statusAt(t time.Time) string {
	status := StateProcessing
	for _, c := range r.history {
		if c.at.After(t) {
			break
		}
		status = c.status
	}
	return status
}

// refundView is a refund as the refund operations answer it (refunds.yaml
// Refund).
type refundView struct {
	RefundID            string           `json:"refund_id"`
	OutRefundNo         string           `json:"out_refund_no"`
	TransactionID       string           `json:"transaction_id"`
	OutTradeNo          string           `json:"out_trade_no"`
	Channel             string           `json:"channel"`
	UserReceivedAccount string           `json:"user_received_account"`
	SuccessTime         string           `json:"success_time,omitempty"`
	CreateTime          string           `json:"create_time"`
	Status              string           `json:"status"`
	FundsAccount        string           `json:"funds_account"`
	Amount              refundAmountView `json:"amount"`
}

// refundNotificationView is the plaintext of a refund notification
// (notifications.yaml RefundNotificationPlaintext): the refund, its state
// named refund_status.
type refundNotificationView struct {
	RefundID            string           `json:"refund_id"`
	OutRefundNo         string           `json:"out_refund_no"`
	TransactionID       string           `json:"transaction_id"`
	OutTradeNo          string           `json:"out_trade_no"`
	Channel             string           `json:"channel"`
	UserReceivedAccount string           `json:"user_received_account"`
	SuccessTime         string           `json:"success_time,omitempty"`
	CreateTime          string           `json:"create_time"`
	RefundStatus        string           `json:"refund_status"`
	FundsAccount        string           `json:"funds_account"`
	Amount              refundAmountView `json:"amount"`
}

type refundAmountView struct {
	Total            int64      `json:"total"`
	Refund           int64      `json:"refund"`
	From             []fromItem `json:"from,omitempty"`
	PayerTotal       int64      `json:"payer_total"`
	PayerRefund      int64      `json:"payer_refund"`
	SettlementRefund int64      `json:"settlement_refund"`
	SettlementTotal  int64      `json:"settlement_total"`
	DiscountRefund   int64      `json:"discount_refund"`
	Currency         string     `json:"currency"`
	RefundFee        int64      `json:"refund_fee"`
}

// view returns r as the refund operations answer it. The sandbox has no
// coupons and no fees: the user gets back what is refunded.
func (r *refund) view() refundView {
	v := refundView{
		RefundID:            r.refundID,
		OutRefundNo:         r.outRefundNo,
		TransactionID:       r.order.transactionID,
		OutTradeNo:          r.order.outTradeNo,
		Channel:             RefundChannel,
		UserReceivedAccount: cmp.Or(r.received, UserReceivedAccount),
		CreateTime:          rfc3339(r.createdAt),
		Status:              r.status,
		FundsAccount:        r.fundsAccount,
		Amount: refundAmountView{
			Total: r.order.total, Refund: r.amount, From: r.from,
			PayerTotal: r.order.total, PayerRefund: r.amount,
			SettlementRefund: r.amount, SettlementTotal: r.order.total,
			Currency: r.order.currency,
		},
	}
	if r.status == RefundSuccess {
		v.SuccessTime = rfc3339(r.endedAt)
	}
	return v
}

// resourceNotFound is 404 RESOURCE_NOT_EXISTS with message, as merchants
// quote WeChat Pay's answers for an unknown refund (退款单不存在) and a
// refund of an unknown order (订单不存在).
func resourceNotFound(message string, d *wechatpaytest.Detail) error {
	return &wechatpaytest.Error{Status: http.StatusNotFound, Code: "RESOURCE_NOT_EXISTS", Message: message, Detail: d}
}

// createRefund accepts a refund of a paid order: 200 with the refund, in
// state PROCESSING.
func (f *Family) createRefund(c *wechatpaytest.Call) (*wechatpaytest.Response, error) {
	var body refundBody
	if err := json.Unmarshal(c.Body, &body); err != nil {
		return nil, bodyError(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.srv.Now()

	// The order, by transaction_id or out_trade_no (the spec wants one).
	o, field, value := f.byTxn[body.TransactionID], "/transaction_id", body.TransactionID
	if body.TransactionID == "" {
		o, field, value = f.directOrder(body.OutTradeNo), "/out_trade_no", body.OutTradeNo
	}
	switch {
	case o == nil || o.kind.partner:
		return nil, resourceNotFound("订单不存在", &wechatpaytest.Detail{Field: field, Value: value, Location: "body",
			Issue: "no paid order of this merchant has this number"})
	case body.TransactionID != "" && body.OutTradeNo != "" && body.OutTradeNo != o.outTradeNo:
		return nil, paramError("/out_trade_no", body.OutTradeNo, "names another order than transaction_id "+body.TransactionID)
	}

	// The same out_refund_no again refunds once: the same refund is
	// answered again; another refund under it is refused.
	if r := f.refunds[body.OutRefundNo]; r != nil {
		if r.order != o || r.amount != body.Amount.Refund {
			return nil, invalidRequest("out_refund_no is used by another refund", &wechatpaytest.Detail{Field: "/out_refund_no",
				Value: body.OutRefundNo, Location: "body", Issue: "this merchant used the number for a refund of " +
					strconv.FormatInt(r.amount, 10) + " fen of order " + r.order.outTradeNo})
		}
		return wechatpaytest.JSON(r.view())
	}
	refundable := o.total - o.refunded
	switch {
	case !o.paid():
		return nil, invalidRequest("the order is not paid", &wechatpaytest.Detail{Field: field, Value: value, Location: "body",
			Issue: "the order is " + o.state + "; only a paid order can be refunded"})
	case now.After(o.paidAt.Add(refundWindow)):
		return nil, invalidRequest("the order was paid more than a year ago", &wechatpaytest.Detail{Field: field, Value: value, Location: "body",
			Issue: "an order can be refunded within 365 days of its payment, " + rfc3339(o.paidAt)})
	case body.Amount.Total != o.total:
		return nil, paramError("/amount/total", body.Amount.Total, "must be the order's total, "+strconv.FormatInt(o.total, 10)+" fen")
	case body.Amount.Refund < 1:
		return nil, paramError("/amount/refund", body.Amount.Refund, "a refund is at least 1 fen")
	case body.Amount.Refund > refundable:
		return nil, paramError("/amount/refund", body.Amount.Refund, fmt.Sprintf(
			"exceeds what is left to refund: the order's %d fen less %d fen refunded or being refunded", o.total, o.refunded))
	}
	r := &refund{
		order: o, outRefundNo: body.OutRefundNo, refundID: RefundIDPrefix + randomDigits(25),
		reason: body.Reason, notifyURL: body.NotifyURL, fundsAccount: body.FundsAccount,
		amount: body.Amount.Refund, from: body.Amount.From, createdAt: now, status: StateProcessing,
	}
	if r.fundsAccount == "" {
		r.fundsAccount = DefaultFundsAccount
	}
	f.refunds[r.outRefundNo] = r
	f.byRefund[r.refundID] = r
	o.refunded += r.amount
	o.state = StateRefund
	if f.opts.AutoSettleRefunds > 0 {
		// SettleRefund logs the delivery; its error says no more than that log.
		f.srv.AfterFunc(f.opts.AutoSettleRefunds, func(ctx context.Context) {
			_ = f.SettleRefund(ctx, r.outRefundNo, f.opts.RefundOutcome)
		})
	}
	return wechatpaytest.JSON(r.view())
}

func (f *Family) queryRefund(c *wechatpaytest.Call) (*wechatpaytest.Response, error) {
	no := c.PathParams["out_refund_no"]
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.refunds[no]
	if r == nil {
		return nil, resourceNotFound("退款单不存在", &wechatpaytest.Detail{Field: "out_refund_no", Value: no, Location: "path",
			Issue: "no refund of this merchant has this number"})
	}
	return wechatpaytest.JSON(r.view())
}

// RefundStatus returns the status of the refund with this out_refund_no,
// and whether there is one.
func (f *Family) RefundStatus(outRefundNo string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.refunds[outRefundNo]
	if r == nil {
		return "", false
	}
	return r.status, true
}

// SettleRefund ends a refund as WeChat Pay would: outcome RefundSuccess
// (the money reached the user: success_time is the sandbox clock's time),
// RefundAbnormal (it could not, the merchant must act) or RefundClosed (it
// was given up, and its amount can be refunded again). A PROCESSING refund
// takes any of them, an ABNORMAL one SUCCESS or CLOSED. The sandbox then
// POSTs the REFUND.SUCCESS, REFUND.ABNORMAL or REFUND.CLOSED notification to
// the refund's notify_url, or Options.RefundNotifyURL when it named none
// (no notification when neither is set, or notifications are off), and
// returns the delivery's outcome as Pay does.
func (f *Family) SettleRefund(ctx context.Context, outRefundNo, outcome string) error {
	srv, err := f.server("settle refund")
	if err != nil {
		return err
	}
	if outcome != RefundSuccess && outcome != RefundAbnormal && outcome != RefundClosed {
		return fmt.Errorf("payments: settle refund %s: outcome %q: want SUCCESS, ABNORMAL or CLOSED", outRefundNo, outcome)
	}
	f.mu.Lock()
	r := f.refunds[outRefundNo]
	switch {
	case r == nil:
		f.mu.Unlock()
		return fmt.Errorf("payments: settle refund %s: no such refund", outRefundNo)
	case r.status != StateProcessing && (r.status != RefundAbnormal || outcome == RefundAbnormal):
		f.mu.Unlock()
		return fmt.Errorf("payments: settle refund %s as %s: the refund is %s", outRefundNo, outcome, r.status)
	}
	now := srv.Now()
	r.status, r.endedAt = outcome, now
	r.history = append(r.history, statusChange{at: now, status: outcome})
	switch outcome {
	case RefundSuccess:
		f.ledger = append(f.ledger, flow{at: now, amount: r.amount, business: r.refundID,
			name: "退款", kind: "退款", voucher: r.outRefundNo})
	case RefundClosed:
		r.order.refunded -= r.amount
		if f.openRefunds(r.order) == 0 {
			r.order.state = StateSuccess
		}
	}
	n, notify := f.refundNotification(r)
	f.mu.Unlock()
	if !notify {
		return nil
	}
	if err := srv.Notify(ctx, n); err != nil && !errors.Is(err, wechatpaytest.ErrNotificationsOff) {
		return err
	}
	return nil
}

// openRefunds counts the refunds of o not closed.
func (f *Family) openRefunds(o *order) int {
	n := 0
	for _, r := range f.refunds {
		if r.order == o && r.status != RefundClosed {
			n++
		}
	}
	return n
}

// SendRefundNotification sends the notification of a refund that ended
// (SUCCESS, ABNORMAL or CLOSED) again, and returns the outcome as Pay does;
// with notifications off it returns wechatpaytest.ErrNotificationsOff.
func (f *Family) SendRefundNotification(ctx context.Context, outRefundNo string) error {
	srv, err := f.server("send refund notification")
	if err != nil {
		return err
	}
	f.mu.Lock()
	r := f.refunds[outRefundNo]
	var n wechatpaytest.Notification
	notify := false
	if r != nil && r.status != StateProcessing {
		n, notify = f.refundNotification(r)
	}
	f.mu.Unlock()
	if !notify {
		return fmt.Errorf("payments: send refund notification of %s: want a refund that ended, with a notify_url", outRefundNo)
	}
	return srv.Notify(ctx, n)
}

// refundNotification returns the notification of a refund that ended, and
// whether there is an address to send it to.
func (f *Family) refundNotification(r *refund) (wechatpaytest.Notification, bool) {
	url := r.notifyURL
	if url == "" {
		url = f.opts.RefundNotifyURL
	}
	if url == "" {
		return wechatpaytest.Notification{}, false
	}
	v := r.view()
	plaintext, err := wechatpaytest.JSON(refundNotificationView{
		RefundID: v.RefundID, OutRefundNo: v.OutRefundNo, TransactionID: v.TransactionID, OutTradeNo: v.OutTradeNo,
		Channel: v.Channel, UserReceivedAccount: v.UserReceivedAccount, SuccessTime: v.SuccessTime,
		CreateTime: v.CreateTime, RefundStatus: v.Status, FundsAccount: v.FundsAccount, Amount: v.Amount,
	})
	if err != nil {
		panic("payments: encode a refund: " + err.Error()) // strings and integers only
	}
	return wechatpaytest.Notification{
		URL:            url,
		EventType:      "REFUND." + r.status,
		Summary:        RefundSummary,
		OriginalType:   RefundOriginalType,
		AssociatedData: RefundAssociatedData,
		Plaintext:      plaintext.Body,
	}, true
}

// Where the money of an abnormal refund goes, as user_received_account
// says it: the merchant's settlement account (a case of the query page's
// list), or the user's debit card in the page's form {银行名称}{卡类型}{卡尾号},
// which the sandbox fills with the bank_type code as sent (it has no bank
// names), 借记卡 (the page lists debit cards only) and the card's last four
// digits.
const (
	MerchantBankAccount = "商户结算银行账户"
	debitCard           = "借记卡"
)

// abnormalRefundBody is the body of applyAbnormalRefund; the engine checked
// it against the spec (one of its two forms, by type).
type abnormalRefundBody struct {
	OutRefundNo string `json:"out_refund_no"`
	Type        string `json:"type"`
	BankType    string `json:"bank_type"`
	BankAccount string `json:"bank_account"`
	RealName    string `json:"real_name"`
}

// applyAbnormalRefund sends an ABNORMAL refund to a bank card of the user
// or to the merchant's bank account: the refund is PROCESSING again, and
// answered.
func (f *Family) applyAbnormalRefund(c *wechatpaytest.Call) (*wechatpaytest.Response, error) {
	var body abnormalRefundBody
	if err := json.Unmarshal(c.Body, &body); err != nil {
		return nil, bodyError(err)
	}
	received := MerchantBankAccount
	if body.Type == "USER_BANK_CARD" {
		account, err := c.DecryptField("/bank_account", body.BankAccount)
		if err != nil {
			return nil, err
		}
		if _, err := c.DecryptField("/real_name", body.RealName); err != nil {
			return nil, err
		}
		digits := []rune(account)
		received = body.BankType + debitCard + string(digits[max(0, len(digits)-4):])
	}
	id := c.PathParams["refund_id"]
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.byRefund[id]
	switch {
	case r == nil:
		return nil, resourceNotFound("退款单不存在", &wechatpaytest.Detail{Field: "refund_id", Value: id, Location: "path",
			Issue: "no refund of this merchant has this refund_id"})
	case body.OutRefundNo != r.outRefundNo:
		return nil, paramError("/out_refund_no", body.OutRefundNo, "is not the out_refund_no of refund "+id)
	case r.status != RefundAbnormal:
		return nil, invalidRequest("the refund is not abnormal", &wechatpaytest.Detail{Field: "refund_id", Value: id, Location: "path",
			Issue: "the refund is " + r.status + "; only an ABNORMAL refund is handled so"})
	}
	now := f.srv.Now()
	r.status, r.received = StateProcessing, received
	r.history = append(r.history, statusChange{at: now, status: StateProcessing})
	if f.opts.AutoSettleRefunds > 0 {
		// The merchant handled it: the money arrives.
		f.srv.AfterFunc(f.opts.AutoSettleRefunds, func(ctx context.Context) { _ = f.SettleRefund(ctx, r.outRefundNo, RefundSuccess) })
	}
	return wechatpaytest.JSON(r.view())
}
