package main

// These tests exercise the committed generated package itself: the code the
// generator writes must do what the spec says.

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	pec "github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/wechatpay"
)

func validRequest() *pec.TerminateByCodeRequest {
	return &pec.TerminateByCodeRequest{
		ServiceID:                 12535,
		OutContractCode:           "wxwtdk20200910100000",
		ContractTerminationRemark: "用户解约",
	}
}

// violations returns the ValidationErrors err joins, as "field rule".
func violations(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	var out []string
	for _, e := range errs {
		var ve *wechatpay.ValidationError
		if !errors.As(e, &ve) {
			t.Fatalf("%v is not a *wechatpay.ValidationError", e)
		}
		out = append(out, ve.Field+" "+ve.Rule)
	}
	return out
}

func TestValidateAcceptsValidRequest(t *testing.T) {
	if err := validRequest().Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	r := validRequest()
	r.OutContractCode = strings.Repeat("A", 32)
	r.ContractTerminationRemark = strings.Repeat("解", 256) // 768 bytes, 256 characters
	if err := r.Validate(); err != nil {
		t.Fatalf("Validate at the limits: %v", err)
	}
}

func TestValidateRejectsBadContractCode(t *testing.T) {
	for _, code := range []string{
		strings.Repeat("a", 33), "", "a/b", "..", ".", "a%2Fb", "a?b", "a#b", "a b", "协议号", "abc\n",
	} {
		r := validRequest()
		r.OutContractCode = code
		err := r.Validate()
		var ve *wechatpay.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("OutContractCode %q: Validate = %v, want a *wechatpay.ValidationError", code, err)
			continue
		}
		if ve.Field != "out_contract_code" {
			t.Errorf("OutContractCode %q: Field %q", code, ve.Field)
		}
	}
}

func TestValidateMessages(t *testing.T) {
	r := validRequest()
	r.OutContractCode = strings.Repeat("a", 33)
	err := r.Validate()
	if got := violations(t, err); strings.Join(got, ",") != "out_contract_code maxLength,out_contract_code pattern" {
		t.Fatalf("violations %v", got)
	}
	if !strings.Contains(err.Error(), "wechatpay: invalid out_contract_code: has 33 characters, at most 32 are allowed") {
		t.Fatalf("error %q", err)
	}

	r = validRequest()
	r.OutContractCode = ""
	if got := violations(t, r.Validate()); strings.Join(got, ",") != "out_contract_code required" {
		t.Fatalf("empty code: violations %v", got)
	}
}

func TestValidateCountsCharactersNotBytes(t *testing.T) {
	r := validRequest()
	r.ContractTerminationRemark = strings.Repeat("解", 257)
	err := r.Validate()
	if got := violations(t, err); strings.Join(got, ",") != "contract_termination_remark maxLength" {
		t.Fatalf("violations %v", got)
	}
	if !strings.Contains(err.Error(), "has 257 characters, at most 256 are allowed") {
		t.Fatalf("error %q", err)
	}
}

func TestValidateRejectsInvalidUTF8(t *testing.T) {
	r := validRequest()
	r.ContractTerminationRemark = "ok\xff"
	if got := violations(t, r.Validate()); strings.Join(got, ",") != "contract_termination_remark utf8" {
		t.Fatalf("violations %v", got)
	}
}

func TestValidateCollectsEveryViolation(t *testing.T) {
	r := &pec.TerminateByCodeRequest{ServiceID: 1, OutContractCode: "a/b", ContractTerminationRemark: ""}
	got := violations(t, r.Validate())
	if strings.Join(got, ",") != "out_contract_code pattern,contract_termination_remark required" {
		t.Fatalf("violations %v", got)
	}
}

func TestValidateNilRequest(t *testing.T) {
	var r *pec.TerminateByCodeRequest
	var ve *wechatpay.ValidationError
	if err := r.Validate(); !errors.As(err, &ve) || ve.Rule != "required" {
		t.Fatalf("nil request: Validate = %v", err)
	}
}

func TestRequestMarshalsToTheBody(t *testing.T) {
	body, err := json.Marshal(validRequest())
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != `{"contract_termination_remark":"用户解约"}` {
		t.Fatalf("body %s", body)
	}
}

func TestResponseDecodes(t *testing.T) {
	var r pec.TerminateByCodeResponse
	if err := json.Unmarshal([]byte(`{"mchid":"1900000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000"}`), &r); err != nil {
		t.Fatal(err)
	}
	if r.MchID != "1900000109" || r.ServiceID != 12535 || r.OutContractCode != "wxwtdk20200910100000" {
		t.Fatalf("decoded %+v", r)
	}
}

func TestOperationsTable(t *testing.T) {
	if len(pec.Operations) != 1 {
		t.Fatalf("Operations = %+v", pec.Operations)
	}
	op := pec.Operations[0]
	if op.ID != "terminateByCode" || op.Method != "POST" ||
		op.PathTemplate != "/v3/password-exempt-contract/contracts/service-id/{service_id}/out-contract-code/{out_contract_code}/terminate" ||
		!strings.HasPrefix(op.Summary, "Terminate a contract") {
		t.Fatalf("Operations[0] = %+v", op)
	}
}
