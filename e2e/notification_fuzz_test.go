package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/payforge/wechatpay/gen/contractpayments"
	"github.com/payforge/wechatpay/gen/payments"
	"github.com/payforge/wechatpay/gen/refunds"
	"github.com/payforge/wechatpay/wechatpay"
)

// notificationDecoder is one generated decoder of a notification's
// plaintext, with the event types and the plaintext schema the spec gives
// its callback (spec/notifications.yaml).
type notificationDecoder struct {
	name   string
	events []string
	schema string // component schema of spec/notifications.yaml
	decode func(*wechatpay.Notification) (decoded bool, err error)
}

var notificationDecoders = []notificationDecoder{
	{"payments.DecodeTransactionSuccess", []string{"TRANSACTION.SUCCESS"}, "TransactionNotificationPlaintext",
		func(n *wechatpay.Notification) (bool, error) {
			v, err := payments.DecodeTransactionSuccess(n)
			return v != nil, err
		}},
	{"contractpayments.DecodeTransactionSuccess", []string{"TRANSACTION.SUCCESS"}, "TransactionNotificationPlaintext",
		func(n *wechatpay.Notification) (bool, error) {
			v, err := contractpayments.DecodeTransactionSuccess(n)
			return v != nil, err
		}},
	{"refunds.DecodeRefundResult", []string{"REFUND.SUCCESS", "REFUND.ABNORMAL", "REFUND.CLOSED"}, "RefundNotificationPlaintext",
		func(n *wechatpay.Notification) (bool, error) {
			v, err := refunds.DecodeRefundResult(n)
			return v != nil, err
		}},
}

// plaintextSchemas loads spec/notifications.yaml (and the files it refers
// to) once: the oracle of what a plaintext must hold.
var plaintextSchemas = sync.OnceValues(func() (openapi3.Schemas, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	doc, err := loader.LoadFromFile("../spec/notifications.yaml")
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	return doc.Components.Schemas, nil
})

// requiredOf is the required properties of an object schema and of the
// members of its allOf.
func requiredOf(s *openapi3.Schema) []string {
	req := slices.Clone(s.Required)
	for _, part := range s.AllOf {
		req = append(req, requiredOf(part.Value)...)
	}
	return req
}

// propertiesOf is the properties of an object schema and of the members of
// its allOf, by name.
func propertiesOf(s *openapi3.Schema) map[string]*openapi3.Schema {
	props := map[string]*openapi3.Schema{}
	for _, part := range s.AllOf {
		maps.Copy(props, propertiesOf(part.Value))
	}
	for name, p := range s.Properties {
		props[name] = p.Value
	}
	return props
}

// fullValue is a value of s with every property present, each array
// holding one element, each field a plain value of its type and format. It
// also returns where each required property sits, as a decoding error
// names it ("promotion_detail[0].goods_detail[0].goods_id"), with the
// object that holds it.
func fullValue(s *openapi3.Schema, field string, required map[string]map[string]any) any {
	if s.Type == nil || len(*s.Type) == 0 {
		// allOf of one scalar schema (a Fen amount with its own description).
		for _, part := range s.AllOf {
			if t := part.Value.Type; t != nil && len(*t) > 0 && !t.Is("object") {
				return fullValue(part.Value, field, required)
			}
		}
	}
	switch {
	case s.Type.Is("string"):
		switch s.Format {
		case "date-time":
			return "2020-09-10T13:29:35+08:00"
		case "date":
			return "2020-09-10"
		}
		if len(s.Enum) > 0 {
			return s.Enum[0]
		}
		return "x"
	case s.Type.Is("integer"), s.Type.Is("number"):
		return 1
	case s.Type.Is("boolean"):
		return true
	case s.Type.Is("array"):
		return []any{fullValue(s.Items.Value, field+"[0]", required)}
	}
	obj := map[string]any{}
	for name, p := range propertiesOf(s) {
		path := name
		if field != "" {
			path = field + "." + name
		}
		obj[name] = fullValue(p, path, required)
	}
	for _, name := range requiredOf(s) {
		path := name
		if field != "" {
			path = field + "." + name
		}
		required[path] = obj
	}
	return obj
}

// FuzzDecodeNotifications checks the generated notification decoders. Raw:
// any plaintext under any event type never panics; the error is always a
// *wechatpay.DecodeError, wrapping ErrEventType exactly when the event type
// is not the callback's. Shaped: a plaintext holding every field the spec
// gives (spec/notifications.yaml and common.yaml, read by kin-openapi)
// decodes; with one required field, at any depth, dropped or null (picked
// by drop), it is refused naming that field, with ErrMissingField.
func FuzzDecodeNotifications(f *testing.F) {
	f.Add([]byte(`{"mchid":"1900000109"}`), "TRANSACTION.SUCCESS", uint8(0), false)
	f.Add([]byte(`{"refund_id":null}`), "REFUND.CLOSED", uint8(3), true)
	f.Add([]byte(`[]`), "", uint8(200), false)
	f.Add([]byte(`null`), "REFUND.SUCCESS", uint8(1), true)
	schemas, err := plaintextSchemas()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, plaintext []byte, event string, drop uint8, null bool) {
		for _, d := range notificationDecoders {
			decoded, err := d.decode(&wechatpay.Notification{ID: "n1", EventType: event, Plaintext: plaintext})
			var de *wechatpay.DecodeError
			if decoded == (err != nil) || err != nil && (!errors.As(err, &de) || de.Notification != "n1") {
				t.Fatalf("%s(%q, %q): decoded %v, error %v; want a value or a DecodeError naming the notification", d.name, event, plaintext, decoded, err)
			}
			if wrong := !slices.Contains(d.events, event); wrong != errors.Is(err, wechatpay.ErrEventType) {
				t.Fatalf("%s: event %q: error %v; ErrEventType expected: %v", d.name, event, err, wrong)
			}

			// Shaped: a plaintext with every field, whole and with one
			// required field (at any depth) gone or null.
			required := map[string]map[string]any{}
			root := fullValue(schemas[d.schema].Value, "", required)
			whole, err := json.Marshal(root)
			if err != nil {
				t.Fatal(err)
			}
			event := d.events[int(drop)%len(d.events)]
			if _, err := d.decode(&wechatpay.Notification{ID: "n1", EventType: event, Plaintext: whole}); err != nil {
				t.Fatalf("%s: a plaintext with every field the spec gives is refused: %v\n%s", d.name, err, whole)
			}
			paths := slices.Sorted(maps.Keys(required))
			if len(paths) < 3 {
				t.Fatalf("%s: only %d required fields in %s: the spec changed?", d.name, len(paths), d.schema)
			}
			gone := paths[int(drop)%len(paths)]
			name := gone[strings.LastIndex(gone, ".")+1:]
			if null {
				required[gone][name] = nil
			} else {
				delete(required[gone], name)
			}
			broken, err := json.Marshal(root)
			if err != nil {
				t.Fatal(err)
			}
			_, err = d.decode(&wechatpay.Notification{ID: "n1", EventType: event, Plaintext: broken})
			if !errors.As(err, &de) || de.Field != gone || !errors.Is(err, wechatpay.ErrMissingField) {
				t.Fatalf("%s: without %s (null: %v): %v; want a DecodeError naming it, ErrMissingField\n%s", d.name, gone, null, err, broken)
			}
		}
	})
}
