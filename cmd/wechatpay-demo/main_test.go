package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestDemo(t *testing.T) {
	defer goleak.VerifyNone(t)
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"terminated: mchid=1900000109 service_id=12535 out_contract_code=wxwtdk20200910100000",
		"*wechatpay.APIError: HTTP 400 INVALID_REQUEST",
		"*wechatpay.ValidationError: field out_contract_code, rule pattern",
		"contract journey20260310 SIGNED",
		"paySign verifies with the merchant's public key: true",
		"notified: TRANSACTION.SUCCESS journey-order-1 SUCCESS, 100 fen, paid at 2026-03-10T10:01:00+08:00",
		"refund journey-refund-1: PROCESSING",
		"notified: REFUND.SUCCESS journey-refund-1 SUCCESS, 30 fen",
		"bill line: 2026-03-10 10:01:00 SUCCESS order 1.00",
		`bill line: 2026-03-10 11:01:00 REFUND order 0.00, refund "journey-refund-1" 0.30`,
		"terminated journey20260310; the sandbox says it is terminated",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
}
