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
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
}
