package wechatpay_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
)

// The terminate request of the official example: what every call signs.
var benchRequestMessage = wechatpay.RequestMessage(http.MethodPost,
	"/v3/password-exempt-contract/contracts/service-id/12535/out-contract-code/wxwtdk20200910100000/terminate",
	1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242", []byte(`{"contract_termination_remark":"用户解约"}`))

func BenchmarkSign(b *testing.B) {
	key, err := wechatpay.LoadPrivateKeyFile("testdata/merchant_key.pem")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := wechatpay.Sign(key, benchRequestMessage); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	priv, err := wechatpay.LoadPrivateKeyFile("testdata/wechatpay_key.pem")
	if err != nil {
		b.Fatal(err)
	}
	const id = "PUB_KEY_ID_0114232134912410000000000000"
	vk, err := wechatpay.PublicKeyModeKey(id, &priv.PublicKey)
	if err != nil {
		b.Fatal(err)
	}
	keys, err := wechatpay.NewKeySet(vk)
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"mchid":"1900000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000"}`)
	sig, err := wechatpay.Sign(priv, wechatpay.ResponseMessage("1554208460", "a1b2c3d4e5f6", body))
	if err != nil {
		b.Fatal(err)
	}
	h := http.Header{}
	h.Set(wechatpay.HeaderTimestamp, "1554208460")
	h.Set(wechatpay.HeaderNonce, "a1b2c3d4e5f6")
	h.Set(wechatpay.HeaderSignature, sig)
	h.Set(wechatpay.HeaderSerial, id)
	v := wechatpay.Verifier{Keys: keys, Now: func() time.Time { return time.Unix(1554208460, 0) }}
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Verify(h, body); err != nil {
			b.Fatal(err)
		}
	}
}
