package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/payforge/wechatpay/internal/testkit"
	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
)

// buildCommands builds this command and the sandbox command into a temporary
// folder and returns their paths.
func buildCommands(t *testing.T) (cli, sandbox string) {
	t.Helper()
	bins := testkit.Build(t, ".", "../wechatpay-sandbox")
	return bins[0], bins[1]
}

// runBinary runs the built command with args and returns what it did.
func runBinary(t *testing.T, bin string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", bin, err)
	}
	return result{code, stdout.String(), stderr.String()}
}

// TestProcess runs the built command against the built sandbox, each a real
// process, through every exit code.
func TestProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two commands")
	}
	cli, sandboxBin := buildCommands(t)

	dir := filepath.Join(t.TempDir(), "sandbox")
	sandbox := testkit.StartSandbox(t, sandboxBin, "-addr", "127.0.0.1:0", "-dir", dir)
	config := filepath.Join(dir, "config.json")

	terminate := func(config, code string) []string {
		return terminateArgs(config, "12535", code)
	}
	check := func(name string, r result, want int, stdout string, stderr ...string) {
		t.Helper()
		if r.code != want {
			t.Errorf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", name, r.code, want, r.stdout, r.stderr)
		}
		if r.stdout != stdout {
			t.Errorf("%s: stdout\n%s\nwant\n%s", name, r.stdout, stdout)
		}
		for _, s := range stderr {
			if !strings.Contains(r.stderr, s) {
				t.Errorf("%s: stderr does not contain %q:\n%s", name, s, r.stderr)
			}
		}
	}

	check("terminate", runBinary(t, cli, nil, terminate(config, contracts.ExampleOutContractCode)...), 0, exampleOut)
	// The second call takes the config from the environment.
	check("terminate again", runBinary(t, cli, []string{"WECHATPAY_CONFIG=" + config}, terminate("", contracts.ExampleOutContractCode)[2:]...),
		1, "", "code:       INVALID_REQUEST", "Request-ID: ")
	check("33-character code", runBinary(t, cli, nil, terminate(config, strings.Repeat("a", 33))...),
		2, "", "out_contract_code: has 33 characters, at most 32 are allowed (rule maxLength)")

	// A copy of the config pointing at a closed port.
	closed := writeConfigCopy(t, config, "closed.json", closedPortURL(t))
	check("closed port", runBinary(t, cli, nil, terminate(closed, contracts.ExampleOutContractCode)...), 3, "", "connection refused")

	// The sandbox command has no fault flag: a tampered answer comes from an
	// in-process sandbox with the same keys.
	keys, err := testKeys()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{MerchantKey: keys[0], WechatpayKey: keys[1]})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.InjectFault("terminateByCode", wechatpaytest.Fault{Kind: wechatpaytest.FaultTamperedBody}); err != nil {
		t.Fatal(err)
	}
	tamperedDir := t.TempDir()
	writeKeyFiles(t, tamperedDir, keys[0], keys[1])
	tampered := writeConfig(t, tamperedDir, "config.json", srv.ClientConfig(), srv.URL)
	check("tampered answer", runBinary(t, cli, nil, terminate(tampered, contracts.ExampleOutContractCode)...),
		3, "", "response verification failed", "signature does not verify")

	if err := sandbox.Stop(); err != nil {
		t.Errorf("sandbox after SIGTERM: %v, want exit 0\n%s", err, sandbox.Logs())
	}
}

// writeConfigCopy writes a copy of the config file at path next to it,
// named name, with another base URL.
func writeConfigCopy(t *testing.T, path, name, baseURL string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f wechatpay.ConfigFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	f.BaseURL = baseURL
	if data, err = json.Marshal(f); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(filepath.Dir(path), name)
	writeFile(t, out, data)
	return out
}

// TestProcessCertificates runs the built command's certificate download
// against the built sandbox in certificate mode, each a real process: with
// the certificate the sandbox's config names, as a first download from a
// config that names none, and then a call verified with the certificate
// written.
func TestProcessCertificates(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two commands")
	}
	cli, sandboxBin := buildCommands(t)
	dir := filepath.Join(t.TempDir(), "sandbox")
	sandbox := testkit.StartSandbox(t, sandboxBin, "-dir", dir, "-platform-certificate")
	defer func() {
		if err := sandbox.Stop(); err != nil {
			t.Errorf("sandbox after SIGTERM: %v\n%s", err, sandbox.Logs())
		}
	}()
	config := filepath.Join(dir, "config.json")
	cert, err := wechatpay.LoadCertificateFile(filepath.Join(dir, "platform_cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	serial := wechatpay.CertificateSerial(cert)

	out := filepath.Join(t.TempDir(), "certs")
	r := runBinary(t, cli, nil, "-config", config, "certificates", "-out", out)
	written := filepath.Join(out, "wechatpay_"+serial+".pem")
	if r.code != 0 || !strings.HasPrefix(r.stdout, written+"\t"+serial+"\t") {
		t.Fatalf("certificates: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}

	// A config naming no certificate: the first download.
	var f wechatpay.ConfigFile
	if err := json.Unmarshal([]byte(readFile(t, config)), &f); err != nil {
		t.Fatal(err)
	}
	f.PlatformCertificateFiles = nil
	first := filepath.Join(dir, "first.json")
	writeJSON(t, first, f)
	firstOut := t.TempDir()
	if r := runBinary(t, cli, nil, "-config", first, "certificates", "-out", firstOut); r.code != 0 ||
		readFile(t, filepath.Join(firstOut, "wechatpay_"+serial+".pem")) != readFile(t, written) {
		t.Fatalf("first download: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}

	// The certificate written verifies the answers.
	f.PlatformCertificateFiles = []string{written}
	after := filepath.Join(dir, "after.json")
	writeJSON(t, after, f)
	if r := runBinary(t, cli, nil, terminateArgs(after, "12535", contracts.ExampleOutContractCode)...); r.code != 0 || r.stdout != exampleOut {
		t.Errorf("terminate verified with the downloaded certificate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, b)
}
