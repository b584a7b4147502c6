package validate

import (
	"errors"
	"slices"

	"github.com/payforge/wechatpay/wechatpay"
)

// Notification decodes the plaintext of n, a notification the runtime has
// verified and decrypted, into out, as the decoder a generated package
// declares for a callback of its spec does:
//
//	var out Transaction
//	if err := validate.Notification(n, "TransactionSuccess", &out, out.checkAnswer, EventTransactionSuccess); err != nil {
//		return nil, err
//	}
//
// n's event_type must be one of events, else the error wraps
// wechatpay.ErrEventType: the notification is of another kind, and the
// caller reads n.Plaintext itself. check, when not nil, checks that the
// plaintext holds every field the spec requires (see Object); without it,
// that the plaintext is a JSON object. Every error is a
// *wechatpay.DecodeError naming callback (as Operation), the notification's
// ID and the field, never a value of the plaintext.
func Notification(n *wechatpay.Notification, callback string, out any, check func(data []byte, field string) error, events ...string) error {
	if n == nil {
		return &wechatpay.DecodeError{Operation: callback, Err: errors.New("nil notification")}
	}
	fail := func(field string, err error) error {
		id := n.ID
		if id == "" {
			id = "without id"
		}
		return &wechatpay.DecodeError{Operation: callback, RequestID: n.RequestID, Notification: id, Field: field, Err: err}
	}
	if !slices.Contains(events, n.EventType) {
		return fail("event_type", wechatpay.ErrEventType)
	}
	if field, err := decodeChecked(n.Plaintext, out, check); err != nil {
		return fail(field, err)
	}
	return nil
}
