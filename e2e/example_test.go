package e2e_test

// Runnable examples of the generated client against the sandbox, checked by
// their Output. The generated package carries compile-only examples of every
// operation (gen/passwordexemptcontract/example_test.go).

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
)

// Terminating a contract, then handling the typed errors a second attempt
// and an invalid request get. The sandbox stands in for WeChat Pay.
func Example_terminateByCode() {
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{
		Behaviours: []wechatpaytest.Behaviour{contracts.New(contracts.Options{})}, // keeps contracts
	})
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

// Starting a contract in a mini program. The answer names the mini program
// and page that show the user the signing page; in the sandbox these are
// sandbox values, and pre_entrustweb_id changes every time.
func Example_preSignNormalMiniProgram() {
	family := contracts.New(contracts.Options{})
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{Behaviours: []wechatpaytest.Behaviour{family}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	rt, err := wechatpay.NewClient(srv.ClientConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	client := passwordexemptcontract.NewClient(rt)

	resp, err := client.PreSignNormalMiniProgram(context.Background(), &passwordexemptcontract.PreSignNormalMiniProgramRequest{
		AppID:                  "wxd678efh567hg6787",
		ServiceID:              12535,
		OutContractCode:        "wxwtdk20201001000001",
		NotifyURL:              "https://merchant.example/wechatpay/notify",
		ContractDisplayAccount: "张三",
		OpenID:                 "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.MchID, resp.ServiceID, resp.OutContractCode)
	fmt.Println("sign in:", resp.SignMpAppID, resp.SignMpPath)
	fmt.Println("pre_entrustweb_id set:", resp.PreEntrustwebID != "")
	fmt.Println("contract:", family.State(12535, "wxwtdk20201001000001"))

	// Output:
	// 1900000109 12535 wxwtdk20201001000001
	// sign in: sandbox-sign-mp-appid sandbox/pre-entrust-sign
	// pre_entrustweb_id set: true
	// contract: pending
}

// Querying a contract: before the user signs it the query is refused; once
// signed it reports SIGNED and when. The sandbox stands in for WeChat Pay and
// for the user, and its clock is fixed so the output is stable.
func Example_queryByCode() {
	family := contracts.New(contracts.Options{})
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{
		Clock:           func() time.Time { return time.Date(2020, 9, 10, 5, 29, 35, 0, time.UTC) },
		NoNotifications: true, // this example has no notify_url to serve
		Behaviours:      []wechatpaytest.Behaviour{family},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	rt, err := wechatpay.NewClient(srv.ClientConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	client := passwordexemptcontract.NewClient(rt)
	ctx := context.Background()

	_, err = client.PreSignNormalMiniProgram(ctx, &passwordexemptcontract.PreSignNormalMiniProgramRequest{
		AppID:                  "wxd678efh567hg6787",
		ServiceID:              12535,
		OutContractCode:        "wxwtdk20201001000002",
		NotifyURL:              "https://merchant.example/wechatpay/notify",
		ContractDisplayAccount: "张三",
		OpenID:                 "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	query := &passwordexemptcontract.QueryByCodeRequest{ServiceID: 12535, OutContractCode: "wxwtdk20201001000002"}

	_, err = client.QueryByCode(ctx, query)
	var apiErr *wechatpay.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("not signed yet:", apiErr.StatusCode, apiErr.Code)
	}

	if err := family.SignContract(ctx, 12535, "wxwtdk20201001000002"); err != nil { // the user signs
		fmt.Println(err)
		return
	}
	contract, err := client.QueryByCode(ctx, query)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(contract.ContractState, contract.ContractState.Known())
	fmt.Println(contract.ContractSignedTime.Format(time.RFC3339))
	fmt.Println(contract.AppID, contract.OpenID, contract.ContractDisplayAccount)

	// Output:
	// not signed yet: 400 INVALID_REQUEST
	// SIGNED true
	// 2020-09-10T13:29:35+08:00
	// wxd678efh567hg6787 oUpF8uMuAJO_M2pxb1Q9zNjWeS6o 张三
}
