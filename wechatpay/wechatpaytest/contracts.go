package wechatpaytest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// ContractState is the sandbox's state of a password-exempt contract.
type ContractState int

// The states of a contract.
const (
	ContractNone       ContractState = iota // no such contract
	ContractActive                          // signed by the user, in effect (已生效)
	ContractTerminated                      // terminated; its code can never be used again
	ContractPending                         // pre-signed, not yet signed by the user
)

func (c ContractState) String() string {
	switch c {
	case ContractNone:
		return "none"
	case ContractActive:
		return "active"
	case ContractTerminated:
		return "terminated"
	case ContractPending:
		return "pending"
	}
	return "ContractState(" + strconv.Itoa(int(c)) + ")"
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

type contractKey struct {
	serviceID int64
	code      string
}

// contract is the sandbox's record of one contract.
type contract struct {
	state ContractState
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
	c.state = ContractActive
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
func (s *Server) view(k contractKey, c *contract) contractView {
	v := contractView{
		MchID:                  s.mchID,
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
	if c.state == ContractTerminated {
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
// terminated contract, is an error; adding an active contract again does
// nothing.
func (s *Server) AddContract(serviceID int64, code string) error {
	if !outContractCode.MatchString(code) {
		return fmt.Errorf("wechatpaytest: add contract: out_contract_code %q: want 1 to 32 digits and ASCII letters", code)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addContract(contractKey{serviceID, code})
}

// addContract is AddContract with s.mu held.
func (s *Server) addContract(key contractKey) error {
	switch c := s.contracts[key]; {
	case c == nil:
	case c.state == ContractActive:
		return nil
	default:
		return fmt.Errorf("wechatpaytest: add contract: %d/%s is %v and cannot be added", key.serviceID, key.code, c.state)
	}
	c := &contract{}
	c.sign(s.clock())
	s.contracts[key] = c
	s.codes[key.code] = true
	return nil
}

// ContractState returns the state of the contract with this service ID and
// merchant contract code.
func (s *Server) ContractState(serviceID int64, code string) ContractState {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.contracts[contractKey{serviceID, code}]; c != nil {
		return c.state
	}
	return ContractNone
}

// TerminateByUser ends an active contract as its user would, in WeChat:
// queryByCode then reports contract_terminate_info with the mode
// USER_TERMINATE and the sandbox clock's time. No notification is sent (none
// is documented for a termination).
func (s *Server) TerminateByUser(serviceID int64, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contracts[contractKey{serviceID, code}]
	if c == nil || c.state != ContractActive {
		return fmt.Errorf("wechatpaytest: terminate by user: %d/%s is %v, want active", serviceID, code, s.stateOf(c))
	}
	c.state = ContractTerminated
	c.terminatedAt = s.clock()
	c.terminationMode = userTerminateMode
	return nil
}

func (s *Server) stateOf(c *contract) ContractState {
	if c == nil {
		return ContractNone
	}
	return c.state
}

// call is what an operation gets: the path parameters and body, both already
// checked against the spec.
type call struct {
	params map[string]string
	body   []byte
}

// operation implements one operationId; its result is answered 200.
type operation func(*call) (any, *apiError)

func (s *Server) operations() map[string]operation {
	ops := map[string]operation{
		"queryByCode":     s.queryByCode,
		"terminateByCode": s.terminateByCode,
	}
	for id, v := range preSignVariants {
		ops[id] = func(c *call) (any, *apiError) { return s.preSign(v, c) }
	}
	return ops
}

// pathKey reads the contract named by the path parameters.
func pathKey(c *call) (contractKey, *apiError) {
	serviceID, err := strconv.ParseInt(c.params["service_id"], 10, 64)
	if err != nil {
		return contractKey{}, paramError(&detail{Field: "service_id", Value: c.params["service_id"],
			Issue: "must be a 64-bit integer", Location: "path"})
	}
	return contractKey{serviceID, c.params["out_contract_code"]}, nil
}

// noContract is the answer for a contract the sandbox does not know.
func noContract(key contractKey) *apiError {
	return paramError(&detail{Field: "out_contract_code", Value: key.code,
		Issue:    "no contract with this out_contract_code under service_id " + strconv.FormatInt(key.serviceID, 10),
		Location: "path"})
}

// notSigned is the answer for a pre-signed contract the user has not signed.
func notSigned() *apiError {
	return &apiError{status: http.StatusBadRequest, Code: "INVALID_REQUEST",
		Message: "the contract is not in effect: the user has not signed it yet"}
}

func (s *Server) queryByCode(c *call) (any, *apiError) {
	key, e := pathKey(c)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ct := s.contracts[key]
	switch s.stateOf(ct) {
	case ContractNone:
		return nil, noContract(key)
	case ContractPending:
		return nil, notSigned()
	}
	return s.view(key, ct), nil
}

// terminateResult is the 200 body of terminateByCode.
type terminateResult struct {
	MchID           string `json:"mchid"`
	ServiceID       int64  `json:"service_id"`
	OutContractCode string `json:"out_contract_code"`
}

func (s *Server) terminateByCode(c *call) (any, *apiError) {
	key, e := pathKey(c)
	if e != nil {
		return nil, e
	}
	var body struct {
		Remark string `json:"contract_termination_remark"`
	}
	if err := json.Unmarshal(c.body, &body); err != nil {
		return nil, paramError(&detail{Issue: "body is not a JSON object", Location: "body"})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ct := s.contracts[key]
	switch s.stateOf(ct) {
	case ContractNone:
		return nil, noContract(key)
	case ContractPending:
		return nil, notSigned()
	case ContractTerminated:
		return nil, &apiError{status: http.StatusBadRequest, Code: "INVALID_REQUEST",
			Message: "the contract is already terminated; a terminated contract code cannot be used again"}
	}
	ct.state = ContractTerminated
	ct.terminatedAt = s.clock()
	ct.terminationRemark = body.Remark
	return terminateResult{MchID: s.mchID, ServiceID: key.serviceID, OutContractCode: key.code}, nil
}

// randomHex returns n random bytes in lower-case hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails, see crypto/rand.Read
	return hex.EncodeToString(b)
}
