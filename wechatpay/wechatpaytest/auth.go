package wechatpaytest

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/payforge/wechatpay/wechatpay/internal/expiring"
)

// authScheme is the scheme of the Authorization header, with its space.
const authScheme = "WECHATPAY2-SHA256-RSA2048 "

// window is how far a request timestamp may be from the sandbox clock, in seconds.
const window = 300

func signError(message string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: "SIGN_ERROR", Message: message}
}

// authenticate checks the Authorization header against the request as
// received; the package doc lists the rules. It is written from the protocol,
// not from the runtime's signing code, so that it can catch the runtime's
// mistakes.
func (s *Server) authenticate(r *http.Request, body []byte) *Error {
	values := r.Header.Values("Authorization")
	switch {
	case len(values) == 0:
		return signError("Authorization header is missing")
	case len(values) > 1:
		return signError("Authorization header is repeated")
	}
	auth, e := parseAuthorization(values[0])
	if e != nil {
		return e
	}
	fields := auth.fields()
	if fields["mchid"] != s.mchID {
		return signError("mchid " + strconv.Quote(fields["mchid"]) + " is not a merchant of the sandbox")
	}
	if fields["serial_no"] != s.merchantSN {
		return signError("serial_no " + strconv.Quote(fields["serial_no"]) + " is not the merchant certificate serial")
	}
	ts, err := strconv.ParseInt(fields["timestamp"], 10, 64)
	if err != nil || strings.TrimLeft(fields["timestamp"], "0123456789") != "" {
		return signError("timestamp must be Unix seconds")
	}
	nonce := fields["nonce_str"]
	if nonce == "" {
		return signError("nonce_str is empty")
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(fields["signature"])
	if err != nil {
		return signError("signature is not standard Base64")
	}
	msg := requestMessage(r.Method, r.RequestURI, fields["timestamp"], nonce, body)
	digest := sha256.Sum256(msg)
	if rsa.VerifyPKCS1v15(&s.merchantKey.PublicKey, crypto.SHA256, digest[:], sig) != nil {
		return signError("signature does not verify over METHOD\\nURL\\nTIMESTAMP\\nNONCE\\nBODY\\n")
	}
	now := s.clock().Unix()
	if ts < now-window || ts > now+window {
		return signError("timestamp is more than 300 s from the server clock")
	}
	if !s.nonces.Add(nonce, ts+window, now) {
		return signError("nonce_str was already used")
	}
	return nil
}

// authFieldNames are the fields of the Authorization header, in the order
// the documentation shows them.
var authFieldNames = []string{"mchid", "nonce_str", "signature", "timestamp", "serial_no"}

// authField is one key="value" of the Authorization header.
type authField struct{ key, value string }

// authorization is a parsed Authorization header: its fields in the order
// they came, so that String gives back the header parsed.
type authorization []authField

// parseAuthorization reads the header strictly: the scheme and one space,
// then key="value" pairs separated by commas without spaces, the five known
// keys each exactly once, no quotes or commas inside values.
func parseAuthorization(header string) (authorization, *Error) {
	params, ok := strings.CutPrefix(header, authScheme)
	if !ok {
		return nil, signError("Authorization scheme must be WECHATPAY2-SHA256-RSA2048")
	}
	auth := make(authorization, 0, len(authFieldNames))
	seen := make(map[string]bool, len(authFieldNames))
	for part := range strings.SplitSeq(params, ",") {
		key, quoted, ok := strings.Cut(part, "=")
		if !ok || len(quoted) < 2 || quoted[0] != '"' || quoted[len(quoted)-1] != '"' {
			return nil, signError("Authorization fields must read key=\"value\" separated by commas without spaces")
		}
		value := quoted[1 : len(quoted)-1]
		if strings.ContainsRune(value, '"') {
			return nil, signError("Authorization field " + strconv.Quote(key) + " holds a quote")
		}
		if !slices.Contains(authFieldNames, key) {
			return nil, signError("Authorization has an unknown field " + strconv.Quote(key))
		}
		if seen[key] {
			return nil, signError("Authorization field " + key + " is repeated")
		}
		seen[key] = true
		auth = append(auth, authField{key, value})
	}
	for _, name := range authFieldNames {
		if !seen[name] {
			return nil, signError("Authorization field " + name + " is missing")
		}
	}
	return auth, nil
}

// fields returns the values by key.
func (a authorization) fields() map[string]string {
	m := make(map[string]string, len(a))
	for _, f := range a {
		m[f.key] = f.value
	}
	return m
}

// String writes the header back in the order it was parsed.
func (a authorization) String() string {
	var b strings.Builder
	b.WriteString(authScheme)
	for i, f := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(f.key)
		b.WriteString(`="`)
		b.WriteString(f.value)
		b.WriteByte('"')
	}
	return b.String()
}

// requestMessage is METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n.
func requestMessage(method, uri, timestamp, nonce string, body []byte) []byte {
	msg := make([]byte, 0, len(method)+len(uri)+len(timestamp)+len(nonce)+len(body)+5)
	for _, line := range [][]byte{[]byte(method), []byte(uri), []byte(timestamp), []byte(nonce), body} {
		msg = append(msg, line...)
		msg = append(msg, '\n')
	}
	return msg
}

// checkWechatpaySerial checks the Wechatpay-Serial request header in
// public-key mode: it must name the WeChat Pay public key. In certificate
// mode the header names the certificate encrypted fields are encrypted
// under, and only a request with such fields is refused for it
// (Call.DecryptField), as the official page says of the error
// (https://pay.weixin.qq.com/doc/v3/partner/4013059161): a first download
// has no certificate to name, and a merchant whose certificates are stale
// must still be able to download new ones.
func (s *Server) checkWechatpaySerial(r *http.Request) *Error {
	if s.certMode() {
		return nil
	}
	switch got := r.Header.Get("Wechatpay-Serial"); got {
	case s.wpKeyID:
		return nil
	case "":
		return &Error{Status: http.StatusBadRequest, Code: "INVALID_REQUEST",
			Message: "Wechatpay-Serial header is missing; public-key mode requires it"}
	default:
		return &Error{Status: http.StatusBadRequest, Code: "INVALID_REQUEST",
			Message: "Wechatpay-Serial " + strconv.Quote(got) + " names no WeChat Pay key of this merchant"}
	}
}

// nonceCache remembers nonces until the timestamps of their requests leave
// the window; replays after that fail the timestamp check. It is the
// expiring set the runtime's notification replay guard uses too.
type nonceCache = expiring.Set[string]
