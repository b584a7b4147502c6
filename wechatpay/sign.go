package wechatpay

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// AuthorizationScheme is the scheme of the Authorization header of APIv3.
const AuthorizationScheme = "WECHATPAY2-SHA256-RSA2048"

// nonceAlphabet is the character set of request nonces, as the official SDKs use.
const nonceAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NonceLength is the length of the nonces this package generates.
const NonceLength = 32

// NewNonce returns NonceLength characters of [0-9A-Za-z] read from r (use
// crypto/rand.Reader). Bytes at or above 248 (4×62) are discarded, so every
// character is equally likely: no modulo bias.
func NewNonce(r io.Reader) (string, error) {
	return newNonce(func(b []byte) error {
		_, err := io.ReadFull(r, b)
		return err
	})
}

// randomNonce is NewNonce(crypto/rand.Reader) without the interface call
// that would move its buffer to the heap.
func randomNonce() (string, error) {
	return newNonce(func(b []byte) error {
		_, err := rand.Read(b)
		return err
	})
}

// maxNonceFills bounds the reads of one nonce, so that a reader that is not
// random (a constant 0xFF) is an error, not a loop for ever.
const maxNonceFills = 16

func newNonce(fill func([]byte) error) (string, error) {
	var out [NonceLength]byte
	var buf [2 * NonceLength]byte
	n := 0
	for fills := 0; n < NonceLength; fills++ {
		if fills == maxNonceFills {
			// A random source fills the nonce from the first read all but
			// never (each byte is discarded with probability 8/256).
			return "", errors.New("wechatpay: nonce: the reader keeps yielding bytes at or above 248: it is not a random source")
		}
		if err := fill(buf[:]); err != nil {
			return "", fmt.Errorf("wechatpay: nonce: %w", err)
		}
		for _, b := range buf {
			if b >= 248 {
				continue
			}
			out[n] = nonceAlphabet[b%62]
			n++
			if n == NonceLength {
				break
			}
		}
	}
	return string(out[:]), nil
}

// RequestMessage returns the string a request signature covers:
// METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n, where URL is the request target
// without scheme and host (http.Request.URL.RequestURI) and BODY the exact
// bytes sent (empty when there is no body).
func RequestMessage(method, requestURI string, timestamp int64, nonce string, body []byte) []byte {
	return appendRequestMessage(nil, method, requestURI, timestamp, nonce, body)
}

func appendRequestMessage(msg []byte, method, requestURI string, timestamp int64, nonce string, body []byte) []byte {
	msg = append(msg, method...)
	msg = append(msg, '\n')
	msg = append(msg, requestURI...)
	msg = append(msg, '\n')
	msg = strconv.AppendInt(msg, timestamp, 10)
	msg = append(msg, '\n')
	msg = append(msg, nonce...)
	msg = append(msg, '\n')
	msg = append(msg, body...)
	msg = append(msg, '\n')
	return msg
}

// ResponseMessage returns the string a response or callback signature covers:
// TIMESTAMP\nNONCE\nBODY\n (the BODY line is empty for a 204 or empty body).
func ResponseMessage(timestamp, nonce string, body []byte) []byte {
	return appendResponseMessage(nil, timestamp, nonce, body)
}

func appendResponseMessage(msg []byte, timestamp, nonce string, body []byte) []byte {
	msg = append(msg, timestamp...)
	msg = append(msg, '\n')
	msg = append(msg, nonce...)
	msg = append(msg, '\n')
	msg = append(msg, body...)
	msg = append(msg, '\n')
	return msg
}

// Sign signs message with SHA256-with-RSA (RSASSA-PKCS1-v1_5) using key and
// returns the standard Base64 signature. key may be an *rsa.PrivateKey or any
// crypto.Signer backed by a KMS or HSM that signs SHA-256 digests with PKCS#1 v1.5.
func Sign(key crypto.Signer, message []byte) (string, error) {
	sig, err := signRaw(key, message)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

func signRaw(key crypto.Signer, message []byte) ([]byte, error) {
	digest := sha256.Sum256(message)
	sig, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		// A signer's error describes the failure, not the key.
		return nil, fmt.Errorf("wechatpay: sign: %w", err)
	}
	return sig, nil
}

// Authorization returns the value of the Authorization header for the given
// signature parameters.
func Authorization(mchID, serialNo, nonce string, timestamp int64, signature string) string {
	return AuthorizationScheme + ` mchid="` + mchID + `",nonce_str="` + nonce +
		`",signature="` + signature + `",timestamp="` + strconv.FormatInt(timestamp, 10) +
		`",serial_no="` + serialNo + `"`
}

// authorizationFor returns the Authorization header for a raw signature,
// built in one allocation: it is made on every call.
func authorizationFor(mchID, serialNo, nonce string, timestamp int64, sig []byte) string {
	var ts [20]byte
	tsText := strconv.AppendInt(ts[:0], timestamp, 10)
	var b strings.Builder
	b.Grow(len(AuthorizationScheme) + len(mchID) + len(nonce) + base64.StdEncoding.EncodedLen(len(sig)) +
		len(tsText) + len(serialNo) + 64)
	b.WriteString(AuthorizationScheme)
	b.WriteString(` mchid="`)
	b.WriteString(mchID)
	b.WriteString(`",nonce_str="`)
	b.WriteString(nonce)
	b.WriteString(`",signature="`)
	var enc [1024]byte
	if n := base64.StdEncoding.EncodedLen(len(sig)); n <= len(enc) {
		base64.StdEncoding.Encode(enc[:n], sig)
		b.Write(enc[:n])
	} else {
		b.WriteString(base64.StdEncoding.EncodeToString(sig))
	}
	b.WriteString(`",timestamp="`)
	b.Write(tsText)
	b.WriteString(`",serial_no="`)
	b.WriteString(serialNo)
	b.WriteString(`"`)
	return b.String()
}
