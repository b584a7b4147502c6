package payments_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/payments"
)

// TestJourney runs the merchant's journey after the contract through the
// runtime: an order under the contract, the user pays, the payment
// notification, the queries, a refund, its notification and query, and the
// next day's bills, which list both.
func TestJourney(t *testing.T) {
	e := newEnv(t, payments.Options{})
	ctx := context.Background()

	// The contract's ID, as the contract query answers it.
	var contract struct {
		ContractID string `json:"contract_id"`
	}
	if err := e.rt.Call(ctx, http.MethodGet, "/v3/password-exempt-contract/contracts/service-id/{service_id}/out-contract-code/{out_contract_code}",
		map[string]string{"service_id": fmt.Sprint(contracts.ExampleServiceID), "out_contract_code": contracts.ExampleOutContractCode},
		nil, nil, &contract); err != nil {
		t.Fatal(err)
	}

	// Order under the contract.
	body := e.order("jsapi", "journey-0001", 100)
	body["contract_info"] = map[string]any{"password_free_contract_id": contract.ContractID}
	answer := e.prepay(jsapiContractPath, body)
	if !strings.HasPrefix(answer["prepay_id"], payments.PrepayIDPrefix) || len(answer["prepay_id"]) > 64 {
		t.Errorf("prepay_id %q", answer["prepay_id"])
	}
	tx, _ := e.query("journey-0001")
	if tx.TradeState != "NOTPAY" || tx.TransactionID != "" || tx.SuccessTime != "" || tx.TradeType != "JSAPI" ||
		tx.MchID != e.srv.MchID() || tx.AppID != "wxd678efh567hg6787" || tx.Attach != "自定义数据" ||
		tx.Payer == nil || tx.Payer.OpenID != "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" || tx.Amount.Total != 100 || tx.Amount.Currency != "CNY" {
		t.Errorf("unpaid order: %+v", tx)
	}

	// The user pays; the merchant is notified with the transaction as the
	// query answers it.
	e.clock.Add(time.Minute)
	if err := e.family.Pay(ctx, "journey-0001"); err != nil {
		t.Fatal(err)
	}
	n := e.merchant.next(t)
	tx, raw := e.query("journey-0001")
	if n.EventType != "TRANSACTION.SUCCESS" || n.ResourceType != "encrypt-resource" || n.Resource.OriginalType != "transaction" ||
		n.Resource.Algorithm != "AEAD_AES_256_GCM" || n.Summary != "支付成功" || !bytes.Equal(n.Plaintext, raw) {
		t.Errorf("payment notification %+v %s; the query answers %s", n, n.Plaintext, raw)
	}
	decoded, err := wechatpay.DecodeNotification[transaction](n)
	if err != nil || decoded.TransactionID != tx.TransactionID {
		t.Errorf("decoded notification %+v, %v", decoded, err)
	}
	if tx.TradeState != "SUCCESS" || !strings.HasPrefix(tx.TransactionID, payments.TransactionIDPrefix) || len(tx.TransactionID) != 32 ||
		tx.SuccessTime != "2026-03-10T10:01:00+08:00" || tx.BankType != payments.BankType || tx.Amount.PayerTotal != 100 ||
		tx.Amount.PayerCurrency != "CNY" {
		t.Errorf("paid order: %+v", tx)
	}
	byID := e.ok(http.MethodGet, transactionIDPath+tx.TransactionID, url.Values{"mchid": {e.srv.MchID()}}, nil, nil)
	if !bytes.Equal(byID.Body, raw) {
		t.Errorf("by transaction_id %s, by out_trade_no %s", byID.Body, raw)
	}

	// A partial refund, accepted, then successful.
	e.clock.Add(time.Hour)
	var r refund
	e.ok(http.MethodPost, refundsPath, nil, e.refundBody("journey-0001", "refund-0001", 30, 100), &r)
	if r.Status != "PROCESSING" || !strings.HasPrefix(r.RefundID, payments.RefundIDPrefix) || len(r.RefundID) != 32 ||
		r.TransactionID != tx.TransactionID || r.OutTradeNo != "journey-0001" || r.Channel != "ORIGINAL" ||
		r.UserReceivedAccount != "支付用户零钱" || r.CreateTime != "2026-03-10T11:01:00+08:00" || r.SuccessTime != "" ||
		r.FundsAccount != "UNSETTLED" || r.Amount.Refund != 30 || r.Amount.Total != 100 || r.Amount.PayerRefund != 30 {
		t.Errorf("refund accepted: %+v", r)
	}
	if tx, _ := e.query("journey-0001"); tx.TradeState != "REFUND" {
		t.Errorf("order after a refund request: %s", tx.TradeState)
	}
	e.merchant.none(t)
	e.clock.Add(time.Minute)
	if err := e.family.SettleRefund(ctx, "refund-0001", payments.RefundSuccess); err != nil {
		t.Fatal(err)
	}
	n = e.merchant.next(t)
	var notified refund
	if err := json.Unmarshal(n.Plaintext, &notified); err != nil {
		t.Fatal(err)
	}
	if n.EventType != "REFUND.SUCCESS" || n.Resource.OriginalType != "refund" || len(n.Summary) > 16 ||
		notified.RefundStatus != "SUCCESS" || notified.RefundID != r.RefundID || notified.SuccessTime != "2026-03-10T11:02:00+08:00" {
		t.Errorf("refund notification %+v %s", n, n.Plaintext)
	}
	var queried refund
	e.ok(http.MethodGet, refundsPath+"/refund-0001", nil, nil, &queried)
	if queried.Status != "SUCCESS" || queried.SuccessTime != notified.SuccessTime || queried.RefundID != r.RefundID {
		t.Errorf("refund query %+v", queried)
	}

	// The next day, the bills list the payment and the refund.
	e.clock.Set(start.AddDate(0, 0, 1))
	lines, summary := downloadBill(t, e, "/v3/bill/tradebill", url.Values{"bill_date": {"2026-03-10"}}, header(payments.BillColumns("tradebill", "ALL")))
	if len(lines) != 2 {
		t.Fatalf("trade bill lines %v", lines)
	}
	pay, ref := lines[0], lines[1]
	if pay["交易时间"] != "2026-03-10 10:01:00" || pay["微信订单号"] != tx.TransactionID || pay["商户订单号"] != "journey-0001" ||
		pay["交易状态"] != "SUCCESS" || pay["应结订单金额"] != "1.00" || pay["订单金额"] != "1.00" || pay["特约商户号"] != "0" ||
		pay["商户号"] != e.srv.MchID() || pay["公众账号ID"] != "wxd678efh567hg6787" || pay["交易类型"] != "JSAPI" ||
		pay["用户标识"] != "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" || pay["商品名称"] != "Image形象店-深圳腾大-QQ公仔" || pay["商户数据包"] != "自定义数据" ||
		pay["退款金额"] != "0.00" || pay["微信退款单号"] != "" {
		t.Errorf("payment line %v", pay)
	}
	if ref["交易时间"] != "2026-03-10 11:01:00" || ref["微信订单号"] != tx.TransactionID || ref["交易状态"] != "REFUND" ||
		ref["微信退款单号"] != r.RefundID || ref["商户退款单号"] != "refund-0001" || ref["退款金额"] != "0.30" ||
		ref["申请退款金额"] != "0.30" || ref["退款状态"] != "SUCCESS" || ref["退款类型"] != "ORIGINAL" || ref["应结订单金额"] != "0.00" {
		t.Errorf("refund line %v", ref)
	}
	if want := []string{"2", "1.00", "0.30", "0.00", "0.00", "1.00", "0.30"}; !slices.Equal(summary, want) {
		t.Errorf("trade bill summary %v, want %v", summary, want)
	}

	flows, summary := downloadBill(t, e, "/v3/bill/fundflowbill", url.Values{"bill_date": {"2026-03-10"}}, header(payments.BillColumns("fundflowbill", "BASIC")))
	if len(flows) != 2 || flows[0]["微信支付业务单号"] != tx.TransactionID || flows[0]["收支类型"] != "收入" ||
		flows[0]["收支金额(元)"] != "1.00" || flows[0]["账户结余(元)"] != "1.00" || flows[0]["业务名称"] != "交易" ||
		flows[1]["微信支付业务单号"] != r.RefundID || flows[1]["收支类型"] != "支出" || flows[1]["收支金额(元)"] != "0.30" ||
		flows[1]["账户结余(元)"] != "0.70" || flows[1]["记账时间"] != "2026-03-10 11:02:00" || flows[1]["业务名称"] != "退款" {
		t.Errorf("fund-flow bill %v", flows)
	}
	if want := []string{"2", "1", "1.00", "1", "0.30"}; !slices.Equal(summary, want) {
		t.Errorf("fund-flow bill summary %v, want %v", summary, want)
	}
}

// downloadBill applies for a bill through the runtime, downloads it with
// rt.DownloadBill (which checks its hash), and returns its detail lines by
// column and its summary values, without their backquotes. The detail
// header must be columns.
func downloadBill(t *testing.T, e *env, path string, query url.Values, columns []string) ([]map[string]string, []string) {
	t.Helper()
	content := fetchBill(t, e, path, query)
	cr := csv.NewReader(bytes.NewReader(content))
	cr.FieldsPerRecord = -1 // the summary has its own columns
	records, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("bill %s: %v", content, err)
	}
	if len(records) < 3 || !slices.Equal(records[0], columns) {
		t.Fatalf("bill %s: want the header %v", content, columns)
	}
	var lines []map[string]string
	for _, rec := range records[1 : len(records)-2] {
		l := make(map[string]string)
		for i, v := range rec {
			s, ok := strings.CutPrefix(v, "`")
			if !ok {
				t.Errorf("field %q of %v has no backquote", v, rec)
			}
			l[columns[i]] = s
		}
		lines = append(lines, l)
	}
	var summary []string
	for _, v := range records[len(records)-1] {
		s, ok := strings.CutPrefix(v, "`")
		if !ok {
			t.Errorf("summary field %q has no backquote", v)
		}
		summary = append(summary, s)
	}
	return lines, summary
}

// fetchBill applies for a bill and downloads it, checking its hash.
func fetchBill(t *testing.T, e *env, path string, query url.Values) []byte {
	t.Helper()
	ctx := context.Background()
	var bill wechatpay.Bill
	if err := e.rt.Call(ctx, http.MethodGet, path, nil, query, nil, &bill); err != nil {
		t.Fatalf("apply %s %v: %v", path, query, err)
	}
	var content bytes.Buffer
	gz := query.Get("tar_type") == "GZIP"
	if _, err := e.rt.DownloadBill(ctx, &wechatpay.BillDownload{Bill: bill, Gzipped: gz, Gunzip: gz}, &content); err != nil {
		t.Fatalf("download %s %v: %v", path, query, err)
	}
	return content.Bytes()
}
