package payments_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/payments"
)

// An order the user pays, a refund, and a close the paid order refuses,
// through the runtime, with the specs embedded in package spec.
func Example() {
	family := contracts.New(contracts.Options{})
	journey := payments.New(payments.Options{Contracts: family})
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{
		Behaviours:      []wechatpaytest.Behaviour{family, journey},
		NoNotifications: true, // no merchant listens in this example
	})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	rt, err := wechatpay.NewClient(srv.ClientConfig())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	order := map[string]any{
		"appid": "wxd678efh567hg6787", "mchid": srv.MchID(), "description": "Image形象店-深圳腾大-QQ公仔",
		"out_trade_no": "1217752501201407033233368018", "notify_url": "https://www.weixin.qq.com/wxpay/pay.php",
		"amount": map[string]any{"total": 100}, "payer": map[string]any{"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
	}
	if err := rt.Call(ctx, http.MethodPost, "/v3/pay/transactions/jsapi", nil, nil, order, nil); err != nil {
		log.Fatal(err)
	}
	if err := journey.Pay(ctx, "1217752501201407033233368018"); err != nil {
		log.Fatal(err)
	}
	var tx struct {
		TradeState string `json:"trade_state"`
	}
	err = rt.Call(ctx, http.MethodGet, "/v3/pay/transactions/out-trade-no/{out_trade_no}",
		map[string]string{"out_trade_no": "1217752501201407033233368018"}, url.Values{"mchid": {srv.MchID()}}, nil, &tx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tx.TradeState)

	var refund struct {
		Status string `json:"status"`
	}
	err = rt.Call(ctx, http.MethodPost, "/v3/refund/domestic/refunds", nil, nil, map[string]any{
		"out_trade_no": "1217752501201407033233368018", "out_refund_no": "1217752501201407033233368019",
		"amount": map[string]any{"refund": 100, "total": 100, "currency": "CNY"},
	}, &refund)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(refund.Status)

	err = rt.Call(ctx, http.MethodPost, "/v3/pay/transactions/out-trade-no/{out_trade_no}/close",
		map[string]string{"out_trade_no": "1217752501201407033233368018"}, nil, map[string]any{"mchid": srv.MchID()}, nil)
	var apiErr *wechatpay.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code)
	}
	// Output:
	// SUCCESS
	// PROCESSING
	// 400 INVALID_REQUEST
}
