package wechatpaytest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	st "github.com/payforge/wechatpay/wechatpay/wechatpaytest/internal/sandboxtest"
)

// journeySpecs is the folder of the journey's hand-written specs, whose
// files refer to their siblings (common.yaml, notifications.yaml).
var journeySpecs = os.DirFS("../../generator/testdata/wechatpay")

// A spec with references to sibling files loads from an fs.FS, and its
// operations are served: a body the shared schema refuses is refused with
// the detail of the field, and an example answer is built from a schema of
// another file.
func TestSpecFromFS(t *testing.T) {
	specs := []wechatpaytest.Spec{
		{Name: "payments.yaml", FS: journeySpecs},
		{Name: "refunds.yaml", FS: journeySpecs},
		{Name: "common.yaml", FS: journeySpecs}, // no paths: a shared part, served as nothing
	}
	srv := st.NewServer(t, wechatpaytest.Options{Specs: specs})
	rt := st.NewRuntime(t, srv)
	ctx := context.Background()

	// OutTradeNo (common.yaml) wants 6 to 32 characters.
	err := rt.Call(ctx, http.MethodGet, "/v3/pay/transactions/out-trade-no/{out_trade_no}",
		map[string]string{"out_trade_no": "abc"}, map[string][]string{"mchid": {srv.MchID()}}, nil, nil)
	var apiErr *wechatpay.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "PARAM_ERROR" || apiErr.Detail == nil || apiErr.Detail.Field != "out_trade_no" {
		t.Errorf("a path value the shared schema refuses: %v", err)
	}

	// The example answer of queryRefund is the Refund schema, whose
	// channel is an enum of common.yaml.
	var refund struct {
		Channel string `json:"channel"`
	}
	if err := rt.Call(ctx, http.MethodGet, "/v3/refund/domestic/refunds/{out_refund_no}",
		map[string]string{"out_refund_no": "R1"}, nil, nil, &refund); err != nil {
		t.Fatal(err)
	}
	if refund.Channel != "ORIGINAL" {
		t.Errorf("channel %q, want the first value of common.yaml's enum", refund.Channel)
	}

	// Data given with FS is the document; FS still holds its siblings.
	data, err := fs.ReadFile(journeySpecs, "payments.yaml")
	if err != nil {
		t.Fatal(err)
	}
	st.NewServer(t, wechatpaytest.Options{Specs: []wechatpaytest.Spec{{Name: "payments.yaml", Data: data, FS: journeySpecs}}})
}

// The bill download has no operationId in the journey's bills.yaml: the
// engine's own downloadBill serves it, and the applications its spec
// describes still reach the engine's handlers.
func TestSpecOperationWithoutID(t *testing.T) {
	srv := st.NewServer(t, wechatpaytest.Options{Specs: []wechatpaytest.Spec{{Name: "bills.yaml", FS: journeySpecs}}})
	q := st.Get(srv, "/v3/bill/tradebill?bill_date=2000-01-01")
	a := q.Send(t, srv)
	if a.Status != http.StatusBadRequest || a.Error.Code != "PARAM_ERROR" || !strings.Contains(a.Error.Detail.Issue, "three months") {
		t.Errorf("applyTradeBill through bills.yaml: %d %s", a.Status, a.Body)
	}
	a = st.Get(srv, "/v3/billdownload/file?token=x").Send(t, srv)
	if a.Status != http.StatusBadRequest || a.Error.Code != "INVALID_REQUEST" {
		t.Errorf("downloadBill: %d %s", a.Status, a.Body)
	}

	// Elsewhere an operation without operationId is still refused.
	noID := fstest.MapFS{"x.yaml": {Data: []byte(`openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /v3/x:
    get:
      responses:
        "200": {description: ok}
`)}}
	_, err := wechatpaytest.NewServer(wechatpaytest.Options{Specs: []wechatpaytest.Spec{{Name: "x.yaml", FS: noID}}})
	if err == nil || !strings.Contains(err.Error(), "x.yaml") || !strings.Contains(err.Error(), "no operationId") {
		t.Errorf("an operation without operationId: %v", err)
	}
}

// References are read inside the FS only, and every error names the file.
func TestSpecFSRefusals(t *testing.T) {
	spec := func(ref string) []byte {
		return []byte(`openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /v3/x:
    get:
      operationId: getX
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "` + ref + `"
`)
	}
	shared := []byte("openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths: {}\ncomponents:\n  schemas:\n    S: {type: object, properties: {a: {type: string, example: v}}}\n")
	fsys := fstest.MapFS{
		"dir/ok.yaml":      {Data: spec("shared.yaml#/components/schemas/S")},
		"dir/shared.yaml":  {Data: shared},
		"dir/missing.yaml": {Data: spec("nosuch.yaml#/components/schemas/S")},
		"dir/up.yaml":      {Data: spec("../../outside.yaml#/components/schemas/S")},
		"dir/root.yaml":    {Data: spec("../root.yaml#/components/schemas/S")},
		"dir/abs.yaml":     {Data: spec("/etc/passwd#/components/schemas/S")},
		"dir/url.yaml":     {Data: spec("https://example.com/s.yaml#/components/schemas/S")},
		"dir/broken.yaml":  {Data: []byte("{")},
		"root.yaml":        {Data: shared},
	}
	// A sibling in the same folder, and one a folder up that is still in FS.
	for _, name := range []string{"dir/ok.yaml", "dir/root.yaml"} {
		srv := st.NewServer(t, wechatpaytest.Options{Specs: []wechatpaytest.Spec{{Name: name, FS: fsys}}})
		var got map[string]string
		if err := st.NewRuntime(t, srv).Call(context.Background(), http.MethodGet, "/v3/x", nil, nil, nil, &got); err != nil || got["a"] != "v" {
			t.Errorf("%s: %v, %v", name, got, err)
		}
	}
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"dir/missing.yaml", []string{"dir/missing.yaml", "dir/nosuch.yaml"}},
		{"dir/up.yaml", []string{"dir/up.yaml", "../outside.yaml", "leaves"}}, // dir/../../outside.yaml
		{"dir/abs.yaml", []string{"dir/abs.yaml", "/etc/passwd", "leaves"}},
		{"dir/url.yaml", []string{"dir/url.yaml", "https://example.com/s.yaml", "leaves"}},
		{"dir/broken.yaml", []string{"dir/broken.yaml"}},
		{"dir/nothere.yaml", []string{"dir/nothere.yaml"}},
		{"/dir/ok.yaml", []string{"/dir/ok.yaml", "not a path"}},
	} {
		_, err := wechatpaytest.NewServer(wechatpaytest.Options{Specs: []wechatpaytest.Spec{{Name: tc.name, FS: fsys}}})
		if err == nil {
			t.Errorf("%s: served", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not name %q", tc.name, err, w)
			}
		}
	}
	// Without FS a reference to another file is not followed.
	_, err := wechatpaytest.NewServer(wechatpaytest.Options{Specs: []wechatpaytest.Spec{{Name: "ok.yaml", Data: spec("shared.yaml#/components/schemas/S")}}})
	if err == nil || !strings.Contains(err.Error(), "ok.yaml") {
		t.Errorf("a reference without FS: %v", err)
	}
}

// Every file of the journey's folder is served together, as the embedded
// specs will be once package spec holds them: shared parts, the download
// without operationId and operations the engine also serves (certificates,
// uploads, bills) included, each operation answered by its example.
func TestJourneySpecsServeExamples(t *testing.T) {
	names, err := fs.Glob(journeySpecs, "*.yaml")
	if err != nil || len(names) < 9 {
		t.Fatalf("the journey's folder: %v, %v", names, err)
	}
	var specs []wechatpaytest.Spec
	for _, name := range names {
		specs = append(specs, wechatpaytest.Spec{Name: name, FS: journeySpecs})
	}
	srv := st.NewServer(t, wechatpaytest.Options{Specs: specs})
	var prepay map[string]any
	body := map[string]any{"appid": "wxd678efh567hg6787", "mchid": srv.MchID(), "description": "d",
		"out_trade_no": "order-0001", "notify_url": "https://merchant.example/notify", "amount": map[string]any{"total": 1}}
	if err := st.NewRuntime(t, srv).Call(context.Background(), http.MethodPost, "/v3/pay/transactions/native", nil, nil, body, &prepay); err != nil {
		t.Fatal(err)
	}
	if _, err := json.Marshal(prepay); err != nil || prepay["code_url"] == nil {
		t.Errorf("nativePrepay example %v", prepay)
	}
}

// A body composed with allOf (an order: the shared fields allOf the kind's
// own) is refused with the field that broke a rule, not the whole object.
func TestAllOfDetail(t *testing.T) {
	srv := st.NewServer(t, wechatpaytest.Options{Specs: []wechatpaytest.Spec{{Name: "payments.yaml", FS: journeySpecs}}})
	rt := st.NewRuntime(t, srv)
	order := func(edit func(map[string]any)) map[string]any {
		b := map[string]any{"appid": "wxd678efh567hg6787", "mchid": srv.MchID(), "description": "d",
			"out_trade_no": "order-0001", "notify_url": "https://merchant.example/notify", "amount": map[string]any{"total": 1},
			"scene_info": map[string]any{"payer_client_ip": "14.23.150.211", "h5_info": map[string]any{"type": "Wap"}}}
		edit(b)
		return b
	}
	for _, tc := range []struct {
		name, path string
		body       map[string]any
		field      string
		issue      string
	}{
		{"a short out_trade_no", "/v3/pay/transactions/native", order(func(b map[string]any) { b["out_trade_no"] = "abc" }), "/out_trade_no", "minimum string length"},
		{"a negative total", "/v3/pay/transactions/native", order(func(b map[string]any) { b["amount"] = map[string]any{"total": -1} }), "/amount/total", "at least 0"},
		{"no h5_info (allOf within allOf)", "/v3/pay/transactions/h5", order(func(b map[string]any) { b["scene_info"] = map[string]any{"payer_client_ip": "1.2.3.4"} }), "/scene_info/h5_info", "missing"},
		{"no payer", "/v3/pay/transactions/jsapi", order(func(map[string]any) {}), "/payer", "missing"},
	} {
		err := rt.Call(context.Background(), http.MethodPost, tc.path, nil, nil, tc.body, nil)
		var apiErr *wechatpay.APIError
		if !errors.As(err, &apiErr) || apiErr.Code != "PARAM_ERROR" || apiErr.Detail == nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if d := apiErr.Detail; d.Field != tc.field || !strings.Contains(d.Issue, tc.issue) || d.Location != "body" {
			t.Errorf("%s: detail %+v, want field %q and an issue naming %q", tc.name, d, tc.field, tc.issue)
		}
	}
}
