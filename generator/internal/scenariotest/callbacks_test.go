package scenariotest

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/payforge/wechatpay/wechatpay"

	callbacks "github.com/payforge/wechatpay/generator/testdata/scenarios/callbacks/golden"
)

// TestScenarioCallbacks: a callback with x-wechatpay-event-types and
// x-wechatpay-plaintext gets event type constants and a decoder, which takes
// only its event types and checks the plaintext's required fields at every
// level as an answer's are; fields it does not know are accepted.
func TestScenarioCallbacks(t *testing.T) {
	notification := func(event, plaintext string) *wechatpay.Notification {
		return &wechatpay.Notification{ID: "EV-1", EventType: event, Plaintext: json.RawMessage(plaintext), RequestID: "req-1"}
	}
	paid, err := callbacks.DecodeOrderPaid(notification(callbacks.EventOrderPaid,
		`{"order_id":"o1","success_time":"2026-03-10T10:01:00+08:00","amount":{"total":100},"unknown":1}`))
	if err != nil || paid.OrderID != "o1" || paid.Amount.Total != 100 || paid.SuccessTime.IsZero() {
		t.Fatalf("DecodeOrderPaid: %+v, %v", paid, err)
	}
	refund, err := callbacks.DecodeRefundResult(notification(callbacks.EventRefundClosed, `{"order_id":"o1","refund_status":"LATER"}`))
	if err != nil || refund.OrderID != "o1" || refund.RefundStatus.Known() {
		t.Fatalf("DecodeRefundResult: %+v, %v", refund, err)
	}

	for _, c := range []struct {
		name   string
		decode func(*wechatpay.Notification) error
		n      *wechatpay.Notification
		field  string
		is     error
	}{
		{"missing nested field", decodePaid, notification("ORDER.PAID", `{"order_id":"o1","amount":{}}`), "amount.total", wechatpay.ErrMissingField},
		{"missing field", decodePaid, notification("ORDER.PAID", `{"amount":{"total":1}}`), "order_id", wechatpay.ErrMissingField},
		{"null field", decodeRefund, notification("REFUND.SUCCESS", `{"order_id":"o1","refund_status":null}`), "refund_status", wechatpay.ErrMissingField},
		{"another callback's event", decodePaid, notification("REFUND.SUCCESS", `{"order_id":"o1","amount":{"total":1}}`), "event_type", wechatpay.ErrEventType},
		{"an event no callback names", decodeRefund, notification("REFUND.ABNORMAL", `{"order_id":"o1","refund_status":"ABNORMAL"}`), "event_type", wechatpay.ErrEventType},
		{"not an object", decodeRefund, notification("REFUND.SUCCESS", `[1]`), "", nil},
	} {
		err := c.decode(c.n)
		var de *wechatpay.DecodeError
		if !errors.As(err, &de) || de.Field != c.field || de.Notification != "EV-1" || de.RequestID != "req-1" {
			t.Errorf("%s: %v, want a *wechatpay.DecodeError of notification EV-1 at %q", c.name, err, c.field)
			continue
		}
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("%s: %v, want %v", c.name, err, c.is)
		}
	}
	_, err = callbacks.DecodeOrderPaid(notification("ORDER.PAID", `{"order_id":"o1","amount":{}}`))
	if want := "wechatpay: OrderPaid: decode notification EV-1: amount.total: required field missing [Request-ID req-1]"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	if _, err := callbacks.DecodeOrderPaid(nil); err == nil {
		t.Error("DecodeOrderPaid(nil) succeeded")
	}
}

func decodePaid(n *wechatpay.Notification) error {
	_, err := callbacks.DecodeOrderPaid(n)
	return err
}

func decodeRefund(n *wechatpay.Notification) error {
	_, err := callbacks.DecodeRefundResult(n)
	return err
}
