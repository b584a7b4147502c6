package scenariotest

import (
	"context"
	"slices"
	"testing"

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
