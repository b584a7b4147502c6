package contracts_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"sync/atomic"

	"github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
)

// Terminating the official example contract twice: the first call succeeds
// with a verified answer, the second is refused, as the family keeps the
// contract's state.
func Example() {
	family := contracts.New(contracts.Options{})
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{Behaviours: []wechatpaytest.Behaviour{family}})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	rt, err := wechatpay.NewClient(srv.ClientConfig())
	if err != nil {
		log.Fatal(err)
	}
	req := &wechatpay.Request{
		Operation:    "terminateByCode",
		Method:       "POST",
		PathTemplate: "/v3/password-exempt-contract/contracts/service-id/{service_id}/out-contract-code/{out_contract_code}/terminate",
		Path:         "/v3/password-exempt-contract/contracts/service-id/12535/out-contract-code/wxwtdk20200910100000/terminate",
		Body:         []byte(`{"contract_termination_remark":"用户解约"}`),
	}

	resp, err := rt.Do(context.Background(), req)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, string(resp.Body))

	_, err = rt.Do(context.Background(), req)
	var apiErr *wechatpay.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code)
	}
	fmt.Println(family.State(contracts.ExampleServiceID, contracts.ExampleOutContractCode))
	// Output:
	// 200 {"mchid":"1900000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000"}
	// 400 INVALID_REQUEST
	// terminated
}

// The generated typed client works against the sandbox like against WeChat Pay.
func Example_typedClient() {
	family := contracts.New(contracts.Options{})
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{Behaviours: []wechatpaytest.Behaviour{family}})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	rt, err := wechatpay.NewClient(srv.ClientConfig())
	if err != nil {
		log.Fatal(err)
	}
	client := passwordexemptcontract.NewClient(rt)
	req := &passwordexemptcontract.TerminateByCodeRequest{
		ServiceID:                 contracts.ExampleServiceID,
		OutContractCode:           contracts.ExampleOutContractCode,
		ContractTerminationRemark: "用户解约",
	}

	resp, err := client.TerminateByCode(context.Background(), req)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.MchID, resp.ServiceID, resp.OutContractCode)

	_, err = client.TerminateByCode(context.Background(), req)
	var apiErr *wechatpay.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code)
	}
	// Output:
	// 1900000109 12535 wxwtdk20200910100000
	// 400 INVALID_REQUEST
}

// The user signs a pre-signed contract, and the sandbox notifies the
// merchant's notify_url: here an HTTPS test server running the runtime's
// NotifyHandler with the sandbox's WeChat Pay public key and APIv3 key.
func ExampleFamily_SignContract() {
	var handler atomic.Pointer[wechatpay.NotifyHandler]
	merchant := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler.Load().ServeHTTP(w, r)
	}))
	defer merchant.Close()

	// The merchant's client trusts its test certificate.
	family := contracts.New(contracts.Options{})
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{
		NotifyClient: merchant.Client(),
		Behaviours:   []wechatpaytest.Behaviour{family},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	cfg := srv.ClientConfig()
	keys, err := wechatpay.NewKeySet(cfg.VerificationKeys...)
	if err != nil {
		log.Fatal(err)
	}
	h, err := wechatpay.NewNotifyHandler(wechatpay.NotifyConfig{Keys: keys, APIv3Key: srv.APIv3Key()},
		func(_ context.Context, n *wechatpay.Notification) error {
			c, err := wechatpay.DecodeNotification[passwordexemptcontract.QueryByCodeResponse](n)
			if err != nil {
				return err
			}
			fmt.Println("notified:", n.EventType, c.OutContractCode, c.ContractState)
			return nil
		})
	if err != nil {
		log.Fatal(err)
	}
	handler.Store(h)

	rt, err := wechatpay.NewClient(cfg)
	if err != nil {
		log.Fatal(err)
	}
	_, err = passwordexemptcontract.NewClient(rt).PreSignNormalPayRedirectSign(context.Background(),
		&passwordexemptcontract.PreSignNormalPayRedirectSignRequest{
			AppID: "wxd678efh567hg6787", ServiceID: 12535, OutContractCode: "wxwtdk20201001000003",
			NotifyURL: merchant.URL + "/notify", ContractDisplayAccount: "张三",
			OpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", PrepayID: "wx201410272009395522657a690389285100",
		})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(family.State(12535, "wxwtdk20201001000003"))
	fmt.Println("delivery error:", family.SignContract(context.Background(), 12535, "wxwtdk20201001000003"))
	fmt.Println(family.State(12535, "wxwtdk20201001000003"))
	// Output:
	// pending
	// notified: SANDBOX.CONTRACT_SIGNED wxwtdk20201001000003 SIGNED
	// delivery error: <nil>
	// active
}
