package payments_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/payments"
)

// The bills of a day: each bill type's layout, the refund's status as of
// the bill (a later change does not change the file), service providers'
// orders, text that needs quoting, the fund flow's balance across days, and
// days and types with nothing.
func TestBills(t *testing.T) {
	e := newEnv(t, payments.Options{})
	ctx := context.Background()
	day1, day2 := url.Values{"bill_date": {"2026-03-10"}}, url.Values{"bill_date": {"2026-03-11"}}
	with := func(q url.Values, k, v string) url.Values {
		c := make(url.Values, len(q)+1)
		for name, vs := range q {
			c[name] = slices.Clone(vs)
		}
		c.Set(k, v)
		return c
	}

	// Day 1: two payments (one with text that needs quoting, one a service
	// provider's), an unpaid order, and a refund still processing at 9:00
	// the next day.
	body := e.order("jsapi", "bill-0001", 100)
	body["description"] = `a,b "c"`
	e.prepay(jsapiPath, body)
	if err := e.family.Pay(ctx, "bill-0001"); err != nil {
		t.Fatal(err)
	}
	e.merchant.next(t)
	active := queryContractID(t, e, 12535, "wxwtdk20200910100000")
	partner := map[string]any{"sp_appid": "wxsp", "sp_mchid": e.srv.MchID(), "sub_mchid": "1900000110", "description": "p",
		"out_trade_no": "bill-0002", "notify_url": e.notifyURL(), "amount": map[string]any{"total": 250},
		"payer": map[string]any{"sp_openid": "osp"}, "contract_info": map[string]any{"password_free_contract_id": active}}
	e.prepay(partnerContractPath, partner)
	e.clock.Add(time.Minute)
	if err := e.family.Pay(ctx, "bill-0002"); err != nil {
		t.Fatal(err)
	}
	e.prepay(nativePath, e.order("native", "bill-unpaid", 100))
	e.clock.Add(time.Minute)
	var r refund
	e.ok(http.MethodPost, refundsPath, nil, e.refundBody("bill-0001", "bill-r1", 40, 100), &r)

	// Day 2, 10:00: the day-1 bills are ready; the refund then succeeds.
	e.clock.Set(start.AddDate(0, 0, 1))
	var apply wechatpay.Bill
	if err := e.rt.Call(ctx, http.MethodGet, "/v3/bill/tradebill", nil, day1, nil, &apply); err != nil {
		t.Fatal(err)
	}
	if err := e.family.SettleRefund(ctx, "bill-r1", payments.RefundSuccess); err != nil {
		t.Fatal(err)
	}
	e.merchant.next(t)
	// download_url applied for before the refund ended still matches.
	if _, err := e.rt.DownloadBill(ctx, &wechatpay.BillDownload{Bill: apply}, discard{}); err != nil {
		t.Errorf("a bill applied for before the refund ended: %v", err)
	}

	all, summary := downloadBill(t, e, "/v3/bill/tradebill", day1, header(payments.BillColumns("tradebill", "ALL")))
	if len(all) != 3 || all[0]["商户订单号"] != "bill-0001" || all[0]["商品名称"] != `a,b "c"` ||
		all[1]["商户订单号"] != "bill-0002" || all[1]["特约商户号"] != "1900000110" || all[1]["公众账号ID"] != "wxsp" ||
		all[1]["用户标识"] != "osp" || all[1]["应结订单金额"] != "2.50" ||
		all[2]["商户退款单号"] != "bill-r1" || all[2]["退款状态"] != "PROCESSING" || all[2]["退款金额"] != "0.40" {
		t.Errorf("ALL: %v", all)
	}
	if want := []string{"3", "3.50", "0.40", "0.00", "0.00", "3.50", "0.40"}; !slices.Equal(summary, want) {
		t.Errorf("ALL summary %v, want %v", summary, want)
	}
	success, summary := downloadBill(t, e, "/v3/bill/tradebill", with(day1, "bill_type", "SUCCESS"), header(payments.BillColumns("tradebill", "SUCCESS")))
	if len(success) != 2 || success[1]["交易状态"] != "SUCCESS" || !slices.Equal(summary, []string{"2", "3.50", "0.00", "3.50"}) {
		t.Errorf("SUCCESS: %v %v", success, summary)
	}
	refunds, summary := downloadBill(t, e, "/v3/bill/tradebill", with(day1, "bill_type", "REFUND"), header(payments.BillColumns("tradebill", "REFUND")))
	if len(refunds) != 1 || refunds[0]["退款申请时间"] != "2026-03-10 10:02:00" || refunds[0]["退款成功时间"] != "" ||
		refunds[0]["微信退款单号"] != r.RefundID || !slices.Equal(summary, []string{"1", "0.00", "0.40", "0.00", "0.00", "0.00", "0.40"}) {
		t.Errorf("REFUND: %v %v", refunds, summary)
	}
	// Compressed, the same bill.
	plain := fetchBill(t, e, "/v3/bill/tradebill", day1)
	if gz := fetchBill(t, e, "/v3/bill/tradebill", with(day1, "tar_type", "GZIP")); string(gz) != string(plain) {
		t.Errorf("the GZIP bill differs:\n%s\n%s", gz, plain)
	}

	// Day 2: a payment; the refund succeeded on day 2 (it is in day 2's fund
	// flow, not in its trade bill, which lists refunds requested that day).
	e.pay("bill-0003", 50)
	e.clock.Set(start.AddDate(0, 0, 2))
	day2Lines, _ := downloadBill(t, e, "/v3/bill/tradebill", day2, header(payments.BillColumns("tradebill", "ALL")))
	if len(day2Lines) != 1 || day2Lines[0]["商户订单号"] != "bill-0003" {
		t.Errorf("day 2: %v", day2Lines)
	}
	flows, summary := downloadBill(t, e, "/v3/bill/fundflowbill", day2, header(payments.BillColumns("fundflowbill", "BASIC")))
	if len(flows) != 2 || flows[0]["收支类型"] != "支出" || flows[0]["收支金额(元)"] != "0.40" || flows[0]["账户结余(元)"] != "3.10" ||
		flows[1]["收支类型"] != "收入" || flows[1]["账户结余(元)"] != "3.60" || flows[1]["资金流水单号"] != payments.FlowNoPrefix+"0000000004" ||
		!slices.Equal(summary, []string{"2", "1", "0.50", "1", "0.40"}) {
		t.Errorf("day 2 fund flow: %v %v", flows, summary)
	}

	// Nothing to bill.
	for _, q := range []url.Values{
		{"bill_date": {"2026-03-09"}},
		with(day1, "bill_type", "RECHARGE_REFUND"),
		with(day1, "bill_type", "ALL_SPECIAL"),
	} {
		err := e.rt.Call(ctx, http.MethodGet, "/v3/bill/tradebill", nil, q, nil, &apply)
		noStatement(t, q, err)
	}
	for _, account := range []string{"OPERATION", "FEES"} {
		err := e.rt.Call(ctx, http.MethodGet, "/v3/bill/fundflowbill", nil, with(day1, "account_type", account), nil, &apply)
		noStatement(t, url.Values{"account_type": {account}}, err)
	}
}

func noStatement(t *testing.T, q url.Values, err error) {
	t.Helper()
	var apiErr *wechatpay.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "NO_STATEMENT_EXIST" {
		t.Errorf("%v: %v, want NO_STATEMENT_EXIST", q, err)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// The family supplies the bills of the server it attaches to: it is the
// engine's BillSource.
var _ wechatpaytest.BillSource = (*payments.Family)(nil)

// BillColumns hands out copies, and nothing for bills the sandbox does
// not lay out.
func TestBillColumns(t *testing.T) {
	detail, _ := payments.BillColumns("tradebill", "ALL")
	detail[0] = "changed"
	if again, summary := payments.BillColumns("tradebill", "ALL"); again[0] != "交易时间" || len(again) != 27 || len(summary) != 7 {
		t.Errorf("ALL: %v %v", again, summary)
	}
	if d, s := payments.BillColumns("tradebill", "RECHARGE_REFUND"); d != nil || s != nil {
		t.Errorf("RECHARGE_REFUND: %v %v", d, s)
	}
}
