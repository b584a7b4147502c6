// Package scenariotest runs the generated code of the generator's scenarios
// (their golden files, which the generator's TestScenarios keeps equal to its
// output): nested objects, arrays, enums open and closed, anyOf of required
// fields, date-times, optional fields, shared responses, names that are not
// Go names; and the shapes of issue 9 (sibling files, Swagger 2.0, allOf,
// arrays and query styles, headers and cookies, bodies held whole, derived
// names, maps and formats, oneOf, uploads and downloads, sensitive fields),
// most of them against a stand-in WeChat Pay (standin_test.go) that checks
// each signature with its own crypto/rsa code. It is a package of its own so that the generator's
// tests, and their -update flag, still build when a change to the generator
// changes the goldens' API.
package scenariotest

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"

	anyof "github.com/payforge/wechatpay/generator/testdata/scenarios/any_of/golden"
	datetime "github.com/payforge/wechatpay/generator/testdata/scenarios/date_time/golden"
	keywords "github.com/payforge/wechatpay/generator/testdata/scenarios/keywords/golden"
	knownvalues "github.com/payforge/wechatpay/generator/testdata/scenarios/known_values/golden"
	optionalfields "github.com/payforge/wechatpay/generator/testdata/scenarios/optional_fields/golden"
	sharedresponse "github.com/payforge/wechatpay/generator/testdata/scenarios/shared_response/golden"
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
	// Fields come in the order the spec lists them.
	const wantBody = `{"appid":"wxd678efh567hg6787","mchid":"1230000109","description":"Image形象店-深圳腾大-QQ公仔","out_trade_no":"1217752501201407033233368018","amount":{"total":1,"currency":"CNY"},"payer":{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},"goods_tags":["ok"]}`
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
	var out []string
	for _, ve := range wechatpay.ValidationErrors(err) {
		out = append(out, ve.Field+" "+ve.Rule)
	}
	if err != nil && len(out) == 0 {
		t.Fatalf("%v holds no *wechatpay.ValidationError", err)
	}
	return out
}

func TestScenarioAnyOf(t *testing.T) {
	payer := anyof.Payer{CouponID: new(int64)}
	r := &anyof.PreSignRequest{AppID: "wx1", Payer: payer}
	if got := violations(t, r.Validate()); !slices.Equal(got, []string{"openid|sub_openid|phone_numbers anyOf"}) {
		t.Fatalf("no branch: violations %v", got)
	}
	var ve *wechatpay.ValidationError
	if !errors.As(r.Validate(), &ve) || ve.Message != "one of openid, sub_openid and phone_numbers is required" {
		t.Fatalf("message %v", ve)
	}
	for _, r := range []*anyof.PreSignRequest{
		{AppID: "wx1", Payer: payer, OpenID: "o"},
		{AppID: "wx1", Payer: payer, SubOpenID: "o"},
		{AppID: "wx1", Payer: payer, PhoneNumbers: []string{}}, // present, though empty
	} {
		if err := r.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v", r, err)
		}
	}

	// Branches of several fields hold only when all their fields are there.
	when := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		payer anyof.Payer
		ok    bool
	}{
		{anyof.Payer{}, false},
		{anyof.Payer{Account: "6222"}, false},
		{anyof.Payer{Account: "6222", Bank: anyof.BankCmb}, true},
		{anyof.Payer{Card: "4111"}, false},
		{anyof.Payer{Card: "4111", ExpiresAt: when}, true},
		{anyof.Payer{ExpiresAt: when, Bank: anyof.BankIcbc}, false},
		{anyof.Payer{CouponID: new(int64)}, true},
	} {
		r := &anyof.PreSignRequest{AppID: "wx1", OpenID: "o", Payer: c.payer}
		got := violations(t, r.Validate())
		want := []string{"payer.account|payer.bank|payer.card|payer.expires_at|payer.coupon_id anyOf"}
		if c.ok {
			want = nil
		}
		if !slices.Equal(got, want) {
			t.Errorf("payer %+v: violations %v, want %v", c.payer, got, want)
		}
	}
}

func TestScenarioKnownValues(t *testing.T) {
	// An open list accepts any value in a request; a closed one does not.
	r := &knownvalues.ApplyBillRequest{BillType: "NEW_TYPE", State: "NEW_STATE"}
	if got := violations(t, r.Validate()); !slices.Equal(got, []string{"bill_type enum"}) {
		t.Fatalf("violations %v", got)
	}
	r.BillType = knownvalues.BillTypeAll
	if err := r.Validate(); err != nil {
		t.Fatalf("unknown open value: %v", err)
	}
	// An open list keeps the rules of its string.
	r.Hint = "TOO_LONG_HINT"
	if got := violations(t, r.Validate()); !slices.Equal(got, []string{"hint maxLength"}) {
		t.Fatalf("violations %v", got)
	}
	r.Hint, r.State = "", ""
	if got := violations(t, r.Validate()); !slices.Equal(got, []string{"state required"}) {
		t.Fatalf("violations %v", got)
	}

	var resp knownvalues.ListBillsResponse
	if err := json.Unmarshal([]byte(`{"state":"ARCHIVED","channel":"WECHAT"}`), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.State != "ARCHIVED" || resp.State.Known() || resp.Channel != knownvalues.ListBillsResponseChannelWechat || !resp.Channel.Known() {
		t.Fatalf("decoded %+v", resp)
	}
	if !knownvalues.BillStateFinished.Known() {
		t.Fatal("a known value is not Known")
	}
}

func TestScenarioDateTime(t *testing.T) {
	r := &datetime.ScheduleRefundRequest{}
	if got := violations(t, r.Validate()); !slices.Equal(got, []string{"since required", "execute_at required"}) {
		t.Fatalf("violations %v", got)
	}
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("CST", 8*3600))
	r = &datetime.ScheduleRefundRequest{Since: at, ExecuteAt: at}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != `{"execute_at":"2030-01-02T03:04:05+08:00"}` {
		t.Fatalf("body %s", body)
	}
	var resp datetime.ListRefundsResponse
	if err := json.Unmarshal([]byte(`{"created_at":"2020-09-10T13:29:35+08:00","success_times":["2020-09-10T05:29:35Z"]}`), &resp); err != nil {
		t.Fatal(err)
	}
	if !resp.CreatedAt.Equal(resp.SuccessTimes[0]) {
		t.Fatalf("decoded %+v", resp)
	}
}

func TestScenarioOptionalFields(t *testing.T) {
	r := &optionalfields.CreateGoodsRequest{
		Name: "n", Kind: optionalfields.KindFood, ListedAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
		Tags: []string{}, Extra: json.RawMessage(`{}`),
	}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	// Required fields are always sent, zero or not; optional ones only when set.
	const want = `{"name":"n","kind":"FOOD","listed_at":"2030-01-01T00:00:00Z","price":0,"weight":0,"count":0,"on_sale":false,"size":{"width":0},"tags":[],"extra":{}}`
	if string(body) != want {
		t.Fatalf("body\n got %s\nwant %s", body, want)
	}
	zero, no := int64(0), false
	r.OptPrice, r.OptOnSale, r.OptTags = &zero, &no, []string{}
	body, err = json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"opt_price":0`, `"opt_on_sale":false`, `"opt_tags":[]`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("body %s does not hold %s", body, want)
		}
	}
}

// Operations answering with the same component share its type; one
// answering alone with a component gets a type of its own.
var (
	_ func(context.Context, *sharedresponse.PreSignAppRequest) (*sharedresponse.PreSignResult, error)         = (*sharedresponse.Client)(nil).PreSignApp
	_ func(context.Context, *sharedresponse.PreSignMiniProgramRequest) (*sharedresponse.PreSignResult, error) = (*sharedresponse.Client)(nil).PreSignMiniProgram
	_ func(context.Context, *sharedresponse.PreSignWebRequest) (*sharedresponse.PreSignResult, error)         = (*sharedresponse.Client)(nil).PreSignWeb
	_ func(context.Context, *sharedresponse.GetContractRequest) (*sharedresponse.GetContractResponse, error)  = (*sharedresponse.Client)(nil).GetContract
	_ *sharedresponse.PreSignResultPage                                                                       = (&sharedresponse.PreSignResult{}).Page
)

// TestScenarioNumbersAreFinite: JSON cannot carry NaN or an infinity, and a
// query parameter should not either, so Validate refuses them (rule finite)
// in required, optional and bounded numbers: json.Marshal of a valid
// request never fails.
func TestScenarioNumbersAreFinite(t *testing.T) {
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		r := &optionalfields.CreateGoodsRequest{
			Name: "n", Kind: optionalfields.KindFood, ListedAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
			Tags: []string{}, Extra: json.RawMessage(`{}`), Weight: bad, OptWeight: &bad,
		}
		if got := violations(t, r.Validate()); !slices.Equal(got, []string{"weight finite", "opt_weight finite"}) {
			t.Errorf("%v: violations %v", bad, got)
		}
		q := &orders.GetOrderRequest{OrderID: "1217752501", MchID: "1230000109", Ratio: &bad}
		if got := violations(t, q.Validate()); !slices.Equal(got, []string{"ratio finite"}) {
			t.Errorf("%v: query violations %v", bad, got)
		}
	}
	fine := 2.5
	q := &orders.GetOrderRequest{OrderID: "1217752501", MchID: "1230000109", Ratio: &fine}
	if err := q.Validate(); err != nil {
		t.Errorf("a finite ratio: %v", err)
	}
}
