package wechatpaytest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"unicode/utf8"
)

// Sensitive fields (敏感信息加解密), from the official page
// https://pay.weixin.qq.com/docs/merchant/development/interface-rules/sensitive-data-encryption.html:
// a request field is encrypted with RSAES-OAEP (SHA-1, MGF1-SHA-1) under the
// WeChat Pay public key or a platform certificate, Base64, and the request
// names that key in Wechatpay-Serial; an answer field is encrypted the same
// way under the merchant API certificate's public key. The sandbox writes
// both directions with crypto/rsa directly, not with the runtime's code, so
// that a round trip through the runtime checks the runtime.
//
// The answers to a request whose field cannot be decrypted are WeChat Pay's,
// each 400 PARAM_ERROR:
//
//   - no Wechatpay-Serial: "HTTP header缺少微信支付平台证书序列号(Wechatpay-Serial)",
//     the message of the official page
//     https://pay.weixin.qq.com/docs/merchant/development/verify-signature-faq/error-http-header-not-wechatpay-serial.html
//     (its code is not given there; PARAM_ERROR is the sandbox's choice);
//   - a Wechatpay-Serial that names no key of the merchant, or an expired
//     certificate: "平台证书序列号Wechatpay-Serial错误",
//     https://pay.weixin.qq.com/doc/v3/partner/4013059161;
//   - a value that does not decrypt with the key named: "平台私钥解密失败",
//     https://pay.weixin.qq.com/doc/v3/partner/4016913182 (the code as
//     merchants quote the answer on WeChat's developer community).
//
// The 2025 page 4016913182 recommends SHA-256 as the OAEP hash; the
// encryption page and the runtime use SHA-1, and so does the sandbox: a
// field encrypted with SHA-256 does not decrypt here.

// Messages of the answers above.
const (
	msgNoSerial      = "HTTP header缺少微信支付平台证书序列号(Wechatpay-Serial)"
	msgWrongSerial   = "平台证书序列号Wechatpay-Serial错误"
	msgDecryptFailed = "平台私钥解密失败"
)

// DecryptField decrypts ciphertext, the Base64 value of the sensitive
// request field field (a JSON pointer such as /name, for the answer's
// detail), with the sandbox's private key that the request's Wechatpay-Serial
// names: the WeChat Pay public key's, or a platform certificate's that is
// listed and not expired. It returns the text, or a *Error to return from
// the handler as it is (see the package doc): a handler of an operation with
// encrypted fields calls it for each.
func (c *Call) DecryptField(field, ciphertext string) (string, error) {
	if c.srv == nil || c.Request == nil {
		return "", errors.New("wechatpaytest: DecryptField: the Call did not come from a Server")
	}
	key, e := c.srv.decryptionKey(c.Request.Header.Get("Wechatpay-Serial"), field)
	if e != nil {
		return "", e
	}
	raw, err := base64.StdEncoding.DecodeString(ciphertext)
	if err != nil {
		return "", bodyParamError(msgDecryptFailed, field, "the value is not standard Base64")
	}
	plain, err := rsa.DecryptOAEP(sha1.New(), nil, key, raw, nil)
	if err != nil {
		return "", bodyParamError(msgDecryptFailed, field, "the value does not decrypt with RSAES-OAEP (SHA-1) under the key Wechatpay-Serial names")
	}
	if !utf8.Valid(plain) {
		return "", bodyParamError(msgDecryptFailed, field, "the decrypted value is not UTF-8 text")
	}
	return string(plain), nil
}

// decryptionKey returns the private key a request's Wechatpay-Serial names
// for its encrypted fields.
func (s *Server) decryptionKey(serial, field string) (*rsa.PrivateKey, *Error) {
	if serial == "" {
		return nil, bodyParamError(msgNoSerial, field, "a request with encrypted fields names their key in Wechatpay-Serial")
	}
	if !s.certMode() {
		if serial != s.wpKeyID {
			return nil, bodyParamError(msgWrongSerial, field, "Wechatpay-Serial names no WeChat Pay key of this merchant")
		}
		return s.wpKey, nil
	}
	key, ok := s.certificateKey(serial)
	if !ok {
		return nil, bodyParamError(msgWrongSerial, field, "Wechatpay-Serial names no platform certificate of this merchant in use")
	}
	return key, nil
}

// EncryptForMerchant encrypts plaintext as WeChat Pay encrypts a sensitive
// answer field: RSAES-OAEP (SHA-1, MGF1-SHA-1) under the merchant's public
// key, Base64. The merchant decrypts it with Client.DecryptField.
func (s *Server) EncryptForMerchant(plaintext string) (string, error) {
	ct, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, &s.merchantKey.PublicKey, []byte(plaintext), nil)
	if err != nil {
		return "", errors.New("wechatpaytest: encrypt an answer field: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(ct), nil
}
