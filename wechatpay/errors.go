package wechatpay

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/payforge/wechatpay/wechatpay/internal/jsonerr"
)

// APIError is a non-2xx answer from WeChat Pay. Its fields come from the
// answer's JSON error body when it has one; such bodies are usually unsigned,
// so an APIError is never treated as verified data.
type APIError struct {
	StatusCode int          // HTTP status, such as 400
	Code       string       // WeChat Pay error code, such as PARAM_ERROR; empty when the body had none
	Message    string       // human-readable message from the body
	Detail     *ErrorDetail // optional detail from the body
	RequestID  string       // the Request-ID header, to quote in support tickets
	Operation  string       // the operationId of the call
}

// ErrorDetail is the optional "detail" object of a WeChat Pay error body.
type ErrorDetail struct {
	Field    string          `json:"field,omitempty"`
	Value    json.RawMessage `json:"value,omitempty"`
	Issue    string          `json:"issue,omitempty"`
	Location string          `json:"location,omitempty"`
}

func (e *APIError) Error() string {
	s := "wechatpay: " + e.Operation + ": HTTP " + strconv.Itoa(e.StatusCode)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Detail != nil && (e.Detail.Field != "" || e.Detail.Issue != "") {
		s += " (" + e.Detail.Field
		if e.Detail.Issue != "" {
			if e.Detail.Field != "" {
				s += ": "
			}
			s += e.Detail.Issue
		}
		s += ")"
	}
	if e.RequestID != "" {
		s += " [Request-ID " + e.RequestID + "]"
	}
	return s
}

// Temporary reports whether repeating the call later may succeed, by the one
// rule RetryPolicy also follows (see RetryPolicy for the table and its source).
func (e *APIError) Temporary() bool {
	return temporaryAnswer(e.StatusCode, e.Code)
}

// Sentinel causes of a VerificationError, for errors.Is.
var (
	ErrMissingHeader  = errors.New("missing signature header")
	ErrUnknownSerial  = errors.New("Wechatpay-Serial names no configured key")
	ErrBadSignature   = errors.New("signature does not verify")
	ErrStaleTimestamp = errors.New("timestamp outside the allowed window")
)

// VerificationError is an answer (or a callback) whose signature could not be
// verified. Its body is discarded: nothing that failed verification is handed
// to the caller. errors.Is(err, ErrBadSignature) and the other sentinels tell
// the cause apart.
type VerificationError struct {
	StatusCode int    // HTTP status of the answer; 0 for a callback
	RequestID  string // the Request-ID header, when present
	Serial     string // the Wechatpay-Serial header, when present
	Operation  string // the operationId of the call; empty for a callback
	Err        error  // the cause; wraps one of the sentinels above (or ErrReplayed)
}

func (e *VerificationError) Error() string {
	s := "wechatpay: "
	if e.Operation != "" {
		s += e.Operation + ": "
	}
	if e.StatusCode == 0 {
		s += "notification verification failed: " + e.Err.Error()
	} else {
		s += "response verification failed: " + e.Err.Error()
	}
	if e.RequestID != "" {
		s += " [Request-ID " + e.RequestID + "]"
	}
	return s
}

func (e *VerificationError) Unwrap() error { return e.Err }

// ValidationError reports a request field that breaks a rule of the spec. It is
// returned before anything is sent. Generated Validate methods join one per
// violation with errors.Join, so errors.As finds the first.
type ValidationError struct {
	Field   string // the spec's name of the field, such as out_contract_code
	Rule    string // the broken rule: required, maxLength, minLength, pattern, minimum, maximum, enum, anyOf (Field names the alternatives, joined by "|"), minItems, maxItems, utf8, finite (a number that is NaN or infinite, which JSON cannot carry); type and json for text parameters and bodies given to Operation.Call; path and json for Client.Call; path for Client.Do's Request.Path; required for a nil context (Field ctx)
	Message string // what is wrong, such as "has 33 characters, at most 32 are allowed"
}

func (e *ValidationError) Error() string {
	return "wechatpay: invalid " + e.Field + ": " + e.Message
}

// ValidationErrors returns every *ValidationError err holds, in order: the
// violations a Validate method joined with errors.Join, or the one err is or
// wraps. It returns nil when err holds none. errors.As finds only the first;
// this is for showing them all.
func ValidationErrors(err error) []*ValidationError {
	var out []*ValidationError
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case nil:
		case *ValidationError:
			out = append(out, e)
		case interface{ Unwrap() []error }:
			for _, inner := range e.Unwrap() {
				walk(inner)
			}
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
		}
	}
	walk(err)
	return out
}

// TransportError is a call that got no usable answer: the request could not be
// built or sent, the connection failed, the context ended, or the body could
// not be read in full (or was larger than Config.MaxResponseBytes).
type TransportError struct {
	Operation string
	Method    string
	Path      string // the path template, never the filled-in values
	Err       error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("wechatpay: %s: %s %s: %v", e.Operation, e.Method, e.Path, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// Causes of a DecodeError for an answer that decodes but is not what the
// request asked for, for errors.Is.
var (
	// ErrMissingField: the answer lacks a field the spec requires (or it is
	// null), at a level where its parent object is present.
	ErrMissingField = errors.New("required field missing")
	// ErrNotEchoed: a field the answer echoes differs from what the request
	// sent (mchid: from the client's merchant ID).
	ErrNotEchoed = errors.New("differs from what the request sent")
	// ErrEventType: a notification's event_type is not one of those a
	// generated decoder takes; the notification is of another kind, and
	// its Plaintext is all there is to read.
	ErrEventType = errors.New("not an event type this decoder takes")
)

// DecodeError is a verified 2xx answer that a generated method cannot
// return: its body does not decode into the operation's response type, it
// lacks a field the spec requires (ErrMissingField), or it does not echo
// what the request sent (ErrNotEchoed). A generated notification decoder
// returns one too, with Notification set, for a verified notification whose
// plaintext is not what its spec describes, or whose event type it does not
// take (ErrEventType). It never holds a value of the answer or the
// plaintext.
type DecodeError struct {
	Operation    string // the operationId, or the callback's name for a notification
	RequestID    string
	Notification string // the notification's ID, for a notification's plaintext; empty for an answer
	Field        string // the spec's name (path) of the field concerned, such as contract_terminate_info.contract_termination_mode; empty when the body as a whole does not decode
	Err          error
}

func (e *DecodeError) Error() string {
	s := "wechatpay: " + e.Operation + ": decode response: "
	if e.Notification != "" {
		s = "wechatpay: " + e.Operation + ": decode notification " + e.Notification + ": "
	}
	if e.Field != "" {
		s += e.Field + ": "
	}
	s += e.Err.Error()
	if e.RequestID != "" {
		s += " [Request-ID " + e.RequestID + "]"
	}
	return s
}

func (e *DecodeError) Unwrap() error { return e.Err }

// decodeCause is the cause of a DecodeError for err, an error of
// encoding/json decoding a verified answer or a notification's plaintext:
// err rebuilt without the values it may quote (see jsonerr.Redact), a
// *DecodeError as it is.
func decodeCause(err error) error {
	return jsonerr.Redact(err, isDecodeError)
}

func isDecodeError(err error) bool {
	_, ok := err.(*DecodeError)
	return ok
}

// ConfigError names what is missing or wrong in a Config or a NotifyConfig.
type ConfigError struct {
	Field   string // the Config or NotifyConfig field, such as MerchantKey
	Problem string
}

func (e *ConfigError) Error() string {
	return "wechatpay: config: " + e.Field + ": " + e.Problem
}
