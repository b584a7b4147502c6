// Package handsign is what a user of a generic OpenAPI client such as
// oapi-codegen's writes to call WeChat Pay APIv3: a request editor that signs
// (WECHATPAY2-SHA256-RSA2048) and a check of the answer's signature. It is
// written the plain way, with crypto/rsa and fmt, and uses nothing of this
// repository's runtime: the RSA work is the same crypto/rsa calls the runtime
// makes, so comparing the two measures the code around them.
package handsign

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Signer signs requests with the merchant key.
type Signer struct {
	MchID           string
	Serial          string // of the merchant certificate
	WechatpaySerial string // sent in Wechatpay-Serial
	Key             *rsa.PrivateKey
	Now             func() time.Time
}

// Edit signs req; it is an oapi-codegen RequestEditorFn.
func (s *Signer) Edit(_ context.Context, req *http.Request) error {
	var body []byte
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return err
		}
		body, err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	var random [16]byte
	if _, err := rand.Read(random[:]); err != nil {
		return err
	}
	nonce := hex.EncodeToString(random[:])
	ts := strconv.FormatInt(s.Now().Unix(), 10)
	msg := req.Method + "\n" + req.URL.RequestURI() + "\n" + ts + "\n" + nonce + "\n" + string(body) + "\n"
	digest := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.Key, crypto.SHA256, digest[:])
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	req.Header.Set("Authorization", fmt.Sprintf(
		`WECHATPAY2-SHA256-RSA2048 mchid="%s",nonce_str="%s",signature="%s",timestamp="%s",serial_no="%s"`,
		s.MchID, nonce, base64.StdEncoding.EncodeToString(sig), ts, s.Serial))
	req.Header.Set("Wechatpay-Serial", s.WechatpaySerial)
	req.Header.Set("Accept", "application/json")
	return nil
}

// Verifier checks the signature WeChat Pay puts on answers.
type Verifier struct {
	Serial string // the only key ID accepted
	Key    *rsa.PublicKey
	Now    func() time.Time
}

// Verify checks the Wechatpay-* headers of an answer over its body.
func (v *Verifier) Verify(h http.Header, body []byte) error {
	ts, nonce := h.Get("Wechatpay-Timestamp"), h.Get("Wechatpay-Nonce")
	sig, serial := h.Get("Wechatpay-Signature"), h.Get("Wechatpay-Serial")
	if ts == "" || nonce == "" || sig == "" {
		return errors.New("answer is not signed")
	}
	if serial != v.Serial {
		return fmt.Errorf("answer signed with unknown key %q", serial)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("bad timestamp %q", ts)
	}
	if d := v.Now().Unix() - sec; d > 300 || d < -300 {
		return fmt.Errorf("timestamp %d is %d s off", sec, d)
	}
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return fmt.Errorf("signature is not Base64: %w", err)
	}
	digest := sha256.Sum256([]byte(ts + "\n" + nonce + "\n" + string(body) + "\n"))
	return rsa.VerifyPKCS1v15(v.Key, crypto.SHA256, digest[:], raw)
}
