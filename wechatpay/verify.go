package wechatpay

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Headers WeChat Pay signs answers and callbacks with.
const (
	HeaderTimestamp = "Wechatpay-Timestamp"
	HeaderNonce     = "Wechatpay-Nonce"
	HeaderSignature = "Wechatpay-Signature"
	HeaderSerial    = "Wechatpay-Serial"
	HeaderRequestID = "Request-Id"
)

// MaxClockSkew is how far a signed timestamp may be from the local clock.
const MaxClockSkew = 300 * time.Second

// Verifier checks the signature WeChat Pay puts on answers and callbacks.
type Verifier struct {
	Keys *KeySet          // the keys, chosen by Wechatpay-Serial
	Now  func() time.Time // the clock; time.Now when nil
	// Signatures checks the RSA signature itself; nil uses crypto/rsa.
	Signatures SignatureVerifier
}

// SignatureVerifier checks an RSASSA-PKCS1-v1_5 signature over a SHA-256
// digest, the one scheme WeChat Pay signs answers and notifications with. It
// returns nil only for a valid signature. crypto/rsa is the default;
// opensslsigner.Verifier checks with OpenSSL. Implementations must be safe
// for concurrent use.
type SignatureVerifier interface {
	VerifyPKCS1v15SHA256(pub *rsa.PublicKey, digest, signature []byte) error
}

// Verify checks header and body: all four Wechatpay-* headers present, the
// serial naming a key in the set, the timestamp within MaxClockSkew of now and
// the signature valid over TIMESTAMP\nNONCE\nBODY\n. The error wraps
// ErrMissingHeader, ErrUnknownSerial, ErrStaleTimestamp or ErrBadSignature.
func (v *Verifier) Verify(header http.Header, body []byte) error {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	return v.verifyAt(header, body, now())
}

// verifyAt is Verify with the clock read by the caller: a caller that judges
// one request on several counts (the notification handler) reads it once.
func (v *Verifier) verifyAt(header http.Header, body []byte, now time.Time) error {
	ts := header.Get(HeaderTimestamp)
	nonce := header.Get(HeaderNonce)
	sig := header.Get(HeaderSignature)
	serial := header.Get(HeaderSerial)
	for _, h := range [...]struct{ name, value string }{
		{HeaderTimestamp, ts}, {HeaderNonce, nonce}, {HeaderSignature, sig}, {HeaderSerial, serial},
	} {
		if h.value == "" {
			return fmt.Errorf("%w: %s", ErrMissingHeader, h.name)
		}
	}
	pub, ok := v.Keys.Lookup(serial)
	if !ok {
		return fmt.Errorf("%w: %.64q", ErrUnknownSerial, serial)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %s %.32q is not a Unix time", ErrStaleTimestamp, HeaderTimestamp, ts)
	}
	// Compare against now±window rather than subtracting, which could overflow
	// for a hostile timestamp.
	nowSec, window := now.Unix(), int64(MaxClockSkew/time.Second)
	if sec < nowSec-window || sec > nowSec+window {
		return fmt.Errorf("%w: %s %d is more than %d s from the local clock %d",
			ErrStaleTimestamp, HeaderTimestamp, sec, window, nowSec)
	}
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return fmt.Errorf("%w: %s is not Base64", ErrBadSignature, HeaderSignature)
	}
	var buf [512]byte // the message stays on the stack unless the body is large
	digest := sha256.Sum256(appendResponseMessage(buf[:0], ts, nonce, body))
	if v.Signatures != nil {
		// A copy: a slice of digest handed to an interface would move digest
		// to the heap on every call, the hook's or not.
		d := digest
		err = v.Signatures.VerifyPKCS1v15SHA256(pub, d[:], raw)
	} else {
		err = rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], raw)
	}
	if err != nil {
		return fmt.Errorf("%w with key %s", ErrBadSignature, serial)
	}
	return nil
}
