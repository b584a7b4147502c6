package scenariotest

import (
	"context"
	"slices"
	"testing"

	multifile "github.com/payforge/wechatpay/generator/testdata/scenarios/multi_file/golden"
	swagger2 "github.com/payforge/wechatpay/generator/testdata/scenarios/swagger2/golden"
)

// Both operations answer with common.yaml's Order, one type, though one
// refers to it from the spec and both reach Amount through it.
var (
	_ func(context.Context, *multifile.CreateOrderRequest) (*multifile.Order, error) = (*multifile.Client)(nil).CreateOrder
	_ func(context.Context, *multifile.GetOrderRequest) (*multifile.Order, error)    = (*multifile.Client)(nil).GetOrder
	_ multifile.Amount                                                               = multifile.Order{}.Amount
	_ multifile.Amount                                                               = multifile.CreateOrderRequest{}.Amount
)

// TestScenarioMultiFile: the rules written in the sibling file apply, to
// the body and to the parameter it defines, and a call sends what the types
// say.
func TestScenarioMultiFile(t *testing.T) {
	r := &multifile.CreateOrderRequest{MchID: "", Amount: multifile.Amount{Total: 0, Currency: "USD"}}
	got := violations(t, r.Validate())
	want := []string{"amount.currency enum", "amount.total minimum", "mchid required"}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("violations %v, want %v", got, want)
	}
	q := &multifile.GetOrderRequest{OrderID: "1", MchID: "123456789012345678901234567890123"}
	if got := violations(t, q.Validate()); !slices.Equal(got, []string{"mchid maxLength"}) {
		t.Fatalf("query violations %v", got)
	}

	s := newStandIn(t, jsonAnswer(`{"mchid":"1900000109","order_id":"42","amount":{"total":100,"currency":"CNY"}}`))
	client := multifile.NewClient(s.client())
	resp, err := client.GetOrder(context.Background(), &multifile.GetOrderRequest{OrderID: "42", MchID: "1900000109"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Amount.Total != 100 || resp.OrderID != "42" {
		t.Fatalf("answer %+v", resp)
	}
	if got := s.last().RequestURI; got != "/v3/orders/42?mchid=1900000109" {
		t.Fatalf("request target %q", got)
	}
	_, err = client.CreateOrder(context.Background(), &multifile.CreateOrderRequest{MchID: "1900000109", Amount: multifile.Amount{Total: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(s.last().Body); got != `{"mchid":"1900000109","amount":{"total":100}}` {
		t.Fatalf("body %s", got)
	}
}

// TestScenarioSwagger2: a Swagger 2.0 document's rules are kept through the
// conversion, and its body parameter is the JSON body.
func TestScenarioSwagger2(t *testing.T) {
	r := &swagger2.CreateOrderRequest{MchID: "1900000109", Total: 0}
	if got := violations(t, r.Validate()); !slices.Equal(got, []string{"total minimum"}) {
		t.Fatalf("violations %v", got)
	}
	q := &swagger2.GetOrderRequest{OrderID: "no/slash", MchID: "1900000109"}
	if got := violations(t, q.Validate()); !slices.Equal(got, []string{"order_id pattern"}) {
		t.Fatalf("violations %v", got)
	}
	s := newStandIn(t, jsonAnswer(`{"order_id":"42","mchid":"1900000109","total":1}`))
	resp, err := swagger2.NewClient(s.client()).CreateOrder(context.Background(), &swagger2.CreateOrderRequest{MchID: "1900000109", Total: 1})
	if err != nil {
		t.Fatal(err)
	}
	if resp.OrderID != "42" || *resp.Total != 1 {
		t.Fatalf("answer %+v", resp)
	}
	if got := string(s.last().Body); got != `{"mchid":"1900000109","total":1}` {
		t.Fatalf("body %s", got)
	}
}
