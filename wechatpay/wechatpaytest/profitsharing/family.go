package profitsharing

import (
	_ "embed"
	"encoding/json"
	"errors"
	"sync"

	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
)

//go:embed profitsharing.yaml
var specYAML []byte

// Receiver is a profit-sharing receiver as the family keeps it, its name
// decrypted.
type Receiver struct {
	SubMchID       string
	AppID          string
	SubAppID       string
	Type           string // MERCHANT_ID, PERSONAL_OPENID or PERSONAL_SUB_OPENID
	Account        string
	Name           string // the plaintext; empty when none was sent
	RelationType   string
	CustomRelation string
}

type key struct{ typ, account string }

// Family is the behaviour: the receivers added, kept in memory, and the
// handler of addReceiver. Pass it to the server in
// wechatpaytest.Options.Behaviours; it serves one server. Its methods are
// safe for concurrent use.
type Family struct {
	mu        sync.Mutex
	srv       *wechatpaytest.Server
	receivers map[key]Receiver
}

// New returns the family's behaviour, with no receiver.
func New() *Family { return &Family{receivers: make(map[key]Receiver)} }

// Specs returns the family's own spec of addReceiver; see
// wechatpaytest.SpecProvider.
func (f *Family) Specs() []wechatpaytest.Spec {
	return []wechatpaytest.Spec{{Name: "wechatpaytest/profitsharing/profitsharing.yaml", Data: specYAML}}
}

// Attach binds the family to srv and returns its handler; see
// wechatpaytest.Behaviour.
func (f *Family) Attach(srv *wechatpaytest.Server) (map[string]wechatpaytest.Handler, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.srv != nil {
		return nil, errors.New("profitsharing: the family is attached to a server already; use one New per server")
	}
	f.srv = srv
	return map[string]wechatpaytest.Handler{"addReceiver": f.addReceiver}, nil
}

// Receiver returns the receiver added with type typ and account account.
func (f *Family) Receiver(typ, account string) (Receiver, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.receivers[key{typ, account}]
	return r, ok
}

// addReceiverBody is the request body; the engine checked it against the
// spec.
type addReceiverBody struct {
	SubMchID       string  `json:"sub_mchid"`
	AppID          string  `json:"appid"`
	SubAppID       string  `json:"sub_appid"`
	Type           string  `json:"type"`
	Account        string  `json:"account"`
	Name           *string `json:"name"`
	RelationType   string  `json:"relation_type"`
	CustomRelation string  `json:"custom_relation"`
}

// addReceiverResult is the answer.
type addReceiverResult struct {
	SubMchID       string `json:"sub_mchid,omitempty"`
	Type           string `json:"type"`
	Account        string `json:"account"`
	Name           string `json:"name,omitempty"`
	RelationType   string `json:"relation_type"`
	CustomRelation string `json:"custom_relation,omitempty"`
}

func requiredWhen(field, issue string) error {
	return wechatpaytest.ParamError(&wechatpaytest.Detail{Field: field, Issue: issue, Location: "body"})
}

func (f *Family) addReceiver(c *wechatpaytest.Call) (*wechatpaytest.Response, error) {
	var body addReceiverBody
	if err := json.Unmarshal(c.Body, &body); err != nil {
		return nil, err // the spec check let it through: a sandbox bug, 500
	}
	r := Receiver{SubMchID: body.SubMchID, AppID: body.AppID, SubAppID: body.SubAppID, Type: body.Type,
		Account: body.Account, RelationType: body.RelationType, CustomRelation: body.CustomRelation}
	if body.Name != nil {
		name, err := c.DecryptField("/name", *body.Name)
		if err != nil {
			return nil, err
		}
		r.Name = name
	}
	switch {
	case r.Type == "MERCHANT_ID" && r.Name == "":
		return nil, requiredWhen("/name", "name is required when type is MERCHANT_ID")
	case r.Type == "PERSONAL_SUB_OPENID" && r.SubAppID == "":
		return nil, requiredWhen("/sub_appid", "sub_appid is required when type is PERSONAL_SUB_OPENID")
	case r.RelationType == "CUSTOM" && r.CustomRelation == "":
		return nil, requiredWhen("/custom_relation", "custom_relation is required when relation_type is CUSTOM")
	}
	answer := addReceiverResult{SubMchID: r.SubMchID, Type: r.Type, Account: r.Account,
		RelationType: r.RelationType, CustomRelation: r.CustomRelation}
	if r.Name != "" {
		enc, err := f.srv.EncryptForMerchant(r.Name)
		if err != nil {
			return nil, err
		}
		answer.Name = enc
	}
	f.mu.Lock()
	f.receivers[key{r.Type, r.Account}] = r
	f.mu.Unlock()
	return wechatpaytest.JSON(answer)
}
