package generator

// These tests exercise the committed generated package itself: the code the
// generator writes must do what the spec says.

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

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
	var out []string
	for _, ve := range wechatpay.ValidationErrors(err) {
		out = append(out, ve.Field+" "+ve.Rule)
	}
	if err != nil && len(out) == 0 {
		t.Fatalf("%v holds no *wechatpay.ValidationError", err)
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
	want := []string{
		"preSignEcommerceMiniProgram",
		"preSignEcommercePayRedirectSign",
		"preSignNormalMiniProgram",
		"preSignNormalPayRedirectSign",
		"preSignQsMiniProgram",
		"preSignQsPayRedirectSign",
		"preSignServiceProviderMiniProgram",
		"preSignServiceProviderPayRedirectSign",
		"queryByCode",
		"terminateByCode",
	}
	var got []string
	for _, op := range pec.Operations {
		got = append(got, op.ID)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("operation IDs %v, want %v", got, want)
	}
	for _, op := range pec.Operations {
		if op.ID != "terminateByCode" {
			continue
		}
		if op.Method != "POST" || !op.HasBody || len(op.Params) != 2 || op.Name != "terminate-by-code" || op.Spec != "password-exempt-contract" ||
			len(op.Body) != 1 || op.Body[0] != (wechatpay.Field{Name: "contract_termination_remark", In: "body", Type: "string", Required: true,
			Rules: "at least 1 character; at most 256 characters", Description: `Why the contract is terminated (解约备注), for example "用户解约".`}) ||
			op.Params[1].Rules != "at least 1 character; at most 32 characters; pattern ^[0-9A-Za-z]{1,32}$" ||
			op.PathTemplate != "/v3/password-exempt-contract/contracts/service-id/{service_id}/out-contract-code/{out_contract_code}/terminate" ||
			!strings.HasPrefix(op.Summary, "Terminate a contract") {
			t.Fatalf("terminateByCode = %+v", op)
		}
	}
}

// TestOperationsCallValidates calls every operation of the table with an
// empty request: each must refuse it before anything is sent (a required
// field among the violations), so the client needs no runtime.
func TestOperationsCallValidates(t *testing.T) {
	for _, op := range pec.Operations {
		var body []byte
		if op.HasBody {
			body = []byte("{}")
		}
		resp, err := op.Call(context.Background(), nil, nil, body)
		required := false
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				var ve *wechatpay.ValidationError
				required = required || errors.As(e, &ve) && ve.Rule == "required"
			}
		}
		if resp != nil || !required {
			t.Errorf("%s: Call = %v, %v; want a required violation", op.ID, resp, err)
		}
	}
}

func validQsRequest() *pec.PreSignQsMiniProgramRequest {
	return &pec.PreSignQsMiniProgramRequest{
		AppID:                  "wxd678efh567hg6787",
		SubAppID:               "wxd678efh567hg6999",
		SubMchID:               "1900000109",
		ServiceID:              12535,
		OutContractCode:        "wxwtdk20200910100000",
		NotifyURL:              "https://example.com/notify",
		ContractDisplayAccount: "demo",
	}
}

func TestAnyOfOpenIDOrSubOpenID(t *testing.T) {
	r := validQsRequest()
	err := r.Validate()
	var ve *wechatpay.ValidationError
	if !errors.As(err, &ve) || ve.Field != "openid|sub_openid" || ve.Rule != "anyOf" || ve.Message != "one of openid and sub_openid is required" {
		t.Fatalf("neither openid nor sub_openid: Validate = %v", err)
	}
	for _, set := range []func(*pec.PreSignQsMiniProgramRequest){
		func(r *pec.PreSignQsMiniProgramRequest) { r.OpenID = "o1" },
		func(r *pec.PreSignQsMiniProgramRequest) { r.SubOpenID = "o2" },
		func(r *pec.PreSignQsMiniProgramRequest) { r.OpenID, r.SubOpenID = "o1", "o2" },
	} {
		r := validQsRequest()
		set(r)
		if err := r.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v", r, err)
		}
	}
	// The same rule holds for the pay-redirect variant.
	p := &pec.PreSignQsPayRedirectSignRequest{
		AppID: "a", SubAppID: "b", SubMchID: "c", ServiceID: 1, OutContractCode: "x1",
		NotifyURL: "https://example.com/n", ContractDisplayAccount: "d", PrepayID: "p",
	}
	if got := violations(t, p.Validate()); strings.Join(got, ",") != "openid|sub_openid anyOf" {
		t.Fatalf("pay-redirect variant: violations %v", got)
	}
}

func TestOptionalFieldsAreOmitted(t *testing.T) {
	r := validQsRequest()
	r.OpenID = "o1"
	body, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	// In the order the spec lists the fields.
	const want = `{"appid":"wxd678efh567hg6787","sub_appid":"wxd678efh567hg6999","sub_mchid":"1900000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000","notify_url":"https://example.com/notify","contract_display_account":"demo","openid":"o1"}`
	if string(body) != want {
		t.Fatalf("body\n got %s\nwant %s", body, want)
	}
}

func TestQueryResponseDecodes(t *testing.T) {
	const signed = `{"mchid":"1900000109","contract_id":"100005698","appid":"wxd678efh567hg6787","openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o","service_id":12535,"out_contract_code":"wxwtdk20200910100000","contract_state":"SIGNED","contract_signed_time":"2020-09-10T13:29:35+08:00"}`
	var r pec.QueryByCodeResponse
	if err := json.Unmarshal([]byte(signed), &r); err != nil {
		t.Fatal(err)
	}
	when := time.Date(2020, 9, 10, 13, 29, 35, 0, time.FixedZone("", 8*3600))
	if !r.ContractSignedTime.Equal(when) || r.ContractState != pec.ContractStateSigned || !r.ContractState.Known() || r.ContractTerminateInfo != nil {
		t.Fatalf("decoded %+v", r)
	}

	// A state and a termination mode the spec does not know decode as they are.
	const ended = `{"contract_state":"SOMETHING_NEW","contract_signed_time":"2020-09-10T13:29:35+08:00","contract_terminate_info":{"contract_termination_mode":"NEW_MODE","contract_terminated_time":"2020-10-01T08:00:00Z"}}`
	r = pec.QueryByCodeResponse{}
	if err := json.Unmarshal([]byte(ended), &r); err != nil {
		t.Fatal(err)
	}
	info := r.ContractTerminateInfo
	if r.ContractState != "SOMETHING_NEW" || r.ContractState.Known() || info == nil ||
		info.ContractTerminationMode != "NEW_MODE" || info.ContractTerminationMode.Known() ||
		!info.ContractTerminatedTime.Equal(time.Date(2020, 10, 1, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("decoded %+v, %+v", r, info)
	}
}

// The pre-signing operations that answer with the same component share
// one type named after it; a response of one operation keeps its own.
var (
	_ func(context.Context, *pec.PreSignNormalMiniProgramRequest) (*pec.PreSignMiniProgramResult, error)                           = (*pec.Client)(nil).PreSignNormalMiniProgram
	_ func(context.Context, *pec.PreSignEcommerceMiniProgramRequest) (*pec.PreSignMiniProgramResult, error)                        = (*pec.Client)(nil).PreSignEcommerceMiniProgram
	_ func(context.Context, *pec.PreSignQsMiniProgramRequest) (*pec.PreSignMiniProgramResult, error)                               = (*pec.Client)(nil).PreSignQsMiniProgram
	_ func(context.Context, *pec.PreSignNormalPayRedirectSignRequest) (*pec.PreSignPayRedirectResult, error)                       = (*pec.Client)(nil).PreSignNormalPayRedirectSign
	_ func(context.Context, *pec.PreSignQsPayRedirectSignRequest) (*pec.PreSignPayRedirectResult, error)                           = (*pec.Client)(nil).PreSignQsPayRedirectSign
	_ func(context.Context, *pec.TerminateByCodeRequest) (*pec.TerminateByCodeResponse, error)                                     = (*pec.Client)(nil).TerminateByCode
	_ func(context.Context, *pec.QueryByCodeRequest) (*pec.QueryByCodeResponse, error)                                             = (*pec.Client)(nil).QueryByCode
	_ func(context.Context, *pec.PreSignServiceProviderMiniProgramRequest) (*pec.PreSignServiceProviderMiniProgramResponse, error) = (*pec.Client)(nil).PreSignServiceProviderMiniProgram
)

// TestOperationsCallRefusesTrailingData: the body given to an operation's
// Call is one JSON value; anything after it is refused before anything is
// sent (the runtime client is nil: a call that got through would panic).
func TestOperationsCallRefusesTrailingData(t *testing.T) {
	for _, op := range pec.Operations {
		if op.ID != "terminateByCode" {
			continue
		}
		params := map[string]string{"service_id": "12535", "out_contract_code": "wxwtdk20200910100000"}
		resp, err := op.Call(context.Background(), nil, params, []byte(`{"contract_termination_remark":"用户解约"} {"x":1} garbage`))
		var ve *wechatpay.ValidationError
		if resp != nil || !errors.As(err, &ve) || ve.Field != "body" || ve.Rule != "json" {
			t.Fatalf("Call with trailing data = %v, %v; want a json violation on body", resp, err)
		}
		return
	}
	t.Fatal("no terminateByCode")
}
