package wechatpay

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ErrResponseTooLarge is the cause of a TransportError for an answer larger
// than Config.MaxResponseBytes.
var ErrResponseTooLarge = errors.New("response body exceeds the size limit")

// Client signs requests, sends them and verifies the answers. It is safe for
// concurrent use; build one per merchant and share it.
type Client struct {
	mchID     string
	serialNo  string
	key       crypto.Signer
	decrypter crypto.Decrypter // nil when the merchant key cannot decrypt
	verifier  Verifier
	keys      *KeySet
	wpSerial  string // Config.WechatpaySerial, else the first public key, while in keys; see wechatpayKey
	base      string
	http      *http.Client
	ownHTTP   bool // http is the default client NewClient built, not Config.HTTPClient
	clock     func() time.Time
	userAgent string
	log       *slog.Logger
	maxBody   int64
	newNonce  func() (string, error)
	retry     RetryPolicy
}

// Request is one call as a generated package describes it to Do.
type Request struct {
	Operation    string     // operationId, such as terminateByCode (logs and errors)
	Method       string     // HTTP method
	PathTemplate string     // the spec's path template (logs and errors; never the values)
	Path         string     // the escaped path sent, starting with "/"
	Query        url.Values // query parameters, encoded once; nil for none
	Body         []byte     // the exact bytes sent; nil for no body

	// WechatpaySerial is sent as the Wechatpay-Serial header instead of the
	// client's default: a request with sensitive fields names the key they
	// were encrypted with (Encrypter.Serial).
	WechatpaySerial string

	// ContentType is the media type of Body when it is not JSON, such as
	// application/octet-stream; empty means application/json. It must be a
	// valid media type (a *ValidationError otherwise).
	ContentType string

	// Header holds the operation's header parameters, sent as they are
	// and not signed. A header the runtime writes itself (Authorization,
	// Accept, Content-Type, User-Agent, Wechatpay-Serial) or a value with
	// a control character is a *ValidationError, and nothing is sent.
	Header http.Header

	// The entry points of this package that send something other than JSON,
	// or verify an answer another way, set these; the zero values mean a
	// JSON body, signed as sent, and an answer verified with the client's
	// keys.
	contentType string                          // Content-Type of Body; default application/json
	accept      string                          // Accept; default application/json
	signBody    []byte                          // the BODY line of the signature; default Body
	verify      func(http.Header, []byte) error // checks a 2xx answer; default the client's Verifier
}

// Response is a verified 2xx answer.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	RequestID  string
}

// NewClient checks cfg and returns a Client. An incomplete config is an error
// naming every missing or wrong field (each a *ConfigError).
func NewClient(cfg Config) (*Client, error) {
	return newClient(cfg, true)
}

// newClient is NewClient; with needKeys false an empty VerificationKeys is
// accepted (BootstrapCertificates, which brings its own).
func newClient(cfg Config, needKeys bool) (*Client, error) {
	if err := cfg.check(needKeys); err != nil {
		return nil, err
	}
	keys, err := NewKeySet(cfg.VerificationKeys...)
	if err != nil {
		return nil, &ConfigError{Field: "VerificationKeys", Problem: err.Error()}
	}
	c := &Client{
		mchID:     cfg.MchID,
		serialNo:  cfg.MerchantSerialNo,
		key:       cfg.MerchantKey,
		keys:      keys,
		wpSerial:  cfg.WechatpaySerial,
		base:      strings.TrimSuffix(cfg.BaseURL, "/"),
		clock:     cfg.Clock,
		userAgent: cfg.UserAgent,
		log:       cfg.Logger,
		maxBody:   cfg.MaxResponseBytes,
		newNonce:  randomNonce,
		retry:     cfg.Retry.withDefaults(),
	}
	if c.wpSerial == "" {
		c.wpSerial = firstPublicKeyMode(cfg.VerificationKeys)
	}
	c.decrypter = cfg.MerchantDecrypter
	if d, ok := cfg.MerchantKey.(crypto.Decrypter); ok && c.decrypter == nil {
		c.decrypter = d
	}
	if c.base == "" {
		c.base = MainURL
	}
	if c.clock == nil {
		c.clock = time.Now
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.maxBody == 0 {
		c.maxBody = DefaultMaxResponseBytes
	}
	hc := http.Client{Timeout: DefaultTimeout}
	c.ownHTTP = cfg.HTTPClient == nil
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	}
	// A redirect would re-send the signed request elsewhere (and a 303 turns a
	// POST into an unsigned GET); hand the 3xx back instead.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.http = &hc
	c.verifier = Verifier{Keys: keys, Now: c.clock, Signatures: cfg.SignatureVerifier}
	return c, nil
}

// Keys returns the client's verification key set; add or remove keys on it
// while the client is in use to rotate them.
func (c *Client) Keys() *KeySet { return c.keys }

// MchID returns the merchant ID the client signs as (Config.MchID), which
// generated methods compare with the mchid an answer echoes.
func (c *Client) MchID() string { return c.mchID }

// Do signs r, sends it and returns the verified answer. A 2xx answer is
// returned only after its signature verified (*VerificationError otherwise);
// a non-2xx answer is an *APIError; no answer is a *TransportError.
//
// With Config.Retry set, a failed attempt is repeated as the RetryPolicy
// says, each attempt signed anew.
//
// A nil ctx (Field "ctx", Rule "required") or an r.Path that does not start
// with "/" (Field "Path", Rule "path") is a *ValidationError, returned before
// anything is sent and never repeated.
func (c *Client) Do(ctx context.Context, r *Request) (*Response, error) {
	if r == nil {
		return nil, &TransportError{Err: errors.New("nil request")}
	}
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(r.Path, "/") {
		return nil, &ValidationError{Field: "Path", Rule: "path", Message: "must start with /"}
	}
	for attempt := 1; ; attempt++ {
		resp, err := c.attempt(ctx, r, attempt)
		if err == nil || !c.retry.retries(ctx, r, err, attempt) {
			return resp, err
		}
		if werr := c.retry.wait(ctx, attempt); werr != nil {
			return nil, err // the context ended while backing off; report the last failure
		}
	}
}

// attempt makes one signed call and logs its outcome. The log record is
// built only when the logger takes it: a discarding logger costs a call
// nothing.
func (c *Client) attempt(ctx context.Context, r *Request, attempt int) (*Response, error) {
	start := time.Now()
	resp, err := c.do(ctx, r)
	var verr *VerificationError
	level, msg := slog.LevelDebug, "wechatpay call"
	if err != nil {
		msg = "wechatpay call failed"
		if errors.As(err, &verr) {
			level, msg = slog.LevelWarn, "wechatpay response failed verification"
		}
	}
	if !c.log.Enabled(ctx, level) {
		return resp, err
	}
	attrs := []slog.Attr{
		slog.String("operation", r.Operation),
		slog.String("method", r.Method),
		slog.String("path", r.PathTemplate),
		slog.Int("attempt", attempt),
		slog.Duration("elapsed", time.Since(start)),
	}
	var apiErr *APIError
	switch {
	case err == nil:
		attrs = append(attrs, slog.Int("status", resp.StatusCode), slog.String("request_id", resp.RequestID))
	case verr != nil:
		attrs = append(attrs, slog.Int("status", verr.StatusCode), slog.String("request_id", verr.RequestID), slog.String("error", err.Error()))
	case errors.As(err, &apiErr):
		msg = "wechatpay call"
		attrs = append(attrs, slog.Int("status", apiErr.StatusCode), slog.String("code", apiErr.Code), slog.String("request_id", apiErr.RequestID))
	default:
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.log.LogAttrs(ctx, level, msg, attrs...)
	return resp, err
}

func (c *Client) do(ctx context.Context, r *Request) (*Response, error) {
	transportErr := func(err error) error { return newTransportError(r, err) }
	if err := checkRequestHeader(r.Header); err != nil {
		return nil, err
	}
	if r.ContentType != "" {
		if _, _, err := mime.ParseMediaType(r.ContentType); err != nil || !ValidHeaderValue(r.ContentType) {
			return nil, &ValidationError{Field: "Content-Type", Rule: "header", Message: "is not a valid media type"}
		}
	}
	target := c.base + r.Path
	if len(r.Query) > 0 {
		target += "?" + r.Query.Encode()
	}
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	signBody, contentType := r.Body, "application/json"
	if r.signBody != nil {
		signBody = r.signBody
	}
	if r.ContentType != "" {
		contentType = r.ContentType
	}
	if r.contentType != "" {
		contentType = r.contentType
	}
	if r.Body == nil {
		contentType = ""
	}
	req, err := c.signedRequest(ctx, r.Method, target, body, signBody, contentType, r.WechatpaySerial)
	if err != nil {
		return nil, transportErr(err)
	}
	for name, values := range r.Header {
		req.Header[http.CanonicalHeaderKey(name)] = values
	}
	if r.accept != "" {
		req.Header.Set("Accept", r.accept)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, transportErr(err)
	}
	defer resp.Body.Close()
	raw, over, err := readLimited(resp.Body, c.maxBody)
	if err != nil {
		return nil, transportErr(fmt.Errorf("read response: %w", err))
	}
	if over {
		return nil, transportErr(fmt.Errorf("%w of %d bytes", ErrResponseTooLarge, c.maxBody))
	}
	requestID := resp.Header.Get(HeaderRequestID)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, newAPIError(r.Operation, resp, raw, requestID)
	}
	if r.verify != nil {
		err = r.verify(resp.Header, raw)
	} else {
		err = c.verifier.Verify(resp.Header, raw)
	}
	if err != nil {
		return nil, &VerificationError{
			StatusCode: resp.StatusCode,
			RequestID:  requestID,
			Serial:     resp.Header.Get(HeaderSerial),
			Operation:  r.Operation,
			Err:        err,
		}
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: raw, RequestID: requestID}, nil
}

// checkContext refuses a nil ctx, which net/http and the retry loop cannot
// use, before anything is sent.
func checkContext(ctx context.Context) error {
	if ctx == nil {
		return &ValidationError{Field: "ctx", Rule: "required", Message: "is nil: pass context.Background() or the caller's context"}
	}
	return nil
}

// newTransportError wraps err for the call r. *url.Error quotes the whole
// URL, path and query values included; only its cause is kept, so errors
// and logs name the template alone.
func newTransportError(r *Request, err error) *TransportError {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &TransportError{Operation: r.Operation, Method: r.Method, Path: r.PathTemplate, Err: err}
}

// signedRequest builds the request for target, signed over signBody, with
// the headers every call carries. contentType is empty for no body; serial
// empty sends the client's default Wechatpay-Serial.
func (c *Client) signedRequest(ctx context.Context, method, target string, body io.Reader, signBody []byte, contentType, serial string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	nonce, err := c.newNonce()
	if err != nil {
		return nil, err
	}
	ts := c.clock().Unix()
	// RequestURI is exactly what net/http writes on the request line.
	var buf [512]byte // the message stays on the stack unless the body is large
	sig, err := signRaw(c.key, appendRequestMessage(buf[:0], req.Method, req.URL.RequestURI(), ts, nonce, signBody))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", authorizationFor(c.mchID, c.serialNo, nonce, ts, sig))
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("User-Agent", c.userAgent)
	if serial == "" {
		serial = c.requestSerial()
	}
	if serial != "" {
		req.Header.Set(HeaderSerial, serial)
	}
	return req, nil
}

// newAPIError reads WeChat Pay's JSON error body; any other body (an HTML
// page from a proxy, say) leaves Code empty and is described, not quoted.
func newAPIError(op string, resp *http.Response, raw []byte, requestID string) *APIError {
	e := &APIError{StatusCode: resp.StatusCode, RequestID: requestID, Operation: op}
	var body struct {
		Code    string       `json:"code"`
		Message string       `json:"message"`
		Detail  *ErrorDetail `json:"detail"`
	}
	if err := json.Unmarshal(raw, &body); err == nil && body.Code != "" {
		e.Code, e.Message, e.Detail = body.Code, body.Message, body.Detail
		return e
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if ct == "" {
		ct = "no content type"
	}
	e.Message = "answer is not a WeChat Pay error body (" + ct + ", " + strconv.Itoa(len(raw)) + " bytes)"
	return e
}
