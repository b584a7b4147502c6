package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
)

// requestIDLine is how an API error names the sandbox's Request-ID.
var requestIDLine = regexp.MustCompile(`(?m)^  Request-ID: [0-9A-F]{32}$`)

func TestRunExitCodes(t *testing.T) {
	s := newSandbox(t)
	bodyFile := filepath.Join(s.dir, "body.json")
	writeFile(t, bodyFile, []byte(exampleBody))
	closed := writeConfig(t, s.dir, "closed.json", s.srv.ClientConfig(), closedPortURL(t))
	badJSON := filepath.Join(s.dir, "bad.json")
	writeFile(t, badJSON, []byte(`{"mchid": "1900000109", "api_v3_key": "x"}`))

	// Each case terminates its own contract, so the cases do not interact.
	contract := 0
	newContract := func(t *testing.T) string {
		t.Helper()
		contract++
		code := fmt.Sprintf("cli%d", contract)
		if err := s.family.AddContract(1, code); err != nil {
			t.Fatal(err)
		}
		return code
	}
	fault := func(f wechatpaytest.Fault) func(*testing.T) {
		return func(t *testing.T) {
			if err := s.srv.InjectFault("terminateByCode", f); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.srv.ClearFault("terminateByCode") })
		}
	}
	// args builds the arguments for the case's contract code; config is
	// s.proxied for a case that must send nothing, so that the proxy can tell.
	type args func(config, code string) []string
	terminate := func(config, code string) []string { return terminateArgs(config, "1", code) }
	withArgs := func(extra ...string) args {
		return func(config, code string) []string {
			out := []string{"-config", config, "terminate-by-code"}
			for _, a := range extra {
				out = append(out, strings.ReplaceAll(a, "CODE", code))
			}
			return out
		}
	}

	type exitCase struct {
		name       string
		setup      func(*testing.T)
		twice      bool // run the command once before, expecting exit 0
		args       args
		env        map[string]string // CONFIG in a value stands for the config file
		stdin      string
		want       int
		wantStdout string   // compact JSON, compared indented; for exit 0
		wantStderr []string // substrings
		wantNot    string   // a substring stderr must not hold
		wantState  contracts.State
	}
	tests := []exitCase{
		{
			name: "success", args: terminate, want: 0,
			wantStdout: `{"mchid":"1900000109","service_id":1,"out_contract_code":"CODE"}`,
			wantState:  contracts.Terminated,
		},
		{
			name: "--name=value and -d @file",
			args: withArgs("--service_id=1", "--out_contract_code=CODE", "-d", "@"+bodyFile), want: 0,
			wantStdout: `{"mchid":"1900000109","service_id":1,"out_contract_code":"CODE"}`,
			wantState:  contracts.Terminated,
		},
		{
			name: "-d @- reads stdin", stdin: exampleBody,
			args: withArgs("--out_contract_code", "CODE", "--service_id", "1", "-d", "@-"), want: 0,
			wantStdout: `{"mchid":"1900000109","service_id":1,"out_contract_code":"CODE"}`,
			wantState:  contracts.Terminated,
		},
		{
			name: "config from WECHATPAY_CONFIG", env: map[string]string{"WECHATPAY_CONFIG": "CONFIG"},
			args: func(_, code string) []string {
				return []string{"terminate-by-code", "--service_id", "1", "--out_contract_code", code, "-d", exampleBody}
			},
			want:       0,
			wantStdout: `{"mchid":"1900000109","service_id":1,"out_contract_code":"CODE"}`,
			wantState:  contracts.Terminated,
		},

		// 1: WeChat Pay answered with an error.
		{
			name: "terminated twice", twice: true, args: terminate, want: 1,
			wantStderr: []string{"status:     400 Bad Request", "code:       INVALID_REQUEST", "message:    "},
			wantState:  contracts.Terminated,
		},
		{
			name: "unknown contract",
			args: func(config, _ string) []string { return terminateArgs(config, "1", "nosuchcontract") },
			want: 1, wantStderr: []string{"400 Bad Request", "PARAM_ERROR", "detail:     field out_contract_code", "location path"},
			wantState: contracts.Active,
		},
		{
			name:  "injected 403 NO_AUTH",
			setup: fault(wechatpaytest.Fault{Kind: wechatpaytest.FaultError, Status: 403, Code: "NO_AUTH", Message: "商户暂无权限使用此功能"}),
			args:  terminate, want: 1,
			wantStderr: []string{"status:     403 Forbidden", "code:       NO_AUTH", "message:    商户暂无权限使用此功能"},
			wantState:  contracts.Active,
		},
		{
			name: "injected 500 SYSTEM_ERROR", setup: fault(wechatpaytest.Fault{Kind: wechatpaytest.FaultError}),
			args: terminate, want: 1, wantStderr: []string{"500 Internal Server Error", "SYSTEM_ERROR"},
			wantState: contracts.Active,
		},
		{
			name: "injected HTML 502", setup: fault(wechatpaytest.Fault{Kind: wechatpaytest.FaultHTML}),
			args: terminate, want: 1, wantStderr: []string{"502 Bad Gateway", "not a WeChat Pay error body"},
			wantState: contracts.Active,
		},

		// 2: usage and validation errors; nothing is sent.
		{
			name: "33-character code", args: withArgs("--service_id", "1", "--out_contract_code", strings.Repeat("a", 33), "-d", exampleBody),
			want: 2, wantStderr: []string{"nothing was sent", "out_contract_code: has 33 characters, at most 32 are allowed (rule maxLength)"},
			wantState: contracts.Active,
		},
		{
			name: "code breaks the pattern", args: withArgs("--service_id", "1", "--out_contract_code", "a-b", "-d", exampleBody),
			want: 2, wantStderr: []string{"out_contract_code: does not match the pattern", "(rule pattern)"},
			wantState: contracts.Active,
		},
		{
			name: "service_id not an integer", args: withArgs("--service_id", "abc", "--out_contract_code", "CODE", "-d", exampleBody),
			want: 2, wantStderr: []string{"service_id: must be an integer (rule type)"},
			wantState: contracts.Active,
		},
		{
			name: "service_id out of range", args: withArgs("--service_id", "99999999999999999999", "--out_contract_code", "CODE", "-d", exampleBody),
			want: 2, wantStderr: []string{"service_id: is out of range: a 64-bit integer is at most 9223372036854775807 (rule type)"},
			wantState: contracts.Active,
		},
		{
			name: "body with trailing data", args: withArgs("--service_id", "1", "--out_contract_code", "CODE", "-d", exampleBody+` {"x":1} garbage`),
			want: 2, wantStderr: []string{"body: has data after the JSON value (rule json)"},
			wantState: contracts.Active,
		},
		{
			name: "body with an unknown field", args: withArgs("--service_id", "1", "--out_contract_code", "CODE", "-d", `{"remark":"x"}`),
			want: 2, wantStderr: []string{"body: does not decode", `unknown field "remark"`, "(rule json)"},
			wantState: contracts.Active,
		},
		{
			name: "every broken rule is listed", args: withArgs("--service_id", "1", "--out_contract_code", strings.Repeat("-", 33), "-d", `{}`),
			want: 2, wantStderr: []string{"(rule maxLength)", "(rule pattern)", "contract_termination_remark: is required (rule required)"},
			wantState: contracts.Active,
		},
		{
			name: "unknown parameter", args: withArgs("--service_id", "1", "--out_contract_code", "CODE", "--bogus", "1", "-d", exampleBody),
			want: 2, wantStderr: []string{"unknown parameter --bogus", "--service_id, --out_contract_code"},
			wantState: contracts.Active,
		},
		{
			name: "missing required parameter", args: withArgs("--service_id", "1", "-d", exampleBody),
			want: 2, wantStderr: []string{"missing required parameter --out_contract_code"},
			wantState: contracts.Active,
		},
		{
			name: "duplicated parameter", args: withArgs("--service_id", "1", "--service_id=2", "--out_contract_code", "CODE", "-d", exampleBody),
			want: 2, wantStderr: []string{"parameter --service_id given twice"},
			wantState: contracts.Active,
		},
		{
			name: "missing -d", args: withArgs("--service_id", "1", "--out_contract_code", "CODE"),
			want: 2, wantStderr: []string{"missing the JSON body: -d JSON"},
			wantState: contracts.Active,
		},
		{
			name: "-d names a missing file", args: withArgs("--service_id", "1", "--out_contract_code", "CODE", "-d", "@/nonexistent/body.json"),
			want: 2, wantStderr: []string{"-d: open /nonexistent/body.json"},
			wantState: contracts.Active,
		},
		{
			name: "unknown operation", args: func(config, _ string) []string { return []string{"-config", config, "terminate"} },
			want: 2, wantStderr: []string{`unknown operation "terminate"`},
			wantState: contracts.Active,
		},
		{
			name: "operationId instead of its kebab name", args: func(config, _ string) []string { return []string{"-config", config, "terminateByCode"} },
			want: 2, wantStderr: []string{"did you mean terminate-by-code?"},
			wantState: contracts.Active,
		},
		{
			name: "no config", args: func(_, code string) []string { return terminateArgs("", "1", code)[2:] },
			want: 2, wantStderr: []string{"give -config FILE or set WECHATPAY_CONFIG"},
			wantState: contracts.Active,
		},
		{
			name: "config that fails to load", args: func(_, code string) []string { return terminateArgs(badJSON, "1", code) },
			want: 2, wantStderr: []string{"wechatpay: config " + badJSON, `unknown field "api_v3_key"`},
			wantState: contracts.Active,
		},
		{
			name: "missing config file", args: func(_, code string) []string { return terminateArgs(filepath.Join(s.dir, "absent.json"), "1", code) },
			want: 2, wantStderr: []string{"absent.json", "no such file"},
			wantState: contracts.Active,
		},
		{
			name: "unknown global flag", args: func(config, code string) []string { return append([]string{"-x"}, terminateArgs(config, "1", code)...) },
			want: 2, wantStderr: []string{"flag provided but not defined: -x"},
			wantState: contracts.Active,
		},

		// 3: no usable answer.
		{
			name: "closed port", args: func(_, code string) []string { return terminateArgs(closed, "1", code) },
			want: 3, wantStderr: []string{"wechatpay: terminate-by-code: POST", "connection refused"}, wantNot: "terminateByCode",
			wantState: contracts.Active,
		},
		{
			name: "dropped connection", setup: fault(wechatpaytest.Fault{Kind: wechatpaytest.FaultDropConnection}),
			args: terminate, want: 3, wantStderr: []string{"wechatpay: terminate-by-code: POST"}, wantNot: "terminateByCode",
			wantState: contracts.Active,
		},
		{
			name: "truncated body", setup: fault(wechatpaytest.Fault{Kind: wechatpaytest.FaultTruncatedBody}),
			args: terminate, want: 3, wantStderr: []string{"read response"},
			wantState: contracts.Terminated,
		},
	}
	for _, kind := range []wechatpaytest.FaultKind{
		wechatpaytest.FaultTamperedBody, wechatpaytest.FaultBadSignature, wechatpaytest.FaultStaleTimestamp,
		wechatpaytest.FaultUnknownSerial, wechatpaytest.FaultMissingSignature,
	} {
		tests = append(tests, exitCase{
			name: "verification: " + kind.String(), setup: fault(wechatpaytest.Fault{Kind: kind}),
			args: terminate, want: 3,
			wantStderr: []string{"response verification failed", "The answer failed verification and was discarded."},
			// These faults spoil the answer of an operation that ran.
			wantState: contracts.Terminated,
		})
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := newContract(t)
			if tt.setup != nil {
				tt.setup(t)
			}
			config := s.config
			if tt.want == 2 {
				config = s.proxied
			}
			sentBefore := len(s.sent())
			if tt.twice {
				if r := cli(t, nil, "", tt.args(config, code)...); r.code != 0 {
					t.Fatalf("first terminate: exit %d\n%s", r.code, r.stderr)
				}
			}
			env := map[string]string{}
			for k, v := range tt.env {
				env[k] = strings.ReplaceAll(v, "CONFIG", config)
			}
			r := cli(t, env, tt.stdin, tt.args(config, code)...)
			if r.code != tt.want {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.want, r.stdout, r.stderr)
			}
			if tt.want == 0 {
				// The answer is printed in the order of the response
				// type's fields, which is the spec's.
				var indented bytes.Buffer
				if err := json.Indent(&indented, []byte(strings.ReplaceAll(tt.wantStdout, "CODE", code)), "", "  "); err != nil {
					t.Fatal(err)
				}
				if r.stdout != indented.String()+"\n" {
					t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, indented.String())
				}
				if r.stderr != "" {
					t.Errorf("stderr on success: %s", r.stderr)
				}
			} else if r.stdout != "" {
				t.Errorf("stdout on exit %d: %q", r.code, r.stdout)
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr does not contain %q:\n%s", want, r.stderr)
				}
			}
			if tt.wantNot != "" && strings.Contains(r.stderr, tt.wantNot) {
				t.Errorf("stderr contains %q:\n%s", tt.wantNot, r.stderr)
			}
			if tt.want == 1 && !requestIDLine.MatchString(r.stderr) {
				t.Errorf("stderr names no Request-ID:\n%s", r.stderr)
			}
			if tt.want == 2 {
				if n := len(s.sent()) - sentBefore; n != 0 {
					t.Errorf("%d requests sent, want none", n)
				}
			}
			if got := s.family.State(1, code); got != tt.wantState {
				t.Errorf("contract state %v, want %v", got, tt.wantState)
			}
		})
	}
}

// TestRunExample terminates the official example contract as the spec's
// reference example does, checking the output byte for byte.
func TestRunExample(t *testing.T) {
	s := newSandbox(t)
	r := cli(t, nil, "", terminateArgs(s.config, "12535", contracts.ExampleOutContractCode)...)
	if r.code != 0 || r.stdout != exampleOut || r.stderr != "" {
		t.Fatalf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr: %s", r.code, r.stdout, exampleOut, r.stderr)
	}
	if st := s.family.State(contracts.ExampleServiceID, contracts.ExampleOutContractCode); st != contracts.Terminated {
		t.Errorf("contract is %v after exit 0", st)
	}
}

// TestRunCancelled checks that an ended context (SIGINT, SIGTERM) stops a
// call in flight with exit 3.
func TestRunCancelled(t *testing.T) {
	s := newSandbox(t)
	if err := s.srv.InjectFault("terminateByCode", wechatpaytest.Fault{Kind: wechatpaytest.FaultDelay, Delay: time.Minute}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	var stdout, stderr strings.Builder
	start := time.Now()
	code := run(ctx, terminateArgs(s.config, "12535", contracts.ExampleOutContractCode), strings.NewReader(""), &stdout, &stderr, func(string) string { return "" })
	if code != 3 || stdout.Len() != 0 || !strings.Contains(stderr.String(), "context deadline exceeded") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 3 and the context's error", code, stdout.String(), stderr.String())
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("run returned after %v", d)
	}
}

func TestHelp(t *testing.T) {
	ops := passwordexemptcontract.Operations

	r := cli(t, nil, "", "-h")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("-h: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, op := range ops {
		line := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(op.Name) + ` +` + regexp.QuoteMeta(op.Summary) + `$`)
		if !line.MatchString(r.stdout) {
			t.Errorf("-h does not list %s with its summary:\n%s", op.Name, r.stdout)
		}
	}
	for _, want := range []string{"usage: wechatpay [-config FILE] [-v] OPERATION", "-config FILE", "WECHATPAY_CONFIG", "-v "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("-h does not contain %q:\n%s", want, r.stdout)
		}
	}

	// Without arguments the listing is a usage error.
	none := cli(t, nil, "")
	if none.code != 2 || none.stdout != "" || none.stderr != r.stdout {
		t.Errorf("no arguments: exit %d, stdout %q, stderr %q; want 2 and the -h listing on stderr", none.code, none.stdout, none.stderr)
	}

	for _, op := range ops {
		name := op.Name
		for _, flag := range []string{"-h", "--help"} {
			// Help needs no config and wins over a missing body and
			// missing parameters.
			args := []string{name}
			if len(op.Params) > 0 {
				args = append(args, "--"+op.Params[0].Name, "1")
			}
			r := cli(t, nil, "", append(args, flag)...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("%s %s: exit %d, stderr %q", name, flag, r.code, r.stderr)
			}
			want := []string{
				"usage: wechatpay [-config FILE] [-v] " + name,
				op.Summary,
				"operationId:  " + op.ID,
				"method:       " + op.Method,
				"path:         " + op.PathTemplate,
			}
			if op.HasBody {
				want = append(want, "body:         JSON, required (-d)")
			} else {
				want = append(want, "body:         none")
			}
			for _, w := range want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("%s %s does not contain %q:\n%s", name, flag, w, r.stdout)
				}
			}
			for _, p := range op.Params {
				required := "no"
				if p.Required {
					required = "yes"
				}
				rules := p.Rules
				if rules == "" {
					rules = "-"
				}
				row := regexp.MustCompile(`(?m)^  --` + regexp.QuoteMeta(p.Name) + ` +` + p.In + ` +` + p.Type + ` +` + required + ` +` +
					regexp.QuoteMeta(rules) + ` +` + regexp.QuoteMeta(strings.Join(strings.Fields(p.Description), " ")) + `$`)
				if !row.MatchString(r.stdout) {
					t.Errorf("%s %s has no row for --%s (%s, %s, %s):\n%s", name, flag, p.Name, p.In, p.Type, required, r.stdout)
				}
			}
		}
	}
}

func TestVerbose(t *testing.T) {
	s := newSandbox(t)
	r := cli(t, nil, "", append([]string{"-v"}, terminateArgs(s.proxied, "12535", contracts.ExampleOutContractCode)...)...)
	if r.code != 0 || r.stdout != exampleOut {
		t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	auths := s.sent()
	if len(auths) != 1 {
		t.Fatalf("the proxy saw %d requests, want 1", len(auths))
	}
	m := regexp.MustCompile(`signature="([^"]+)"`).FindStringSubmatch(auths[0])
	if m == nil {
		t.Fatalf("no signature in the Authorization header sent: %s", auths[0])
	}
	log := r.stderr
	if strings.Contains(log, m[1]) {
		t.Errorf("the log holds the request signature:\n%s", log)
	}
	for _, want := range []string{
		"level=DEBUG",
		`msg="http request" method=POST url=` + strings.TrimSuffix(mustReadConfigURL(t, s.proxied), "/") +
			"/v3/password-exempt-contract/contracts/service-id/12535/out-contract-code/wxwtdk20200910100000/terminate",
		// The text handler quotes the header value, escaping its quotes.
		`signature=\"REDACTED\"`,
		`mchid=\"1900000109\"`,
		"header.Content-Type=application/json",
		"header.Wechatpay-Serial=" + wechatpaytest.DefaultWechatpayKeyID,
		`msg="http response" status="200 OK"`,
		"header.Request-Id=",
		"header.Wechatpay-Signature=",
		`msg="wechatpay call" operation=terminateByCode`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the log does not contain %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, exampleBody) || strings.Contains(log, "out_contract_code\"") {
		t.Errorf("the log holds a body:\n%s", log)
	}
	pemFile, err := os.ReadFile(filepath.Join(s.dir, merchantKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(pemFile), "\n") {
		if line != "" && strings.Contains(log, line) {
			t.Errorf("the log holds a line of the merchant key file: %s", line)
		}
	}
	if strings.Contains(log, "-----BEGIN") {
		t.Errorf("the log holds a PEM block:\n%s", log)
	}

	// Without -v nothing is logged.
	if err := s.family.AddContract(1, "quiet"); err != nil {
		t.Fatal(err)
	}
	if r := cli(t, nil, "", terminateArgs(s.config, "1", "quiet")...); r.code != 0 || r.stderr != "" {
		t.Errorf("without -v: exit %d, stderr %q", r.code, r.stderr)
	}
}

func mustReadConfigURL(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		BaseURL string `json:"base_url"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return f.BaseURL
}
