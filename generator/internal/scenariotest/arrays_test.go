package scenariotest

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"testing"

	"github.com/payforge/wechatpay/wechatpay"

	"github.com/payforge/wechatpay/generator/testdata/scenarios/arrays/golden"
	"github.com/payforge/wechatpay/generator/testdata/scenarios/collisions/golden"
	headers "github.com/payforge/wechatpay/generator/testdata/scenarios/headers/golden"
	statuscodes "github.com/payforge/wechatpay/generator/testdata/scenarios/status_codes/golden"
)

// TestScenarioArrayBodies: a body and an answer that are arrays; the items'
// rules, minItems, maxItems and uniqueItems; the presence checks of the
// objects of an array answer.
func TestScenarioArrayBodies(t *testing.T) {
	r := &arrays.AddReceiversRequest{}
	if got := violations(t, r.Validate()); !slices.Equal(got, []string{"body required"}) {
		t.Fatalf("nil body: %v", got)
	}
	r.Body = []arrays.Receiver{{Type: "BANK"}, {Type: arrays.ReceiverTypeMerchantID, Account: "1"}, {}, {}}
	got := violations(t, r.Validate())
	want := []string{"body maxItems", "body[0].type enum", "body[0].account required", "body[2].type required", "body[2].account required",
		"body[3].type required", "body[3].account required"}
	if !slices.Equal(got, want) {
		t.Fatalf("violations %v, want %v", got, want)
	}

	s := newStandIn(t, jsonAnswer(`[{"type":"MERCHANT_ID","account":"1900000109"},{"type":"PERSONAL_OPENID","account":"o"}]`))
	client := arrays.NewClient(s.client())
	added, err := client.AddReceivers(context.Background(), &arrays.AddReceiversRequest{Body: []arrays.Receiver{{Type: arrays.ReceiverTypeMerchantID, Account: "1900000109"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 2 || added[1].Account != "o" {
		t.Fatalf("answer %+v", added)
	}
	if got := string(s.last().Body); got != `[{"type":"MERCHANT_ID","account":"1900000109"}]` {
		t.Fatalf("body %s", got)
	}
	// An object of the answer without a required field fails, naming it.
	s = newStandIn(t, jsonAnswer(`[{"type":"MERCHANT_ID","account":"1"},{"type":"PERSONAL_OPENID"}]`))
	_, err = arrays.NewClient(s.client()).AddReceivers(context.Background(), &arrays.AddReceiversRequest{Body: []arrays.Receiver{{Type: arrays.ReceiverTypeMerchantID, Account: "1"}}})
	var de *wechatpay.DecodeError
	if !errors.As(err, &de) || de.Field != "[1].account" || !errors.Is(err, wechatpay.ErrMissingField) {
		t.Fatalf("error %v, want [1].account missing", err)
	}
}

func TestScenarioNestedArrays(t *testing.T) {
	r := &arrays.PutLayoutRequest{
		Shelves:   [][]string{{"a", "b"}, {"c", "c"}, {""}},
		States:    []arrays.GoodsState{arrays.GoodsStateOnSale, "GONE", arrays.GoodsStateOnSale},
		Receivers: []arrays.Receiver{{Type: arrays.ReceiverTypeMerchantID, Account: "1"}, {Type: arrays.ReceiverTypeMerchantID, Account: "1"}},
	}
	got := violations(t, r.Validate())
	want := []string{"shelves[1] uniqueItems", "shelves[2][0] minLength", "states uniqueItems", "states[1] enum", "receivers uniqueItems"}
	if !slices.Equal(got, want) {
		t.Fatalf("violations %v, want %v", got, want)
	}
	// Objects are compared as JSON: a pointer to equal numbers is equal.
	one, alsoOne := int64(1), int64(1)
	r = &arrays.PutLayoutRequest{Shelves: [][]string{{"a"}}, Receivers: []arrays.Receiver{
		{Type: arrays.ReceiverTypeMerchantID, Account: "1", Amount: &one},
		{Type: arrays.ReceiverTypeMerchantID, Account: "1", Amount: &alsoOne},
	}}
	if got := violations(t, r.Validate()); !slices.Equal(got, []string{"receivers uniqueItems"}) {
		t.Fatalf("violations %v", got)
	}
	r.Receivers[1].Amount = nil
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestScenarioArrayQuery: array query parameters are written as their style
// says, and the request is signed over exactly the target sent (the
// stand-in checks the signature over the request target it received).
func TestScenarioArrayQuery(t *testing.T) {
	r := &arrays.ListGoodsRequest{IDs: []int64{1, 1, 0}}
	got := violations(t, r.Validate())
	if want := []string{"ids uniqueItems", "ids[2] minimum"}; !slices.Equal(got, want) {
		t.Fatalf("violations %v, want %v", got, want)
	}
	s := newStandIn(t, jsonAnswer(`["a","b"]`))
	client := arrays.NewClient(s.client())
	names, err := client.ListGoods(context.Background(), &arrays.ListGoodsRequest{
		IDs:    []int64{3, 1, 2},
		Filter: map[string]string{"size": "L", "color": "红"},
		Tags:   []string{"new", "红"},
		States: []arrays.GoodsState{arrays.GoodsStateOnSale, arrays.GoodsStateSoldOut},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names, []string{"a", "b"}) {
		t.Fatalf("answer %v", names)
	}
	target := s.last().RequestURI
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if !slices.Equal(q["ids"], []string{"3", "1", "2"}) || q.Get("tags") != "new,红" || q.Get("states") != "ON_SALE|SOLD_OUT" ||
		q.Get("filter[size]") != "L" || q.Get("filter[color]") != "红" {
		t.Fatalf("query of %s: %v", target, q)
	}
	// Without the optional arrays, their parameters are not sent.
	if _, err := client.ListGoods(context.Background(), &arrays.ListGoodsRequest{IDs: []int64{7}}); err != nil {
		t.Fatal(err)
	}
	if got := s.last().RequestURI; got != "/v3/goods?ids=7" {
		t.Fatalf("target %s", got)
	}
}

// TestScenarioArrayQueryText: the Call of an operation reads the values of
// an array parameter from one text, as the command line gives them.
func TestScenarioArrayQueryText(t *testing.T) {
	s := newStandIn(t, jsonAnswer(`[]`))
	var op wechatpay.Operation
	for _, o := range arrays.Operations {
		if o.ID == "listGoods" {
			op = o
		}
	}
	if _, err := op.Call(context.Background(), s.client(), map[string]string{"ids": "4,5", "states": "ON_SALE|SOLD_OUT", "tags": "x,y"}, nil); err != nil {
		t.Fatal(err)
	}
	if got := s.last().RequestURI; got != "/v3/goods?ids=4&ids=5&states=ON_SALE%7CSOLD_OUT&tags=x%2Cy" {
		t.Fatalf("target %s", got)
	}
	_, err := op.Call(context.Background(), s.client(), map[string]string{"ids": "4,x"}, nil)
	var ve *wechatpay.ValidationError
	if !errors.As(err, &ve) || ve.Field != "ids" || ve.Rule != "type" {
		t.Fatalf("error %v", err)
	}
}

// TestScenarioHeaders: header parameters are typed fields sent as headers,
// validated (a required one, a bound, a control character, a cookie value
// that would add a cookie); the spec's
// Wechatpay-Serial is the runtime's, not a field.
func TestScenarioHeaders(t *testing.T) {
	three := int32(10)
	r := &headers.AddReceiverRequest{Account: "a", IdempotencyKey: "short", XMerchantTags: []string{"ok", "bad\nvalue"}, XRetryCount: &three, Session: "s1; admin=1", Name: "n"}
	got := violations(t, r.Validate())
	want := []string{"Idempotency-Key minLength", "X-Merchant-Tags[1] header", "session cookie", "X-Retry-Count maximum"}
	if !slices.Equal(got, want) {
		t.Fatalf("violations %v, want %v", got, want)
	}
	s := newStandIn(t, func(received) answer { return answer{Status: 204} })
	one := int32(1)
	err := headers.NewClient(s.client()).AddReceiver(context.Background(), &headers.AddReceiverRequest{
		Account: "1900000109", IdempotencyKey: "key-00000001", XMerchantTags: []string{"a", "b"}, XRetryCount: &one, Session: "s1", Name: "n",
	})
	if err != nil {
		t.Fatal(err)
	}
	h := s.last().Header
	if h.Get("Idempotency-Key") != "key-00000001" || h.Get("X-Merchant-Tags") != "a,b" || h.Get("X-Retry-Count") != "1" || h.Get("Cookie") != "session=s1" {
		t.Fatalf("headers %v", h)
	}
	if h.Get("Wechatpay-Serial") != standInSerial {
		t.Fatalf("Wechatpay-Serial %q, want the runtime's %q", h.Get("Wechatpay-Serial"), standInSerial)
	}
	if got := string(s.last().Body); got != `{"name":"n"}` {
		t.Fatalf("body %s", got)
	}
}

// TestScenarioCollisions: a body whose property takes a parameter's name is
// a field of its own, validated and sent whole; an optional body is sent
// only when set.
func TestScenarioCollisions(t *testing.T) {
	r := &collisions.PatchGuestDriveByIDRequest{DriveID: "Root!", Body: collisions.PartialDrive{}}
	got := violations(t, r.Validate())
	if want := []string{"drive_id pattern", "body.drive_id required"}; !slices.Equal(got, want) {
		t.Fatalf("violations %v, want %v", got, want)
	}
	s := newStandIn(t, func(received) answer { return answer{Status: 204} })
	client := collisions.NewClient(s.client())
	err := client.PatchGuestDriveByID(context.Background(), &collisions.PatchGuestDriveByIDRequest{
		DriveID: "rootfs", Body: collisions.PartialDrive{DriveID: "rootfs", PathOnHost: "/img"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.last(); got.RequestURI != "/drives/rootfs" || string(got.Body) != `{"drive_id":"rootfs","path_on_host":"/img"}` {
		t.Fatalf("sent %s %s", got.RequestURI, got.Body)
	}
	if err := client.PutDrives(context.Background(), &collisions.PutDrivesRequest{Body: "q"}); err != nil {
		t.Fatal(err)
	}
	if got := s.last(); got.RequestURI != "/drives?body=q" || len(got.Body) != 0 || got.Header.Get("Content-Type") != "" {
		t.Fatalf("sent %s %q %v", got.RequestURI, got.Body, got.Header)
	}
	if err := client.PutDrives(context.Background(), &collisions.PutDrivesRequest{RequestBody: []collisions.PartialDrive{}}); err != nil {
		t.Fatal(err)
	}
	if got := s.last(); string(got.Body) != `[]` {
		t.Fatalf("sent %q", got.Body)
	}
	var decoded []collisions.PartialDrive
	if err := json.Unmarshal(s.last().Body, &decoded); err != nil {
		t.Fatal(err)
	}
}

// TestScenarioStatusCodes: a 2xx the spec documents as an error is an
// *APIError; a documented 204 next to a 200 gives a nil answer.
func TestScenarioStatusCodes(t *testing.T) {
	s := newStandIn(t, func(r received) answer {
		if r.Method == "POST" {
			return answer{Status: 202, Body: []byte(`{"code":"USER_PAYING","message":"用户支付中"}`)}
		}
		return answer{Status: 204}
	})
	client := statuscodes.NewClient(s.client())
	err := client.CloseOrder(context.Background(), &statuscodes.CloseOrderRequest{OutTradeNo: "o1", MchID: "1900000109"})
	var apiErr *wechatpay.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 202 || apiErr.Code != "USER_PAYING" {
		t.Fatalf("error %v, want a 202 USER_PAYING *APIError", err)
	}
	resp, err := client.GetOrder(context.Background(), &statuscodes.GetOrderRequest{OutTradeNo: "o1"})
	if err != nil || resp != nil {
		t.Fatalf("204: %+v, %v", resp, err)
	}
}

// TestScenarioDifferentAnswers: 2xx answers of different schemas are one
// of them, read with As methods.
func TestScenarioDifferentAnswers(t *testing.T) {
	s := newStandIn(t, func(received) answer { return answer{Status: 201, Body: []byte(`"PAID"`)} })
	state, err := statuscodes.NewClient(s.client()).GetOrderState(context.Background(), &statuscodes.GetOrderStateRequest{OutTradeNo: "o1"})
	if err != nil {
		t.Fatal(err)
	}
	if text, err := state.AsString(); err != nil || text != "PAID" {
		t.Fatalf("AsString: %q, %v", text, err)
	}
	if _, err := state.AsInt64(); err == nil {
		t.Fatal("a text read as a number")
	}
}
