package wechatpay

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// Sensitive fields (敏感信息加解密), as the official page describes them
// (https://pay.weixin.qq.com/docs/merchant/development/interface-rules/sensitive-data-encryption.html,
// also https://pay.weixin.qq.com/doc/v3/merchant/4013053264):
//
//   - a sensitive request field is encrypted with RSAES-OAEP (OpenSSL's
//     RSA_PKCS1_OAEP_PADDING, Java's "RSA/ECB/OAEPWithSHA-1AndMGF1Padding":
//     SHA-1 and MGF1 with SHA-1, no label) under the WeChat Pay key, Base64
//     encoded, and the request names that key in Wechatpay-Serial;
//   - a sensitive answer field is encrypted the same way under the public key
//     of the merchant API certificate; the merchant decrypts it with the
//     merchant API private key.
//
// The page gives no length limit; OAEP itself does: a k-byte RSA key takes at
// most k - 2·20 - 2 bytes of plaintext with SHA-1 (RFC 8017, section 7.1.1),
// 214 bytes for RSA-2048.

// Sentinel causes of sensitive-field failures, for errors.Is.
var (
	// ErrNoEncryptionKey: the client holds no WeChat Pay key to encrypt with
	// (no public key, and no platform certificate valid now), or the key
	// chosen (see Client.Encrypter) is not valid now.
	ErrNoEncryptionKey = errors.New("no WeChat Pay key to encrypt sensitive fields with")
	// ErrNoDecrypter: neither Config.MerchantDecrypter nor Config.MerchantKey
	// can decrypt (a signer that is not a crypto.Decrypter).
	ErrNoDecrypter = errors.New("no merchant key that can decrypt sensitive fields")
	// ErrFieldDecrypt is the cause of every failure to decrypt a sensitive
	// answer field: not Base64, not decryptable with the merchant key, or not
	// UTF-8 text.
	ErrFieldDecrypt = errors.New("cannot decrypt a sensitive field")
)

// oaepOptions are the RSAES-OAEP parameters of both directions.
var oaepOptions = rsa.OAEPOptions{Hash: crypto.SHA1, MGFHash: crypto.SHA1}

// OAEPMaxPlaintext returns how many bytes of plaintext RSAES-OAEP with SHA-1
// can encrypt under pub: 214 for a 2048-bit key.
func OAEPMaxPlaintext(pub *rsa.PublicKey) int {
	return pub.Size() - 2*sha1.Size - 2
}

// Encrypter encrypts the sensitive fields of one request under one WeChat Pay
// key. Take one per request from Client.Encrypter, encrypt every sensitive
// field with it, and send the request with Request.WechatpaySerial set to
// Serial(): WeChat Pay decrypts with the key that header names, so fields
// encrypted under two keys cannot share a request. It is safe for concurrent
// use.
//
// Generated code calls it; a caller sets plaintext on the generated request
// type and never sees ciphertext.
type Encrypter struct {
	serial string
	pub    *rsa.PublicKey
}

// NewEncrypter returns an Encrypter for key k. Client.Encrypter chooses the
// key for a client; a test server encrypts answer fields under the
// merchant's public key with it.
func NewEncrypter(k VerificationKey) (*Encrypter, error) {
	if k.Serial == "" {
		return nil, errors.New("wechatpay: encrypter: key has no serial")
	}
	if err := checkRSAPublicKey(k.PublicKey); err != nil {
		return nil, fmt.Errorf("wechatpay: encrypter: key %s: %w", k.Serial, err)
	}
	return &Encrypter{serial: k.Serial, pub: k.PublicKey}, nil
}

// Serial returns the serial of the key: the value of the request's
// Wechatpay-Serial header.
func (e *Encrypter) Serial() string { return e.serial }

// MaxPlaintext returns the longest plaintext, in bytes, Encrypt accepts.
func (e *Encrypter) MaxPlaintext() int { return OAEPMaxPlaintext(e.pub) }

// Encrypt encrypts plaintext, the value of the request field named field,
// and returns the Base64 ciphertext to send in its place. A plaintext longer
// than MaxPlaintext bytes (Rule "maxBytes") or not valid UTF-8 (Rule "utf8")
// is a *ValidationError naming field, so the request is refused before
// anything is sent; the error never quotes the plaintext.
func (e *Encrypter) Encrypt(field, plaintext string) (string, error) {
	if limit := e.MaxPlaintext(); len(plaintext) > limit {
		return "", &ValidationError{Field: field, Rule: "maxBytes", Message: "has " + strconv.Itoa(len(plaintext)) +
			" bytes, at most " + strconv.Itoa(limit) + " can be encrypted (RSAES-OAEP, " + strconv.Itoa(e.pub.Size()*8) + "-bit key)"}
	}
	if !utf8.ValidString(plaintext) {
		return "", &ValidationError{Field: field, Rule: "utf8", Message: "is not valid UTF-8"}
	}
	ct, err := rsa.EncryptOAEPWithOptions(rand.Reader, e.pub, []byte(plaintext), &oaepOptions)
	if err != nil {
		return "", fmt.Errorf("wechatpay: encrypt %s: %w", field, err)
	}
	return base64.StdEncoding.EncodeToString(ct), nil
}

// Encrypter returns an Encrypter bound to the WeChat Pay key this client
// encrypts with now, the key every request names in Wechatpay-Serial:
//
//   - the key Config.WechatpaySerial names, or when it is empty the first
//     WeChat Pay public key of Config.VerificationKeys (public-key mode: new
//     merchants have one key), as long as that key is in the client's key
//     set (Client.Keys);
//   - once it left the set (a rotation: the new key added, the old one
//     removed), the public key in the set valid now that stays valid
//     longest, ties going to the greater serial;
//   - else the platform certificate valid now that stays valid longest
//     (certificate mode; the certificates a CertificateRefresher keeps).
//
// It fails with ErrNoEncryptionKey when there is none, or when the key
// chosen is not valid now. Send the request with Request.WechatpaySerial set
// to the Encrypter's Serial.
func (c *Client) Encrypter() (*Encrypter, error) {
	k, err := c.encryptionKey()
	if err != nil {
		return nil, err
	}
	return &Encrypter{serial: k.Serial, pub: k.PublicKey}, nil
}

// wechatpayKey is the key the client names in Wechatpay-Serial and encrypts
// with at now, chosen as Encrypter describes; false when the set holds no
// such key valid now.
func (c *Client) wechatpayKey(now time.Time) (VerificationKey, bool) {
	if c.wpSerial != "" {
		if k, ok := c.keys.Key(c.wpSerial); ok {
			return k, true
		}
	}
	if k, ok := c.keys.newest(now, true, true); ok {
		return k, true
	}
	return c.keys.newest(now, false, true)
}

func (c *Client) encryptionKey() (VerificationKey, error) {
	now := c.clock()
	k, ok := c.wechatpayKey(now)
	if !ok {
		return VerificationKey{}, fmt.Errorf("wechatpay: %w: no public key, and no platform certificate valid now", ErrNoEncryptionKey)
	}
	if !k.validAt(now) {
		return VerificationKey{}, fmt.Errorf("wechatpay: %w: key %s is not valid now", ErrNoEncryptionKey, k.Serial)
	}
	return k, nil
}

// requestSerial is the Wechatpay-Serial of a request that encrypts nothing:
// the key an Encrypter would take now, else, when no key is valid now, the
// one that ends last (a public key first), else none.
func (c *Client) requestSerial() string {
	now := c.clock()
	if k, ok := c.wechatpayKey(now); ok {
		return k.Serial
	}
	if k, ok := c.keys.newest(now, true, false); ok {
		return k.Serial
	}
	k, _ := c.keys.newest(now, false, false)
	return k.Serial
}

// DecryptField decrypts ciphertext, the Base64 value of the sensitive answer
// field named field, with the merchant API private key (Config.MerchantDecrypter,
// else Config.MerchantKey) and returns the text. Its errors wrap
// ErrNoDecrypter or ErrFieldDecrypt, name the field and never quote the
// ciphertext or the plaintext; generated code turns them into a
// *DecodeError of the operation.
func (c *Client) DecryptField(field, ciphertext string) (string, error) {
	if c.decrypter == nil {
		return "", fmt.Errorf("wechatpay: decrypt %s: %w: set Config.MerchantDecrypter", field, ErrNoDecrypter)
	}
	return DecryptSensitiveField(c.decrypter, field, ciphertext)
}

// DecryptSensitiveField decrypts the Base64 RSAES-OAEP ciphertext of the
// field named field with key, which may be an *rsa.PrivateKey or any
// crypto.Decrypter (a KMS or HSM key) that accepts *rsa.OAEPOptions. Its
// errors wrap ErrFieldDecrypt.
func DecryptSensitiveField(key crypto.Decrypter, field, ciphertext string) (string, error) {
	fail := func(format string, args ...any) (string, error) {
		return "", fmt.Errorf("wechatpay: decrypt %s: %w: "+format, append([]any{field, ErrFieldDecrypt}, args...)...)
	}
	raw, err := base64.StdEncoding.DecodeString(ciphertext)
	if err != nil {
		return fail("not Base64")
	}
	if pub, ok := key.Public().(*rsa.PublicKey); ok && len(raw) != pub.Size() {
		return fail("ciphertext has %d bytes, want %d", len(raw), pub.Size())
	}
	opts := oaepOptions
	plain, err := key.Decrypt(rand.Reader, raw, &opts)
	if err != nil {
		// crypto/rsa says only "decryption error", by design; a KMS's
		// message describes the failure, not the key.
		return fail("%w", err)
	}
	if !utf8.Valid(plain) {
		return fail("plaintext is not UTF-8 text")
	}
	return string(plain), nil
}
