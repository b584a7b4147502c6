package wechatpay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
)

// A notify_url handler. The example first plays WeChat Pay, building a
// notification as the sandbox does (the event type and the plaintext are test
// values); the handler then sees it only verified and decrypted, answers 204,
// and refuses the same request sent again.
func ExampleNewNotifyHandler() {
	apiV3Key := []byte("payforge-test-apiv3-key-32-bytes") // set on the merchant platform
	now := time.Unix(1554208460, 0)

	// WeChat Pay's side: encrypt the resource, sign TIMESTAMP\nNONCE\nBODY\n.
	wechatpayKey, err := wechatpay.LoadPrivateKeyFile("testdata/wechatpay_key.pem")
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := wechatpay.EncryptNotificationResource(apiV3Key,
		[]byte(`{"out_contract_code":"wxwtdk20200910100000"}`), "test-resource", []byte("a1B2c3D4e5F6"))
	if err != nil {
		fmt.Println(err)
		return
	}
	body, err := json.Marshal(wechatpay.Notification{ID: "EV-1", CreateTime: "2019-04-02T20:34:20+08:00",
		EventType: "TEST.EVENT", ResourceType: "test-resource", Summary: "test", Resource: res})
	if err != nil {
		fmt.Println(err)
		return
	}
	ts, nonce := strconv.FormatInt(now.Unix(), 10), "593BEC0C930BF1AFEB40B4A08C8FB242"
	sig, err := wechatpay.Sign(wechatpayKey, wechatpay.ResponseMessage(ts, nonce, body))
	if err != nil {
		fmt.Println(err)
		return
	}

	// The merchant's side: the WeChat Pay public key, the APIv3 key, a handler.
	pub, err := wechatpay.LoadPublicKeyFile("testdata/wechatpay_public_key.pem")
	if err != nil {
		fmt.Println(err)
		return
	}
	vk, err := wechatpay.PublicKeyModeKey("PUB_KEY_ID_0114232134912410000000000000", pub)
	if err != nil {
		fmt.Println(err)
		return
	}
	keys, err := wechatpay.NewKeySet(vk)
	if err != nil {
		fmt.Println(err)
		return
	}
	h, err := wechatpay.NewNotifyHandler(wechatpay.NotifyConfig{
		Keys:     keys,
		APIv3Key: apiV3Key,
		Clock:    func() time.Time { return now }, // omit for time.Now
	}, func(ctx context.Context, n *wechatpay.Notification) error {
		type contract struct {
			OutContractCode string `json:"out_contract_code"`
		}
		c, err := wechatpay.DecodeNotification[contract](n)
		if err != nil {
			return err // answered 500: WeChat Pay retries
		}
		fmt.Println("handled", n.ID, n.EventType, c.OutContractCode)
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	for range 2 {
		req := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(body))
		req.Header.Set(wechatpay.HeaderTimestamp, ts)
		req.Header.Set(wechatpay.HeaderNonce, nonce)
		req.Header.Set(wechatpay.HeaderSignature, sig)
		req.Header.Set(wechatpay.HeaderSerial, vk.Serial)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Body.Len() == 0 {
			fmt.Println("answer", rec.Code)
		} else {
			fmt.Println("answer", rec.Code, rec.Body.String())
		}
	}
	// Output:
	// handled EV-1 TEST.EVENT wxwtdk20200910100000
	// answer 204
	// answer 204
}
