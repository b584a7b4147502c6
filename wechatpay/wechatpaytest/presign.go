package wechatpaytest

import (
	"encoding/json"
	"net/http"
	"time"
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
func (s *Server) preSign(v preSignVariant, c *call) (any, *apiError) {
	req := preSign{preSignVariant: v}
	if err := json.Unmarshal(c.body, &req); err != nil {
		return nil, paramError(&detail{Issue: "body is not a JSON object", Location: "body"})
	}
	if v.mode == "qs" && req.OpenID == "" && req.SubOpenID == "" {
		// Present but empty satisfies the schema's anyOf; it names no user.
		return nil, paramError(&detail{Field: "/openid", Issue: "one of openid and sub_openid is required and must not be empty", Location: "body"})
	}
	key := contractKey{req.ServiceID, req.OutContractCode}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.codes[key.code] {
		return nil, &apiError{status: http.StatusBadRequest, Code: "INVALID_REQUEST",
			Message: "out_contract_code is already used: a contract code is unique per merchant and never reusable",
			Detail:  &detail{Field: "/out_contract_code", Value: key.code, Issue: "already used by this merchant", Location: "body"}}
	}
	ct := &contract{state: ContractPending, req: req, preEntrustwebID: preEntrustwebIDStart + randomHex(16)}
	s.contracts[key] = ct
	s.codes[key.code] = true
	if s.autoSign > 0 {
		s.signLater(key, s.autoSign)
	}

	var subMchID *string
	if v.mode == "service-provider" {
		subMchID = &req.SubMchID
	}
	if v.scene == "mini-program" {
		return miniProgramResult{
			PreEntrustwebID: ct.preEntrustwebID,
			MchID:           s.mchID,
			SubMchID:        subMchID,
			ServiceID:       key.serviceID,
			OutContractCode: key.code,
			SignMpAppID:     SignMpAppID,
			SignMpPath:      SignMpPath,
		}, nil
	}
	return payRedirectResult{MchID: s.mchID, SubMchID: subMchID, ServiceID: key.serviceID, OutContractCode: key.code}, nil
}

// signLater signs the contract after d, as its user would, unless the
// server closes first; the outcome is logged.
func (s *Server) signLater(key contractKey, d time.Duration) {
	s.active.Add(1) // called from a handler, whose own count keeps Close waiting
	go func() {
		defer s.active.Done()
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.ctx.Done():
			return
		}
		_ = s.SignContract(s.ctx, key.serviceID, key.code) // SignContract logs the delivery
	}()
}
