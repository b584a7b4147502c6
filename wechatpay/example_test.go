package wechatpay_test

import (
	"errors"
	"fmt"

	"github.com/payforge/wechatpay/wechatpay"
)

// The strings the two signatures cover: the merchant signs the request, and
// WeChat Pay signs the answer (and callbacks). Each line ends in "\n".
func ExampleRequestMessage() {
	req := wechatpay.RequestMessage("POST",
		"/v3/password-exempt-contract/contracts/service-id/12535/out-contract-code/wxwtdk20200910100000/terminate",
		1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242",
		[]byte(`{"contract_termination_remark":"用户解约"}`))
	fmt.Printf("%q\n", req)

	get := wechatpay.RequestMessage("GET", "/v3/certificates?limit=10", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242", nil)
	fmt.Printf("%q\n", get)

	resp := wechatpay.ResponseMessage("1554209980", "c5ac7061fccab6bf3e254dcf98995b8c",
		[]byte(`{"mchid":"1900000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000"}`))
	fmt.Printf("%q\n", resp)

	noContent := wechatpay.ResponseMessage("1554209980", "c5ac7061fccab6bf3e254dcf98995b8c", nil)
	fmt.Printf("%q\n", noContent)
	// Output:
	// "POST\n/v3/password-exempt-contract/contracts/service-id/12535/out-contract-code/wxwtdk20200910100000/terminate\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n{\"contract_termination_remark\":\"用户解约\"}\n"
	// "GET\n/v3/certificates?limit=10\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n"
	// "1554209980\nc5ac7061fccab6bf3e254dcf98995b8c\n{\"mchid\":\"1900000109\",\"service_id\":12535,\"out_contract_code\":\"wxwtdk20200910100000\"}\n"
	// "1554209980\nc5ac7061fccab6bf3e254dcf98995b8c\n\n"
}

// A public-key mode key is named by its ID; an incomplete Config is rejected
// with every problem listed, each a *wechatpay.ConfigError.
func ExampleNewClient_configErrors() {
	pub, err := wechatpay.LoadPublicKeyFile("testdata/wechatpay_public_key.pem")
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := wechatpay.PublicKeyModeKey("0114232134912410000000000000", pub); err != nil {
		fmt.Println(err)
	}
	key, err := wechatpay.PublicKeyModeKey("PUB_KEY_ID_0114232134912410000000000000", pub)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("key:", key.Serial)

	_, err = wechatpay.NewClient(wechatpay.Config{
		MchID:            "1900000109",
		VerificationKeys: []wechatpay.VerificationKey{key},
		WechatpaySerial:  "PUB_KEY_ID_0114232134912410000000000001",
		BaseURL:          "http://api.mch.weixin.qq.com",
	})
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		for _, e := range joined.Unwrap() {
			var ce *wechatpay.ConfigError
			if errors.As(e, &ce) {
				fmt.Printf("%s: %s\n", ce.Field, ce.Problem)
			}
		}
	}
	// Output:
	// wechatpay: public key ID "0114232134912410000000000000": want PUB_KEY_ID_ followed by digits
	// key: PUB_KEY_ID_0114232134912410000000000000
	// MerchantSerialNo: is required
	// MerchantKey: is required
	// WechatpaySerial: names none of VerificationKeys
	// BaseURL: plain http is accepted only for loopback hosts
}
