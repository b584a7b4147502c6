package contracts

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
)

// The official example contract, active when a family attaches unless
// Options.NoExampleContract is set.
const (
	ExampleServiceID       int64 = 12535
	ExampleOutContractCode       = "wxwtdk20200910100000"
)

// State is the sandbox's state of a password-exempt contract.
type State int

// The states of a contract.
const (
	None       State = iota // no such contract
	Active                  // signed by the user, in effect (已生效)
	Terminated              // terminated; its code can never be used again
	Pending                 // pre-signed, not yet signed by the user
)

func (st State) String() string {
	switch st {
	case None:
		return "none"
	case Active:
		return "active"
	case Terminated:
		return "terminated"
	case Pending:
		return "pending"
	}
	return "State(" + strconv.Itoa(int(st)) + ")"
}

// Values the sandbox makes up where WeChat Pay's are not documented. Each
// says "sandbox", so that none is mistaken for an official value; see the
// package doc.
const (
	// SignMpAppID and SignMpPath are the sign_mp_appid and sign_mp_path of
	// every mini-program pre-sign answer.
	SignMpAppID = "sandbox-sign-mp-appid"
	SignMpPath  = "sandbox/pre-entrust-sign"
	// TerminatedContractState is the contract_state queryByCode answers for a
	// terminated contract: the official value was not found, and SIGNED would
	// say the contract is still in effect.
	TerminatedContractState = "SANDBOX_TERMINATED"
	// AddedContractAppID is the appid of contracts made by AddContract and of
	// the official example contract, which no pre-sign request describes.
	AddedContractAppID = "sandbox-appid"
)

// The values of contract_state and contract_termination_mode seen in the
// official examples, and the formats of the sandbox's IDs.
const (
	signedState          = "SIGNED"
	userTerminateMode    = "USER_TERMINATE"
	contractIDPrefix     = "sandbox"         // + 24 hex digits: 31 characters, within string(32)
	openIDPrefix         = "sandbox-openid-" // + 16 hex digits: 31 characters, within string(64)
	preEntrustwebIDStart = "sandbox-pre-entrustweb-"
)

// chinaTime is the zone WeChat Pay writes its times in (+08:00).
var chinaTime = time.FixedZone("CST", 8*60*60)

// Options configure a Family. The zero value is ready to use.
type Options struct {
	// NoExampleContract leaves out the official example contract.
	NoExampleContract bool
	// AutoSign, when positive, signs each pre-signed contract that long
	// after its pre-sign, as its user would (see Family.SignContract), for
	// clients that cannot call SignContract. Closing the server cancels the
	// signings pending.
	AutoSign time.Duration
}

// Family is the behaviour of the password-exempt contract family: its
// contracts, kept in memory, and the handlers of its ten operations. Pass it
// to the server in wechatpaytest.Options.Behaviours; it serves one server.
// Its methods are safe for concurrent use.
type Family struct {
	opts Options

	mu        sync.Mutex
	srv       *wechatpaytest.Server // set by Attach
	contracts map[key]*contract     // every contract, whatever its state
	codes     map[string]bool       // every out_contract_code used, under any service ID
}

// New returns the family's behaviour, with no contract until it attaches.
func New(opts Options) *Family {
	return &Family{opts: opts, contracts: make(map[key]*contract), codes: make(map[string]bool)}
}

// Attach binds the family to srv, adds the official example contract unless
// Options.NoExampleContract is set, and returns the handlers of the family's
// operations; see wechatpaytest.Behaviour.
func (f *Family) Attach(srv *wechatpaytest.Server) (map[string]wechatpaytest.Handler, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.srv != nil {
		return nil, errors.New("contracts: the family is attached to a server already; use one New per server")
	}
	f.srv = srv
	if !f.opts.NoExampleContract {
		_ = f.addContract(key{ExampleServiceID, ExampleOutContractCode}) // a fresh map: cannot fail
	}
	hs := map[string]wechatpaytest.Handler{
		"queryByCode":     f.queryByCode,
		"terminateByCode": f.terminateByCode,
	}
	for id, v := range preSignVariants {
		hs[id] = func(c *wechatpaytest.Call) (*wechatpaytest.Response, error) { return f.preSign(v, c) }
	}
	return hs, nil
}

// server returns the server the family is attached to, or an error naming
// what needs it.
func (f *Family) server(what string) (*wechatpaytest.Server, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.srv == nil {
		return nil, fmt.Errorf("contracts: %s: the family is not attached to a server (wechatpaytest.Options.Behaviours)", what)
	}
	return f.srv, nil
}

type key struct {
	serviceID int64
	code      string
}

// contract is the sandbox's record of one contract.
type contract struct {
	state State
	// req is what the pre-sign request carried; zero for contracts added with
	// AddContract.
	req             preSign
	preEntrustwebID string

	// Set when the user signs (or by AddContract): what queryByCode answers.
	contractID string
	appID      string
	openID     string
	signedAt   time.Time

	// Set when the contract ends. terminationMode stays empty when the
	// merchant terminated: the official mode for that is unknown.
	terminatedAt      time.Time
	terminationMode   string
	terminationRemark string
}

// sign makes c active as of now, filling what the query answers: the appid
// and openid the pre-sign named (sp_appid and sp_openid for a service
// provider), or sandbox values where it named none.
func (c *contract) sign(now time.Time) {
	c.state = Active
	c.contractID = contractIDPrefix + randomHex(12)
	c.signedAt = now
	c.appID, c.openID = c.req.AppID, c.req.OpenID
	if c.req.mode == "service-provider" {
		c.appID, c.openID = c.req.SpAppID, c.req.SpOpenID
	}
	if c.appID == "" {
		c.appID = AddedContractAppID
	}
	if c.openID == "" {
		// The user who signs has an OpenID under appid even when the
		// merchant did not know it: the sandbox makes one up.
		c.openID = openIDPrefix + randomHex(8)
	}
}

// contractView is a contract as queryByCode answers it (the Contract schema),
// also the plaintext of the sandbox's notifications.
type contractView struct {
	MchID                  string         `json:"mchid"`
	ContractID             string         `json:"contract_id"`
	AppID                  string         `json:"appid"`
	OpenID                 string         `json:"openid"`
	SubAppID               string         `json:"sub_appid,omitempty"`
	SubOpenID              string         `json:"sub_openid,omitempty"`
	ServiceID              int64          `json:"service_id"`
	OutContractCode        string         `json:"out_contract_code"`
	ContractDisplayAccount string         `json:"contract_display_account,omitempty"`
	ContractState          string         `json:"contract_state"`
	ContractSignedTime     string         `json:"contract_signed_time"`
	ContractTerminateInfo  *terminateInfo `json:"contract_terminate_info,omitempty"`
}

type terminateInfo struct {
	ContractTerminationMode   string `json:"contract_termination_mode"`
	ContractTerminatedTime    string `json:"contract_terminated_time,omitempty"`
	ContractTerminationRemark string `json:"contract_termination_remark,omitempty"`
}

// view returns c as queryByCode answers it; c is active or terminated.
func (f *Family) view(k key, c *contract) contractView {
	v := contractView{
		MchID:                  f.srv.MchID(),
		ContractID:             c.contractID,
		AppID:                  c.appID,
		OpenID:                 c.openID,
		SubAppID:               c.req.SubAppID,
		SubOpenID:              c.req.SubOpenID,
		ServiceID:              k.serviceID,
		OutContractCode:        k.code,
		ContractDisplayAccount: c.req.ContractDisplayAccount,
		ContractState:          signedState,
		ContractSignedTime:     c.signedAt.In(chinaTime).Format(time.RFC3339),
	}
	if c.state == Terminated {
		v.ContractState = TerminatedContractState
		if c.terminationMode != "" {
			v.ContractTerminateInfo = &terminateInfo{
				ContractTerminationMode:   c.terminationMode,
				ContractTerminatedTime:    c.terminatedAt.In(chinaTime).Format(time.RFC3339),
				ContractTerminationRemark: c.terminationRemark,
			}
		}
	}
	return v
}

// outContractCode is the rule for out_contract_code: digits and ASCII letters, 1 to 32.
var outContractCode = regexp.MustCompile(`^[0-9A-Za-z]{1,32}$`)

// AddContract adds an active contract, as if pre-signed and signed; its
// appid is AddedContractAppID and its openid a sandbox value. A code that
// breaks the out_contract_code rule, or that belongs to a pending or
// terminated contract, is an error, as is a family not attached yet;
// adding an active contract again does nothing.
func (f *Family) AddContract(serviceID int64, code string) error {
	if !outContractCode.MatchString(code) {
		return fmt.Errorf("contracts: add contract: out_contract_code %q: want 1 to 32 digits and ASCII letters", code)
	}
	if _, err := f.server("add contract"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.addContract(key{serviceID, code})
}

// addContract is AddContract with f.mu held and f.srv set.
func (f *Family) addContract(k key) error {
	switch c := f.contracts[k]; {
	case c == nil:
	case c.state == Active:
		return nil
	default:
		return fmt.Errorf("contracts: add contract: %d/%s is %v and cannot be added", k.serviceID, k.code, c.state)
	}
	c := &contract{}
	c.sign(f.srv.Now())
	f.contracts[k] = c
	f.codes[k.code] = true
	return nil
}

// State returns the state of the contract with this service ID and
// merchant contract code.
func (f *Family) State(serviceID int64, code string) State {
	f.mu.Lock()
	defer f.mu.Unlock()
	return stateOf(f.contracts[key{serviceID, code}])
}

// StateByID returns the state of the contract whose contract_id is
// contractID: the ID queryByCode answers, which an order under a contract
// names in contract_info.password_free_contract_id (see package
// github.com/payforge/wechatpay/wechatpay/wechatpaytest/payments). It returns None
// when no contract has that ID: a pending contract has none yet.
func (f *Family) StateByID(contractID string) State {
	if contractID == "" {
		return None
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.contracts {
		if c.contractID == contractID {
			return c.state
		}
	}
	return None
}

func stateOf(c *contract) State {
	if c == nil {
		return None
	}
	return c.state
}

// TerminateByUser ends an active contract as its user would, in WeChat:
// queryByCode then reports contract_terminate_info with the mode
// USER_TERMINATE and the sandbox clock's time. No notification is sent (none
// is documented for a termination).
func (f *Family) TerminateByUser(serviceID int64, code string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.contracts[key{serviceID, code}]
	if c == nil || c.state != Active {
		return fmt.Errorf("contracts: terminate by user: %d/%s is %v, want active", serviceID, code, stateOf(c))
	}
	c.state = Terminated
	c.terminatedAt = f.srv.Now()
	c.terminationMode = userTerminateMode
	return nil
}

// pathKey reads the contract named by the path parameters.
func pathKey(c *wechatpaytest.Call) (key, error) {
	serviceID, err := strconv.ParseInt(c.PathParams["service_id"], 10, 64)
	if err != nil {
		return key{}, wechatpaytest.ParamError(&wechatpaytest.Detail{Field: "service_id", Value: c.PathParams["service_id"],
			Issue: "must be a 64-bit integer", Location: "path"})
	}
	return key{serviceID, c.PathParams["out_contract_code"]}, nil
}

// noContract is the answer for a contract the sandbox does not know.
func noContract(k key) error {
	return wechatpaytest.ParamError(&wechatpaytest.Detail{Field: "out_contract_code", Value: k.code,
		Issue:    "no contract with this out_contract_code under service_id " + strconv.FormatInt(k.serviceID, 10),
		Location: "path"})
}

// invalidRequest is the 400 INVALID_REQUEST answer: a well-formed request
// that the contract's state or history forbids.
func invalidRequest(message string, d *wechatpaytest.Detail) error {
	return &wechatpaytest.Error{Status: http.StatusBadRequest, Code: "INVALID_REQUEST", Message: message, Detail: d}
}

// notSigned is the answer for a pre-signed contract the user has not signed.
func notSigned() error {
	return invalidRequest("the contract is not in effect: the user has not signed it yet", nil)
}

func (f *Family) queryByCode(c *wechatpaytest.Call) (*wechatpaytest.Response, error) {
	k, err := pathKey(c)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	ct := f.contracts[k]
	switch stateOf(ct) {
	case None:
		return nil, noContract(k)
	case Pending:
		return nil, notSigned()
	}
	return wechatpaytest.JSON(f.view(k, ct))
}

// terminateResult is the 200 body of terminateByCode.
type terminateResult struct {
	MchID           string `json:"mchid"`
	ServiceID       int64  `json:"service_id"`
	OutContractCode string `json:"out_contract_code"`
}

func (f *Family) terminateByCode(c *wechatpaytest.Call) (*wechatpaytest.Response, error) {
	k, err := pathKey(c)
	if err != nil {
		return nil, err
	}
	var body struct {
		Remark string `json:"contract_termination_remark"`
	}
	if err := json.Unmarshal(c.Body, &body); err != nil {
		return nil, wechatpaytest.ParamError(&wechatpaytest.Detail{Issue: "body is not a JSON object", Location: "body"})
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	ct := f.contracts[k]
	switch stateOf(ct) {
	case None:
		return nil, noContract(k)
	case Pending:
		return nil, notSigned()
	case Terminated:
		return nil, invalidRequest("the contract is already terminated; a terminated contract code cannot be used again", nil)
	}
	ct.state = Terminated
	ct.terminatedAt = f.srv.Now()
	ct.terminationRemark = body.Remark
	return wechatpaytest.JSON(terminateResult{MchID: f.srv.MchID(), ServiceID: k.serviceID, OutContractCode: k.code})
}

// randomHex returns n random bytes in lower-case hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails, see crypto/rand.Read
	return hex.EncodeToString(b)
}
