package passwordexemptcontract_test

// This file is written by hand; the generator never touches a file without
// its "Code generated" header.

import (
	"context"
	"errors"
	"fmt"

	"github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
)

// Terminating a contract, then handling the typed errors a second attempt
// and an invalid request get. The sandbox stands in for WeChat Pay.
func ExampleClient_TerminateByCode() {
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	rt, err := wechatpay.NewClient(srv.ClientConfig()) // in production: your merchant config
	if err != nil {
		fmt.Println(err)
		return
	}
	client := passwordexemptcontract.NewClient(rt)
	ctx := context.Background()

	req := &passwordexemptcontract.TerminateByCodeRequest{
		ServiceID:                 12535,
		OutContractCode:           "wxwtdk20200910100000",
		ContractTerminationRemark: "用户解约",
	}
	resp, err := client.TerminateByCode(ctx, req)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("terminated:", resp.MchID, resp.ServiceID, resp.OutContractCode)

	_, err = client.TerminateByCode(ctx, req)
	var apiErr *wechatpay.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("again:", apiErr.StatusCode, apiErr.Code)
	}

	req.OutContractCode = "a/b"
	_, err = client.TerminateByCode(ctx, req)
	var invalid *wechatpay.ValidationError
	if errors.As(err, &invalid) {
		fmt.Println("invalid:", invalid.Field, invalid.Rule)
	}

	// Output:
	// terminated: 1900000109 12535 wxwtdk20200910100000
	// again: 400 INVALID_REQUEST
	// invalid: out_contract_code pattern
}
