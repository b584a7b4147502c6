package scenariotest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/payforge/wechatpay/wechatpay"

	nocontent "github.com/payforge/wechatpay/generator/testdata/scenarios/no_content/golden"
)

// TestScenarioPathDotSegments: a path parameter is never "." or "..", which
// would change the URL's path once sent, even when its pattern allows dots
// or it is an open enum; nothing is sent.
func TestScenarioPathDotSegments(t *testing.T) {
	s := newStandIn(t, func(received) answer { return answer{Status: 204} })
	client := nocontent.NewClient(s.client())
	for _, c := range []struct {
		req  nocontent.DeleteMarkRequest
		want []string
	}{
		{nocontent.DeleteMarkRequest{OutTradeNo: "..", Mark: nocontent.DeleteMarkRequestMarkRed}, []string{"out_trade_no pattern"}},
		{nocontent.DeleteMarkRequest{OutTradeNo: ".", Mark: nocontent.DeleteMarkRequestMarkRed}, []string{"out_trade_no pattern"}},
		{nocontent.DeleteMarkRequest{OutTradeNo: "a.b", Mark: ".."}, []string{"mark pattern"}},
	} {
		err := client.DeleteMark(context.Background(), &c.req)
		if got := violations(t, err); !slices.Equal(got, c.want) {
			t.Errorf("%+v: violations %v, want %v", c.req, got, c.want)
		}
	}
	if n := s.count(); n != 0 {
		t.Fatalf("the stand-in received %d requests, want none", n)
	}
	if err := client.DeleteMark(context.Background(), &nocontent.DeleteMarkRequest{OutTradeNo: "a..b", Mark: "GREEN"}); err != nil {
		t.Fatal(err)
	}
	if got := s.last().RequestURI; got != "/v3/orders/a..b/marks/GREEN" {
		t.Fatalf("sent %s", got)
	}
}

// TestScenarioNoContentErrorBody: the success of an operation without a
// response body has none; a verified 2xx answer holding WeChat Pay's error
// body is returned as a *wechatpay.APIError whatever its status, and any
// other 2xx answer is a success.
func TestScenarioNoContentErrorBody(t *testing.T) {
	req := &nocontent.CloseOrderRequest{OutTradeNo: "1217752501201407033233368018", MchID: "1900000109"}
	for _, tc := range []struct {
		status   int
		body     string
		wantCode string // "" for success
	}{
		{204, "", ""},
		{200, "", ""},
		{200, `{}`, ""},
		{200, `{"code":"ORDER_PAID","message":"订单已支付"}`, "ORDER_PAID"},
		{202, `{"code":"USER_PAYING","message":"用户支付中"}`, "USER_PAYING"},
	} {
		s := newStandIn(t, func(received) answer { return answer{Status: tc.status, Body: []byte(tc.body)} })
		err := nocontent.NewClient(s.client()).CloseOrder(context.Background(), req)
		var apiErr *wechatpay.APIError
		switch {
		case tc.wantCode == "" && err != nil:
			t.Errorf("%d %s: %v, want success", tc.status, tc.body, err)
		case tc.wantCode != "" && (!errors.As(err, &apiErr) || apiErr.Code != tc.wantCode || apiErr.StatusCode != tc.status):
			t.Errorf("%d %s: %v, want an *APIError %s", tc.status, tc.body, err, tc.wantCode)
		}
	}
}
