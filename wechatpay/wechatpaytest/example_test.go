package wechatpaytest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"sync"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
)

// With no behaviour, the sandbox checks each request's signature and its
// spec, then answers the spec's example, signed.
func Example() {
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{}) // the embedded specs
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	rt, err := wechatpay.NewClient(srv.ClientConfig())
	if err != nil {
		log.Fatal(err)
	}
	const path = "/v3/password-exempt-contract/contracts/service-id/{service_id}/out-contract-code/{out_contract_code}/terminate"
	var answer map[string]any
	err = rt.Call(context.Background(), http.MethodPost, path,
		map[string]string{"service_id": "12535", "out_contract_code": "wxwtdk20200910100000"}, nil,
		[]byte(`{"contract_termination_remark":"用户解约"}`), &answer)
	fmt.Println(answer, err)

	// A body the spec refuses: 400 PARAM_ERROR naming the field.
	err = rt.Call(context.Background(), http.MethodPost, path,
		map[string]string{"service_id": "12535", "out_contract_code": "wxwtdk20200910100000"}, nil,
		[]byte(`{}`), nil)
	var apiErr *wechatpay.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.Detail.Field)
	}
	// Output:
	// map[mchid:1900000109 out_contract_code:wxwtdk20200910100000 service_id:12535] <nil>
	// 400 PARAM_ERROR /contract_termination_remark
}

// A fault makes the next call fail the way a broken network or proxy would.
func ExampleServer_InjectFault() {
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	rt, err := wechatpay.NewClient(srv.ClientConfig())
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.InjectFault("terminateByCode", wechatpaytest.Fault{Kind: wechatpaytest.FaultTamperedBody}); err != nil {
		log.Fatal(err)
	}
	_, err = rt.Do(context.Background(), &wechatpay.Request{
		Operation: "terminateByCode",
		Method:    "POST",
		Path:      "/v3/password-exempt-contract/contracts/service-id/12535/out-contract-code/wxwtdk20200910100000/terminate",
		Body:      []byte(`{"contract_termination_remark":"用户解约"}`),
	})
	fmt.Println(errors.Is(err, wechatpay.ErrBadSignature))
	// Output:
	// true
}

// terminations is a behaviour keeping the contract codes terminated: the
// first termination of a code succeeds, the next are refused with a
// documented error code.
type terminations struct {
	srv  *wechatpaytest.Server
	mu   sync.Mutex
	done map[string]bool
}

func (b *terminations) Attach(srv *wechatpaytest.Server) (map[string]wechatpaytest.Handler, error) {
	b.srv, b.done = srv, make(map[string]bool)
	return map[string]wechatpaytest.Handler{"terminateByCode": b.terminate}, nil
}

func (b *terminations) terminate(c *wechatpaytest.Call) (*wechatpaytest.Response, error) {
	code := c.PathParams["out_contract_code"] // decoded, and checked against the spec
	serviceID, _ := strconv.ParseInt(c.PathParams["service_id"], 10, 64)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done[code] {
		return nil, &wechatpaytest.Error{Status: http.StatusBadRequest, Code: "INVALID_REQUEST", Message: "already terminated"}
	}
	b.done[code] = true
	return wechatpaytest.JSON(map[string]any{"mchid": b.srv.MchID(), "service_id": serviceID, "out_contract_code": code})
}

// A behaviour serves operations by operationId with state of its own; the
// engine checks the requests before and signs the answers after.
func ExampleBehaviour() {
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{
		MchID:      "1230000109",
		Behaviours: []wechatpaytest.Behaviour{&terminations{}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	rt, err := wechatpay.NewClient(srv.ClientConfig())
	if err != nil {
		log.Fatal(err)
	}
	req := &wechatpay.Request{
		Operation: "terminateByCode",
		Method:    "POST",
		Path:      "/v3/password-exempt-contract/contracts/service-id/7/out-contract-code/abc/terminate",
		Body:      []byte(`{"contract_termination_remark":"用户解约"}`),
	}
	for range 2 {
		resp, err := rt.Do(context.Background(), req)
		var apiErr *wechatpay.APIError
		switch {
		case errors.As(err, &apiErr):
			fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.Message)
		case err != nil:
			log.Fatal(err)
		default:
			fmt.Println(string(resp.Body))
		}
	}
	// Output:
	// {"mchid":"1230000109","out_contract_code":"abc","service_id":7}
	// 400 INVALID_REQUEST already terminated
}
