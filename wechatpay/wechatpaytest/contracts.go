package wechatpaytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
)

// ContractState is the sandbox's state of a password-exempt contract.
type ContractState int

// The states of a contract.
const (
	ContractNone       ContractState = iota // no such contract
	ContractActive                          // in effect (已生效)
	ContractTerminated                      // terminated; its code can never be used again
)

func (c ContractState) String() string {
	switch c {
	case ContractNone:
		return "none"
	case ContractActive:
		return "active"
	case ContractTerminated:
		return "terminated"
	}
	return "ContractState(" + strconv.Itoa(int(c)) + ")"
}

type contractKey struct {
	serviceID int64
	code      string
}

// outContractCode is the rule for out_contract_code: digits and ASCII letters, 1 to 32.
var outContractCode = regexp.MustCompile(`^[0-9A-Za-z]{1,32}$`)

// AddContract adds an active contract. A code that breaks the
// out_contract_code rule, or that belongs to a terminated contract, is an
// error; adding an active contract again does nothing.
func (s *Server) AddContract(serviceID int64, code string) error {
	if !outContractCode.MatchString(code) {
		return fmt.Errorf("wechatpaytest: add contract: out_contract_code %q: want 1 to 32 digits and ASCII letters", code)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := contractKey{serviceID, code}
	if s.state[key] == ContractTerminated {
		return fmt.Errorf("wechatpaytest: add contract: %d/%s was terminated and cannot be reused", serviceID, code)
	}
	s.state[key] = ContractActive
	return nil
}

// ContractState returns the state of the contract with this service ID and
// merchant contract code.
func (s *Server) ContractState(serviceID int64, code string) ContractState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state[contractKey{serviceID, code}]
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
	return map[string]operation{
		"terminateByCode": s.terminateByCode,
	}
}

// terminateResult is the 200 body of terminateByCode.
type terminateResult struct {
	MchID           string `json:"mchid"`
	ServiceID       int64  `json:"service_id"`
	OutContractCode string `json:"out_contract_code"`
}

func (s *Server) terminateByCode(c *call) (any, *apiError) {
	code := c.params["out_contract_code"]
	serviceID, err := strconv.ParseInt(c.params["service_id"], 10, 64)
	if err != nil {
		return nil, paramError(&detail{Field: "service_id", Value: c.params["service_id"],
			Issue: "must be a 64-bit integer", Location: "path"})
	}
	var body struct {
		Remark string `json:"contract_termination_remark"`
	}
	if err := json.Unmarshal(c.body, &body); err != nil {
		return nil, paramError(&detail{Issue: "body is not a JSON object", Location: "body"})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := contractKey{serviceID, code}
	switch s.state[key] {
	case ContractNone:
		return nil, paramError(&detail{Field: "out_contract_code", Value: code,
			Issue:    "no contract with this out_contract_code under service_id " + strconv.FormatInt(serviceID, 10),
			Location: "path"})
	case ContractTerminated:
		return nil, &apiError{status: http.StatusBadRequest, Code: "INVALID_REQUEST",
			Message: "the contract is already terminated; a terminated contract code cannot be used again"}
	}
	s.state[key] = ContractTerminated
	return terminateResult{MchID: s.mchID, ServiceID: serviceID, OutContractCode: code}, nil
}
