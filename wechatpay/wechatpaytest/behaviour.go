package wechatpaytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// Behaviour is the state and the operations of one product family, such as
// the password-exempt contracts of package
// github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts. Options.Behaviours
// lists the behaviours a server runs; an operation none of them serves is
// answered with its spec's example.
type Behaviour interface {
	// Attach binds the behaviour to srv and returns its handlers by
	// operationId. NewServer calls it once, before the server accepts
	// requests; the behaviour keeps srv for its clock (Now), its merchant
	// (MchID), notifications (Notify) and background work (AfterFunc).
	// Every operationId must name an operation of a spec srv serves, and
	// no two behaviours may serve one operation.
	Attach(srv *Server) (map[string]Handler, error)
}

// SpecProvider is a Behaviour that brings the OpenAPI documents of its
// operations, such as package
// github.com/payforge/wechatpay/wechatpay/wechatpaytest/profitsharing, whose
// family no embedded spec describes yet. NewServer serves their operations
// beside Options.Specs, except where Options.Specs already serves the same
// operationId or the same method and path: a spec given there wins, so that
// a behaviour keeps working once its family's spec is embedded.
type SpecProvider interface {
	Behaviour
	// Specs returns the documents; NewServer calls it once, before Attach.
	Specs() []Spec
}

// Handler answers one operation, for a request that passed every check of
// the package doc (its signature and its spec). It returns the answer for the
// engine to sign and send, or an error: a *Error is answered as it says, any
// other error 500 SYSTEM_ERROR. Handlers run concurrently.
type Handler func(c *Call) (*Response, error)

// Call is a request for a Handler.
type Call struct {
	// OperationID names the operation.
	OperationID string
	// Request is the request as received; its Body reads the bytes of Body,
	// so a multipart body can be read with Request.MultipartReader. Its
	// context ends when the caller goes away or the server closes.
	Request *http.Request
	// PathParams holds the path parameters by name, decoded.
	PathParams map[string]string
	// Body is the request body as received. The signature covers it, or,
	// for an operation whose spec names a signed part
	// (x-wechatpay-signed-part, such as an upload's meta), that part.
	Body []byte

	srv   *Server
	fault FaultKind // the fault injected for this call, if any
}

// Response is a 2xx answer for the engine to send.
type Response struct {
	// Status is the status code, 200 to 299; 0 means 200.
	Status int
	// Header holds headers to send, such as Content-Type (by default
	// application/json when Body is not empty). The engine sets Request-ID
	// and the Wechatpay-* signature headers itself.
	Header http.Header
	// Body is sent as it is, so it may be a file rather than JSON.
	Body []byte
	// Unsigned leaves out the Wechatpay-* signature headers, as WeChat Pay
	// does for a bill file download. An operation whose spec says
	// x-wechatpay-unsigned-response: true is never signed.
	Unsigned bool

	spoiled bool // the handler applied FaultTamperedBody itself
}

// JSON returns a 200 answer with v encoded as JSON, without HTML escaping,
// as WeChat Pay encodes its answers.
func JSON(v any) (*Response, error) {
	b, err := marshal(v)
	if err != nil {
		return nil, err
	}
	return &Response{Body: b}, nil
}

// Error is an error answer: its status and WeChat Pay's error body
// {"code":…,"message":…,"detail":…}. Error answers are not signed, as WeChat
// Pay may leave them unsigned.
type Error struct {
	Status  int     `json:"-"`
	Code    string  `json:"code"`
	Message string  `json:"message"`
	Detail  *Detail `json:"detail,omitempty"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("wechatpaytest: %d %s: %s", e.Status, e.Code, e.Message)
}

// Detail is the "detail" object of an error body.
type Detail struct {
	// Field names the value: a parameter name (Location "path" or "query")
	// or a JSON pointer such as /contract_termination_remark (Location
	// "body").
	Field    string `json:"field,omitempty"`
	Value    any    `json:"value,omitempty"`
	Issue    string `json:"issue,omitempty"`
	Location string `json:"location,omitempty"`
}

// ParamError is the 400 PARAM_ERROR answer (message 参数错误) for a value that
// is wrong in itself, badly formed or naming nothing, that d describes.
func ParamError(d *Detail) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "PARAM_ERROR", Message: "参数错误", Detail: d}
}

// bodyParamError is a 400 PARAM_ERROR with message about field, a JSON
// pointer into the request body (an encrypted field, an upload's meta).
func bodyParamError(message, field, issue string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "PARAM_ERROR", Message: message,
		Detail: &Detail{Field: field, Issue: issue, Location: "body"}}
}

// marshal encodes v as compact JSON without HTML escaping.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("wechatpaytest: encode answer: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
