package wechatpaytest

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
)

// exchange is one request and the answer being built for it.
type exchange struct {
	srv       *Server
	w         http.ResponseWriter
	r         *http.Request
	requestID string
	operation string // empty until the route is known
	unsigned  bool   // the operation's spec says its answer is not signed
}

// fail writes an unsigned error answer.
func (x *exchange) fail(e *Error) {
	body, err := marshal(e)
	if err != nil {
		// A behaviour's Detail.Value that JSON cannot hold: answer without it.
		body, _ = marshal(&Error{Code: e.Code, Message: e.Message}) // strings only
	}
	x.w.Header().Set("Content-Type", "application/json")
	x.w.WriteHeader(e.Status)
	_, _ = x.w.Write(body)
	x.logAnswer(e.Status, e.Code, nil)
}

// succeed writes a handler's answer, signed unless it says otherwise,
// spoiled as f says when f is not nil.
func (x *exchange) succeed(resp *Response, f *Fault) {
	var kind FaultKind
	if f != nil {
		kind = f.Kind
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	h := x.w.Header()
	for k, vs := range resp.Header {
		if strings.HasPrefix(http.CanonicalHeaderKey(k), "Wechatpay-") || http.CanonicalHeaderKey(k) == "Request-Id" {
			continue // the engine's own
		}
		h[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	if len(resp.Body) > 0 && h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	sent := resp.Body
	switch {
	case !resp.Unsigned && !x.unsigned:
		sent = x.srv.signInto(h, resp.Body, kind)
	case kind == FaultTamperedBody && !resp.spoiled:
		sent = tamper(resp.Body)
	}
	if kind == FaultTruncatedBody {
		// net/http closes a connection whose handler wrote less than it declared.
		h.Set("Content-Length", strconv.Itoa(len(sent)))
		sent = sent[:len(sent)/2]
	}
	x.w.WriteHeader(status)
	_, _ = x.w.Write(sent)
	x.logAnswer(status, "", f)
}

// signInto sets the four Wechatpay-* headers for body on h, spoiled as kind
// says, and returns the body to send: body itself unless kind tampers with it.
// Answers and notifications are signed alike.
func (s *Server) signInto(h http.Header, body []byte, kind FaultKind) []byte {
	sent := body
	now := s.clock()
	ts := now.Unix()
	key, serial := s.signingKey()
	nonce, _ := wechatpay.NewNonce(rand.Reader) // crypto/rand does not fail
	switch kind {
	case FaultStaleTimestamp:
		ts = now.Add(-10 * time.Minute).Unix()
	case FaultUnknownSerial:
		serial = otherKeyID(serial)
	case FaultTamperedBody:
		sent = tamper(body)
	}
	stamp := strconv.FormatInt(ts, 10)
	sig := signAnswer(key, stamp, nonce, body)
	if kind == FaultBadSignature {
		sig = signAnswer(key, stamp, nonce, append(bytes.Clone(body), ' '))
	}
	if kind != FaultMissingSignature {
		h.Set("Wechatpay-Timestamp", stamp)
		h.Set("Wechatpay-Nonce", nonce)
		h.Set("Wechatpay-Signature", sig)
		h.Set("Wechatpay-Serial", serial)
	}
	return sent
}

// signAnswer signs TIMESTAMP\nNONCE\nBODY\n with key.
func signAnswer(key *rsa.PrivateKey, timestamp, nonce string, body []byte) string {
	msg := make([]byte, 0, len(timestamp)+len(nonce)+len(body)+3)
	for _, line := range [][]byte{[]byte(timestamp), []byte(nonce), body} {
		msg = append(msg, line...)
		msg = append(msg, '\n')
	}
	digest := sha256.Sum256(msg)
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
	if err != nil {
		// Only a key too small for a SHA-256 digest fails, and NewServer refuses those.
		panic("wechatpaytest: sign answer: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// injectBefore answers with a fault that replaces the operation.
func (x *exchange) injectBefore(f *Fault) {
	switch f.Kind {
	case FaultError:
		x.w.Header().Set("Content-Type", "application/json")
		x.w.WriteHeader(f.Status)
		body, _ := marshal(&Error{Code: f.Code, Message: f.Message})
		_, _ = x.w.Write(body)
		x.logAnswer(f.Status, f.Code, f)
	case FaultHTML:
		x.w.Header().Set("Content-Type", "text/html; charset=utf-8")
		x.w.WriteHeader(f.Status)
		_, _ = x.w.Write([]byte("<html><head><title>" + strconv.Itoa(f.Status) + " " + http.StatusText(f.Status) +
			"</title></head><body><h1>" + http.StatusText(f.Status) + "</h1></body></html>\n"))
		x.logAnswer(f.Status, "", f)
	case FaultDropConnection:
		x.logAnswer(0, "", f)
		hj, ok := x.w.(http.Hijacker)
		if !ok {
			x.abort()
		}
		conn, _, err := hj.Hijack()
		if err != nil {
			x.abort()
		}
		_ = conn.Close()
	}
}

// wait holds the request for d and reports whether its context is still live.
func (x *exchange) wait(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-x.r.Context().Done():
		return false
	}
}

// abort closes the connection without an answer.
func (x *exchange) abort() {
	x.logAnswer(0, "", nil)
	panic(http.ErrAbortHandler)
}

func (x *exchange) logAnswer(status int, code string, f *Fault) {
	attrs := []slog.Attr{
		slog.String("method", x.r.Method),
		slog.String("path", x.r.URL.EscapedPath()),
		slog.String("operation", x.operation),
		slog.Int("status", status),
		slog.String("request_id", x.requestID),
	}
	if code != "" {
		attrs = append(attrs, slog.String("code", code))
	}
	if f != nil {
		attrs = append(attrs, slog.String("fault", f.Kind.String()))
	}
	x.srv.log.LogAttrs(x.r.Context(), slog.LevelInfo, "sandbox answer", attrs...)
}

// tamper changes the last digit of body (or appends a space when it has none).
func tamper(body []byte) []byte {
	out := bytes.Clone(body)
	for i := len(out) - 1; i >= 0; i-- {
		if c := out[i]; c >= '0' && c <= '9' {
			out[i] = '0' + (c-'0'+1)%10
			return out
		}
	}
	return append(out, ' ')
}

// otherKeyID returns a public key ID that differs from id in its last digit.
func otherKeyID(id string) string {
	return string(tamper([]byte(id)))
}
