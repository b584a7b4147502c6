package e2e_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	pec "github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/gen/refunds"
	"github.com/payforge/wechatpay/wechatpay"
)

// The independent stand-in answers verified, signed bodies that are not what
// the request asked for. A generated method must refuse each with a
// *wechatpay.DecodeError naming the field (never its value), not return
// zero values or another contract as success.

// queryRequest asks for the official example contract.
func queryRequest() *pec.QueryByCodeRequest {
	return &pec.QueryByCodeRequest{ServiceID: 12535, OutContractCode: "wxwtdk20200910100000"}
}

// queryAnswer is a complete answer to queryRequest, with an unknown field
// and an enum value the spec does not list, which stay accepted.
const queryAnswer = `{"mchid":"1900000109","contract_id":"100005698","appid":"wxd678efh567hg6787",` +
	`"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o","service_id":12535,"out_contract_code":"wxwtdk20200910100000",` +
	`"contract_state":"SOMETHING_NEW","contract_signed_time":"2020-09-10T13:29:35+08:00","new_field":{"x":1}` +
	`,"contract_terminate_info":{"contract_termination_mode":"NEW_MODE"}}`

func TestAnswersAreChecked(t *testing.T) {
	terminate := func(c *pec.Client) error {
		_, err := c.TerminateByCode(context.Background(), exampleRequest())
		return err
	}
	query := func(c *pec.Client) error {
		_, err := c.QueryByCode(context.Background(), queryRequest())
		return err
	}
	preSign := func(c *pec.Client) error {
		_, err := c.PreSignServiceProviderPayRedirectSign(context.Background(), &pec.PreSignServiceProviderPayRedirectSignRequest{
			SpAppID: testSpAppID, SubMchID: testSubMchID, SubAppID: testSubAppID, ServiceID: familyServiceID,
			OutContractCode: "wxwtdk20200910100000", NotifyURL: "https://example.com/notify",
			ContractDisplayAccount: testAccount, PrepayID: testPrepayID,
		})
		return err
	}
	const preSignAnswer = `{"mchid":"1900000109","sub_mchid":"1900000110","service_id":12535,"out_contract_code":"wxwtdk20200910100000"}`
	for _, tt := range []struct {
		name   string
		call   func(*pec.Client) error
		body   string
		field  string // "" for an answer that is accepted
		reason error
		value  string // a value of the answer the error must not show
	}{
		{"terminate: the example answer", terminate, echoBody, "", nil, ""},
		{"terminate: {}", terminate, `{}`, "mchid", wechatpay.ErrMissingField, ""},
		{"terminate: null", terminate, `null`, "", nil, "null"},
		{"terminate: a required field null", terminate, `{"mchid":"1900000109","service_id":null,"out_contract_code":"wxwtdk20200910100000"}`, "service_id", wechatpay.ErrMissingField, ""},
		{"terminate: another service_id", terminate, `{"mchid":"1900000109","service_id":99999,"out_contract_code":"wxwtdk20200910100000"}`, "service_id", wechatpay.ErrNotEchoed, "99999"},
		{"terminate: another out_contract_code", terminate, `{"mchid":"1900000109","service_id":12535,"out_contract_code":"otherCode42"}`, "out_contract_code", wechatpay.ErrNotEchoed, "otherCode42"},
		{"terminate: another mchid", terminate, `{"mchid":"1900000999","service_id":12535,"out_contract_code":"wxwtdk20200910100000"}`, "mchid", wechatpay.ErrNotEchoed, "1900000999"},
		{"query: complete, with unknown fields and enum values", query, queryAnswer, "", nil, ""},
		{"query: without the optional object", query, strings.Replace(queryAnswer, `,"contract_terminate_info":{"contract_termination_mode":"NEW_MODE"}`, ``, 1), "", nil, ""},
		{"query: the optional object null", query, strings.Replace(queryAnswer, `{"contract_termination_mode":"NEW_MODE"}`, `null`, 1), "", nil, ""},
		{"query: {}", query, `{}`, "mchid", wechatpay.ErrMissingField, ""},
		{"query: a missing top-level field", query, strings.Replace(queryAnswer, `"contract_signed_time":"2020-09-10T13:29:35+08:00",`, ``, 1), "contract_signed_time", wechatpay.ErrMissingField, ""},
		{"query: a missing nested required field", query, strings.Replace(queryAnswer, `{"contract_termination_mode":"NEW_MODE"}`, `{"contract_termination_remark":"r"}`, 1),
			"contract_terminate_info.contract_termination_mode", wechatpay.ErrMissingField, ""},
		{"query: another out_contract_code", query, strings.Replace(queryAnswer, `"out_contract_code":"wxwtdk20200910100000"`, `"out_contract_code":"someoneElse7"`, 1), "out_contract_code", wechatpay.ErrNotEchoed, "someoneElse7"},
		{"pre-sign: the echoed answer", preSign, preSignAnswer, "", nil, ""},
		{"pre-sign: another sub_mchid", preSign, strings.Replace(preSignAnswer, "1900000110", "1900000888", 1), "sub_mchid", wechatpay.ErrNotEchoed, "1900000888"},
		{"pre-sign: another mchid", preSign, strings.Replace(preSignAnswer, `"mchid":"1900000109"`, `"mchid":"1900000777"`, 1), "mchid", wechatpay.ErrNotEchoed, "1900000777"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, c := setup(t)
			s.script(answer{body: tt.body})
			err := tt.call(c)
			if tt.field == "" && tt.reason == nil && tt.value == "" {
				if err != nil {
					t.Fatalf("a good answer refused: %v", err)
				}
				return
			}
			var de *wechatpay.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v (%T), want a *wechatpay.DecodeError", err, err)
			}
			if de.Field != tt.field || tt.reason != nil && !errors.Is(err, tt.reason) || de.RequestID == "" || de.Operation == "" {
				t.Errorf("DecodeError %+v, want field %q and %v", de, tt.field, tt.reason)
			}
			if tt.value != "" && tt.value != "null" && strings.Contains(err.Error(), tt.value) {
				t.Errorf("the error shows the answer's value %q: %v", tt.value, err)
			}
		})
	}
}

// TestAbnormalRefundEchoes: the answer to an abnormal refund echoes both
// refund_id (the path) and out_refund_no (a field of whichever form of the
// oneOf body was sent); another refund's number is refused.
func TestAbnormalRefundEchoes(t *testing.T) {
	const refundAnswer = `{"refund_id":"50000000382019052709732678859","out_refund_no":"R1","transaction_id":"1217752501201407033233368018",` +
		`"out_trade_no":"1217752501201407033233368018","channel":"ORIGINAL","user_received_account":"x","create_time":"2020-12-01T16:18:12+08:00"}`
	req := &refunds.ApplyAbnormalRefundRequest{RefundID: "50000000382019052709732678859", Body: refunds.AbnormalRefundBody{
		AbnormalRefundToMerchantBankCard: &refunds.AbnormalRefundToMerchantBankCard{OutRefundNo: "R1", Type: "MERCHANT_BANK_CARD"}}}
	for _, tt := range []struct {
		name, body, field string // field "" for an answer accepted
	}{
		{"the echoed answer", refundAnswer, ""},
		{"another out_refund_no", strings.Replace(refundAnswer, `"out_refund_no":"R1"`, `"out_refund_no":"SOMEONE_ELSES"`, 1), "out_refund_no"},
		{"another refund_id", strings.Replace(refundAnswer, `"refund_id":"50000000382019052709732678859"`, `"refund_id":"50000000382019052709732678850"`, 1), "refund_id"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k := loadKeys(t)
			s := newStandIn(t, k)
			s.script(answer{body: tt.body})
			_, err := refunds.NewClient(newRuntime(t, k, s.URL, s.Client())).ApplyAbnormalRefund(context.Background(), req)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("the echoed answer refused: %v", err)
				}
				return
			}
			var de *wechatpay.DecodeError
			if !errors.As(err, &de) || de.Field != tt.field || !errors.Is(err, wechatpay.ErrNotEchoed) || strings.Contains(err.Error(), "SOMEONE_ELSES") {
				t.Errorf("error %v, want a *wechatpay.DecodeError on %s, ErrNotEchoed, without the value", err, tt.field)
			}
		})
	}
}
