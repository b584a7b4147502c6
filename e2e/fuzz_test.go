package e2e_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"testing"
	"unicode/utf8"

	"github.com/payforge/wechatpay/gen/passwordexemptcontract"
)

var codePattern = regexp.MustCompile(`^[0-9A-Za-z]{1,32}$`)

// FuzzTerminateValidate checks the generated Validate against the spec's
// rules written out by hand: what it accepts must satisfy them all.
func FuzzTerminateValidate(f *testing.F) {
	f.Add(int64(12535), "wxwtdk20200910100000", "用户解约")
	f.Add(int64(0), "", "")
	f.Add(int64(-1), "a/b", "x")
	f.Add(int64(1), "..", "\xff")
	f.Add(int64(1), "abcdefghijklmnopqrstuvwxyz0123456", "r")
	f.Add(int64(1), "ａｂｃ", "r")
	f.Add(int64(1), "abc\x00", "r")
	f.Fuzz(func(t *testing.T, serviceID int64, code, remark string) {
		req := &passwordexemptcontract.TerminateByCodeRequest{ServiceID: serviceID, OutContractCode: code, ContractTerminationRemark: remark}
		err := req.Validate()
		ok := serviceID >= 1 && codePattern.MatchString(code) && remark != "" && utf8.ValidString(remark) && utf8.RuneCountInString(remark) <= 256
		if (err == nil) != ok {
			t.Fatalf("Validate(%d, %q, %q) = %v, but the rules say valid=%v", serviceID, code, remark, err, ok)
		}
		if err == nil {
			body, _ := json.Marshal(req)
			var fields map[string]any
			if err := json.Unmarshal(body, &fields); err != nil || len(fields) != 1 || fields["contract_termination_remark"] != remark {
				t.Fatalf("the body holds more or less than the remark: %s", body)
			}
		}
	})
}

// FuzzDecodeQueryResponse decodes arbitrary answers into the generated
// response type: never a panic, and what decodes re-encodes stably.
func FuzzDecodeQueryResponse(f *testing.F) {
	f.Add([]byte(`{"mchid":"1900000109","contract_id":"c1","appid":"wx1","openid":"o1","service_id":12535,"out_contract_code":"wxwtdk20200910100000","contract_state":"SIGNED","contract_signed_time":"2020-09-10T13:29:35+08:00"}`))
	f.Add([]byte(`{"contract_state":"SOMETHING_NEW","contract_terminate_info":{"contract_termination_mode":"USER_TERMINATE","contract_terminated_time":"2020-09-10T13:29:35Z"}}`))
	f.Add([]byte(`{"contract_signed_time":"not a time"}`))
	f.Add([]byte(`{"service_id":1e400}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var first passwordexemptcontract.QueryByCodeResponse
		if json.Unmarshal(data, &first) != nil {
			return
		}
		a, err := json.Marshal(first)
		if err != nil {
			return // a decoded time outside what RFC 3339 can write
		}
		var second passwordexemptcontract.QueryByCodeResponse
		if err := json.Unmarshal(a, &second); err != nil {
			t.Fatalf("re-encoded answer %s does not decode: %v", a, err)
		}
		b, _ := json.Marshal(second)
		if !bytes.Equal(a, b) {
			t.Fatalf("unstable round trip:\n%s\n%s", a, b)
		}
	})
}
