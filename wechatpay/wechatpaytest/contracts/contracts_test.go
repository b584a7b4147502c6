package contracts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/payforge/wechatpay/spec"
	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/internal/sandboxtest"
)

const (
	preSignPath = "/v3/password-exempt-contract/contracts/%s/pre-entrust-sign/%s"
	queryPath   = "/v3/password-exempt-contract/contracts/service-id/%d/out-contract-code/%s"
	notifyURL   = "https://merchant.example/notify"
)

// newServer starts a sandbox with the test keys running the contract family.
func newServer(t *testing.T, opts wechatpaytest.Options, copts contracts.Options) (*wechatpaytest.Server, *contracts.Family) {
	t.Helper()
	family := contracts.New(copts)
	opts.Behaviours = append(opts.Behaviours, family)
	return sandboxtest.NewServer(t, opts), family
}

// preSignCase is one pre-sign variant and a valid body for it.
type preSignCase struct {
	mode, scene string
	body        map[string]any
	fields      []string // of the answer, sorted
}

func preSignCases(serviceID int64, code string) []preSignCase {
	common := func(extra map[string]any) map[string]any {
		m := map[string]any{
			"service_id": serviceID, "out_contract_code": code,
			"notify_url": notifyURL, "contract_display_account": "账户",
		}
		maps.Copy(m, extra)
		return m
	}
	direct := map[string]any{"appid": "wxd678efh567hg6787", "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}
	provider := map[string]any{"sp_appid": "wxsp", "sub_mchid": "1900000110", "sub_appid": "wxsub", "sp_openid": "osp", "sub_openid": "osub"}
	qs := map[string]any{"appid": "wxqs", "sub_appid": "wxsub", "sub_mchid": "1900000110", "sub_openid": "osub"}
	withPrepay := func(m map[string]any) map[string]any {
		m = maps.Clone(m)
		m["prepay_id"] = "wx201410272009395522657a690389285100"
		return m
	}
	mini := []string{"mchid", "out_contract_code", "pre_entrustweb_id", "service_id", "sign_mp_appid", "sign_mp_path"}
	miniSP := []string{"mchid", "out_contract_code", "pre_entrustweb_id", "service_id", "sign_mp_appid", "sign_mp_path", "sub_mchid"}
	redirect := []string{"mchid", "out_contract_code", "service_id"}
	redirectSP := []string{"mchid", "out_contract_code", "service_id", "sub_mchid"}
	return []preSignCase{
		{"normal", "mini-program", common(direct), mini},
		{"normal", "pay-redirect-sign", common(withPrepay(direct)), redirect},
		{"ecommerce", "mini-program", common(direct), mini},
		{"ecommerce", "pay-redirect-sign", common(withPrepay(direct)), redirect},
		{"service-provider", "mini-program", common(provider), miniSP},
		{"service-provider", "pay-redirect-sign", common(withPrepay(provider)), redirectSP},
		{"qs", "mini-program", common(qs), mini},
		{"qs", "pay-redirect-sign", common(withPrepay(qs)), redirect},
	}
}

// post sends body as a signed request to uri; get sends a signed GET.
func post(t *testing.T, srv *wechatpaytest.Server, uri string, body any) *sandboxtest.Answer {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	q := sandboxtest.Valid(srv, 1, "x")
	q.URI, q.Body = uri, string(b)
	a := q.Send(t, srv)
	checkAgainstSpec(t, http.MethodPost, uri, a)
	return a
}

func get(t *testing.T, srv *wechatpaytest.Server, uri string) *sandboxtest.Answer {
	t.Helper()
	q := sandboxtest.Valid(srv, 1, "x")
	q.Method, q.URI, q.Body, q.ContentType = http.MethodGet, uri, "", ""
	a := q.Send(t, srv)
	checkAgainstSpec(t, http.MethodGet, uri, a)
	return a
}

var specRouter = sync.OnceValues(func() (routers.Router, error) {
	data, err := spec.FS.ReadFile("password-exempt-contract.yaml")
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, err
	}
	doc.Servers = nil
	return legacy.NewRouter(doc)
})

// checkAgainstSpec validates a 2xx answer against its operation's response
// schema, so the sandbox never answers what the spec does not describe.
func checkAgainstSpec(t *testing.T, method, uri string, a *sandboxtest.Answer) {
	t.Helper()
	if a.Status/100 != 2 {
		return
	}
	router, err := specRouter()
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(method, uri, nil)
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatal(err)
	}
	err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 a.Status,
		Header:                 a.Header,
		Body:                   io.NopCloser(bytes.NewReader(a.Body)),
	})
	if err != nil {
		t.Errorf("answer %s to %s %s breaks the spec: %v", a.Body, method, uri, err)
	}
}

func TestPreSign(t *testing.T) {
	srv, family := newServer(t, wechatpaytest.Options{NoNotifications: true}, contracts.Options{})
	for i, tc := range preSignCases(12535, "") {
		t.Run(tc.mode+"/"+tc.scene, func(t *testing.T) {
			code := fmt.Sprintf("presign%d", i)
			tc.body["out_contract_code"] = code
			uri := fmt.Sprintf(preSignPath, tc.mode, tc.scene)
			a := post(t, srv, uri, tc.body)
			if a.Status != http.StatusOK {
				t.Fatalf("pre-sign: %d %s", a.Status, a.Body)
			}
			sandboxtest.VerifyAnswer(t, a, time.Now())
			var got map[string]any
			if err := json.Unmarshal(a.Body, &got); err != nil {
				t.Fatal(err)
			}
			if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, tc.fields) {
				t.Errorf("answer fields %v, want %v", keys, tc.fields)
			}
			if got["mchid"] != wechatpaytest.DefaultMchID || got["service_id"] != 12535.0 || got["out_contract_code"] != code {
				t.Errorf("answer %s", a.Body)
			}
			if tc.mode == "service-provider" && got["sub_mchid"] != "1900000110" {
				t.Errorf("sub_mchid in %s", a.Body)
			}
			if tc.scene == "mini-program" {
				id, _ := got["pre_entrustweb_id"].(string)
				if id == "" || len(id) > 128 || got["sign_mp_appid"] != contracts.SignMpAppID || got["sign_mp_path"] != contracts.SignMpPath {
					t.Errorf("mini-program answer %s", a.Body)
				}
			}
			if st := family.State(12535, code); st != contracts.Pending {
				t.Errorf("state %v, want pending", st)
			}

			// The code is taken, under any service ID.
			for _, sid := range []int64{12535, 12536} {
				tc.body["service_id"] = sid
				a = post(t, srv, uri, tc.body)
				if a.Status != http.StatusBadRequest || a.Error.Code != "INVALID_REQUEST" || a.Error.Detail == nil || a.Error.Detail.Field != "/out_contract_code" {
					t.Errorf("repeated code under %d: %d %s, want 400 INVALID_REQUEST", sid, a.Status, a.Body)
				}
			}
		})
	}
	// Codes of AddContract and of the example contract are taken too.
	body := preSignCases(7, contracts.ExampleOutContractCode)[0].body
	if a := post(t, srv, fmt.Sprintf(preSignPath, "normal", "mini-program"), body); a.Error.Code != "INVALID_REQUEST" {
		t.Errorf("pre-sign with the example contract's code: %d %s", a.Status, a.Body)
	}
}

func TestPreSignRejections(t *testing.T) {
	srv, family := newServer(t, wechatpaytest.Options{NoNotifications: true}, contracts.Options{})
	qs := preSignCases(1, "rejected")[6]
	normal := preSignCases(1, "rejected")[0]
	without := func(c preSignCase, keys ...string) map[string]any {
		m := maps.Clone(c.body)
		for _, k := range keys {
			delete(m, k)
		}
		return m
	}
	with := func(c preSignCase, k string, v any) map[string]any {
		m := maps.Clone(c.body)
		m[k] = v
		return m
	}
	tests := []struct {
		name        string
		mode, scene string
		body        map[string]any
		field       string
		issue       string // a part of detail.issue
	}{
		{"qs without openid and sub_openid", "qs", "mini-program", without(qs, "openid", "sub_openid"), "/openid", "one of openid and sub_openid is required"},
		{"qs with both empty", "qs", "mini-program", with(preSignCase{body: with(qs, "sub_openid", "")}, "openid", ""), "/openid", "minimum string length is 1"},
		{"qs pay-redirect-sign without openid and sub_openid", "qs", "pay-redirect-sign",
			without(preSignCases(1, "rejected")[7], "openid", "sub_openid"), "/openid", "sub_openid"},
		{"notify_url over http", "normal", "mini-program", with(normal, "notify_url", "http://merchant.example/notify"), "/notify_url", "regular expression"},
		{"notify_url with a query", "normal", "mini-program", with(normal, "notify_url", "https://merchant.example/notify?a=1"), "/notify_url", "regular expression"},
		{"appid missing", "normal", "mini-program", without(normal, "appid"), "/appid", "appid"},
		{"prepay_id missing", "normal", "pay-redirect-sign", normal.body, "/prepay_id", "prepay_id"},
		{"code breaks the pattern", "normal", "mini-program", with(normal, "out_contract_code", "a-b"), "/out_contract_code", "regular expression"},
		{"display account of 33 characters", "normal", "mini-program", with(normal, "contract_display_account", strings.Repeat("账", 33)), "/contract_display_account", ""},
		{"service_id not an integer", "normal", "mini-program", with(normal, "service_id", "12535"), "/service_id", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := post(t, srv, fmt.Sprintf(preSignPath, tt.mode, tt.scene), tt.body)
			d := a.Error.Detail
			if a.Status != http.StatusBadRequest || a.Error.Code != "PARAM_ERROR" || d == nil ||
				d.Field != tt.field || d.Location != "body" || !strings.Contains(d.Issue, tt.issue) {
				t.Errorf("answer %d %s, want 400 PARAM_ERROR on %s with issue %q", a.Status, a.Body, tt.field, tt.issue)
			}
		})
	}
	if st := family.State(1, "rejected"); st != contracts.None {
		t.Errorf("a refused pre-sign left a contract: %v", st)
	}
}

// queried is the query answer.
type queried struct {
	MchID                  string `json:"mchid"`
	ContractID             string `json:"contract_id"`
	AppID                  string `json:"appid"`
	OpenID                 string `json:"openid"`
	SubAppID               string `json:"sub_appid"`
	SubOpenID              string `json:"sub_openid"`
	ServiceID              int64  `json:"service_id"`
	OutContractCode        string `json:"out_contract_code"`
	ContractDisplayAccount string `json:"contract_display_account"`
	ContractState          string `json:"contract_state"`
	ContractSignedTime     string `json:"contract_signed_time"`
	ContractTerminateInfo  *struct {
		ContractTerminationMode   string `json:"contract_termination_mode"`
		ContractTerminatedTime    string `json:"contract_terminated_time"`
		ContractTerminationRemark string `json:"contract_termination_remark"`
	} `json:"contract_terminate_info"`
}

func decodeContract(t *testing.T, a *sandboxtest.Answer) queried {
	t.Helper()
	if a.Status != http.StatusOK {
		t.Fatalf("query: %d %s", a.Status, a.Body)
	}
	var q queried
	dec := json.NewDecoder(bytes.NewReader(a.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&q); err != nil {
		t.Fatalf("query answer %s: %v", a.Body, err)
	}
	return q
}

func TestContractLifecycle(t *testing.T) {
	now := time.Date(2020, 9, 10, 5, 29, 35, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv, family := newServer(t, wechatpaytest.Options{NoNotifications: true, Clock: clock}, contracts.Options{})
	ctx := context.Background()
	tc := preSignCases(12535, "life1")[4] // service provider, mini program
	if a := post(t, srv, fmt.Sprintf(preSignPath, tc.mode, tc.scene), tc.body); a.Status != http.StatusOK {
		t.Fatalf("pre-sign: %d %s", a.Status, a.Body)
	}
	uri := fmt.Sprintf(queryPath, 12535, "life1")
	terminate := func() *sandboxtest.Answer {
		return post(t, srv, uri+"/terminate", map[string]string{"contract_termination_remark": "用户解约"})
	}

	for name, a := range map[string]*sandboxtest.Answer{"query": get(t, srv, uri), "terminate": terminate()} {
		if a.Status != http.StatusBadRequest || a.Error.Code != "INVALID_REQUEST" {
			t.Errorf("%s of a pending contract: %d %s, want 400 INVALID_REQUEST", name, a.Status, a.Body)
		}
	}
	if a := get(t, srv, fmt.Sprintf(queryPath, 12535, "nosuch")); a.Error.Code != "PARAM_ERROR" || a.Error.Detail == nil || a.Error.Detail.Field != "out_contract_code" {
		t.Errorf("query of an unknown contract: %d %s, want PARAM_ERROR on out_contract_code", a.Status, a.Body)
	}

	if err := family.SignContract(ctx, 12535, "life1"); err != nil {
		t.Fatal(err)
	}
	if err := family.SignContract(ctx, 12535, "life1"); err == nil {
		t.Error("signed an active contract again")
	}
	q := decodeContract(t, get(t, srv, uri))
	if q.MchID != wechatpaytest.DefaultMchID || q.ContractID == "" || len(q.ContractID) > 32 ||
		q.AppID != "wxsp" || q.OpenID != "osp" || q.SubAppID != "wxsub" || q.SubOpenID != "osub" ||
		q.ServiceID != 12535 || q.OutContractCode != "life1" || q.ContractDisplayAccount != "账户" ||
		q.ContractState != "SIGNED" || q.ContractSignedTime != "2020-09-10T13:29:35+08:00" || q.ContractTerminateInfo != nil {
		t.Errorf("signed contract: %+v", q)
	}
	if st := family.StateByID(q.ContractID); st != contracts.Active {
		t.Errorf("StateByID(%s) = %v, want active", q.ContractID, st)
	}
	for _, id := range []string{"", "sandboxnosuch"} {
		if st := family.StateByID(id); st != contracts.None {
			t.Errorf("StateByID(%q) = %v, want none", id, st)
		}
	}

	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	if a := terminate(); a.Status != http.StatusOK {
		t.Fatalf("terminate: %d %s", a.Status, a.Body)
	}
	q = decodeContract(t, get(t, srv, uri))
	if q.ContractState != contracts.TerminatedContractState || q.ContractTerminateInfo != nil || q.ContractSignedTime != "2020-09-10T13:29:35+08:00" {
		t.Errorf("contract terminated by the merchant: %+v", q)
	}
	if a := terminate(); a.Error.Code != "INVALID_REQUEST" {
		t.Errorf("second terminate: %d %s", a.Status, a.Body)
	}
	if st := family.StateByID(q.ContractID); st != contracts.Terminated {
		t.Errorf("StateByID of the terminated contract = %v", st)
	}

	// The user ends the example contract: its mode is known.
	if err := family.TerminateByUser(contracts.ExampleServiceID, contracts.ExampleOutContractCode); err != nil {
		t.Fatal(err)
	}
	if err := family.TerminateByUser(contracts.ExampleServiceID, contracts.ExampleOutContractCode); err == nil {
		t.Error("terminated a terminated contract again")
	}
	q = decodeContract(t, get(t, srv, fmt.Sprintf(queryPath, contracts.ExampleServiceID, contracts.ExampleOutContractCode)))
	if q.AppID != contracts.AddedContractAppID || !strings.HasPrefix(q.OpenID, "sandbox-openid-") ||
		q.ContractTerminateInfo == nil || q.ContractTerminateInfo.ContractTerminationMode != "USER_TERMINATE" ||
		q.ContractTerminateInfo.ContractTerminatedTime != "2020-09-10T14:29:35+08:00" {
		t.Errorf("contract terminated by the user: %+v %+v", q, q.ContractTerminateInfo)
	}
}

// A qs contract named by sub_openid only gets an OpenID under appid when the
// user signs.
func TestContractOpenIDMadeUp(t *testing.T) {
	srv, family := newServer(t, wechatpaytest.Options{NoNotifications: true}, contracts.Options{})
	tc := preSignCases(3, "madeup")[6]
	if a := post(t, srv, fmt.Sprintf(preSignPath, tc.mode, tc.scene), tc.body); a.Status != http.StatusOK {
		t.Fatalf("pre-sign: %d %s", a.Status, a.Body)
	}
	if err := family.SignContract(context.Background(), 3, "madeup"); err != nil {
		t.Fatal(err)
	}
	q := decodeContract(t, get(t, srv, fmt.Sprintf(queryPath, 3, "madeup")))
	if q.AppID != "wxqs" || !strings.HasPrefix(q.OpenID, "sandbox-openid-") || len(q.OpenID) > 64 || q.SubOpenID != "osub" {
		t.Errorf("qs contract: %+v", q)
	}
}

// merchant is a notify_url served over TLS by the runtime's NotifyHandler,
// which knows the test WeChat Pay key and apiV3Key.
type merchant struct {
	*httptest.Server
	got chan *wechatpay.Notification
}

var apiV3Key = []byte("0123456789abcdefABCDEF0123456789")

func newMerchant(t *testing.T) *merchant {
	t.Helper()
	vk, err := wechatpay.PublicKeyModeKey(wechatpaytest.DefaultWechatpayKeyID, &sandboxtest.WechatpayKey().PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := wechatpay.NewKeySet(vk)
	if err != nil {
		t.Fatal(err)
	}
	m := &merchant{got: make(chan *wechatpay.Notification, 4)}
	h, err := wechatpay.NewNotifyHandler(wechatpay.NotifyConfig{Keys: keys, APIv3Key: apiV3Key},
		func(_ context.Context, n *wechatpay.Notification) error {
			m.got <- n
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	m.Server = httptest.NewTLSServer(h)
	t.Cleanup(m.Close)
	return m
}

// checkEnvelope checks a delivered notification's envelope (as the
// runtime parsed it, written back as JSON) against the spec's
// NotificationEnvelope (spec/notifications.yaml): lengths of id and
// associated_data included.
func checkEnvelope(t *testing.T, n *wechatpay.Notification) {
	t.Helper()
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	doc, err := loader.LoadFromFile("../../../spec/notifications.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	var envelope any
	if err := json.Unmarshal(data, &envelope); err != nil {
		t.Fatal(err)
	}
	if err := doc.Components.Schemas["NotificationEnvelope"].Value.VisitJSON(envelope, openapi3.MultiErrors()); err != nil {
		t.Errorf("the delivered envelope breaks the spec's NotificationEnvelope: %v\n%s", err, data)
	}
}

func TestAutoSign(t *testing.T) {
	m := newMerchant(t)
	srv, family := newServer(t, wechatpaytest.Options{APIv3Key: apiV3Key, NotifyClient: m.Client()}, contracts.Options{AutoSign: 10 * time.Millisecond})
	if !bytes.Equal(srv.APIv3Key(), apiV3Key) {
		t.Fatal("APIv3Key does not return Options.APIv3Key")
	}
	tc := preSignCases(5, "auto1")[0]
	tc.body["notify_url"] = m.URL + "/notify"
	if a := post(t, srv, fmt.Sprintf(preSignPath, tc.mode, tc.scene), tc.body); a.Status != http.StatusOK {
		t.Fatalf("pre-sign: %d %s", a.Status, a.Body)
	}
	select {
	case n := <-m.got:
		if n.EventType != contracts.NotificationEventType || !strings.Contains(string(n.Plaintext), `"out_contract_code":"auto1"`) {
			t.Errorf("notification %+v %s", n, n.Plaintext)
		}
		checkEnvelope(t, n)
		// The value of every official callback page, which a merchant may check.
		if n.ResourceType != "encrypt-resource" || n.Resource.Algorithm != "AEAD_AES_256_GCM" {
			t.Errorf("resource_type %q, algorithm %q; want encrypt-resource, AEAD_AES_256_GCM", n.ResourceType, n.Resource.Algorithm)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no notification after AutoSign")
	}
	if st := family.State(5, "auto1"); st != contracts.Active {
		t.Errorf("state %v, want active", st)
	}

	// Close cancels a signing still waiting.
	slow, _ := newServer(t, wechatpaytest.Options{NotifyClient: m.Client()}, contracts.Options{AutoSign: time.Hour})
	tc = preSignCases(5, "auto2")[0]
	if a := post(t, slow, fmt.Sprintf(preSignPath, tc.mode, tc.scene), tc.body); a.Status != http.StatusOK {
		t.Fatalf("pre-sign: %d %s", a.Status, a.Body)
	}
	start := time.Now()
	slow.Close()
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close took %v with a signing pending", d)
	}
}

func TestNotificationFaultKinds(t *testing.T) {
	srv, family := newServer(t, wechatpaytest.Options{}, contracts.Options{})
	for _, k := range []wechatpaytest.FaultKind{wechatpaytest.FaultTamperedCiphertext, wechatpaytest.FaultWrongAPIv3Key} {
		if err := srv.InjectFault("terminateByCode", wechatpaytest.Fault{Kind: k}); err == nil {
			t.Errorf("InjectFault accepted the notification fault %v", k)
		}
		if err := srv.InjectNotificationFault(wechatpaytest.Fault{Kind: k}); err != nil {
			t.Errorf("InjectNotificationFault(%v): %v", k, err)
		}
	}
	for _, k := range []wechatpaytest.FaultKind{0, wechatpaytest.FaultError, wechatpaytest.FaultDelay, wechatpaytest.FaultTruncatedBody} {
		if err := srv.InjectNotificationFault(wechatpaytest.Fault{Kind: k}); err == nil {
			t.Errorf("InjectNotificationFault accepted %v", k)
		}
	}
	srv.ClearNotificationFault()
	if err := family.SendNotification(context.Background(), contracts.ExampleServiceID, contracts.ExampleOutContractCode); err == nil {
		t.Error("SendNotification for a contract without a notify_url")
	}
	if err := family.SignContract(context.Background(), 1, "nosuch"); err == nil {
		t.Error("SignContract of an unknown contract")
	}
}

// TestDeliveryFailure: a merchant that refuses, and one that is not there.
func TestDeliveryFailure(t *testing.T) {
	refuse := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"code":"FAIL","message":"busy"}`, http.StatusServiceUnavailable)
	}))
	defer refuse.Close()
	srv, family := newServer(t, wechatpaytest.Options{NotifyClient: refuse.Client()}, contracts.Options{})
	ctx := context.Background()
	for i, url := range []string{refuse.URL + "/notify", "https://127.0.0.1:1/notify"} {
		code := fmt.Sprintf("fail%d", i)
		tc := preSignCases(9, code)[0]
		tc.body["notify_url"] = url
		if a := post(t, srv, fmt.Sprintf(preSignPath, tc.mode, tc.scene), tc.body); a.Status != http.StatusOK {
			t.Fatalf("pre-sign: %d %s", a.Status, a.Body)
		}
		err := family.SignContract(ctx, 9, code)
		var de *wechatpaytest.DeliveryError
		if !errors.As(err, &de) || de.NotifyURL != url {
			t.Fatalf("SignContract: %v, want *DeliveryError for %s", err, url)
		}
		if i == 0 && (de.StatusCode != http.StatusServiceUnavailable || !strings.Contains(de.Body, "busy") || de.Err != nil) {
			t.Errorf("refused delivery: %+v", de)
		}
		if i == 1 && (de.StatusCode != 0 || de.Err == nil) {
			t.Errorf("unreachable merchant: %+v", de)
		}
		if st := family.State(9, code); st != contracts.Active {
			t.Errorf("contract %v after a failed delivery, want active", st)
		}
		if err := family.SendNotification(ctx, 9, code); !errors.As(err, &de) {
			t.Errorf("SendNotification: %v", err)
		}
	}
}

func TestTerminate(t *testing.T) {
	srv, family := newServer(t, wechatpaytest.Options{}, contracts.Options{})
	const sid, code = contracts.ExampleServiceID, contracts.ExampleOutContractCode

	a := sandboxtest.Valid(srv, sid, code).Send(t, srv)
	want := `{"mchid":"1900000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000"}`
	if a.Status != http.StatusOK || string(a.Body) != want {
		t.Fatalf("terminate: %d %s, want 200 %s", a.Status, a.Body, want)
	}
	sandboxtest.VerifyAnswer(t, a, time.Now())
	if got := family.State(sid, code); got != contracts.Terminated {
		t.Errorf("state after terminate: %v", got)
	}

	a = sandboxtest.Valid(srv, sid, code).Send(t, srv)
	if a.Status != http.StatusBadRequest || a.Error.Code != "INVALID_REQUEST" {
		t.Fatalf("second terminate: %d %s, want 400 INVALID_REQUEST", a.Status, a.Body)
	}
	if err := family.AddContract(sid, code); err == nil {
		t.Error("AddContract reused a terminated code")
	}
}

func TestUnknownContract(t *testing.T) {
	srv, family := newServer(t, wechatpaytest.Options{}, contracts.Options{NoExampleContract: true})
	const sid, code = contracts.ExampleServiceID, contracts.ExampleOutContractCode
	if got := family.State(sid, code); got != contracts.None {
		t.Fatalf("example contract seeded despite NoExampleContract: %v", got)
	}
	a := sandboxtest.Valid(srv, sid, code).Send(t, srv)
	if a.Status != http.StatusBadRequest || a.Error.Code != "PARAM_ERROR" ||
		a.Error.Detail == nil || a.Error.Detail.Field != "out_contract_code" || a.Error.Detail.Location != "path" {
		t.Fatalf("unknown contract: %d %s, want 400 PARAM_ERROR on out_contract_code", a.Status, a.Body)
	}
	// Same code under another service ID is another contract.
	if err := family.AddContract(sid+1, code); err != nil {
		t.Fatal(err)
	}
	if a := sandboxtest.Valid(srv, sid, code).Send(t, srv); a.Status != http.StatusBadRequest {
		t.Errorf("contract of another service ID terminated: %d %s", a.Status, a.Body)
	}
	if a := sandboxtest.Valid(srv, sid+1, code).Send(t, srv); a.Status != http.StatusOK {
		t.Errorf("added contract: %d %s", a.Status, a.Body)
	}
	if err := family.AddContract(1, "bad-code"); err == nil {
		t.Error("AddContract accepted a code breaking the pattern")
	}
}

func TestConcurrentCalls(t *testing.T) {
	srv, family := newServer(t, wechatpaytest.Options{}, contracts.Options{})
	rt := sandboxtest.NewRuntime(t, srv)
	const n = 20
	for i := range n {
		if err := family.AddContract(99, fmt.Sprintf("par%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	errs := make(chan error, 2*n)
	for i := range 2 * n {
		go func() {
			// Two callers race for each contract: exactly one may win.
			_, err := rt.Do(context.Background(), sandboxtest.TerminateRequest(99, fmt.Sprintf("par%d", i%n)))
			errs <- err
		}()
	}
	wins := 0
	for range 2 * n {
		err := <-errs
		var apiErr *wechatpay.APIError
		switch {
		case err == nil:
			wins++
		case errors.As(err, &apiErr) && apiErr.Code == "INVALID_REQUEST":
		default:
			t.Errorf("concurrent call: %v", err)
		}
	}
	if wins != n {
		t.Errorf("%d calls terminated a contract, want %d", wins, n)
	}
}
