package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	pec "github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
)

// These tests run every operation of the password-exempt contract family
// through the generated client against the sandbox, whose clock is fixed.

// signedAt is the sandbox's time in these tests; WeChat Pay writes it in +08:00.
var signedAt = time.Date(2020, 9, 10, 5, 29, 35, 0, time.UTC)

const familyServiceID = 12535

// familyServer is a sandbox running the contract family's behaviour: the
// engine's methods (faults, ClientConfig) and the family's (contract states,
// signing) on one value.
type familyServer struct {
	*wechatpaytest.Server
	*contracts.Family
}

// familySandbox starts a sandbox with the test keys (no key generation) and
// signedAt as its clock, running the contract family, and returns it with a
// runtime and a typed client.
func familySandbox(t *testing.T, opts wechatpaytest.Options) (familyServer, *wechatpay.Client, *pec.Client) {
	t.Helper()
	k := loadKeys(t)
	opts.MerchantKey, opts.WechatpayKey = k.merchant, k.wechatpay
	if opts.Clock == nil {
		opts.Clock = func() time.Time { return signedAt }
	}
	if opts.Logger == nil {
		opts.Logger = recorded.logger
	}
	family := contracts.New(contracts.Options{})
	opts.Behaviours = append(opts.Behaviours, family)
	srv, err := wechatpaytest.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	rt, err := wechatpay.NewClient(recordedConfig(srv))
	if err != nil {
		t.Fatal(err)
	}
	return familyServer{srv, family}, rt, pec.NewClient(rt)
}

// preSignVariant is one of the eight pre-sign operations.
type preSignVariant struct {
	name string
	path string
	// request returns a valid request for code, sending to notifyURL.
	request func(code, notifyURL string) validator
	// send calls the typed method with req.
	send func(ctx context.Context, c *pec.Client, req validator) (any, error)
	// appID, openID, subAppID and subOpenID are what the query answers once
	// the user signed ("*" for a sandbox-made OpenID).
	appID, openID, subAppID, subOpenID string
}

type validator interface{ Validate() error }

const (
	testAppID     = "wxd678efh567hg6787"
	testOpenID    = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
	testSpAppID   = "wxsp0000000000000001"
	testSpOpenID  = "osp000000000000000000001"
	testSubMchID  = "1900000110"
	testSubAppID  = "wxsub000000000000001"
	testSubOpenID = "osub00000000000000000001"
	testPrepayID  = "wx201410272009395522657a690389285100"
	testAccount   = "张三的账户"
)

var preSignVariants = []preSignVariant{
	{
		name: "normal/mini-program", path: "/v3/password-exempt-contract/contracts/normal/pre-entrust-sign/mini-program",
		request: func(code, u string) validator {
			return &pec.PreSignNormalMiniProgramRequest{AppID: testAppID, ServiceID: familyServiceID, OutContractCode: code,
				NotifyURL: u, ContractDisplayAccount: testAccount, OpenID: testOpenID}
		},
		send: func(ctx context.Context, c *pec.Client, r validator) (any, error) {
			return c.PreSignNormalMiniProgram(ctx, r.(*pec.PreSignNormalMiniProgramRequest))
		},
		appID: testAppID, openID: testOpenID,
	},
	{
		name: "normal/pay-redirect-sign", path: "/v3/password-exempt-contract/contracts/normal/pre-entrust-sign/pay-redirect-sign",
		request: func(code, u string) validator {
			return &pec.PreSignNormalPayRedirectSignRequest{AppID: testAppID, ServiceID: familyServiceID, OutContractCode: code,
				NotifyURL: u, ContractDisplayAccount: testAccount, OpenID: testOpenID, PrepayID: testPrepayID}
		},
		send: func(ctx context.Context, c *pec.Client, r validator) (any, error) {
			return c.PreSignNormalPayRedirectSign(ctx, r.(*pec.PreSignNormalPayRedirectSignRequest))
		},
		appID: testAppID, openID: testOpenID,
	},
	{
		name: "service-provider/mini-program", path: "/v3/password-exempt-contract/contracts/service-provider/pre-entrust-sign/mini-program",
		request: func(code, u string) validator {
			return &pec.PreSignServiceProviderMiniProgramRequest{SpAppID: testSpAppID, SubMchID: testSubMchID, SubAppID: testSubAppID,
				ServiceID: familyServiceID, OutContractCode: code, NotifyURL: u, ContractDisplayAccount: testAccount,
				SpOpenID: testSpOpenID, SubOpenID: testSubOpenID}
		},
		send: func(ctx context.Context, c *pec.Client, r validator) (any, error) {
			return c.PreSignServiceProviderMiniProgram(ctx, r.(*pec.PreSignServiceProviderMiniProgramRequest))
		},
		appID: testSpAppID, openID: testSpOpenID, subAppID: testSubAppID, subOpenID: testSubOpenID,
	},
	{
		// Neither sp_openid nor sub_openid: the sandbox makes up the user's OpenID.
		name: "service-provider/pay-redirect-sign", path: "/v3/password-exempt-contract/contracts/service-provider/pre-entrust-sign/pay-redirect-sign",
		request: func(code, u string) validator {
			return &pec.PreSignServiceProviderPayRedirectSignRequest{SpAppID: testSpAppID, SubMchID: testSubMchID, SubAppID: testSubAppID,
				ServiceID: familyServiceID, OutContractCode: code, NotifyURL: u, ContractDisplayAccount: testAccount, PrepayID: testPrepayID}
		},
		send: func(ctx context.Context, c *pec.Client, r validator) (any, error) {
			return c.PreSignServiceProviderPayRedirectSign(ctx, r.(*pec.PreSignServiceProviderPayRedirectSignRequest))
		},
		appID: testSpAppID, openID: "*", subAppID: testSubAppID,
	},
	{
		name: "ecommerce/mini-program", path: "/v3/password-exempt-contract/contracts/ecommerce/pre-entrust-sign/mini-program",
		request: func(code, u string) validator {
			return &pec.PreSignEcommerceMiniProgramRequest{AppID: testAppID, ServiceID: familyServiceID, OutContractCode: code,
				NotifyURL: u, ContractDisplayAccount: testAccount, OpenID: testOpenID}
		},
		send: func(ctx context.Context, c *pec.Client, r validator) (any, error) {
			return c.PreSignEcommerceMiniProgram(ctx, r.(*pec.PreSignEcommerceMiniProgramRequest))
		},
		appID: testAppID, openID: testOpenID,
	},
	{
		name: "ecommerce/pay-redirect-sign", path: "/v3/password-exempt-contract/contracts/ecommerce/pre-entrust-sign/pay-redirect-sign",
		request: func(code, u string) validator {
			return &pec.PreSignEcommercePayRedirectSignRequest{AppID: testAppID, ServiceID: familyServiceID, OutContractCode: code,
				NotifyURL: u, ContractDisplayAccount: testAccount, OpenID: testOpenID, PrepayID: testPrepayID}
		},
		send: func(ctx context.Context, c *pec.Client, r validator) (any, error) {
			return c.PreSignEcommercePayRedirectSign(ctx, r.(*pec.PreSignEcommercePayRedirectSignRequest))
		},
		appID: testAppID, openID: testOpenID,
	},
	{
		name: "qs/mini-program", path: "/v3/password-exempt-contract/contracts/qs/pre-entrust-sign/mini-program",
		request: func(code, u string) validator {
			return &pec.PreSignQsMiniProgramRequest{AppID: testAppID, SubAppID: testSubAppID, SubMchID: testSubMchID,
				ServiceID: familyServiceID, OutContractCode: code, NotifyURL: u, ContractDisplayAccount: testAccount,
				OpenID: testOpenID, SubOpenID: testSubOpenID}
		},
		send: func(ctx context.Context, c *pec.Client, r validator) (any, error) {
			return c.PreSignQsMiniProgram(ctx, r.(*pec.PreSignQsMiniProgramRequest))
		},
		appID: testAppID, openID: testOpenID, subAppID: testSubAppID, subOpenID: testSubOpenID,
	},
	{
		// sub_openid only: the OpenID under appid is made up when the user signs.
		name: "qs/pay-redirect-sign", path: "/v3/password-exempt-contract/contracts/qs/pre-entrust-sign/pay-redirect-sign",
		request: func(code, u string) validator {
			return &pec.PreSignQsPayRedirectSignRequest{AppID: testAppID, SubAppID: testSubAppID, SubMchID: testSubMchID,
				ServiceID: familyServiceID, OutContractCode: code, NotifyURL: u, ContractDisplayAccount: testAccount,
				SubOpenID: testSubOpenID, PrepayID: testPrepayID}
		},
		send: func(ctx context.Context, c *pec.Client, r validator) (any, error) {
			return c.PreSignQsPayRedirectSign(ctx, r.(*pec.PreSignQsPayRedirectSignRequest))
		},
		appID: testAppID, openID: "*", subAppID: testSubAppID, subOpenID: testSubOpenID,
	},
}

// checkPreSignAnswer checks the typed answer of a pre-sign of code.
func checkPreSignAnswer(t *testing.T, resp any, code string) {
	t.Helper()
	mini := func(id, appID, path string) {
		if id == "" || len(id) > 128 || appID != contracts.SignMpAppID || path != contracts.SignMpPath {
			t.Errorf("mini-program fields of %+v", resp)
		}
	}
	var mchID, gotCode, subMchID string
	var sid int64
	switch r := resp.(type) {
	case *pec.PreSignMiniProgramResult:
		mini(r.PreEntrustwebID, r.SignMpAppID, r.SignMpPath)
		mchID, sid, gotCode, subMchID = r.MchID, r.ServiceID, r.OutContractCode, testSubMchID
	case *pec.PreSignServiceProviderMiniProgramResponse:
		mini(r.PreEntrustwebID, r.SignMpAppID, r.SignMpPath)
		mchID, sid, gotCode, subMchID = r.MchID, r.ServiceID, r.OutContractCode, r.SubMchID
	case *pec.PreSignPayRedirectResult:
		mchID, sid, gotCode, subMchID = r.MchID, r.ServiceID, r.OutContractCode, testSubMchID
	case *pec.PreSignServiceProviderPayRedirectSignResponse:
		mchID, sid, gotCode, subMchID = r.MchID, r.ServiceID, r.OutContractCode, r.SubMchID
	default:
		t.Fatalf("answer of type %T", resp)
	}
	if mchID != wechatpaytest.DefaultMchID || sid != familyServiceID || gotCode != code || subMchID != testSubMchID {
		t.Errorf("answer %+v for %s", resp, code)
	}
}

// strictDecode decodes raw into a new value of v's type, refusing fields the
// type does not have: the sandbox answers exactly the documented fields.
func strictDecode(t *testing.T, raw []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Errorf("answer %s: %v", raw, err)
	}
}

func isAPIError(err error, status int, code string) bool {
	recorded.sawError(err)
	var e *wechatpay.APIError
	return errors.As(err, &e) && e.StatusCode == status && e.Code == code && e.RequestID != ""
}

func TestFamilyPreSign(t *testing.T) {
	srv, rt, c := familySandbox(t, wechatpaytest.Options{NoNotifications: true})
	ctx := context.Background()
	for i, v := range preSignVariants {
		t.Run(v.name, func(t *testing.T) {
			code := "family" + string(rune('A'+i))
			req := v.request(code, "https://merchant.example/notify")
			resp, err := v.send(ctx, c, req)
			if err != nil {
				t.Fatal(err)
			}
			checkPreSignAnswer(t, resp, code)
			if st := srv.State(familyServiceID, code); st != contracts.Pending {
				t.Fatalf("state after pre-sign: %v", st)
			}

			// The same request again: the code is taken.
			if _, err := v.send(ctx, c, req); !isAPIError(err, http.StatusBadRequest, "INVALID_REQUEST") {
				t.Errorf("repeated code: %v, want 400 INVALID_REQUEST", err)
			}

			// The raw answer has no field beyond the typed response's.
			raw := v.request(code+"raw", "https://merchant.example/notify")
			var body []byte
			if err := rt.Call(ctx, http.MethodPost, v.path, nil, nil, raw, &body); err != nil {
				t.Fatal(err)
			}
			switch resp.(type) {
			case *pec.PreSignMiniProgramResult:
				strictDecode(t, body, new(pec.PreSignMiniProgramResult))
			case *pec.PreSignServiceProviderMiniProgramResponse:
				strictDecode(t, body, new(pec.PreSignServiceProviderMiniProgramResponse))
			case *pec.PreSignPayRedirectResult:
				strictDecode(t, body, new(pec.PreSignPayRedirectResult))
			case *pec.PreSignServiceProviderPayRedirectSignResponse:
				strictDecode(t, body, new(pec.PreSignServiceProviderPayRedirectSignResponse))
			}

			// Signed by the user, the contract answers the query with what
			// the pre-sign carried.
			if err := srv.SignContract(ctx, familyServiceID, code); err != nil {
				t.Fatal(err)
			}
			q, err := c.QueryByCode(ctx, &pec.QueryByCodeRequest{ServiceID: familyServiceID, OutContractCode: code})
			if err != nil {
				t.Fatal(err)
			}
			openIDOK := q.OpenID == v.openID || v.openID == "*" && strings.HasPrefix(q.OpenID, "sandbox-openid-")
			if q.AppID != v.appID || !openIDOK || q.SubAppID != v.subAppID || q.SubOpenID != v.subOpenID ||
				q.ContractDisplayAccount != testAccount || q.ContractState != pec.ContractStateSigned {
				t.Errorf("query answer %+v", q)
			}
		})
	}
}

func TestFamilyValidation(t *testing.T) {
	srv, _, c := familySandbox(t, wechatpaytest.Options{NoNotifications: true})
	ctx := context.Background()
	for _, v := range preSignVariants {
		t.Run(v.name, func(t *testing.T) {
			// A notify_url over http is refused before anything is sent.
			req := v.request("invalid1", "http://merchant.example/notify")
			_, err := v.send(ctx, c, req)
			var verr *wechatpay.ValidationError
			if !errors.As(err, &verr) || !strings.Contains(err.Error(), "notify_url") {
				t.Errorf("http notify_url: %v, want a *ValidationError on notify_url", err)
			}
			if st := srv.State(familyServiceID, "invalid1"); st != contracts.None {
				t.Errorf("an invalid request reached the sandbox: %v", st)
			}
		})
	}
	qs := preSignVariants[6].request("invalid2", "https://merchant.example/notify").(*pec.PreSignQsMiniProgramRequest)
	qs.OpenID, qs.SubOpenID = "", ""
	var verr *wechatpay.ValidationError
	if _, err := c.PreSignQsMiniProgram(ctx, qs); !errors.As(err, &verr) || verr.Rule != "anyOf" {
		t.Errorf("qs without openid and sub_openid: %v, want a *ValidationError anyOf", err)
	}
	if _, err := c.QueryByCode(ctx, &pec.QueryByCodeRequest{ServiceID: 1, OutContractCode: "a-b"}); !errors.As(err, &verr) {
		t.Errorf("query with a bad code: %v", err)
	}
}

// TestFamilyParamErrors sends what Validate refuses through the runtime's
// Call, to show that the sandbox refuses it too.
func TestFamilyParamErrors(t *testing.T) {
	_, rt, _ := familySandbox(t, wechatpaytest.Options{NoNotifications: true})
	ctx := context.Background()
	qs := preSignVariants[6].request("raw1", "https://merchant.example/notify").(*pec.PreSignQsMiniProgramRequest)
	qs.OpenID, qs.SubOpenID = "", ""
	normal := preSignVariants[0].request("raw2", "http://merchant.example/notify")
	for _, tt := range []struct {
		name, path string
		body       any
		field      string
	}{
		{"qs without openid and sub_openid", preSignVariants[6].path, qs, "/openid"},
		{"notify_url over http", preSignVariants[0].path, normal, "/notify_url"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := rt.Call(ctx, http.MethodPost, tt.path, nil, nil, tt.body, nil)
			var e *wechatpay.APIError
			if !errors.As(err, &e) || e.StatusCode != 400 || e.Code != "PARAM_ERROR" || e.Detail == nil ||
				e.Detail.Field != tt.field || e.Detail.Location != "body" || e.Detail.Issue == "" {
				t.Fatalf("got %v (detail %+v), want 400 PARAM_ERROR on %s", err, detailOf(err), tt.field)
			}
			if tt.field == "/openid" && !strings.Contains(e.Detail.Issue, "sub_openid") {
				t.Errorf("issue %q does not name sub_openid", e.Detail.Issue)
			}
		})
	}
}

func detailOf(err error) *wechatpay.ErrorDetail {
	recorded.sawError(err)
	var e *wechatpay.APIError
	if errors.As(err, &e) {
		return e.Detail
	}
	return nil
}

func TestFamilyLifecycle(t *testing.T) {
	srv, _, c := familySandbox(t, wechatpaytest.Options{NoNotifications: true})
	ctx := context.Background()
	const code = "lifecycle1"
	query := &pec.QueryByCodeRequest{ServiceID: familyServiceID, OutContractCode: code}
	terminate := &pec.TerminateByCodeRequest{ServiceID: familyServiceID, OutContractCode: code, ContractTerminationRemark: "用户解约"}

	if _, err := c.QueryByCode(ctx, query); !isAPIError(err, 400, "PARAM_ERROR") {
		t.Errorf("query of an unknown contract: %v, want 400 PARAM_ERROR", err)
	}
	if _, err := preSignVariants[0].send(ctx, c, preSignVariants[0].request(code, "https://merchant.example/notify")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.QueryByCode(ctx, query); !isAPIError(err, 400, "INVALID_REQUEST") {
		t.Errorf("query of a pending contract: %v, want 400 INVALID_REQUEST", err)
	}
	if _, err := c.TerminateByCode(ctx, terminate); !isAPIError(err, 400, "INVALID_REQUEST") {
		t.Errorf("terminate of a pending contract: %v, want 400 INVALID_REQUEST", err)
	}

	if err := srv.SignContract(ctx, familyServiceID, code); err != nil {
		t.Fatal(err)
	}
	q, err := c.QueryByCode(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	if q.MchID != wechatpaytest.DefaultMchID || q.ContractID == "" || len(q.ContractID) > 32 ||
		q.AppID != testAppID || q.OpenID != testOpenID || q.ServiceID != familyServiceID || q.OutContractCode != code ||
		q.ContractState != pec.ContractStateSigned || !q.ContractState.Known() || !q.ContractSignedTime.Equal(signedAt) ||
		q.ContractTerminateInfo != nil {
		t.Errorf("signed contract: %+v", q)
	}
	if _, offset := q.ContractSignedTime.Zone(); offset != 8*3600 {
		t.Errorf("contract_signed_time in UTC%+d, want +08:00", offset/3600)
	}

	resp, err := c.TerminateByCode(ctx, terminate)
	if err != nil {
		t.Fatal(err)
	}
	if resp.MchID != wechatpaytest.DefaultMchID || resp.ServiceID != familyServiceID || resp.OutContractCode != code {
		t.Errorf("terminate answer %+v", resp)
	}
	// Terminated by the merchant: a sandbox state, and no terminate info,
	// whose mode for a merchant termination is not known.
	q2, err := c.QueryByCode(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	if q2.ContractState != contracts.TerminatedContractState || q2.ContractState.Known() ||
		q2.ContractTerminateInfo != nil || q2.ContractID != q.ContractID {
		t.Errorf("contract terminated by the merchant: %+v", q2)
	}
	if _, err := c.TerminateByCode(ctx, terminate); !isAPIError(err, 400, "INVALID_REQUEST") {
		t.Errorf("second terminate: %v, want 400 INVALID_REQUEST", err)
	}
	// A terminated code is never reusable.
	if _, err := preSignVariants[0].send(ctx, c, preSignVariants[0].request(code, "https://merchant.example/notify")); !isAPIError(err, 400, "INVALID_REQUEST") {
		t.Errorf("pre-sign with a terminated code: %v, want 400 INVALID_REQUEST", err)
	}

	// Terminated by the user: the mode the facts know.
	if err := srv.TerminateByUser(contracts.ExampleServiceID, contracts.ExampleOutContractCode); err != nil {
		t.Fatal(err)
	}
	q3, err := c.QueryByCode(ctx, &pec.QueryByCodeRequest{ServiceID: contracts.ExampleServiceID, OutContractCode: contracts.ExampleOutContractCode})
	if err != nil {
		t.Fatal(err)
	}
	info := q3.ContractTerminateInfo
	if info == nil || info.ContractTerminationMode != pec.ContractTerminationModeUserTerminate || !info.ContractTerminationMode.Known() ||
		!info.ContractTerminatedTime.Equal(signedAt) {
		t.Errorf("contract terminated by the user: %+v %+v", q3, info)
	}
}
