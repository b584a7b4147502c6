// Command widgetclient calls the client generated from ../widgets.yaml
// through a sandbox serving that spec with no behaviour, as a merchant tests
// a client for an endpoint of their own offline. The sandbox's tests
// (TestGeneratedClient) copy it next to the generated package, rewriting the
// import path below, run it with the spec's path and check each line it
// prints: one JSON object per call.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"

	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/_generated/widgets"
)

// result is what one call gave.
type result struct {
	Call   string `json:"call"`
	Answer any    `json:"answer,omitempty"`
	// Invalid is "field rule" of a *wechatpay.ValidationError.
	Invalid string `json:"invalid,omitempty"`
	// Refused is "status code field location" of a *wechatpay.APIError.
	Refused string `json:"refused,omitempty"`
	// Failed is any other error.
	Failed string `json:"failed,omitempty"`
}

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{Specs: []wechatpaytest.Spec{{Name: "widgets.yaml", Data: data}}})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	rt, err := wechatpay.NewClient(srv.ClientConfig())
	if err != nil {
		log.Fatal(err)
	}
	client := widgets.NewClient(rt)
	ctx := context.Background()
	out := json.NewEncoder(os.Stdout)
	report := func(call string, answer any, err error) {
		r := result{Call: call, Answer: answer}
		var invalid *wechatpay.ValidationError
		var apiErr *wechatpay.APIError
		switch {
		case errors.As(err, &invalid):
			r.Invalid = invalid.Field + " " + invalid.Rule
		case errors.As(err, &apiErr):
			r.Refused = apiErr.Code
			if apiErr.Detail != nil {
				r.Refused += " " + apiErr.Detail.Field + " " + apiErr.Detail.Location
			}
		case err != nil:
			r.Failed = err.Error()
		}
		if err := out.Encode(r); err != nil {
			log.Fatal(err)
		}
	}

	created, err := client.CreateWidget(ctx, &widgets.CreateWidgetRequest{
		MchID: srv.MchID(), Name: "小部件", Size: 3, Color: widgets.ColorBlue,
	})
	report("create", created, err)
	got, err := client.GetWidget(ctx, &widgets.GetWidgetRequest{WidgetID: "W20200910", MchID: srv.MchID()})
	report("get", got, err)
	err = client.CloseWidget(ctx, &widgets.CloseWidgetRequest{WidgetID: "W20200910", MchID: srv.MchID()})
	report("close", nil, err)

	// A name of 17 characters breaks maxLength 16: the generated client
	// refuses it before sending, and the sandbox refuses it when it is sent
	// anyway, through the runtime's escape hatch.
	long := strings.Repeat("名", 17)
	_, err = client.CreateWidget(ctx, &widgets.CreateWidgetRequest{MchID: srv.MchID(), Name: long, Size: 3})
	report("create-invalid", nil, err)
	body, err := json.Marshal(map[string]any{"mchid": srv.MchID(), "name": long, "size": 3})
	if err != nil {
		log.Fatal(err)
	}
	err = rt.Call(ctx, http.MethodPost, "/v3/sandbox-widgets/widgets", nil, nil, body, nil)
	report("create-invalid-sent", nil, err)
}
