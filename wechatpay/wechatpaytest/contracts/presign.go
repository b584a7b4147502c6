package contracts

import (
	"context"
	"encoding/json"

	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
)

// preSignVariant is one of the eight pre-sign operations: who signs
// (mode) and where the user signs (scene), as in their paths
// …/contracts/{mode}/pre-entrust-sign/{scene}.
type preSignVariant struct{ mode, scene string }

var preSignVariants = map[string]preSignVariant{
	"preSignNormalMiniProgram":              {"normal", "mini-program"},
	"preSignNormalPayRedirectSign":          {"normal", "pay-redirect-sign"},
	"preSignServiceProviderMiniProgram":     {"service-provider", "mini-program"},
	"preSignServiceProviderPayRedirectSign": {"service-provider", "pay-redirect-sign"},
	"preSignEcommerceMiniProgram":           {"ecommerce", "mini-program"},
	"preSignEcommercePayRedirectSign":       {"ecommerce", "pay-redirect-sign"},
	"preSignQsMiniProgram":                  {"qs", "mini-program"},
	"preSignQsPayRedirectSign":              {"qs", "pay-redirect-sign"},
}

// preSign is what a pre-sign request carried: the union of the eight bodies,
// and the variant.
type preSign struct {
	AppID                  string `json:"appid"`
	SpAppID                string `json:"sp_appid"`
	SubAppID               string `json:"sub_appid"`
	SubMchID               string `json:"sub_mchid"`
	ServiceID              int64  `json:"service_id"`
	OutContractCode        string `json:"out_contract_code"`
	NotifyURL              string `json:"notify_url"`
	ContractDisplayAccount string `json:"contract_display_account"`
	OpenID                 string `json:"openid"`
	SpOpenID               string `json:"sp_openid"`
	SubOpenID              string `json:"sub_openid"`
	PrepayID               string `json:"prepay_id"`

	preSignVariant
}

// miniProgramResult is the 200 body of a mini-program pre-sign.
type miniProgramResult struct {
	PreEntrustwebID string  `json:"pre_entrustweb_id"`
	MchID           string  `json:"mchid"`
	SubMchID        *string `json:"sub_mchid,omitempty"` // service provider only
	ServiceID       int64   `json:"service_id"`
	OutContractCode string  `json:"out_contract_code"`
	SignMpAppID     string  `json:"sign_mp_appid"`
	SignMpPath      string  `json:"sign_mp_path"`
}

// payRedirectResult is the 200 body of a pay-redirect-sign pre-sign.
type payRedirectResult struct {
	MchID           string  `json:"mchid"`
	SubMchID        *string `json:"sub_mchid,omitempty"` // service provider only
	ServiceID       int64   `json:"service_id"`
	OutContractCode string  `json:"out_contract_code"`
}

// preSign creates a pending contract. The spec checked the body already, the
// qs rule that openid or sub_openid is present included.
func (f *Family) preSign(v preSignVariant, c *wechatpaytest.Call) (*wechatpaytest.Response, error) {
	req := preSign{preSignVariant: v}
	if err := json.Unmarshal(c.Body, &req); err != nil {
		return nil, wechatpaytest.ParamError(&wechatpaytest.Detail{Issue: "body is not a JSON object", Location: "body"})
	}
	k := key{req.ServiceID, req.OutContractCode}

	f.mu.Lock()
	defer f.mu.Unlock()
	if f.codes[k.code] {
		return nil, invalidRequest("out_contract_code is already used: a contract code is unique per merchant and never reusable",
			&wechatpaytest.Detail{Field: "/out_contract_code", Value: k.code, Issue: "already used by this merchant", Location: "body"})
	}
	ct := &contract{state: Pending, req: req, preEntrustwebID: preEntrustwebIDStart + randomHex(16)}
	f.contracts[k] = ct
	f.codes[k.code] = true
	if f.opts.AutoSign > 0 {
		// SignContract logs the delivery; its error says no more than that log.
		f.srv.AfterFunc(f.opts.AutoSign, func(ctx context.Context) { _ = f.SignContract(ctx, k.serviceID, k.code) })
	}

	var subMchID *string
	if v.mode == "service-provider" {
		subMchID = &req.SubMchID
	}
	if v.scene == "mini-program" {
		return wechatpaytest.JSON(miniProgramResult{
			PreEntrustwebID: ct.preEntrustwebID,
			MchID:           f.srv.MchID(),
			SubMchID:        subMchID,
			ServiceID:       k.serviceID,
			OutContractCode: k.code,
			SignMpAppID:     SignMpAppID,
			SignMpPath:      SignMpPath,
		})
	}
	return wechatpaytest.JSON(payRedirectResult{MchID: f.srv.MchID(), SubMchID: subMchID, ServiceID: k.serviceID, OutContractCode: k.code})
}
