package scenariotest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/payforge/wechatpay/wechatpay"

	allof "github.com/payforge/wechatpay/generator/testdata/scenarios/all_of/golden"
)

// TestScenarioAllOf: an allOf is one struct holding the properties of every
// part, each with its rules, and the union of the parts' required lists; a
// property that is allOf of one $ref keeps the component's type and rules.
func TestScenarioAllOf(t *testing.T) {
	r := &allof.JsapiOrderRequest{OutTradeNo: "12345"}
	got := violations(t, r.Validate())
	slices.Sort(got)
	want := []string{"attach required", "out_trade_no minLength", "payer.openid required", "total minimum"}
	if !slices.Equal(got, want) {
		t.Fatalf("violations %v, want %v", got, want)
	}
	h := &allof.H5OrderRequest{OutTradeNo: "123456", Total: 1, SceneInfo: allof.H5SceneInfo{H5Info: allof.H5SceneInfoH5Info{Type: "Web"}}}
	got = violations(t, h.Validate())
	slices.Sort(got)
	want = []string{"scene_info.h5_info.type enum", "scene_info.payer_client_ip required"}
	if !slices.Equal(got, want) {
		t.Fatalf("H5 violations %v, want %v", got, want)
	}

	// The answer is checked against the union of the required lists too.
	for _, c := range []struct {
		answer  string
		missing string
	}{
		{`{"out_trade_no":"1234567","total":1,"attach":"a","payer":{"openid":"o"}}`, ""},
		{`{"out_trade_no":"1234567","total":1,"attach":"a"}`, "payer"},
		{`{"out_trade_no":"1234567","total":1,"payer":{"openid":"o"}}`, "attach"},
		{`{"out_trade_no":"1234567","total":1,"attach":"a","payer":{}}`, "payer.openid"},
	} {
		s := newStandIn(t, jsonAnswer(c.answer))
		req := &allof.JsapiOrderRequest{OutTradeNo: "1234567", Total: 1, Attach: "a", Payer: allof.Payer{OpenID: "o"}}
		resp, err := allof.NewClient(s.client()).JsapiOrder(context.Background(), req)
		if c.missing == "" {
			if err != nil || resp.Payer.OpenID != "o" {
				t.Fatalf("%s: %+v, %v", c.answer, resp, err)
			}
			if got := string(s.last().Body); got != `{"out_trade_no":"1234567","total":1,"attach":"a","payer":{"openid":"o"}}` {
				t.Fatalf("body %s", got)
			}
			continue
		}
		var de *wechatpay.DecodeError
		if !errors.As(err, &de) || de.Field != c.missing || !errors.Is(err, wechatpay.ErrMissingField) {
			t.Errorf("%s: error %v, want a missing %s", c.answer, err, c.missing)
		}
	}
}
