package payments

import (
	"context"
	"errors"
	"fmt"

	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
)

// The user's side of an order: paying it, and WeChat Pay's notification.

// TradeState returns the trade_state of the order with this out_trade_no,
// and whether there is one.
func (f *Family) TradeState(outTradeNo string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, _ := f.byNumber(outTradeNo)
	if o == nil {
		return "", false
	}
	return o.state, true
}

// BeginPayment makes the order's user start paying without finishing, as
// one who is entering a password: the order is USERPAYING until Pay, and a
// close is answered 202 USER_PAYING.
func (f *Family) BeginPayment(outTradeNo string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, err := f.byNumber(outTradeNo)
	if err != nil {
		return err
	}
	if o == nil || o.state != StateNotPay {
		return fmt.Errorf("payments: begin payment of %s: %s, want an unpaid order", outTradeNo, describe(o))
	}
	o.state = StateUserPaying
	return nil
}

// describe names an order's state in errors.
func describe(o *order) string {
	if o == nil {
		return "no such order"
	}
	return "the order is " + o.state
}

// ErrExpired is what Pay returns for an order whose time to pay is over
// (time_expire, or 7 days after it was placed).
var ErrExpired = errors.New("payments: the order can no longer be paid")

// Pay makes the order's user pay it, as the user would in WeChat: the order
// becomes SUCCESS with a transaction_id, success_time the sandbox clock's
// time, and the sandbox POSTs the TRANSACTION.SUCCESS notification to the
// order's notify_url (unless notifications are off,
// wechatpaytest.Options.NoNotifications). It returns the delivery's outcome:
// nil when the merchant answered 2xx, a *wechatpaytest.DeliveryError
// otherwise; the order stays paid either way, and SendPaymentNotification
// delivers again. A service provider's order is paid without a
// notification (see the package doc). An order that is not NOTPAY or
// USERPAYING is an error, and one past its time to pay is ErrExpired.
func (f *Family) Pay(ctx context.Context, outTradeNo string) error {
	srv, err := f.server("pay")
	if err != nil {
		return err
	}
	f.mu.Lock()
	o, err := f.byNumber(outTradeNo)
	if err != nil {
		f.mu.Unlock()
		return err
	}
	if o == nil || (o.state != StateNotPay && o.state != StateUserPaying) {
		f.mu.Unlock()
		return fmt.Errorf("payments: pay %s: %s, want an unpaid order", outTradeNo, describe(o))
	}
	now := srv.Now()
	if now.After(o.expiresAt) {
		f.mu.Unlock()
		return fmt.Errorf("pay %s: %w since %s", outTradeNo, ErrExpired, rfc3339(o.expiresAt))
	}
	o.state = StateSuccess
	o.paidAt = now
	o.transactionID = TransactionIDPrefix + randomDigits(25)
	if o.openID == "" {
		o.openID = OpenIDPrefix + randomHex(8)
	}
	f.byTxn[o.transactionID] = o
	f.ledger = append(f.ledger, flow{at: now, income: true, amount: o.total, business: o.transactionID,
		name: "交易", kind: "交易", voucher: o.outTradeNo})
	n, notify := f.paymentNotification(o)
	f.mu.Unlock()
	if !notify {
		return nil
	}
	if err := srv.Notify(ctx, n); err != nil && !errors.Is(err, wechatpaytest.ErrNotificationsOff) {
		return err
	}
	return nil
}

// SendPaymentNotification sends a paid order's TRANSACTION.SUCCESS
// notification again, as WeChat Pay retries one that was not acknowledged,
// and returns the outcome as Pay does; with notifications off it returns
// wechatpaytest.ErrNotificationsOff.
func (f *Family) SendPaymentNotification(ctx context.Context, outTradeNo string) error {
	srv, err := f.server("send payment notification")
	if err != nil {
		return err
	}
	f.mu.Lock()
	o := f.directOrder(outTradeNo)
	if o == nil || !o.paid() {
		f.mu.Unlock()
		return fmt.Errorf("payments: send payment notification of %s: %s, want a paid order of the direct merchant", outTradeNo, describe(o))
	}
	n, _ := f.paymentNotification(o)
	f.mu.Unlock()
	return srv.Notify(ctx, n)
}

// The notification labels of the official pages' examples: summary and
// associated_data of the payment notification, original_type of both.
const (
	PaymentEventType      = "TRANSACTION.SUCCESS"
	PaymentSummary        = "支付成功"
	PaymentOriginalType   = "transaction"
	PaymentAssociatedData = ""
)

// paymentNotification returns the TRANSACTION.SUCCESS notification of a paid
// order, and whether the sandbox sends one: not for a service provider's
// order, whose transaction no spec served describes.
func (f *Family) paymentNotification(o *order) (wechatpaytest.Notification, bool) {
	if o.kind.partner {
		return wechatpaytest.Notification{}, false
	}
	plaintext, err := wechatpaytest.JSON(o.view())
	if err != nil {
		panic("payments: encode a transaction: " + err.Error()) // strings and integers only
	}
	return wechatpaytest.Notification{
		URL:            o.notifyURL,
		EventType:      PaymentEventType,
		Summary:        PaymentSummary,
		OriginalType:   PaymentOriginalType,
		AssociatedData: PaymentAssociatedData,
		Plaintext:      plaintext.Body,
	}, true
}
