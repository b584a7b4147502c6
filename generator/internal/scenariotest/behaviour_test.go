// Package scenariotest runs the generated code of the generator's scenarios
// (their golden files, which the generator's TestScenarios keeps equal to its
// output): nested objects, arrays, enums, pointers to optional numbers, names
// that are not Go names. It is a package of its own so that the generator's
// tests, and their -update flag, still build when a change to the generator
// changes the goldens' API.
package scenariotest

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/payforge/wechatpay/wechatpay"

	keywords "github.com/payforge/wechatpay/generator/testdata/scenarios/keywords/golden"
	orders "github.com/payforge/wechatpay/generator/testdata/scenarios/two_operations/golden"
)

func TestScenarioNestedValidation(t *testing.T) {
	quantity := int32(0)
	r := &orders.CreateOrderRequest{
		AppID:       "wxd678efh567hg6787",
		MchID:       "1230000109",
		Description: "Image形象店-深圳腾大-QQ公仔",
		OutTradeNo:  "1217752501201407033233368018",
		Amount:      orders.CreateOrderRequestAmount{Total: 0, Currency: "USD"},
		Payer:       orders.Payer{OpenID: ""},
		GoodsTags:   []string{"ok", strings.Repeat("t", 33)},
		Detail:      []orders.CreateOrderRequestDetailItem{{MerchantGoodsID: "", Quantity: &quantity}},
	}
	got := violations(t, r.Validate())
	want := []string{
		"amount.currency enum",
		"amount.total minimum",
		"detail[0].merchant_goods_id required",
		"detail[0].quantity minimum",
		"goods_tags[1] maxLength",
		"payer.openid required",
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("violations\n got %v\nwant %v", got, want)
	}

	r.Amount = orders.CreateOrderRequestAmount{Total: 1, Currency: orders.CreateOrderRequestAmountCurrencyCny}
	r.Payer.OpenID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
	r.GoodsTags = r.GoodsTags[:1]
	r.Detail = nil
	if err := r.Validate(); err != nil {
		t.Fatalf("valid request: %v", err)
	}
	body, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	// Optional fields left empty are omitted; the nested objects are there.
	const wantBody = `{"amount":{"currency":"CNY","total":1},"appid":"wxd678efh567hg6787","description":"Image形象店-深圳腾大-QQ公仔","goods_tags":["ok"],"mchid":"1230000109","out_trade_no":"1217752501201407033233368018","payer":{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}}`
	if string(body) != wantBody {
		t.Fatalf("body\n got %s\nwant %s", body, wantBody)
	}
}

func TestScenarioQueryParameterRules(t *testing.T) {
	limit := int64(51)
	ratio := 0.0
	r := &orders.GetOrderRequest{OrderID: "12a", MchID: "", Limit: &limit, State: "PAID", Ratio: &ratio}
	got := violations(t, r.Validate())
	want := []string{"limit maximum", "mchid required", "order_id pattern", "ratio minimum", "state enum"}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("violations\n got %v\nwant %v", got, want)
	}
	if !orders.OrderStateSuccess.Known() || orders.OrderState("PAID").Known() {
		t.Fatal("Known does not tell the spec's values from others")
	}
}

func TestScenarioKeywordAndNonASCIINames(t *testing.T) {
	r := &keywords.CreateThingRequest{Type: "..", Func: "f", X91D1X989D: -1}
	got := violations(t, r.Validate())
	want := []string{"func minLength", "type pattern", "金额 minimum"}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("violations\n got %v\nwant %v", got, want)
	}
	r = &keywords.CreateThingRequest{Type: "a/b", Func: "fn", X91D1X989D: 100}
	if err := r.Validate(); err != nil {
		t.Fatalf("valid request: %v", err)
	}
	body, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != `{"func":"fn","金额":100}` {
		t.Fatalf("body %s", body)
	}
}

// violations returns the ValidationErrors err joins, as "field rule".
func violations(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("%v does not join errors", err)
	}
	var out []string
	for _, e := range j.Unwrap() {
		var ve *wechatpay.ValidationError
		if !errors.As(e, &ve) {
			t.Fatalf("%v is not a *wechatpay.ValidationError", e)
		}
		out = append(out, ve.Field+" "+ve.Rule)
	}
	return out
}
