package scenariotest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/payforge/wechatpay/wechatpay"

	oneof "github.com/payforge/wechatpay/generator/testdata/scenarios/one_of/golden"
	sensitive "github.com/payforge/wechatpay/generator/testdata/scenarios/sensitive/golden"
)

// TestScenarioDiscriminated: a oneOf with a discriminator is a sum type: one
// variant set is sent as that variant, Validate checks one is set, its
// rules and its discriminator; an answer decodes into the variant its
// discriminator names, and an unknown one is kept as JSON.
func TestScenarioDiscriminated(t *testing.T) {
	r := &oneof.ApplyAbnormalRefundRequest{RefundID: "r1"}
	if got := violations(t, r.Validate()); !slices.Equal(got, []string{"body required"}) {
		t.Fatalf("no variant: %v", got)
	}
	r.Body = oneof.AbnormalRefund{
		ToUserBankCard:     &oneof.ToUserBankCard{OutRefundNo: "o", Type: "MERCHANT_BANK_CARD", BankAccount: "6222"},
		ToMerchantBankCard: &oneof.ToMerchantBankCard{OutRefundNo: "o", Type: oneof.ToMerchantBankCardTypeMerchantBankCard},
	}
	got := violations(t, r.Validate())
	if want := []string{"body oneOf", "body.type discriminator"}; !slices.Equal(got, want) {
		t.Fatalf("violations %v, want %v", got, want)
	}
	r.Body.ToMerchantBankCard = nil
	r.Body.ToUserBankCard.Type = "USER_BANK_CARD"
	r.Body.ToUserBankCard.BankAccount = ""
	if got := violations(t, r.Validate()); !slices.Equal(got, []string{"body.bank_account required"}) {
		t.Fatalf("variant rules: %v", got)
	}
	r.Body.ToUserBankCard.BankAccount = "6222"

	s := newStandIn(t, jsonAnswer(`{"handled":[
		{"type":"USER_BANK_CARD","out_refund_no":"o1","bank_account":"6222"},
		{"type":"MERCHANT_BANK_CARD","out_refund_no":"o2"},
		{"type":"NEW_WAY","out_refund_no":"o3"}]}`))
	resp, err := oneof.NewClient(s.client()).ApplyAbnormalRefund(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(s.last().Body); got != `{"out_refund_no":"o","type":"USER_BANK_CARD","bank_account":"6222"}` {
		t.Fatalf("body %s", got)
	}
	h := resp.Handled
	if len(h) != 3 || h[0].ToUserBankCard == nil || h[0].ToUserBankCard.BankAccount != "6222" ||
		h[1].ToMerchantBankCard == nil || h[1].ToMerchantBankCard.OutRefundNo != "o2" ||
		h[2].ToUserBankCard != nil || h[2].ToMerchantBankCard != nil {
		t.Fatalf("answer %+v", h)
	}
	// The unknown variant is passed on as it came.
	if data, err := json.Marshal(h[2]); err != nil || string(data) != `{"type":"NEW_WAY","out_refund_no":"o3"}` {
		t.Fatalf("unknown variant: %s, %v", data, err)
	}
	// A variant's required fields are checked in the answer.
	s = newStandIn(t, jsonAnswer(`{"handled":[{"type":"USER_BANK_CARD","out_refund_no":"o1"}]}`))
	_, err = oneof.NewClient(s.client()).ApplyAbnormalRefund(context.Background(), r)
	var de *wechatpay.DecodeError
	if !errors.As(err, &de) || de.Field != "handled[0].bank_account" || !errors.Is(err, wechatpay.ErrMissingField) {
		t.Fatalf("error %v, want handled[0].bank_account missing", err)
	}
}

// TestScenarioDecodedRequestUnion: a request's union decoded from JSON (as
// an operation's Call and the CLI decode the body they are given) is sent
// only as one of its variants: JSON whose discriminator selects none is
// refused by Validate, so nothing is sent, not even the plaintext of its
// sensitive fields; without a discriminator, decoded JSON is none of the
// variants either.
func TestScenarioDecodedRequestUnion(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"unknown discriminator", `{"type":"user_bank_card","bank_account":"6222021234567890","real_name":"王五"}`, []string{"body.type discriminator"}},
		{"no discriminator", `{"bank_account":"6222021234567890","real_name":"王五"}`, []string{"body.type required"}},
	} {
		r := &sensitive.ApplyAbnormalRefundRequest{}
		if err := json.Unmarshal([]byte(tc.body), &r.Body); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := violations(t, r.Validate()); !slices.Equal(got, tc.want) {
			t.Errorf("%s: violations %v, want %v", tc.name, got, tc.want)
		}
		s := newStandIn(t, jsonAnswer(`{}`))
		if err := sensitive.NewClient(s.client()).ApplyAbnormalRefund(context.Background(), r); err == nil || s.count() != 0 {
			t.Errorf("%s: sent %d requests, error %v", tc.name, s.count(), err)
		}
	}

	var p oneof.CreatePayoutRequest
	if err := json.Unmarshal([]byte(`{"amount":1,"payee":{"card_no":"6222"}}`), &p); err != nil {
		t.Fatal(err)
	}
	if got := violations(t, p.Validate()); !slices.Equal(got, []string{"amount oneOf", "payee oneOf"}) {
		t.Errorf("undiscriminated: %v", got)
	}
}

// TestScenarioStrictRequestUnion: a member the chosen variant does not have
// is refused when a union only requests carry is decoded, not dropped; a
// union an answer carries stays lenient, as WeChat Pay may add members.
func TestScenarioStrictRequestUnion(t *testing.T) {
	var b sensitive.ApplyAbnormalRefundRequestBody
	err := json.Unmarshal([]byte(`{"type":"MERCHANT","bank_acount":"6222021234567890"}`), &b)
	if err == nil || !strings.Contains(err.Error(), "bank_acount") {
		t.Errorf("a member the variant lacks: %v, want an error naming bank_acount", err)
	}
	var h oneof.ApplyAbnormalRefundResponse
	if err := json.Unmarshal([]byte(`{"handled":[{"type":"MERCHANT_BANK_CARD","out_refund_no":"o","added":1}]}`), &h); err != nil || len(h.Handled) != 1 || h.Handled[0].ToMerchantBankCard == nil {
		t.Errorf("answer with an added member: %+v, %v", h, err)
	}
}

// TestScenarioUndiscriminated: without a discriminator the union holds the
// JSON of an answer, read with its As methods; a request sets one variant.
func TestScenarioUndiscriminated(t *testing.T) {
	amount := int64(0)
	r := &oneof.CreatePayoutRequest{
		Amount: oneof.CreatePayoutRequestAmount{Int64: &amount},
		Payee:  oneof.CreatePayoutRequestPayee{Card: &oneof.Card{CardNo: "6222"}, Account: &oneof.Account{Account: "a"}},
	}
	got := violations(t, r.Validate())
	if want := []string{"amount minimum", "payee oneOf", "payee.card_no minLength"}; !slices.Equal(got, want) {
		t.Fatalf("violations %v, want %v", got, want)
	}
	text := "0100"
	r.Amount = oneof.CreatePayoutRequestAmount{String: &text}
	r.Payee.Card = nil
	if got := violations(t, r.Validate()); !slices.Equal(got, []string{"amount pattern"}) {
		t.Fatalf("violations %v", got)
	}
	text = "100"
	s := newStandIn(t, jsonAnswer(`{"account":"acc-1"}`))
	resp, err := oneof.NewClient(s.client()).CreatePayout(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(s.last().Body); got != `{"amount":"100","payee":{"account":"a"}}` {
		t.Fatalf("body %s", got)
	}
	if resp.Card != nil || resp.Account != nil {
		t.Fatalf("an answer without a discriminator sets no variant: %+v", resp)
	}
	acc, err := resp.AsAccount()
	if err != nil || acc.Account != "acc-1" {
		t.Fatalf("AsAccount: %+v, %v", acc, err)
	}
	if _, err := resp.AsCard(); err != nil {
		t.Fatalf("AsCard decodes too, with what it finds: %v", err)
	}
	if data, _ := json.Marshal(resp); string(data) != `{"account":"acc-1"}` {
		t.Fatalf("kept JSON %s", data)
	}
}

// TestScenarioOneOfWithProperties: properties next to a oneOf are every
// variant's.
func TestScenarioOneOfWithProperties(t *testing.T) {
	s := newStandIn(t, jsonAnswer(`{"message":"scaled","took_ms":12}`))
	entry, err := oneof.NewClient(s.client()).GetHistoryEntry(context.Background(), &oneof.GetHistoryEntryRequest{})
	if err != nil {
		t.Fatal(err)
	}
	ok, err := entry.AsHistorySuccess()
	if err != nil || ok.Message != "scaled" || *ok.TookMs != 12 {
		t.Fatalf("%+v, %v", ok, err)
	}
	r := oneof.HistoryEntry{HistoryError: &oneof.HistoryEntryHistoryError{Message: "m", Error: "e"}}
	if data, err := json.Marshal(r); err != nil || string(data) != `{"message":"m","error":"e"}` {
		t.Fatalf("%s, %v", data, err)
	}
}
