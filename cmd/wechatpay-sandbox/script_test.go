package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/payforge/wechatpay/internal/testkit"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
)

const script = "../../scripts/curl-client.sh"

// runScript runs curl-client.sh with args and returns its exit code, stdout and stderr.
func runScript(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", append([]string{script}, args...)...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

func requireTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"curl", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not on PATH (make deps installs it)", tool)
		}
	}
}

// TestCurlClient builds the sandbox, starts it as a process and terminates
// the example contract with the shell client twice.
func TestCurlClient(t *testing.T) {
	requireTools(t)
	bin := testkit.Build(t, ".")[0]
	dir := filepath.Join(t.TempDir(), "sandbox")
	sandbox := testkit.StartSandbox(t, bin, "-dir", dir)

	code, out, errOut := runScript(t, dir)
	want := `{"mchid":"1900000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000"}`
	if code != 0 || strings.TrimSpace(out) != want {
		t.Fatalf("first call: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = runScript(t, dir)
	if code != 1 || out != "" || !strings.Contains(errOut, "HTTP 400 INVALID_REQUEST") {
		t.Errorf("second call: exit %d, stdout %q, stderr %q; want exit 1 with HTTP 400 INVALID_REQUEST", code, out, errOut)
	}

	if err := sandbox.Stop(); err != nil {
		t.Errorf("sandbox after SIGTERM: %v, want exit 0\n%s", err, sandbox.Logs())
	}
}

// TestCurlClientVerifies checks that the shell client refuses an answer
// whose signature does not verify.
func TestCurlClientVerifies(t *testing.T) {
	requireTools(t)
	dir := t.TempDir()
	merchantKey, wechatpayKey, err := loadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{MerchantKey: merchantKey, WechatpayKey: wechatpayKey})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := writeConfig(dir, srv.ClientConfig(), false); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		fault wechatpaytest.FaultKind
		want  string
	}{
		{wechatpaytest.FaultBadSignature, "does not verify"},
		{wechatpaytest.FaultTamperedBody, "does not verify"},
		{wechatpaytest.FaultStaleTimestamp, "more than 300 s"},
		{wechatpaytest.FaultUnknownSerial, "not the configured key"},
		{wechatpaytest.FaultMissingSignature, "lacks a Wechatpay-* signature header"},
	} {
		// No behaviour runs: the example answer is spoiled.
		code := fmt.Sprintf("verify%d", tt.fault)
		if err := srv.InjectFault("terminateByCode", wechatpaytest.Fault{Kind: tt.fault}); err != nil {
			t.Fatal(err)
		}
		exit, out, errOut := runScript(t, dir, "1", code)
		if exit != 1 || out != "" || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 and %q", tt.fault, exit, out, errOut, tt.want)
		}
	}
}
