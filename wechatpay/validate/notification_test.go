package validate

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/payforge/wechatpay/wechatpay"
)

// TestNotification: the event type is checked first, then the plaintext
// decodes and, without a check of its own, must be a JSON object; every
// failure is a *wechatpay.DecodeError of the notification, holding no value.
func TestNotification(t *testing.T) {
	type plain struct {
		State string `json:"state"`
	}
	n := func(event, plaintext string) *wechatpay.Notification {
		return &wechatpay.Notification{ID: "EV-9", EventType: event, Plaintext: json.RawMessage(plaintext)}
	}
	var out plain
	if err := Notification(n("A.B", `{"state":"SUCCESS"}`), "Cb", &out, nil, "A.B", "A.C"); err != nil || out.State != "SUCCESS" {
		t.Fatalf("%+v, %v", out, err)
	}
	for _, c := range []struct {
		name  string
		n     *wechatpay.Notification
		field string
		is    error
	}{
		{"another event type", n("A.D", `{"state":"x"}`), "event_type", wechatpay.ErrEventType},
		{"an array", n("A.B", `[]`), "", nil},
		{"null", n("A.B", `null`), "", nil},
		{"a field of another type", n("A.B", `{"state":1}`), "", nil},
	} {
		var got plain
		err := Notification(c.n, "Cb", &got, nil, "A.B", "A.C")
		var de *wechatpay.DecodeError
		if !errors.As(err, &de) || de.Operation != "Cb" || de.Notification != "EV-9" || de.Field != c.field || (c.is != nil && !errors.Is(err, c.is)) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if err := Notification(nil, "Cb", &out, nil, "A.B"); err == nil {
		t.Error("a nil notification decoded")
	}
}
