package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/payforge/wechatpay/gen/passwordexemptcontract"
)

// TestOperationHelpListsTheBody: OP -h lists every body field with its
// type, whether it is required and its rules, as the spec gives them.
func TestOperationHelpListsTheBody(t *testing.T) {
	for _, op := range passwordexemptcontract.Operations {
		r := cli(t, nil, "", op.Name, "-h")
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("%s -h: exit %d, stderr %q", op.Name, r.code, r.stderr)
		}
		if !op.HasBody {
			if strings.Contains(r.stdout, "Body fields") {
				t.Errorf("%s -h lists body fields for an operation without a body:\n%s", op.Name, r.stdout)
			}
			continue
		}
		if !strings.Contains(r.stdout, "\nBody fields (-d JSON):\n") {
			t.Errorf("%s -h has no body fields:\n%s", op.Name, r.stdout)
		}
		for _, f := range op.Body {
			required := "optional"
			if f.Required {
				required = "required"
			}
			rules := f.Rules
			if rules == "" {
				rules = "-"
			}
			row := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(f.Name) + ` +` + regexp.QuoteMeta(f.Type) + ` +` + required + ` +` + regexp.QuoteMeta(rules) + `( |$)`)
			if !row.MatchString(r.stdout) {
				t.Errorf("%s -h has no row for body field %s (%s, %s, %s):\n%s", op.Name, f.Name, f.Type, required, rules, r.stdout)
			}
		}
	}
	// Spot checks against the spec itself.
	r := cli(t, nil, "", "pre-sign-qs-mini-program", "-h")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^  notify_url +string +required +at least 1 character; at most 256 characters; pattern \^https://\[\^\\p\{Cc\}`),
		regexp.MustCompile(`(?m)^  openid +string +optional +at least 1 character; at most 128 characters; one of openid and sub_openid is required `),
		regexp.MustCompile(`(?m)^  service_id +integer +required +at least 1 `),
	} {
		if !want.MatchString(r.stdout) {
			t.Errorf("pre-sign-qs-mini-program -h does not match %s:\n%s", want, r.stdout)
		}
	}
}

// TestHelpCommand: "wechatpay help" is -h, and "wechatpay help OP" is OP -h.
func TestHelpCommand(t *testing.T) {
	usage := cli(t, nil, "", "-h")
	if r := cli(t, nil, "", "help"); r.code != 0 || r.stderr != "" || r.stdout != usage.stdout {
		t.Errorf("help: exit %d, stderr %q, stdout\n%s\nwant the -h listing", r.code, r.stderr, r.stdout)
	}
	if !strings.Contains(usage.stdout, "wechatpay help [OPERATION]") {
		t.Errorf("-h does not mention the help command:\n%s", usage.stdout)
	}
	for _, op := range passwordexemptcontract.Operations {
		want := cli(t, nil, "", op.Name, "-h")
		if r := cli(t, nil, "", "help", op.Name); r.code != 0 || r.stderr != "" || r.stdout != want.stdout {
			t.Errorf("help %s: exit %d, stderr %q, stdout\n%s\nwant\n%s", op.Name, r.code, r.stderr, r.stdout, want.stdout)
		}
	}
	if r := cli(t, nil, "", "help", "terminate-by-cod"); r.code != 2 || r.stdout != "" ||
		!strings.Contains(r.stderr, `unknown operation "terminate-by-cod"; did you mean terminate-by-code?`) {
		t.Errorf("help of an unknown operation: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := cli(t, nil, "", "help", "terminate-by-code", "extra"); r.code != 2 || !strings.Contains(r.stderr, "help takes one operation") {
		t.Errorf("help with two arguments: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestUnknownOperationSuggests: an unknown operation names the nearest
// operations by edit distance, or the one whose name holds what was typed.
func TestUnknownOperationSuggests(t *testing.T) {
	for _, tt := range []struct {
		typed, want string
	}{
		{"terminate-by-cod", "; did you mean terminate-by-code?"},
		{"terminte-by-code", "; did you mean terminate-by-code?"},
		{"terminateByCode", "; did you mean terminate-by-code?"},
		{"query", "; did you mean one of query-refund, query-by-code, query-by-out-trade-no?"},
		{"pre-sign-normal", "; did you mean one of pre-sign-normal-mini-program, pre-sign-normal-pay-redirect-sign?"},
		{"pre-sign-qs-mini-programs", "; did you mean pre-sign-qs-mini-program?"},
		{"refund", "; did you mean one of query-refund, create-refund, apply-abnormal-refund?"},
		{"transfer", ""},
	} {
		r := cli(t, nil, "", tt.typed)
		want := `wechatpay: unknown operation "` + tt.typed + `"` + tt.want + "\n"
		if r.code != 2 || !strings.HasPrefix(r.stderr, want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", tt.typed, r.code, r.stderr, want)
		}
	}
}
