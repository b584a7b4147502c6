package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/payforge/wechatpay/gen/bills"
	"github.com/payforge/wechatpay/gen/contractpayments"
	"github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/gen/payments"
	"github.com/payforge/wechatpay/gen/refunds"
	"github.com/payforge/wechatpay/wechatpay"
)

// TestCatalog checks that the command offers every generated operation,
// under unique names, with everything a call and its help need.
func TestCatalog(t *testing.T) {
	ops := catalog()
	seen := map[string]bool{}
	for _, op := range ops {
		if seen[op.Name] {
			t.Errorf("two operations are named %s", op.Name)
		}
		seen[op.Name] = true
		if op.Call == nil || op.Method == "" || op.PathTemplate == "" || op.Name == "" || op.Spec == "" || op.HasBody != (len(op.Body) > 0) {
			t.Errorf("incomplete operation %+v", op)
		}
	}
	// Every operation of every generated package, and nothing else.
	tables := [][]wechatpay.Operation{passwordexemptcontract.Operations, payments.Operations,
		contractpayments.Operations, refunds.Operations, bills.Operations}
	want := 0
	for _, table := range tables {
		want += len(table)
		for _, g := range table {
			if !seen[g.Name] {
				t.Errorf("generated operation %s (%s) is missing", g.ID, g.Spec)
			}
		}
	}
	if len(ops) != want {
		t.Errorf("%d operations, want %d", len(ops), want)
	}
}

func TestParseArgs(t *testing.T) {
	withBody := &wechatpay.Operation{Name: "make-thing", HasBody: true, Params: []wechatpay.Field{
		{Name: "id", In: "path", Type: "integer", Required: true},
		{Name: "limit", In: "query", Type: "integer"},
	}}
	noBody := &wechatpay.Operation{Name: "get-thing", Params: []wechatpay.Field{{Name: "id", In: "path", Type: "string", Required: true}}}
	for _, tt := range []struct {
		op      *wechatpay.Operation
		args    []string
		params  map[string]string
		body    string
		wantErr string // substring; empty for success
	}{
		{op: withBody, args: []string{"--id", "7", "-d", "{}"}, params: map[string]string{"id": "7"}, body: "{}"},
		{op: withBody, args: []string{"-d={}", "--id=7", "--limit", "-1"}, params: map[string]string{"id": "7", "limit": "-1"}, body: "{}"},
		{op: withBody, args: []string{"--id=", "-d", "@-"}, params: map[string]string{"id": ""}, body: "@-"},
		{op: noBody, args: []string{"--id", "x"}, params: map[string]string{"id": "x"}},
		{op: noBody, args: []string{"--id", "x", "-d", "{}"}, wantErr: "-d: the operation takes no body"},
		{op: withBody, args: []string{"--id", "7"}, wantErr: "missing the JSON body"},
		{op: withBody, args: []string{"-d", "{}"}, wantErr: "missing required parameter --id"},
		{op: withBody, args: []string{"--id", "7", "-d", "{}", "-d", "{}"}, wantErr: "-d given twice"},
		{op: withBody, args: []string{"--id", "7", "--id", "8", "-d", "{}"}, wantErr: "parameter --id given twice"},
		{op: withBody, args: []string{"--ID", "7"}, wantErr: "unknown parameter --ID; it takes --id, --limit"},
		{op: withBody, args: []string{"--id"}, wantErr: "--id needs a value"},
		{op: withBody, args: []string{"--id", "7", "-d"}, wantErr: "-d needs a value"},
		{op: withBody, args: []string{"-id", "7"}, wantErr: "unknown flag -id"},
		{op: withBody, args: []string{"-v", "--id", "7"}, wantErr: "flags -config and -v go before the operation"},
		{op: withBody, args: []string{"7"}, wantErr: `unexpected argument "7"`},
		{op: withBody, args: []string{"--"}, wantErr: "unknown flag --"},
		{op: withBody, args: []string{"--id", "7", "-h", "--bogus"}, wantErr: errHelp.Error()},
	} {
		inv, err := parseArgs(tt.op, tt.args)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s %q: %v", tt.op.Name, tt.args, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s %q: error %v, want %q", tt.op.Name, tt.args, err, tt.wantErr)
		case tt.wantErr == "":
			if !maps.Equal(inv.params, tt.params) || inv.body != tt.body || inv.hasBody != (tt.body != "") {
				t.Errorf("%s %q = %+v, want params %v body %q", tt.op.Name, tt.args, inv, tt.params, tt.body)
			}
		}
	}
}

func TestRedactSignature(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{
			`WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="abc",signature="uOVRnA4qG/MNnYzdQxJanN+zU+lTgIcnU9BxGw5dKjK+VdEUz2FeIoC+D5sB/LN+nGzX3hfZg6r5wT1pl2ZobmIc6p0ldN7J6yDgUzbX8Uk3sD4a4eZVPTBvqNDoUqcYMlZ9uuDdCvNv4TM3c1WzsXUrExwVkI1XO5jCNbgDJ25nkT/c1gIFvqoogl7MdSFGc4W4xZsqCItnqbypR3RuGIlR9h9vlRsy7zJR9PBI83X8alLDIfR1ukt1P7tMnmogZ0cuDY8cZsd8ZlCgLadmvej58SLsIkVxFJ8XmUgx9FMPe14NGO1bQVqszbxrdBxAwoSn1J7yQa8/mntA==",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"`,
			`WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="abc",signature="REDACTED",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"`,
		},
		{`WECHATPAY2-SHA256-RSA2048 signature="c2lnbmF0dXJl",mchid="1"`, `WECHATPAY2-SHA256-RSA2048 signature="REDACTED",mchid="1"`},
		{`WECHATPAY2-SHA256-RSA2048 mchid="1",Signature=c2lnbmF0dXJl`, `WECHATPAY2-SHA256-RSA2048 mchid="1",Signature="REDACTED"`},
		{`WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="x"`, `WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="x"`},
		// Only the signature field, not one that merely ends in "signature".
		{`X mysignature="keep",signature="drop"`, `X mysignature="keep",signature="REDACTED"`},
	} {
		if got := redactSignature(tt.in); got != tt.want {
			t.Errorf("redactSignature(%q)\n= %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestExitCode(t *testing.T) {
	apiErr := &wechatpay.APIError{StatusCode: 400, Code: "PARAM_ERROR", Operation: "terminateByCode"}
	validation := &wechatpay.ValidationError{Field: "out_contract_code", Rule: "maxLength", Message: "too long"}
	for _, tt := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{apiErr, 1},
		{fmt.Errorf("call: %w", apiErr), 1},
		{validation, 2},
		{errors.Join(validation, &wechatpay.ValidationError{Field: "body", Rule: "json"}), 2},
		{fmt.Errorf("call: %w", errors.Join(validation)), 2},
		{&wechatpay.VerificationError{Err: wechatpay.ErrBadSignature}, 3},
		{&wechatpay.TransportError{Err: context.Canceled}, 3},
		{&wechatpay.DecodeError{Err: errors.New("bad JSON")}, 3},
		{errors.New("unforeseen"), 3},
	} {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

// TestReportDecodeError covers the one class the sandbox cannot produce: a
// verified answer that does not fit the response type.
func TestReportDecodeError(t *testing.T) {
	var w strings.Builder
	op := &wechatpay.Operation{ID: "terminateByCode", Name: "terminate-by-code"}
	err := &wechatpay.DecodeError{Operation: "terminateByCode", RequestID: "ABC", Err: errors.New("unexpected end of JSON input")}
	if code := report(&w, op, err); code != 3 {
		t.Errorf("exit %d, want 3", code)
	}
	// The operation is named as the user typed it, like in every other message.
	if want := "wechatpay: terminate-by-code: decode response: unexpected end of JSON input [Request-ID ABC]\n"; w.String() != want {
		t.Errorf("report wrote %q, want %q", w.String(), want)
	}

	w.Reset()
	if code := report(&w, op, errors.New("unforeseen")); code != 3 || w.String() != "wechatpay: terminate-by-code: unforeseen\n" {
		t.Errorf("report = %d, %q", code, w.String())
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"", "abc", 3}, {"kitten", "sitting", 3},
		{"terminate-by-cod", "terminate-by-code", 1}, {"解约", "解约", 0}, {"解约", "约", 1},
	} {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
