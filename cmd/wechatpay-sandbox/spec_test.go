package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/payforge/wechatpay/internal/testkit"
	"github.com/payforge/wechatpay/wechatpay"
)

// widgetsSpec is a made-up spec no behaviour serves.
const widgetsSpec = "../../wechatpay/wechatpaytest/testdata/widgets.yaml"

// TestSpecProcess runs the built command with -spec, as a merchant tests a
// client for a spec of their own: the operations of that spec answer their
// examples, the embedded ones are gone, and the spec's rules hold.
func TestSpecProcess(t *testing.T) {
	bin := testkit.Build(t, ".")[0]
	dir := filepath.Join(t.TempDir(), "sandbox")
	sandbox := testkit.StartSandbox(t, bin, "-dir", dir, "-spec", widgetsSpec)
	rt := client(t, dir, sandbox.URL)
	ctx := context.Background()

	var got any
	err := rt.Call(ctx, http.MethodPost, "/v3/sandbox-widgets/widgets", nil, nil,
		[]byte(`{"mchid":"1900000109","name":"小部件","size":3}`), &got)
	if err != nil {
		t.Fatalf("createWidget: %v\n%s", err, sandbox.Logs())
	}
	doc, err := openapi3.NewLoader().LoadFromFile(widgetsSpec)
	if err != nil {
		t.Fatal(err)
	}
	want := doc.Paths.Value("/v3/sandbox-widgets/widgets").Post.Responses.Status(200).Value.Content["application/json"].Example
	if !reflect.DeepEqual(got, want) {
		t.Errorf("createWidget answered %v, want the spec's example %v", got, want)
	}

	var apiErr *wechatpay.APIError
	err = rt.Call(ctx, http.MethodPost, "/v3/sandbox-widgets/widgets", nil, nil,
		[]byte(`{"mchid":"1900000109","name":"小部件","size":0}`), nil)
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest || apiErr.Code != "PARAM_ERROR" ||
		apiErr.Detail == nil || apiErr.Detail.Field != "/size" {
		t.Errorf("size 0: %v, want 400 PARAM_ERROR on /size", err)
	}
	_, err = rt.Do(ctx, terminate("12535", "wxwtdk20200910100000"))
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
		t.Errorf("an embedded operation with -spec: %v, want 404", err)
	}

	if err := sandbox.Stop(); err != nil {
		t.Errorf("sandbox after SIGTERM: %v, want exit 0\n%s", err, sandbox.Logs())
	}
}

// TestSpecUsage: the contract family's flags do not go with -spec, and a
// spec that cannot be served is refused with its name.
func TestSpecUsage(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths:\n  /v3/x:\n    get:\n      responses:\n        \"204\": {description: ok}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.yaml")
	if err := os.WriteFile(huge, bytes.Repeat([]byte("#"), maxSpecBytes+1), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want int
		says string
	}{
		{[]string{"-dir", dir, "-spec", widgetsSpec, "-contract", "1:abc"}, 2, "-contract"},
		{[]string{"-dir", dir, "-spec", widgetsSpec, "-no-example-contract", "-auto-sign", "1s"}, 2, "-auto-sign, -no-example-contract"},
		{[]string{"-dir", dir, "-spec", ""}, 2, "want a file name"},
		{[]string{"-dir", dir, "-spec", filepath.Join(dir, "missing.yaml")}, 1, "missing.yaml"},
		{[]string{"-dir", dir, "-spec", bad}, 1, "bad.yaml"},
		{[]string{"-dir", dir, "-spec", huge}, 1, "larger than 16 MiB"},
	} {
		var stdout, stderr bytes.Buffer
		if got := run(context.Background(), tt.args, &stdout, &stderr); got != tt.want || !strings.Contains(stderr.String(), tt.says) {
			t.Errorf("run %q = %d, want %d saying %q\n%s", tt.args, got, tt.want, tt.says, stderr.String())
		}
		if stdout.Len() != 0 {
			t.Errorf("run %q printed %q", tt.args, stdout.String())
		}
	}
}
