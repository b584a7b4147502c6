package scenariotest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"

	"github.com/payforge/wechatpay/wechatpay"

	sensitive "github.com/payforge/wechatpay/generator/testdata/scenarios/sensitive/golden"
)

// open decrypts a sensitive request field the way WeChat Pay does, with the
// stand-in's own crypto/rsa code: RSAES-OAEP, SHA-1, under its key.
func (s *standIn) open(t *testing.T, field, ciphertext string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(ciphertext)
	if err != nil {
		t.Fatalf("%s is not Base64: %q", field, ciphertext)
	}
	plain, err := rsa.DecryptOAEP(sha1.New(), nil, s.platform, raw, nil)
	if err != nil {
		t.Fatalf("%s does not decrypt with the WeChat Pay key: %v", field, err)
	}
	return string(plain)
}

// seal encrypts an answer field under the merchant's public key, as WeChat
// Pay does.
func (s *standIn) seal(t *testing.T, plaintext string) string {
	t.Helper()
	ct, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, &s.merchant.PublicKey, []byte(plaintext), nil)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(ct)
}

// TestScenarioSensitiveFields: the marked request fields travel encrypted
// under the WeChat Pay key, which Wechatpay-Serial names; the caller's
// request keeps its plaintext; the marked answer fields come back as
// plaintext.
func TestScenarioSensitiveFields(t *testing.T) {
	var s *standIn
	var sentName string
	s = newStandIn(t, func(r received) answer {
		var body struct {
			Account string   `json:"account"`
			Name    string   `json:"name"`
			Aliases []string `json:"aliases"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Errorf("body %s: %v", r.Body, err)
		}
		sentName = body.Name
		if got := s.open(t, "name", body.Name); got != "张三" {
			t.Errorf("name decrypts to %q", got)
		}
		if len(body.Aliases) != 2 || s.open(t, "aliases[1]", body.Aliases[1]) != "小张" {
			t.Errorf("aliases %v", body.Aliases)
		}
		answer := map[string]any{"account": body.Account, "name": s.seal(t, "张三"), "aliases": []string{s.seal(t, "老张")}}
		data, _ := json.Marshal(answer)
		return jsonAnswer(string(data))(r)
	})
	req := &sensitive.AddReceiverRequest{Account: "1900000109", Name: "张三", Aliases: []string{"老张", "小张"}}
	resp, err := sensitive.NewClient(s.client()).AddReceiver(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Name != "张三" || len(resp.Aliases) != 1 || resp.Aliases[0] != "老张" {
		t.Fatalf("answer %+v", resp)
	}
	if req.Name != "张三" || req.Aliases[1] != "小张" {
		t.Fatalf("the caller's request changed: %+v", req)
	}
	if sentName == "张三" || sentName == "" {
		t.Fatalf("name sent as %q", sentName)
	}
	if got := s.last().Header.Get("Wechatpay-Serial"); got != standInSerial {
		t.Fatalf("Wechatpay-Serial %q, want the encrypting key %q", got, standInSerial)
	}

	// Fields in an array of objects, and in a variant of a oneOf.
	s = newStandIn(t, func(r received) answer {
		var body struct {
			Receivers []struct{ Name string } `json:"receivers"`
			Contact   string                  `json:"contact"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Errorf("body %s: %v", r.Body, err)
		}
		if len(body.Receivers) != 2 || s.open(t, "receivers[1].name", body.Receivers[1].Name) != "李四" || s.open(t, "contact", body.Contact) != "13800000000" {
			t.Errorf("body %s", r.Body)
		}
		return answer{Status: 204}
	})
	err = sensitive.NewClient(s.client()).CreateOrder(context.Background(), &sensitive.CreateOrderRequest{
		OutOrderNo: "o1", Contact: "13800000000",
		Receivers: []sensitive.Receiver{{Account: "a", Name: "张三"}, {Account: "b", Name: "李四"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	s = newStandIn(t, func(r received) answer {
		var raw map[string]string
		if err := json.Unmarshal(r.Body, &raw); err != nil {
			t.Errorf("body %s: %v", r.Body, err)
		}
		if raw["type"] != "USER_BANK_CARD" || s.open(t, "bank_account", raw["bank_account"]) != "6222021234567890" || s.open(t, "real_name", raw["real_name"]) != "王五" {
			t.Errorf("body %s", r.Body)
		}
		return answer{Status: 204}
	})
	err = sensitive.NewClient(s.client()).ApplyAbnormalRefund(context.Background(), &sensitive.ApplyAbnormalRefundRequest{
		Body: sensitive.ApplyAbnormalRefundRequestBody{ToUserBankCard: &sensitive.ToUserBankCard{Type: "USER_BANK_CARD", BankAccount: "6222021234567890", RealName: "王五"}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestScenarioSensitiveFailures: a value too long to encrypt is refused
// before sending, naming its field; an answer field that does not decrypt
// is a *DecodeError naming its field.
func TestScenarioSensitiveFailures(t *testing.T) {
	s := newStandIn(t, jsonAnswer(`{"account":"1900000109","name":"bm90IGVuY3J5cHRlZA=="}`))
	client := sensitive.NewClient(s.client())
	long := make([]byte, 215)
	for i := range long {
		long[i] = 'x'
	}
	_, err := client.AddReceiver(context.Background(), &sensitive.AddReceiverRequest{Account: "1900000109", Name: string(long)})
	var ve *wechatpay.ValidationError
	if !errors.As(err, &ve) || ve.Field != "name" || ve.Rule != "maxBytes" || s.count() != 0 {
		t.Fatalf("error %v, %d requests", err, s.count())
	}
	_, err = client.AddReceiver(context.Background(), &sensitive.AddReceiverRequest{Account: "1900000109", Name: "张三"})
	var de *wechatpay.DecodeError
	if !errors.As(err, &de) || de.Field != "name" || de.Operation != "addReceiver" || !errors.Is(err, wechatpay.ErrFieldDecrypt) {
		t.Fatalf("error %v", err)
	}
}
