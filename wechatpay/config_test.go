package wechatpay

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// configErrors returns the *ConfigError members of err (a join or a single one).
func configErrors(t testing.TB, err error) []*ConfigError {
	t.Helper()
	var out []*ConfigError
	var walk func(error)
	walk = func(e error) {
		var ce *ConfigError
		switch x := e.(type) {
		case interface{ Unwrap() []error }:
			for _, m := range x.Unwrap() {
				walk(m)
			}
		default:
			if errors.As(e, &ce) {
				out = append(out, ce)
			} else {
				t.Errorf("config error member %T %v is not a *ConfigError", e, e)
			}
		}
	}
	walk(err)
	return out
}

func fields(ces []*ConfigError) []string {
	var out []string
	for _, ce := range ces {
		out = append(out, ce.Field)
	}
	return out
}

func TestNewClientEmptyConfig(t *testing.T) {
	c, err := NewClient(Config{})
	if c != nil || err == nil {
		t.Fatalf("NewClient(Config{}) = %v, %v", c, err)
	}
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("errors.As found no *ConfigError in %v", err)
	}
	want := []string{"MchID", "MerchantSerialNo", "MerchantKey", "VerificationKeys"}
	if got := fields(configErrors(t, err)); !slices.Equal(got, want) {
		t.Errorf("fields = %v, want %v", got, want)
	}
	for _, f := range want {
		if !strings.Contains(err.Error(), "wechatpay: config: "+f+": ") {
			t.Errorf("error %q does not name %s", err, f)
		}
	}
}

// ecSigner returns a crypto.Signer holding an EC key made by openssl.
func ecSigner(t *testing.T) crypto.Signer {
	g := newGenFiles(t)
	b := g.run("ec.pem", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "$OUT")
	block, _ := pem.Decode(b)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(crypto.Signer)
}

// rsa1024Signer returns a 1024-bit RSA key made by openssl.
func rsa1024Signer(t *testing.T) crypto.Signer {
	g := newGenFiles(t)
	b := g.run("rsa.pem", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "$OUT")
	block, _ := pem.Decode(b)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(crypto.Signer)
}

func TestConfigCheck(t *testing.T) {
	pubMode, platform := testKeys(t)
	var nilKey *rsa.PrivateKey
	tests := []struct {
		name       string
		mutate     func(c *Config)
		wantFields []string // nil: accepted
		wantText   string
	}{
		{"complete", func(c *Config) {}, nil, ""},
		{"https base URL", func(c *Config) { c.BaseURL = "https://api.mch.weixin.qq.com" }, nil, ""},
		{"https base URL with trailing slash", func(c *Config) { c.BaseURL = "https://api2.mch.weixin.qq.com/" }, nil, ""},
		{"http loopback IPv4 with port", func(c *Config) { c.BaseURL = "http://127.0.0.1:8080" }, nil, ""},
		{"http loopback 127.0.0.2", func(c *Config) { c.BaseURL = "http://127.0.0.2" }, nil, ""},
		{"http loopback IPv6", func(c *Config) { c.BaseURL = "http://[::1]:9000" }, nil, ""},
		{"http localhost", func(c *Config) { c.BaseURL = "http://localhost:1234/prefix" }, nil, ""},
		{"http to a remote host", func(c *Config) { c.BaseURL = "http://api.mch.weixin.qq.com" }, []string{"BaseURL"}, "loopback"},
		{"http to a LAN address", func(c *Config) { c.BaseURL = "http://10.0.0.1:8080" }, []string{"BaseURL"}, "loopback"},
		{"http to a name ending in localhost", func(c *Config) { c.BaseURL = "http://localhost.example.com" }, []string{"BaseURL"}, "loopback"},
		{"http with 127.0.0.1 as user info", func(c *Config) { c.BaseURL = "http://127.0.0.1@evil.example.com" }, []string{"BaseURL"}, ""},
		{"ftp scheme", func(c *Config) { c.BaseURL = "ftp://api.mch.weixin.qq.com" }, []string{"BaseURL"}, "https"},
		{"no scheme", func(c *Config) { c.BaseURL = "api.mch.weixin.qq.com" }, []string{"BaseURL"}, ""},
		{"query", func(c *Config) { c.BaseURL = "https://api.mch.weixin.qq.com?x=1" }, []string{"BaseURL"}, ""},
		{"fragment", func(c *Config) { c.BaseURL = "https://api.mch.weixin.qq.com#x" }, []string{"BaseURL"}, ""},
		{"not a URL", func(c *Config) { c.BaseURL = "https://%zz" }, []string{"BaseURL"}, "not a URL"},
		// A bare ? or # parses to an empty query or fragment; appended to it,
		// the request path would become a query or a fragment.
		{"empty query", func(c *Config) { c.BaseURL = "https://api.mch.weixin.qq.com?" }, []string{"BaseURL"}, "without ? or #"},
		{"empty fragment", func(c *Config) { c.BaseURL = "https://api.mch.weixin.qq.com#" }, []string{"BaseURL"}, "without ? or #"},
		{"prefix then empty query", func(c *Config) { c.BaseURL = "http://localhost:1234/prefix/?" }, []string{"BaseURL"}, "without ? or #"},
		{"prefix then empty fragment", func(c *Config) { c.BaseURL = "http://localhost:1234/prefix#" }, []string{"BaseURL"}, "without ? or #"},
		{"empty query and fragment", func(c *Config) { c.BaseURL = "https://api.mch.weixin.qq.com?#" }, []string{"BaseURL"}, "without ? or #"},
		{"opaque", func(c *Config) { c.BaseURL = "https:api.mch.weixin.qq.com" }, []string{"BaseURL"}, ""},
		{"escaped ? in the prefix", func(c *Config) { c.BaseURL = "https://api.mch.weixin.qq.com/a%3Fb" }, nil, ""},
		{"WechatpaySerial naming a key", func(c *Config) { c.WechatpaySerial = testPlatformSerial }, nil, ""},
		{"WechatpaySerial naming no key", func(c *Config) { c.WechatpaySerial = "PUB_KEY_ID_0114232134912410000000000001" }, []string{"WechatpaySerial"}, "names none"},
		{"quote in MchID", func(c *Config) { c.MchID = `1900000109",x="` }, []string{"MchID"}, "only ASCII letters"},
		{"comma in MerchantSerialNo", func(c *Config) { c.MerchantSerialNo = "ABC,serial_no=DEF" }, []string{"MerchantSerialNo"}, "only ASCII letters"},
		{"space in MerchantSerialNo", func(c *Config) { c.MerchantSerialNo = "ABC DEF" }, []string{"MerchantSerialNo"}, "only ASCII letters"},
		{"nil MerchantKey", func(c *Config) { c.MerchantKey = nil }, []string{"MerchantKey"}, "required"},
		{"typed nil *rsa.PrivateKey", func(c *Config) { c.MerchantKey = nilKey }, []string{"MerchantKey"}, "required"},
		{"EC MerchantKey", func(c *Config) { c.MerchantKey = ecSigner(t) }, []string{"MerchantKey"}, "RSA"},
		{"1024-bit MerchantKey", func(c *Config) { c.MerchantKey = rsa1024Signer(t) }, []string{"MerchantKey"}, "1024 bits"},
		{"negative MaxResponseBytes", func(c *Config) { c.MaxResponseBytes = -1 }, []string{"MaxResponseBytes"}, "negative"},
		{"duplicate verification key", func(c *Config) { c.VerificationKeys = []VerificationKey{pubMode, platform, pubMode} }, []string{"VerificationKeys"}, "twice"},
		{"verification key without public key", func(c *Config) { c.VerificationKeys = []VerificationKey{{Serial: testPubKeyID}} }, []string{"VerificationKeys"}, "nil"},
		{"several problems at once", func(c *Config) {
			c.MchID, c.BaseURL, c.WechatpaySerial = "", "http://example.com", "nope"
		}, []string{"MchID", "WechatpaySerial", "BaseURL"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, "")
			tt.mutate(&cfg)
			c, err := NewClient(cfg)
			if tt.wantFields == nil {
				if err != nil || c == nil {
					t.Fatalf("NewClient: %v", err)
				}
				return
			}
			if err == nil || c != nil {
				t.Fatalf("NewClient accepted the config")
			}
			if got := fields(configErrors(t, err)); !slices.Equal(got, tt.wantFields) {
				t.Errorf("fields = %v, want %v (%v)", got, tt.wantFields, err)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not contain %q", err, tt.wantText)
			}
		})
	}
}

func TestNewClientDefaults(t *testing.T) {
	pubMode, platform := testKeys(t)
	cfg := testConfig(t, "")
	cfg.Clock = nil
	cfg.VerificationKeys = []VerificationKey{platform, pubMode}
	hc := &http.Client{Timeout: 7 * time.Second}
	cfg.HTTPClient = hc
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.base != MainURL || c.userAgent != DefaultUserAgent || c.maxBody != DefaultMaxResponseBytes {
		t.Errorf("defaults: base %q, user agent %q, max body %d", c.base, c.userAgent, c.maxBody)
	}
	if c.wpSerial != testPubKeyID {
		t.Errorf("default Wechatpay-Serial = %q, want the public-key mode key %q", c.wpSerial, testPubKeyID)
	}
	if c.http == hc || c.http.Timeout != 7*time.Second || c.http.CheckRedirect == nil || hc.CheckRedirect != nil {
		t.Errorf("HTTPClient: got a copy %v, timeout %v, caller's CheckRedirect set %v", c.http != hc, c.http.Timeout, hc.CheckRedirect != nil)
	}
	if d := time.Since(c.clock()); d < 0 || d > time.Minute {
		t.Errorf("default clock is off by %v", d)
	}
	if n, err := c.newNonce(); err != nil || len(n) != NonceLength {
		t.Errorf("default nonce = %q, %v", n, err)
	}

	cfg.HTTPClient = nil
	cfg.VerificationKeys = []VerificationKey{platform}
	c, err = NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.requestSerial(); got != testPlatformSerial {
		t.Errorf("Wechatpay-Serial with only a certificate = %q", got)
	}
	if c.http.Timeout != DefaultTimeout {
		t.Errorf("default timeout = %v", c.http.Timeout)
	}
	// The caller's slice may change after NewClient without affecting the client.
	cfg.VerificationKeys[0] = pubMode
	if _, ok := c.Keys().Lookup(testPlatformSerial); !ok {
		t.Errorf("the key set follows the caller's slice")
	}
}

func TestConfigErrorString(t *testing.T) {
	e := &ConfigError{Field: "BaseURL", Problem: "scheme must be https"}
	if got := e.Error(); got != "wechatpay: config: BaseURL: scheme must be https" {
		t.Errorf("Error() = %q", got)
	}
}
