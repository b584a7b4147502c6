package wechatpay

import (
	"crypto"
	"crypto/rsa"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// WeChat Pay APIv3 hosts.
const (
	MainURL   = "https://api.mch.weixin.qq.com"  // reaches the nearest access point
	BackupURL = "https://api2.mch.weixin.qq.com" // reaches an access point in another region
)

// Defaults applied by NewClient to zero Config fields.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxResponseBytes = 4 << 20
	DefaultUserAgent        = "payforge-wechatpay-go/0.1"
)

// Config is what a Client needs. MchID, MerchantSerialNo, MerchantKey and at
// least one of VerificationKeys are required; the rest have defaults.
type Config struct {
	// MchID is the merchant ID (商户号), such as 1900000109.
	MchID string
	// MerchantSerialNo is the serial number of the merchant API certificate.
	MerchantSerialNo string
	// MerchantKey signs requests. An *rsa.PrivateKey (see LoadPrivateKeyFile)
	// or any crypto.Signer with an RSA-2048 public key, such as a KMS or HSM key.
	MerchantKey crypto.Signer
	// VerificationKeys are the WeChat Pay keys answers may be signed with:
	// public-key mode keys (PublicKeyModeKey), platform certificates
	// (PlatformCertificateKey), or both during a migration.
	VerificationKeys []VerificationKey
	// WechatpaySerial is sent in the Wechatpay-Serial request header and names
	// the key sensitive fields are encrypted with. Default: the first
	// public-key mode key of VerificationKeys, else, at each call, the
	// platform certificate valid then that stays valid longest. Either is
	// used only while it is in the client's key set: once it was removed
	// (Client.Keys), each call takes the newest public key in the set, else
	// the newest valid platform certificate (see Client.Encrypter).
	WechatpaySerial string
	// MerchantDecrypter decrypts sensitive answer fields, which WeChat Pay
	// encrypts under the merchant API certificate's public key. Default:
	// MerchantKey, when it is a crypto.Decrypter (an *rsa.PrivateKey is). Set
	// it when MerchantKey signs only (a KMS signing key, the OpenSSL signer);
	// it must hold the same key pair.
	MerchantDecrypter crypto.Decrypter
	// BaseURL is where requests go. Default MainURL. Plain http is accepted
	// only for loopback hosts (a local sandbox).
	BaseURL string
	// HTTPClient sends requests. Default: a client with DefaultTimeout. Its
	// redirects are never followed: a 3xx answer is an *APIError. Its
	// Timeout bounds each request whole, reading the answer included, bill
	// downloads too (see Client.DownloadBill).
	HTTPClient *http.Client
	// Clock returns the current time for signing and verification. Default time.Now.
	Clock func() time.Time
	// UserAgent is sent in the User-Agent header. Default DefaultUserAgent.
	UserAgent string
	// Logger receives one Debug record per call and a Warn record per
	// verification failure; never keys, signatures or bodies. Default: discard.
	Logger *slog.Logger
	// MaxResponseBytes caps the bytes read from an answer. Default DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// SignatureVerifier checks the RSA signatures of answers. Default
	// crypto/rsa; opensslsigner.NewVerifier checks with OpenSSL.
	SignatureVerifier SignatureVerifier
	// Retry says which failed calls are repeated. The zero value repeats
	// nothing; see RetryPolicy.
	Retry RetryPolicy
}

// check returns every problem of c joined, each a *ConfigError.
func (c *Config) check(needKeys bool) error {
	var errs []error
	bad := func(field, problem string) { errs = append(errs, &ConfigError{Field: field, Problem: problem}) }
	for _, f := range []struct{ name, value string }{{"MchID", c.MchID}, {"MerchantSerialNo", c.MerchantSerialNo}} {
		if f.value == "" {
			bad(f.name, "is required")
		} else if !headerSafe(f.value) {
			// Both are pasted into the Authorization header between quotes.
			bad(f.name, "may hold only ASCII letters, digits, '-' and '_'")
		}
	}
	var merchantPub *rsa.PublicKey
	if rk, isRSA := c.MerchantKey.(*rsa.PrivateKey); c.MerchantKey == nil || (isRSA && rk == nil) {
		// A nil *rsa.PrivateKey (say, from an unchecked LoadPrivateKeyFile)
		// is a non-nil interface whose Public method panics.
		bad("MerchantKey", "is required")
	} else if pub, ok := c.MerchantKey.Public().(*rsa.PublicKey); !ok {
		bad("MerchantKey", "must hold an RSA key")
	} else if err := checkRSAPublicKey(pub); err != nil {
		bad("MerchantKey", err.Error())
	} else {
		merchantPub = pub
	}
	if rk, isRSA := c.MerchantDecrypter.(*rsa.PrivateKey); isRSA && rk == nil {
		bad("MerchantDecrypter", "is a nil key")
	} else if c.MerchantDecrypter != nil {
		if pub, ok := c.MerchantDecrypter.Public().(*rsa.PublicKey); !ok {
			bad("MerchantDecrypter", "must hold an RSA key")
		} else if merchantPub != nil && !pub.Equal(merchantPub) {
			// WeChat Pay encrypts under the merchant certificate's key, the
			// pair MerchantKey signs with.
			bad("MerchantDecrypter", "must hold the key pair of MerchantKey")
		}
	}
	if len(c.VerificationKeys) == 0 && needKeys {
		bad("VerificationKeys", "at least one WeChat Pay public key or platform certificate is required")
	}
	if c.WechatpaySerial != "" {
		found := false
		for _, k := range c.VerificationKeys {
			found = found || k.Serial == c.WechatpaySerial
		}
		if !found {
			bad("WechatpaySerial", "names none of VerificationKeys")
		}
	}
	if c.BaseURL != "" {
		if err := checkBaseURL(c.BaseURL); err != nil {
			bad("BaseURL", err.Error())
		}
	}
	if err := c.Retry.check(); err != nil {
		bad("Retry", err.Error())
	}
	if c.MaxResponseBytes < 0 {
		bad("MaxResponseBytes", "must not be negative")
	}
	return errors.Join(errs...)
}

func checkBaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("is not a URL")
	}
	// The request path is appended to s as a string: a ? or # in it, even
	// one that parses to an empty query or fragment, would turn that path
	// into a query or a fragment.
	if u.Host == "" || u.Opaque != "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" ||
		u.ForceQuery || strings.ContainsAny(s, "?#") {
		return errors.New("must be scheme://host[:port] with an optional path prefix, without ? or #")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
		return errors.New("plain http is accepted only for loopback hosts")
	}
	return errors.New("scheme must be https")
}

// firstPublicKeyMode returns the first public-key mode key's serial, or "".
// A public key is preferred: new merchants use it, and a merchant migrating
// away from certificates announces the new key.
func firstPublicKeyMode(keys []VerificationKey) string {
	for _, k := range keys {
		if k.isPublicKeyMode() {
			return k.Serial
		}
	}
	return ""
}

// headerSafe reports whether s can stand between quotes in the Authorization
// header: merchant IDs are digits and certificate serials hexadecimal.
func headerSafe(s string) bool {
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
