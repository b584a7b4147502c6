package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"

	"github.com/payforge/wechatpay/internal/testkit"
)

// started is a run in progress.
type started struct {
	url    string
	banner []string // the lines after the first, naming the files written
	stderr *testkit.LockedBuffer
	cancel context.CancelFunc
	exit   chan int
}

// start runs the program with args until stop, and returns once it printed
// its first line.
func start(t *testing.T, args ...string) *started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &started{stderr: new(testkit.LockedBuffer), cancel: cancel, exit: make(chan int, 1)}
	go func() {
		code := run(ctx, args, pw, s.stderr)
		pw.Close()
		s.exit <- code
	}()
	// Lines are read aside, so that a missing one fails the test rather
	// than blocking it; the reader ends when run closes pw.
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	next := func(what string) string {
		select {
		case line, ok := <-lines:
			if ok {
				return line
			}
			cancel()
			t.Fatalf("%s: output ended (exit %d)\n%s", what, <-s.exit, s.stderr)
		case <-time.After(10 * time.Second):
			cancel()
			<-s.exit
			t.Fatalf("%s: nothing printed in 10 s\n%s", what, s.stderr)
		}
		return ""
	}
	line := next("first line")
	url, ok := strings.CutPrefix(line, "listening on ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
		cancel()
		<-s.exit
		t.Fatalf("first line %q, want listening on http://127.0.0.1:PORT", line)
	}
	files, _ := written(".", "", nil)
	for range files {
		s.banner = append(s.banner, next(fmt.Sprintf("line %d", len(s.banner)+2)))
	}
	s.url = url
	return s
}

// stop cancels the run and checks that it exits 0.
func (s *started) stop(t *testing.T) {
	t.Helper()
	s.cancel()
	select {
	case code := <-s.exit:
		if code != 0 {
			t.Errorf("exit %d, want 0\n%s", code, s.stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}

func client(t *testing.T, dir, wantURL string) *wechatpay.Client {
	t.Helper()
	cfg, err := wechatpay.LoadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BaseURL != wantURL {
		t.Errorf("config base_url %q, want %q", cfg.BaseURL, wantURL)
	}
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	cfg.HTTPClient = &http.Client{Transport: transport}
	rt, err := wechatpay.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

func terminate(serviceID, code string) *wechatpay.Request {
	return &wechatpay.Request{
		Operation: "terminateByCode",
		Method:    http.MethodPost,
		Path:      "/v3/password-exempt-contract/contracts/service-id/" + serviceID + "/out-contract-code/" + code + "/terminate",
		Body:      []byte(`{"contract_termination_remark":"用户解约"}`),
	}
}

func TestRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sandbox")
	s := start(t, "-addr", "127.0.0.1:0", "-dir", dir, "-contract", "7:abc", "-contract", "8:def")
	rt := client(t, dir, s.url)
	ctx := context.Background()

	resp, err := rt.Do(ctx, terminate("12535", "wxwtdk20200910100000"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"mchid":"1900000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000"}`; string(resp.Body) != want {
		t.Errorf("answer %s, want %s", resp.Body, want)
	}
	_, err = rt.Do(ctx, terminate("12535", "wxwtdk20200910100000"))
	var apiErr *wechatpay.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "INVALID_REQUEST" {
		t.Errorf("second terminate: %v, want INVALID_REQUEST", err)
	}
	for _, c := range [][2]string{{"7", "abc"}, {"8", "def"}} {
		if _, err := rt.Do(ctx, terminate(c[0], c[1])); err != nil {
			t.Errorf("-contract %s:%s: %v", c[0], c[1], err)
		}
	}
	for _, name := range []string{merchantKeyFile, wechatpayKeyFile, wechatpayPublicFile, apiV3KeyFile} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
	if !strings.Contains(s.stderr.String(), "code=INVALID_REQUEST") {
		t.Errorf("stderr does not log the answers:\n%s", s.stderr)
	}
	checkBanner(t, s, dir)
	s.stop(t)

	// A restart reuses the keys and serial; contracts start afresh.
	keys := readFiles(t, dir, merchantKeyFile, wechatpayKeyFile, wechatpayPublicFile, apiV3KeyFile)
	if len(keys[3]) != wechatpay.APIv3KeySize {
		t.Errorf("%s holds %d bytes, want %d", apiV3KeyFile, len(keys[3]), wechatpay.APIv3KeySize)
	}
	oldConfig := readFiles(t, dir, "config.json")[0]
	s = start(t, "-dir", dir, "-no-example-contract")
	if got := readFiles(t, dir, merchantKeyFile, wechatpayKeyFile, wechatpayPublicFile, apiV3KeyFile); !equal(got, keys) {
		t.Error("restart replaced the keys")
	}
	newConfig := readFiles(t, dir, "config.json")[0]
	if strings.Split(oldConfig, "base_url")[0] != strings.Split(newConfig, "base_url")[0] {
		t.Errorf("restart changed the config beyond base_url:\n%s\n%s", oldConfig, newConfig)
	}
	_, err = client(t, dir, s.url).Do(ctx, terminate("12535", "wxwtdk20200910100000"))
	if !errors.As(err, &apiErr) || apiErr.Code != "PARAM_ERROR" {
		t.Errorf("example contract with -no-example-contract: %v, want PARAM_ERROR", err)
	}
	s.stop(t)
}

// checkBanner checks that the lines after the first name, by absolute path,
// the files of dir a merchant needs, and that they load.
func checkBanner(t *testing.T, s *started, dir string) {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := wechatpay.LoadConfig(filepath.Join(dir, configFile))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"config file:            " + filepath.Join(abs, "config.json"),
		"merchant private key:   " + filepath.Join(abs, "merchant_key.pem"),
		"WeChat Pay public key:  " + filepath.Join(abs, "wechatpay_public_key.pem") + " (" + cfg.VerificationKeys[0].Serial + ")",
		"APIv3 key:              " + filepath.Join(abs, "apiv3_key"),
		"sandbox's signing key:  " + filepath.Join(abs, "wechatpay_private_key.pem"),
	}
	if strings.Join(s.banner, "\n") != strings.Join(want, "\n") {
		t.Errorf("printed\n%s\nwant\n%s", strings.Join(s.banner, "\n"), strings.Join(want, "\n"))
	}
	for _, line := range s.banner {
		_, path, _ := strings.Cut(line, abs)
		path, _, _ = strings.Cut(path, " ")
		if _, err := os.Stat(filepath.Join(abs, path)); err != nil {
			t.Errorf("printed %q: %v", line, err)
		}
	}
	// The config file leads a merchant to the APIv3 key too.
	notify, err := wechatpay.LoadNotifyConfig(filepath.Join(dir, configFile))
	if err != nil {
		t.Fatal(err)
	}
	if key := readFiles(t, dir, apiV3KeyFile)[0]; string(notify.APIv3Key) != key || len(notify.Keys.Serials()) != 1 {
		t.Errorf("LoadNotifyConfig of the sandbox's config: %v", notify)
	}
}

func readFiles(t *testing.T, dir string, names ...string) []string {
	t.Helper()
	out := make([]string, len(names))
	for i, name := range names {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		out[i] = string(b)
	}
	return out
}

func equal(a, b []string) bool {
	return strings.Join(a, "\x00") == strings.Join(b, "\x00")
}

func TestRunUsage(t *testing.T) {
	dir := t.TempDir()
	badKeyDir, hugeKeyDir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(badKeyDir, apiV3KeyFile), []byte("too short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(hugeKeyDir, apiV3KeyFile), bytes.Repeat([]byte("k"), 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want int
	}{
		{nil, 2},
		{[]string{"-dir", dir, "extra"}, 2},
		{[]string{"-dir", dir, "-contract", "12535"}, 2},
		{[]string{"-dir", dir, "-contract", "x:abc"}, 2},
		{[]string{"-nope"}, 2},
		{[]string{"-h"}, 0},
		{[]string{"-dir", dir, "-contract", "1:bad-code"}, 1},
		{[]string{"-dir", dir, "-addr", "256.0.0.1:0"}, 1},
		{[]string{"-dir", dir, "-auto-sign", "-1s"}, 2},
		{[]string{"-dir", dir, "-auto-sign", "soon"}, 2},
		{[]string{"-dir", dir, "-notify-ca", filepath.Join(dir, "missing.pem")}, 1},
		{[]string{"-dir", dir, "-notify-ca", filepath.Join(dir, merchantKeyFile)}, 1},
		{[]string{"-dir", badKeyDir}, 1},
		{[]string{"-dir", hugeKeyDir}, 1},
		{[]string{"-dir", dir, "-journey-specs", dir}, 1}, // no payments.yaml there
		{[]string{"-dir", dir, "-auto-pay", "-1s"}, 2},
		{[]string{"-dir", dir, "-auto-settle-refunds", "-1s"}, 2},
		{[]string{"-dir", dir, "-refund-outcome", "REFUNDED"}, 2},
		{[]string{"-dir", dir, "-journey-specs", journeySpecsDir, "-refund-outcome", "REFUNDED"}, 2},
		{[]string{"-dir", dir, "-spec", widgetsSpec, "-journey-specs", journeySpecsDir}, 2},
		{[]string{"-dir", dir, "-spec", widgetsSpec, "-auto-pay", "1s"}, 2},
	} {
		var stdout, stderr bytes.Buffer
		if got := run(context.Background(), tt.args, &stdout, &stderr); got != tt.want {
			t.Errorf("run %q = %d, want %d\n%s", tt.args, got, tt.want, stderr.String())
		}
		if stdout.Len() != 0 {
			t.Errorf("run %q printed %q", tt.args, stdout.String())
		}
	}
}
