// Command wechatpay-demo shows the whole chain offline in a few seconds: it
// starts the sandbox in-process, terminates the official example contract
// with the generated client, then tries again to show the typed error a
// second termination gets. Then it runs the merchant's whole journey on a
// sandbox of its own: a contract pre-signed and signed, an order under it,
// the mini program's payment parameters, the payment and refund
// notifications decoded into the generated types, the next day's trade
// bill, and the contract's end (the story of the e2e package's
// Example_merchantJourney).
//
// Usage:
//
//	go run ./cmd/wechatpay-demo    (or: make demo)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "wechatpay-demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	// The engine checks and signs; the contract family's behaviour keeps contracts.
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{
		Behaviours: []wechatpaytest.Behaviour{contracts.New(contracts.Options{})},
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(out, "sandbox listening on %s (merchant %s, example contract %d:%s active)\n",
		srv.URL, srv.MchID(), contracts.ExampleServiceID, contracts.ExampleOutContractCode)

	rt, err := wechatpay.NewClient(srv.ClientConfig())
	if err != nil {
		return err
	}
	client := passwordexemptcontract.NewClient(rt)
	req := &passwordexemptcontract.TerminateByCodeRequest{
		ServiceID:                 contracts.ExampleServiceID,
		OutContractCode:           contracts.ExampleOutContractCode,
		ContractTerminationRemark: "用户解约",
	}

	fmt.Fprintln(out, "\n1. TerminateByCode: signed request, verified answer")
	resp, err := client.TerminateByCode(ctx, req)
	if err != nil {
		return fmt.Errorf("first termination: %w", err)
	}
	fmt.Fprintf(out, "   terminated: mchid=%s service_id=%d out_contract_code=%s\n", resp.MchID, resp.ServiceID, resp.OutContractCode)

	fmt.Fprintln(out, "\n2. TerminateByCode again: a terminated contract code can never be used again")
	_, err = client.TerminateByCode(ctx, req)
	var apiErr *wechatpay.APIError
	if !errors.As(err, &apiErr) {
		return fmt.Errorf("second termination: want a *wechatpay.APIError, got %v", err)
	}
	fmt.Fprintf(out, "   *wechatpay.APIError: HTTP %d %s: %s (Request-ID %s)\n", apiErr.StatusCode, apiErr.Code, apiErr.Message, apiErr.RequestID)

	fmt.Fprintln(out, "\n3. An invalid request is refused before anything is sent")
	bad := *req
	bad.OutContractCode = "../terminate"
	_, err = client.TerminateByCode(ctx, &bad)
	var invalid *wechatpay.ValidationError
	if !errors.As(err, &invalid) {
		return fmt.Errorf("invalid request: want a *wechatpay.ValidationError, got %v", err)
	}
	fmt.Fprintf(out, "   *wechatpay.ValidationError: field %s, rule %s: %v\n", invalid.Field, invalid.Rule, err)

	fmt.Fprintln(out, "\nThe merchant's journey")
	return journey(ctx, out)
}
