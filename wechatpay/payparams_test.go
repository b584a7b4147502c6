package wechatpay

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// The official pages' example values.
const (
	exampleAppID     = "wx8888888888888888"
	exampleTimestamp = int64(1414561699)
	examplePayNonce  = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"
	examplePrepayID  = "wx201410272009395522657a690389285100"
)

func payClient(t *testing.T) *Client {
	t.Helper()
	cfg := testConfig(t, "")
	cfg.Clock = func() time.Time { return time.Unix(exampleTimestamp, 0) }
	c := newTestClient(t, cfg)
	c.newNonce = func() (string, error) { return examplePayNonce, nil }
	return c
}

// TestJSAPIPayParamsMatchOpenSSL is the known-answer test of the
// mini-program and JSAPI parameters: paySign is openssl's signature of the
// four lines the official page gives.
func TestJSAPIPayParamsMatchOpenSSL(t *testing.T) {
	c := payClient(t)
	p, err := c.JSAPIPayParams(exampleAppID, examplePrepayID)
	if err != nil {
		t.Fatal(err)
	}
	msg := "wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n"
	if want := opensslSign(t, td("merchant_key.pem"), []byte(msg)); p.PaySign != want {
		t.Errorf("paySign = %s\nopenssl  = %s", p.PaySign, want)
	}
	got, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"appId":"wx8888888888888888","timeStamp":"1414561699","nonceStr":"5K8264ILTKCH16CQ2502SI8ZNMTM67VS",` +
		`"package":"prepay_id=wx201410272009395522657a690389285100","signType":"RSA","paySign":"` + p.PaySign + `"}`
	if string(got) != want {
		t.Errorf("JSON = %s\nwant   %s", got, want)
	}
}

// TestAppPayParamsMatchOpenSSL is the known-answer test of the app
// parameters: sign is openssl's signature of appid, timestamp, noncestr and
// prepayid, one a line.
func TestAppPayParamsMatchOpenSSL(t *testing.T) {
	c := payClient(t)
	const prepayID = "WX1217752501201407033233368018"
	p, err := c.AppPayParams(exampleAppID, "", prepayID)
	if err != nil {
		t.Fatal(err)
	}
	msg := "wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nWX1217752501201407033233368018\n"
	if want := opensslSign(t, td("merchant_key.pem"), []byte(msg)); p.Sign != want {
		t.Errorf("sign = %s\nopenssl = %s", p.Sign, want)
	}
	if p.PartnerID != testMchID || p.Package != "Sign=WXPay" || p.Timestamp != "1414561699" || p.NonceStr != examplePayNonce {
		t.Errorf("params = %+v", p)
	}
	got, _ := json.Marshal(p)
	for _, key := range []string{`"appid":`, `"partnerid":`, `"prepayid":`, `"package":"Sign=WXPay"`, `"noncestr":`, `"timestamp":"1414561699"`, `"sign":`} {
		if !strings.Contains(string(got), key) {
			t.Errorf("JSON %s lacks %s", got, key)
		}
	}
	sp, err := c.AppPayParams(exampleAppID, "1230000109", prepayID)
	if err != nil || sp.PartnerID != "1230000109" || sp.Sign != p.Sign {
		t.Errorf("with a sub-merchant: %+v, %v (the partner ID is not signed)", sp, err)
	}
}

func TestPayParamsRefuseBadInput(t *testing.T) {
	c := payClient(t)
	for _, tt := range []struct {
		name, appID, prepayID, field, rule string
	}{
		{"no appid", "", examplePrepayID, "appId", "required"},
		{"no prepay_id", exampleAppID, "", "prepay_id", "required"},
		{"line break in prepay_id", exampleAppID, "wx1\nwx2", "prepay_id", "pattern"},
		{"line break in appid", "wx8\n", examplePrepayID, "appId", "pattern"},
		{"long appid", strings.Repeat("a", 33), examplePrepayID, "appId", "maxLength"},
		{"long prepay_id", exampleAppID, strings.Repeat("p", 65), "prepay_id", "maxLength"},
		{"not UTF-8", "wx\xff", examplePrepayID, "appId", "utf8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.JSAPIPayParams(tt.appID, tt.prepayID)
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field || ve.Rule != tt.rule {
				t.Errorf("JSAPIPayParams = %v, want a %s violation of %s", err, tt.rule, tt.field)
			}
		})
	}
	if _, err := c.AppPayParams(exampleAppID, `1900"000109`, examplePrepayID); err == nil {
		t.Error("a partner ID with a quote was accepted")
	}
	c.newNonce = func() (string, error) { return "", errors.New("no entropy") }
	if _, err := c.JSAPIPayParams(exampleAppID, examplePrepayID); err == nil {
		t.Error("a nonce failure was not reported")
	}
}
