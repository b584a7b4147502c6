package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestRunJourney takes an order through the journey's operations from the
// command line, with no code of its own for any of them: a Native order,
// its query, a refund refused while unpaid, the user paying (in the
// sandbox), the query by transaction_id, a refund and its query, a close the
// paid order refuses, and the bill application.
func TestRunJourney(t *testing.T) {
	s := newSandbox(t)
	run := func(args ...string) result {
		t.Helper()
		return cli(t, nil, "", append([]string{"-config", s.config}, args...)...)
	}
	order := `{"appid":"wxd678efh567hg6787","mchid":"1900000109","description":"QQ公仔","out_trade_no":"cli-journey-1",` +
		`"notify_url":"https://127.0.0.1:1/notify","amount":{"total":88}}`
	r := run("native-prepay", "-d", order)
	if r.code != 0 || !strings.Contains(r.stdout, `"code_url"`) {
		t.Fatalf("native-prepay: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	query := []string{"query-by-out-trade-no", "--out_trade_no", "cli-journey-1", "--mchid", "1900000109"}
	if r := run(query...); r.code != 0 || !strings.Contains(r.stdout, `"trade_state": "NOTPAY"`) {
		t.Fatalf("query: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	refund := `{"out_trade_no":"cli-journey-1","out_refund_no":"cli-refund-1","amount":{"refund":88,"total":88,"currency":"CNY"}}`
	if r := run("create-refund", "-d", refund); r.code != 1 || !strings.Contains(r.stderr, "INVALID_REQUEST") {
		t.Fatalf("refund of an unpaid order: exit %d, stderr %q; want 1 INVALID_REQUEST", r.code, r.stderr)
	}
	if err := s.journey.Pay(context.Background(), "cli-journey-1"); err != nil {
		t.Fatal(err)
	}
	r = run(query...)
	var tx struct {
		TradeState    string `json:"trade_state"`
		TransactionID string `json:"transaction_id"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &tx); r.code != 0 || err != nil || tx.TradeState != "SUCCESS" {
		t.Fatalf("query of the paid order: exit %d, stdout %q (%v)", r.code, r.stdout, err)
	}
	if r := run("query-by-transaction-id", "--transaction_id", tx.TransactionID, "--mchid", "1900000109"); r.code != 0 ||
		!strings.Contains(r.stdout, `"out_trade_no": "cli-journey-1"`) {
		t.Fatalf("query-by-transaction-id: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := run("create-refund", "-d", refund); r.code != 0 || !strings.Contains(r.stdout, `"status": "PROCESSING"`) {
		t.Fatalf("create-refund: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := run("query-refund", "--out_refund_no", "cli-refund-1"); r.code != 0 || !strings.Contains(r.stdout, `"out_refund_no": "cli-refund-1"`) {
		t.Fatalf("query-refund: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := run("close-order", "--out_trade_no", "cli-journey-1", "-d", `{"mchid":"1900000109"}`); r.code != 1 || !strings.Contains(r.stderr, "INVALID_REQUEST") {
		t.Fatalf("close of a paid order: exit %d, stderr %q; want 1 INVALID_REQUEST", r.code, r.stderr)
	}
	// An optional parameter given empty would be left out: refused instead.
	if r := run("apply-fund-flow-bill", "--bill_date", "2026-03-10", "--account_type", ""); r.code != 2 || !strings.Contains(r.stderr, "account_type: is given empty") {
		t.Fatalf("apply-fund-flow-bill with an empty account_type: exit %d, stderr %q; want 2", r.code, r.stderr)
	}
	// Validation before sending: the trade bill's bill_type is a closed list.
	if r := run("apply-trade-bill", "--bill_date", "2026-03-10", "--bill_type", "SOME"); r.code != 2 || !strings.Contains(r.stderr, "bill_type") {
		t.Fatalf("apply-trade-bill with an unknown bill_type: exit %d, stderr %q; want 2", r.code, r.stderr)
	}
}

// TestHelpJourneyOperation: an order's help lists its nested body fields,
// with their rules, from the generated package's table.
func TestHelpJourneyOperation(t *testing.T) {
	r := cli(t, nil, "", "help", "jsapi-prepay")
	if r.code != 0 {
		t.Fatalf("help jsapi-prepay: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{
		"POST", "/v3/pay/transactions/jsapi", "jsapiPrepay",
		"out_trade_no", "at least 6 characters; at most 32 characters",
		"amount.total", "payer.openid", "detail.goods_detail[].quantity",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("help jsapi-prepay lacks %q:\n%s", want, r.stdout)
		}
	}
}

// TestRunRefusesMissingNumbers: a body given on the command line that leaves
// out a required number or object (which decoding would fill with 0 or an
// empty object) is refused before anything is sent, naming each member, with
// exit code 2; the same body with them is sent.
func TestRunRefusesMissingNumbers(t *testing.T) {
	s := newSandbox(t)
	run := func(args ...string) result {
		t.Helper()
		return cli(t, nil, "", append([]string{"-config", s.config}, args...)...)
	}
	for _, tc := range []struct {
		op, body string
		missing  []string
	}{
		{"native-prepay", `{"appid":"wxd678efh567hg6787","mchid":"1900000109","description":"QQ公仔","out_trade_no":"cli-missing-1","notify_url":"https://127.0.0.1:1/notify"}`,
			[]string{"amount: is required"}},
		{"native-prepay", `{"appid":"wxd678efh567hg6787","mchid":"1900000109","description":"QQ公仔","out_trade_no":"cli-missing-1","notify_url":"https://127.0.0.1:1/notify","amount":{"total":null},` +
			`"detail":{"goods_detail":[{"merchant_goods_id":"g1","quantity":1,"unit_price":1},{"merchant_goods_id":"g2"}]}}`,
			[]string{"amount.total: is required", "detail.goods_detail[1].quantity: is required", "detail.goods_detail[1].unit_price: is required"}},
		{"create-refund", `{"out_trade_no":"cli-missing-1","out_refund_no":"cli-missing-r1","amount":{"total":88,"currency":"CNY"}}`,
			[]string{"amount.refund: is required"}},
	} {
		before := len(s.sent())
		r := run(tc.op, "-d", tc.body)
		if r.code != 2 || len(s.sent()) != before {
			t.Errorf("%s %s: exit %d, %d requests sent; want 2 and none (stderr %q)", tc.op, tc.body, r.code, len(s.sent())-before, r.stderr)
		}
		for _, m := range tc.missing {
			if !strings.Contains(r.stderr, m) {
				t.Errorf("%s: stderr %q lacks %q", tc.op, r.stderr, m)
			}
		}
	}
	ok := `{"appid":"wxd678efh567hg6787","mchid":"1900000109","description":"QQ公仔","out_trade_no":"cli-missing-2","notify_url":"https://127.0.0.1:1/notify","amount":{"TOTAL":1}}`
	if r := run("native-prepay", "-d", ok); r.code != 0 {
		t.Errorf("an order with its total (matched as encoding/json matches keys): exit %d, stderr %q", r.code, r.stderr)
	}
}
