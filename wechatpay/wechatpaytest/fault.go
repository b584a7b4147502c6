package wechatpaytest

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// FaultKind is a way for the sandbox to misbehave.
type FaultKind int

// The faults. Error, HTML and DropConnection answer instead of the
// operation, which then does not run; the others run the operation (a
// terminate takes effect) and spoil its answer, as a faulty network or proxy
// between WeChat Pay and the caller would. The signature faults also spoil
// notifications (InjectNotificationFault), as do TamperedCiphertext and
// WrongAPIv3Key, which apply to notifications only.
const (
	// FaultError answers Fault.Status with {"code":Fault.Code,"message":Fault.Message};
	// default 500 SYSTEM_ERROR.
	FaultError FaultKind = iota + 1
	// FaultDelay holds the request for Fault.Delay, then answers normally. A
	// request whose context ends first (the caller gave up, or Close) gets its
	// connection closed without an answer.
	FaultDelay
	// FaultHTML answers Fault.Status (default 502) with an HTML page, as a
	// proxy in front of WeChat Pay might.
	FaultHTML
	// FaultDropConnection closes the connection without answering.
	FaultDropConnection
	// FaultTruncatedBody sends a signed answer whose Content-Length is larger
	// than the bytes sent, then closes the connection.
	FaultTruncatedBody
	// FaultBadSignature sends an answer whose Wechatpay-Signature is a valid
	// signature of other data.
	FaultBadSignature
	// FaultTamperedBody signs the answer, then sends it with one character
	// changed.
	FaultTamperedBody
	// FaultStaleTimestamp signs the answer with a Wechatpay-Timestamp ten
	// minutes old.
	FaultStaleTimestamp
	// FaultUnknownSerial signs the answer with the sandbox key but names a
	// WeChat Pay key ID the client does not know in Wechatpay-Serial.
	FaultUnknownSerial
	// FaultMissingSignature sends the answer without the four Wechatpay-*
	// headers.
	FaultMissingSignature
	// FaultTamperedCiphertext changes one bit of a notification's
	// ciphertext, then signs the notification: the signature verifies, the
	// decryption does not. Notifications only (InjectNotificationFault).
	FaultTamperedCiphertext
	// FaultWrongAPIv3Key encrypts a notification's resource with a key other
	// than the APIv3 key and signs it. Notifications only.
	FaultWrongAPIv3Key
)

var faultNames = [...]string{
	FaultError:              "error",
	FaultDelay:              "delay",
	FaultHTML:               "html",
	FaultDropConnection:     "drop-connection",
	FaultTruncatedBody:      "truncated-body",
	FaultBadSignature:       "bad-signature",
	FaultTamperedBody:       "tampered-body",
	FaultStaleTimestamp:     "stale-timestamp",
	FaultUnknownSerial:      "unknown-serial",
	FaultMissingSignature:   "missing-signature",
	FaultTamperedCiphertext: "tampered-ciphertext",
	FaultWrongAPIv3Key:      "wrong-apiv3-key",
}

func (k FaultKind) valid() bool { return k > 0 && int(k) < len(faultNames) }

func (k FaultKind) String() string {
	if k.valid() {
		return faultNames[k]
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// runsOperation reports whether the operation runs before the fault shows.
func (k FaultKind) runsOperation() bool {
	return k != FaultError && k != FaultHTML && k != FaultDropConnection
}

// Fault describes how the next calls of an operation misbehave.
type Fault struct {
	Kind FaultKind
	// Status, Code and Message make up the FaultError answer; Status
	// defaults to 500, and then Code to SYSTEM_ERROR; Message defaults to
	// "injected" and the code. Status is also the FaultHTML status (default
	// 502).
	Status  int
	Code    string
	Message string
	// Delay is how long FaultDelay holds each request.
	Delay time.Duration
	// Times is how many calls the fault spoils: 0 means one, a negative
	// number every call until ClearFault.
	Times int
}

// InjectFault makes the next calls of the operation named by operationID
// misbehave as f says, replacing any fault set before for it. Only requests
// that pass every check of the package doc count.
func (s *Server) InjectFault(operationID string, f Fault) error {
	if s.api.routes[operationID] == nil {
		return fmt.Errorf("wechatpaytest: inject fault: no operation %q in the specs served", operationID)
	}
	switch f.Kind {
	case FaultError:
		// Each field left empty takes its default; a Code given alone keeps
		// its Code.
		if f.Status == 0 {
			f.Status = http.StatusInternalServerError
			if f.Code == "" {
				f.Code = "SYSTEM_ERROR"
			}
		}
		if f.Message == "" && f.Code != "" {
			f.Message = "injected " + f.Code
		}
		if f.Status < 300 || f.Status > 599 || f.Code == "" {
			return errors.New("wechatpaytest: inject fault: FaultError needs a 3xx to 5xx Status and a Code")
		}
	case FaultHTML:
		if f.Status == 0 {
			f.Status = http.StatusBadGateway
		}
		if f.Status < 500 || f.Status > 599 {
			return errors.New("wechatpaytest: inject fault: FaultHTML needs a 5xx Status")
		}
	case FaultDelay:
		if f.Delay <= 0 {
			return errors.New("wechatpaytest: inject fault: FaultDelay needs a positive Delay")
		}
	case FaultTamperedCiphertext, FaultWrongAPIv3Key:
		return fmt.Errorf("wechatpaytest: inject fault: %v applies to notifications only; see InjectNotificationFault", f.Kind)
	default:
		if !f.Kind.valid() {
			return fmt.Errorf("wechatpaytest: inject fault: unknown kind %v", f.Kind)
		}
	}
	if f.Times == 0 {
		f.Times = 1
	}
	s.mu.Lock()
	s.faults[operationID] = &f
	s.mu.Unlock()
	return nil
}

// ClearFault removes the fault of an operation, if any.
func (s *Server) ClearFault(operationID string) {
	s.mu.Lock()
	delete(s.faults, operationID)
	s.mu.Unlock()
}

// takeFault returns the fault for this call of the operation, if any, and
// counts it.
func (s *Server) takeFault(operationID string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults[operationID]
	if f == nil {
		return nil
	}
	if f.Times > 0 {
		f.Times--
		if f.Times == 0 {
			delete(s.faults, operationID)
		}
	}
	c := *f
	return &c
}
