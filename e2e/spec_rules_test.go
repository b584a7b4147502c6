package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	pec "github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
)

// TestSpecRulesAgree holds the generated client and the sandbox to the same
// rules of the spec: what Validate refuses (naming the field and the rule),
// the sandbox refuses too when it arrives raw through Client.Call (400
// PARAM_ERROR naming the same field), and nothing changes state.
func TestSpecRulesAgree(t *testing.T) {
	srv, rt, _ := familySandbox(t, wechatpaytest.Options{NoNotifications: true})
	ctx := context.Background()
	const (
		terminatePath = "/v3/password-exempt-contract/contracts/service-id/{service_id}/out-contract-code/{out_contract_code}/terminate"
		normalPath    = "/v3/password-exempt-contract/contracts/normal/pre-entrust-sign/mini-program"
		code          = "rules1"
	)
	if err := srv.AddContract(familyServiceID, code); err != nil {
		t.Fatal(err)
	}
	terminate := func(serviceID int64, remark string) *pec.TerminateByCodeRequest {
		return &pec.TerminateByCodeRequest{ServiceID: serviceID, OutContractCode: code, ContractTerminationRemark: remark}
	}
	preSign := func(edit func(r *pec.PreSignNormalMiniProgramRequest)) *pec.PreSignNormalMiniProgramRequest {
		r := &pec.PreSignNormalMiniProgramRequest{
			AppID:                  "wxd678efh567hg6787",
			ServiceID:              familyServiceID,
			OutContractCode:        "rules2",
			NotifyURL:              "https://merchant.example/notify",
			ContractDisplayAccount: "account",
			OpenID:                 "openid1",
		}
		edit(r)
		return r
	}
	tests := []ruleCase{
		{"empty termination remark", terminate(familyServiceID, ""), terminatePath,
			map[string]string{"service_id": "12535", "out_contract_code": code},
			`{"contract_termination_remark":""}`, "contract_termination_remark", "required", "/contract_termination_remark"},
		{"service_id 0", terminate(0, "用户解约"), terminatePath,
			map[string]string{"service_id": "0", "out_contract_code": code},
			`{"contract_termination_remark":"用户解约"}`, "service_id", "minimum", "service_id"},
		{"negative service_id", terminate(-5, "用户解约"), terminatePath,
			map[string]string{"service_id": "-5", "out_contract_code": code},
			`{"contract_termination_remark":"用户解约"}`, "service_id", "minimum", "service_id"},
	}
	// Every required string of a pre-sign body, sent empty.
	for _, f := range []struct {
		json string
		set  func(r *pec.PreSignNormalMiniProgramRequest)
	}{
		{"appid", func(r *pec.PreSignNormalMiniProgramRequest) { r.AppID = "" }},
		{"openid", func(r *pec.PreSignNormalMiniProgramRequest) { r.OpenID = "" }},
		{"contract_display_account", func(r *pec.PreSignNormalMiniProgramRequest) { r.ContractDisplayAccount = "" }},
	} {
		body := `{"appid":"wxd678efh567hg6787","service_id":12535,"out_contract_code":"rules2","notify_url":"https://merchant.example/notify","contract_display_account":"account","openid":"openid1"}`
		body = emptyJSONField(body, f.json)
		tests = append(tests, ruleCase{"empty " + f.json, preSign(f.set), normalPath, nil, body, f.json, "required", "/" + f.json})
	}
	// notify_url values that no URL WeChat Pay can call holds.
	for _, u := range []struct{ name, value string }{
		{"newline", "https://merchant.example\n/notify"},
		{"space", "https://merchant.example/no tify"},
		{"tab", "https://merchant.example/\tnotify"},
		{"no host", "https:///notify"},
		{"nothing after the scheme", "https://"},
		{"zero-width space", "https://merchant.example/\u200bnotify"},
		{"ideographic space", "https://merchant.example/\u3000notify"},
		{"DEL", "https://merchant.example/\x7fnotify"},
	} {
		value := u.value
		tests = append(tests, ruleCase{"notify_url with " + u.name, preSign(func(r *pec.PreSignNormalMiniProgramRequest) { r.NotifyURL = value }), normalPath, nil,
			`{"appid":"wxd678efh567hg6787","service_id":12535,"out_contract_code":"rules2","notify_url":` + jsonString(value) +
				`,"contract_display_account":"account","openid":"openid1"}`, "notify_url", "pattern", "/notify_url"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.req.Validate()
			var ve *wechatpay.ValidationError
			found := false
			for _, e := range joined(err) {
				if errors.As(e, &ve) && ve.Field == tt.field && ve.Rule == tt.rule {
					found = true
				}
			}
			if !found {
				t.Errorf("Validate = %v, want a %s violation of %s", err, tt.rule, tt.field)
			}
			err = rt.Call(ctx, http.MethodPost, tt.path, tt.pathValues, nil, []byte(tt.body), nil)
			var apiErr *wechatpay.APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest || apiErr.Code != "PARAM_ERROR" ||
				apiErr.Detail == nil || apiErr.Detail.Field != tt.detail {
				t.Errorf("the sandbox answered %v (detail %+v), want 400 PARAM_ERROR on %s", err, detailOf(err), tt.detail)
			}
		})
	}
	if st := srv.State(familyServiceID, code); st != contracts.Active {
		t.Errorf("contract %s is %v after refused terminations, want active", code, st)
	}
	if st := srv.State(familyServiceID, "rules2"); st != contracts.None {
		t.Errorf("a refused pre-sign left contract rules2 %v", st)
	}

	// The valid requests the cases start from pass both.
	if err := preSign(func(*pec.PreSignNormalMiniProgramRequest) {}).Validate(); err != nil {
		t.Errorf("the valid pre-sign fails Validate: %v", err)
	}
	if err := terminate(familyServiceID, "用户解约").Validate(); err != nil {
		t.Errorf("the valid termination fails Validate: %v", err)
	}
}

// ruleCase is a request both the client and the sandbox must refuse.
type ruleCase struct {
	name       string
	req        interface{ Validate() error }
	path       string
	pathValues map[string]string
	body       string // the raw body sent to the sandbox
	field      string // the spec's name in the ValidationError
	rule       string
	detail     string // the field the sandbox's detail names
}

// joined returns the errors err joins, or err alone.
func joined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

// emptyJSONField sets the string field name of the flat JSON object body to "".
func emptyJSONField(body, name string) string {
	start := strings.Index(body, `"`+name+`":"`)
	if start < 0 {
		panic("no field " + name)
	}
	valueStart := start + len(name) + 4
	end := strings.IndexByte(body[valueStart:], '"')
	return body[:valueStart] + body[valueStart+end:]
}

func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}
