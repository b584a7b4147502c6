package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

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
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "wechatpay-sandbox")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	dir := filepath.Join(tmp, "sandbox")
	sandbox := exec.Command(bin, "-dir", dir)
	var logs strings.Builder
	sandbox.Stderr = &logs
	stdout, err := sandbox.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sandbox.Start(); err != nil {
		t.Fatal(err)
	}
	waited := false
	defer func() {
		if !waited {
			_ = sandbox.Process.Kill()
			_ = sandbox.Wait()
		}
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "listening on http://127.0.0.1:") {
		t.Fatalf("first line %q, %v", line, err)
	}

	code, out, errOut := runScript(t, dir)
	want := `{"mchid":"1900000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000"}`
	if code != 0 || strings.TrimSpace(out) != want {
		t.Fatalf("first call: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = runScript(t, dir)
	if code != 1 || out != "" || !strings.Contains(errOut, "HTTP 400 INVALID_REQUEST") {
		t.Errorf("second call: exit %d, stdout %q, stderr %q; want exit 1 with HTTP 400 INVALID_REQUEST", code, out, errOut)
	}

	if err := sandbox.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = sandbox.Wait()
	waited = true
	if err != nil {
		t.Errorf("sandbox after SIGTERM: %v, want exit 0\n%s", err, logs.String())
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
