package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
)

// TestRunFamily takes one contract through the family from the command
// line: pre-sign, query while pending, sign (in the sandbox), query,
// terminate, query again.
func TestRunFamily(t *testing.T) {
	s := newSandbox(t)
	presign := `{"appid":"wxd678efh567hg6787","service_id":7,"out_contract_code":"cliFamily1",` +
		`"notify_url":"https://127.0.0.1:1/notify","contract_display_account":"张三","openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}`
	r := cli(t, nil, "", "-config", s.config, "pre-sign-normal-mini-program", "-d", presign)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("pre-sign: exit %d, stderr %q", r.code, r.stderr)
	}
	var pre map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &pre); err != nil || pre["out_contract_code"] != "cliFamily1" || pre["pre_entrustweb_id"] == "" {
		t.Fatalf("pre-sign printed %q (%v)", r.stdout, err)
	}

	query := []string{"-config", s.config, "query-by-code", "--service_id", "7", "--out_contract_code", "cliFamily1"}
	if r := cli(t, nil, "", query...); r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "INVALID_REQUEST") {
		t.Fatalf("query of a pending contract: exit %d, stdout %q, stderr %q; want 1", r.code, r.stdout, r.stderr)
	}
	if err := s.family.SignContract(context.Background(), 7, "cliFamily1"); err != nil {
		var de *wechatpaytest.DeliveryError
		// Nobody listens at the notify_url; the contract is signed anyway.
		if !errors.As(err, &de) {
			t.Fatal(err)
		}
	}
	r = cli(t, nil, "", query...)
	if r.code != 0 || !strings.Contains(r.stdout, `"contract_state": "SIGNED"`) {
		t.Fatalf("query of a signed contract: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := cli(t, nil, "", terminateArgs(s.config, "7", "cliFamily1")...); r.code != 0 {
		t.Fatalf("terminate: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := cli(t, nil, "", terminateArgs(s.config, "7", "cliFamily1")...); r.code != 1 {
		t.Fatalf("second terminate: exit %d, want 1", r.code)
	}
	// The qs rule: one of openid and sub_openid, checked before sending.
	qs := `{"appid":"wx1","sub_appid":"wx2","sub_mchid":"1900000110","service_id":7,"out_contract_code":"cliFamily2",` +
		`"notify_url":"https://127.0.0.1:1/notify","contract_display_account":"张三"}`
	r = cli(t, nil, "", "-config", s.proxied, "pre-sign-qs-mini-program", "-d", qs)
	if r.code != 2 || !strings.Contains(r.stderr, "openid|sub_openid") {
		t.Fatalf("qs without openid: exit %d, stderr %q; want 2 naming openid|sub_openid", r.code, r.stderr)
	}
}
