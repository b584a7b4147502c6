package wechatpay

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The texts the known-answer tests encrypt: ASCII, Chinese (three bytes a
// character), empty, and exactly the RSA-2048 limit.
var sensitiveTexts = []string{
	"13800138000",
	"张三 广东省深圳市南山区科技中一道10000号",
	"",
	strings.Repeat("密", 71) + "a", // 214 bytes
}

// requireNode skips the test when node is missing.
func requireNode(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not on PATH")
	}
}

// node runs a node script with args and returns its stdout.
func node(t testing.TB, script string, args ...string) []byte {
	t.Helper()
	requireNode(t)
	cmd := exec.Command("node", append([]string{"-e", script, "--"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.Bytes())
	}
	return out
}

// opensslOAEP runs openssl pkeyutl with RSAES-OAEP, SHA-1 and MGF1-SHA-1.
func opensslOAEP(t testing.TB, in []byte, args ...string) []byte {
	t.Helper()
	return openssl(t, in, append([]string{"pkeyutl"}, append(args,
		"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha1", "-pkeyopt", "rsa_mgf1_md:sha1")...)...)
}

const nodeDecrypt = `const c=require('crypto'),fs=require('fs');
const [keyFile,b64]=process.argv.slice(1);
process.stdout.write(c.privateDecrypt({key:fs.readFileSync(keyFile),padding:c.constants.RSA_PKCS1_OAEP_PADDING,oaepHash:'sha1'},Buffer.from(b64,'base64')));`

const nodeEncrypt = `const c=require('crypto'),fs=require('fs');
const [keyFile,hex]=process.argv.slice(1);
process.stdout.write(c.publicEncrypt({key:fs.readFileSync(keyFile),padding:c.constants.RSA_PKCS1_OAEP_PADDING,oaepHash:'sha1'},Buffer.from(hex,'hex')).toString('base64'));`

// TestEncryptKnownAnswer encrypts with the WeChat Pay public key and lets
// openssl and node, holding the WeChat Pay private key, decrypt.
func TestEncryptKnownAnswer(t *testing.T) {
	requireOpenSSL(t)
	pubMode, _ := testKeys(t)
	enc, err := NewEncrypter(pubMode)
	if err != nil {
		t.Fatal(err)
	}
	if enc.Serial() != testPubKeyID || enc.MaxPlaintext() != 214 {
		t.Fatalf("Serial %q, MaxPlaintext %d", enc.Serial(), enc.MaxPlaintext())
	}
	for _, text := range sensitiveTexts {
		ct, err := enc.Encrypt("field", text)
		if err != nil {
			t.Fatalf("Encrypt(%d bytes): %v", len(text), err)
		}
		raw, err := base64.StdEncoding.DecodeString(ct)
		if err != nil || len(raw) != 256 {
			t.Fatalf("ciphertext is not 256 bytes of Base64: %q", ct)
		}
		if got := opensslOAEP(t, raw, "-decrypt", "-inkey", td("wechatpay_key.pem")); string(got) != text {
			t.Errorf("openssl decrypted %q, want %q", got, text)
		}
		if got := node(t, nodeDecrypt, td("wechatpay_key.pem"), ct); string(got) != text {
			t.Errorf("node decrypted %q, want %q", got, text)
		}
	}
}

// TestDecryptKnownAnswer lets openssl and node encrypt under the merchant's
// public key, as WeChat Pay encrypts answer fields, and decrypts.
func TestDecryptKnownAnswer(t *testing.T) {
	requireOpenSSL(t)
	c := newTestClient(t, testConfig(t, "https://api.mch.weixin.qq.com"))
	for _, text := range sensitiveTexts {
		byOpenSSL := base64.StdEncoding.EncodeToString(opensslOAEP(t, []byte(text), "-encrypt", "-pubin", "-inkey", td("merchant_public_key.pem")))
		byNode := string(node(t, nodeEncrypt, td("merchant_public_key.pem"), hexOf(text)))
		for who, ct := range map[string]string{"openssl": byOpenSSL, "node": byNode} {
			got, err := c.DecryptField("field", ct)
			if err != nil || got != text {
				t.Errorf("%s ciphertext of %q: DecryptField = %q, %v", who, text, got, err)
			}
		}
	}
}

func hexOf(s string) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(s))
	for i := range len(s) {
		out = append(out, digits[s[i]>>4], digits[s[i]&15])
	}
	return string(out)
}

// TestEncryptLimit: the limit follows the key size, and a longer plaintext is
// a *ValidationError naming the field that never quotes the plaintext.
func TestEncryptLimit(t *testing.T) {
	pubMode, _ := testKeys(t)
	dir := t.TempDir()
	openssl(t, nil, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072", "-out", filepath.Join(dir, "k3072.pem"))
	k3072, err := LoadPrivateKeyFile(filepath.Join(dir, "k3072.pem"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		key   VerificationKey
		limit int
	}{
		{"RSA-2048", pubMode, 214},
		{"RSA-3072", VerificationKey{Serial: "PUB_KEY_ID_3072", PublicKey: &k3072.PublicKey}, 342},
	} {
		t.Run(tc.name, func(t *testing.T) {
			enc, err := NewEncrypter(tc.key)
			if err != nil {
				t.Fatal(err)
			}
			if enc.MaxPlaintext() != tc.limit || OAEPMaxPlaintext(tc.key.PublicKey) != tc.limit {
				t.Fatalf("MaxPlaintext = %d, want %d", enc.MaxPlaintext(), tc.limit)
			}
			if _, err := enc.Encrypt("id_card_number", strings.Repeat("x", tc.limit)); err != nil {
				t.Fatalf("at the limit: %v", err)
			}
			secret := "SECRET" + strings.Repeat("x", tc.limit-5)
			_, err = enc.Encrypt("id_card_number", secret)
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != "id_card_number" || ve.Rule != "maxBytes" {
				t.Fatalf("one byte over: %v, want *ValidationError maxBytes for id_card_number", err)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error quotes the plaintext: %v", err)
			}
		})
	}
	enc, _ := NewEncrypter(pubMode)
	var ve *ValidationError
	if _, err := enc.Encrypt("name", "ab\xff"); !errors.As(err, &ve) || ve.Rule != "utf8" {
		t.Errorf("invalid UTF-8: %v", err)
	}
	if _, err := NewEncrypter(VerificationKey{PublicKey: pubMode.PublicKey}); err == nil {
		t.Error("NewEncrypter took a key without serial")
	}
}

// testCertificate makes a self-signed certificate for key with the given
// serial and validity, as a platform certificate stand-in.
func testCertificate(t testing.TB, key *rsa.PrivateKey, serial int64, notBefore, notAfter time.Time) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: "Test Platform Certificate"},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func certPEM(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

func mustCertKey(t testing.TB, c *x509.Certificate) VerificationKey {
	t.Helper()
	k, err := PlatformCertificateKey(c)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestEncrypterKeyChoice: which key a client encrypts with, and that the
// request names it.
func TestEncrypterKeyChoice(t *testing.T) {
	pubMode, _ := testKeys(t)
	now := testClock()
	day := 24 * time.Hour
	// Two certificates overlap, as during a rotation; a third is expired and
	// a fourth not valid yet, though both end later.
	old := mustCertKey(t, testCertificate(t, mustPrivateKey(t, "platform_key.pem"), 0x10, now.Add(-300*day), now.Add(2*day)))
	fresh := mustCertKey(t, testCertificate(t, mustPrivateKey(t, "other_key.pem"), 0x11, now.Add(-day), now.Add(300*day)))
	expired := mustCertKey(t, testCertificate(t, mustPrivateKey(t, "other_key.pem"), 0x12, now.Add(-900*day), now.Add(-day)))
	future := mustCertKey(t, testCertificate(t, mustPrivateKey(t, "other_key.pem"), 0x13, now.Add(day), now.Add(900*day)))
	for _, tc := range []struct {
		name     string
		keys     []VerificationKey
		explicit string
		want     string
	}{
		{"public key only", []VerificationKey{pubMode}, "", testPubKeyID},
		{"public key beside certificates", []VerificationKey{old, fresh, pubMode}, "", testPubKeyID},
		{"newest valid certificate", []VerificationKey{old, fresh, expired, future}, "", fresh.Serial},
		{"WechatpaySerial wins", []VerificationKey{old, fresh, pubMode}, old.Serial, old.Serial},
		{"no valid certificate", []VerificationKey{expired, future}, "", ""},
		{"WechatpaySerial names an expired certificate", []VerificationKey{expired, fresh}, expired.Serial, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t, "https://api.mch.weixin.qq.com")
			cfg.VerificationKeys, cfg.WechatpaySerial = tc.keys, tc.explicit
			c := newTestClient(t, cfg)
			enc, err := c.Encrypter()
			if tc.want == "" {
				if !errors.Is(err, ErrNoEncryptionKey) {
					t.Fatalf("Encrypter = %v, %v; want ErrNoEncryptionKey", enc, err)
				}
				return
			}
			if err != nil || enc.Serial() != tc.want {
				t.Fatalf("Encrypter = %v, %v; want key %s", enc, err, tc.want)
			}
		})
	}
	// TestWechatpaySerialFollowsRotation covers a removed key with others
	// left to fall back to.
	t.Run("a removed WechatpaySerial key, no other valid key", func(t *testing.T) {
		cfg := testConfig(t, "https://api.mch.weixin.qq.com")
		cfg.VerificationKeys = []VerificationKey{fresh, expired}
		cfg.WechatpaySerial = fresh.Serial
		c := newTestClient(t, cfg)
		c.Keys().Remove(fresh.Serial)
		if _, err := c.Encrypter(); !errors.Is(err, ErrNoEncryptionKey) {
			t.Fatalf("Encrypter = %v, want ErrNoEncryptionKey", err)
		}
	})
}

// TestWechatpaySerialFollowsRotation: the key a request names in
// Wechatpay-Serial, and the key an Encrypter takes, follow the key set when
// the configured key leaves it; both are always the same key.
func TestWechatpaySerialFollowsRotation(t *testing.T) {
	pubMode, _ := testKeys(t)
	rotated := pubMode
	rotated.Serial = "PUB_KEY_ID_0114232134912410000000000001"
	now := testClock()
	day := 24 * time.Hour
	cert := mustCertKey(t, testCertificate(t, mustPrivateKey(t, "platform_key.pem"), 0x20, now.Add(-day), now.Add(300*day)))
	later := mustCertKey(t, testCertificate(t, mustPrivateKey(t, "other_key.pem"), 0x21, now.Add(-day), now.Add(600*day)))
	for _, tc := range []struct {
		name     string
		keys     []VerificationKey
		explicit string
		add      []VerificationKey
		remove   []string
		want     string
	}{
		{"public key rotated", []VerificationKey{pubMode}, "", []VerificationKey{rotated}, []string{testPubKeyID}, rotated.Serial},
		{"public key added, old one still there", []VerificationKey{pubMode}, "", []VerificationKey{rotated}, nil, testPubKeyID},
		{"configured certificate removed", []VerificationKey{cert, pubMode}, cert.Serial, nil, []string{cert.Serial}, testPubKeyID},
		{"public key removed, certificates left", []VerificationKey{pubMode, cert}, "", []VerificationKey{later}, []string{testPubKeyID}, later.Serial},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, 204, okHeader(t, ""), "")
			cfg := testConfig(t, rec.URL)
			cfg.VerificationKeys, cfg.WechatpaySerial = tc.keys, tc.explicit
			c := newTestClient(t, cfg)
			for _, k := range tc.add {
				if err := c.Keys().Add(k); err != nil {
					t.Fatal(err)
				}
			}
			for _, serial := range tc.remove {
				c.Keys().Remove(serial)
			}
			// Only the request matters here: the answer may be signed by a
			// key the rotation removed.
			_, _ = c.Do(context.Background(), &Request{Operation: "op", Method: http.MethodGet, PathTemplate: "/v3/a", Path: "/v3/a"})
			if got := rec.only(t).header.Get(HeaderSerial); got != tc.want {
				t.Errorf("Wechatpay-Serial = %q, want %q", got, tc.want)
			}
			enc, err := c.Encrypter()
			if err != nil || enc.Serial() != tc.want {
				t.Errorf("Encrypter = %v, %v; want key %s", enc, err, tc.want)
			}
		})
	}
}

// sensitiveServer is a stand-in written from the protocol: it decrypts the
// request's encrypted field with the private key of the key the request's
// Wechatpay-Serial names, and answers with a field encrypted under the
// merchant's public key, signed by the WeChat Pay key.
func sensitiveServer(t *testing.T, privBySerial map[string]*rsa.PrivateKey, signWith *rsa.PrivateKey, signSerial string, got chan<- string) *httptest.Server {
	merchantPub := mustPublicKey(t, "merchant_public_key.pem")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Name string `json:"name"`
		}
		body, _ := io.ReadAll(r.Body)
		priv := privBySerial[r.Header.Get("Wechatpay-Serial")]
		err := json.Unmarshal(body, &req)
		var raw, plain []byte
		if err == nil {
			raw, err = base64.StdEncoding.DecodeString(req.Name)
		}
		if err == nil && priv != nil {
			plain, err = rsa.DecryptOAEP(sha1.New(), nil, priv, raw, nil)
		}
		if err != nil || priv == nil {
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"code":"INVALID_REQUEST","message":"cannot decrypt"}`))
			got <- ""
			return
		}
		got <- string(plain)
		ct, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, merchantPub, []byte("李四"), nil)
		if err != nil {
			t.Error(err)
		}
		answer := `{"account_name":"` + base64.StdEncoding.EncodeToString(ct) + `"}`
		ts, nonce := tsAt(0), "answerNonce"
		sig, err := rsa.SignPKCS1v15(nil, signWith, crypto.SHA256, sha256Of(ts+"\n"+nonce+"\n"+answer+"\n"))
		if err != nil {
			t.Error(err)
		}
		w.Header().Set(HeaderTimestamp, ts)
		w.Header().Set(HeaderNonce, nonce)
		w.Header().Set(HeaderSignature, base64.StdEncoding.EncodeToString(sig))
		w.Header().Set(HeaderSerial, signSerial)
		_, _ = w.Write([]byte(answer))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestSensitiveRoundTrip sends a request with an encrypted field, as
// generated code will, to a stand-in that decrypts with the key the
// Wechatpay-Serial names, and decrypts the field of its answer.
func TestSensitiveRoundTrip(t *testing.T) {
	now := testClock()
	platformKey, otherKey := mustPrivateKey(t, "platform_key.pem"), mustPrivateKey(t, "other_key.pem")
	oldCert := mustCertKey(t, testCertificate(t, platformKey, 0x20, now.Add(-100*time.Hour), now.Add(time.Hour)))
	newCert := mustCertKey(t, testCertificate(t, otherKey, 0x21, now.Add(-time.Hour), now.Add(100*time.Hour)))
	pubMode, _ := testKeys(t)
	wpKey := mustPrivateKey(t, "wechatpay_key.pem")
	for _, tc := range []struct {
		name       string
		keys       []VerificationKey
		signWith   *rsa.PrivateKey // the key WeChat Pay signs the answer with
		signSerial string
		want       string // the key the request must be encrypted with
	}{
		{"public-key mode", []VerificationKey{pubMode}, wpKey, testPubKeyID, testPubKeyID},
		{"certificate mode during a rotation", []VerificationKey{oldCert, newCert}, platformKey, oldCert.Serial, newCert.Serial},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := make(chan string, 1)
			srv := sensitiveServer(t, map[string]*rsa.PrivateKey{
				testPubKeyID: wpKey, oldCert.Serial: platformKey, newCert.Serial: otherKey,
			}, tc.signWith, tc.signSerial, got)
			cfg := testConfig(t, srv.URL)
			cfg.VerificationKeys = tc.keys
			c := newTestClient(t, cfg)
			enc, err := c.Encrypter()
			if err != nil {
				t.Fatal(err)
			}
			name, err := enc.Encrypt("name", "张三")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := json.Marshal(map[string]string{"name": name})
			resp, err := c.Do(context.Background(), &Request{Operation: "sensitive", Method: "POST", PathTemplate: "/v3/x", Path: "/v3/x", Body: body, WechatpaySerial: enc.Serial()})
			if err != nil {
				t.Fatal(err)
			}
			if p := <-got; p != "张三" {
				t.Errorf("the server decrypted %q", p)
			}
			if enc.Serial() != tc.want {
				t.Errorf("encrypted with %s, want %s", enc.Serial(), tc.want)
			}
			var answer struct {
				AccountName string `json:"account_name"`
			}
			if err := json.Unmarshal(resp.Body, &answer); err != nil {
				t.Fatal(err)
			}
			if plain, err := c.DecryptField("account_name", answer.AccountName); err != nil || plain != "李四" {
				t.Errorf("DecryptField = %q, %v", plain, err)
			}
		})
	}
}

func sha256Of(s string) []byte {
	h := crypto.SHA256.New()
	h.Write([]byte(s))
	return h.Sum(nil)
}

// signerOnly hides the Decrypt method of a key, as a KMS signing key or the
// OpenSSL signer would.
type signerOnly struct{ crypto.Signer }

func TestDecryptFieldErrors(t *testing.T) {
	requireOpenSSL(t)
	c := newTestClient(t, testConfig(t, "https://api.mch.weixin.qq.com"))
	good := base64.StdEncoding.EncodeToString(opensslOAEP(t, []byte("SECRET-PLAIN"), "-encrypt", "-pubin", "-inkey", td("merchant_public_key.pem")))
	underOther := base64.StdEncoding.EncodeToString(opensslOAEP(t, []byte("SECRET-PLAIN"), "-encrypt", "-pubin", "-inkey", td("wechatpay_public_key.pem")))
	notUTF8 := base64.StdEncoding.EncodeToString(opensslOAEP(t, []byte("ab\xff"), "-encrypt", "-pubin", "-inkey", td("merchant_public_key.pem")))
	for _, tc := range []struct{ name, ct string }{
		{"not Base64", "*" + good[1:]},
		{"short", good[:40]},
		{"encrypted under another key", underOther},
		{"plaintext not UTF-8", notUTF8},
		{"empty", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.DecryptField("bank_account", tc.ct)
			if !errors.Is(err, ErrFieldDecrypt) || got != "" {
				t.Fatalf("DecryptField = %q, %v; want ErrFieldDecrypt", got, err)
			}
			if !strings.Contains(err.Error(), "bank_account") || strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error = %v", err)
			}
		})
	}

	// A signer that cannot decrypt, then the same with MerchantDecrypter.
	cfg := testConfig(t, "https://api.mch.weixin.qq.com")
	key := cfg.MerchantKey.(*rsa.PrivateKey)
	cfg.MerchantKey = signerOnly{key}
	if _, err := newTestClient(t, cfg).DecryptField("bank_account", good); !errors.Is(err, ErrNoDecrypter) {
		t.Errorf("without a decrypter: %v, want ErrNoDecrypter", err)
	}
	cfg.MerchantDecrypter = key
	if got, err := newTestClient(t, cfg).DecryptField("bank_account", good); err != nil || got != "SECRET-PLAIN" {
		t.Errorf("with MerchantDecrypter: %q, %v", got, err)
	}
	cfg.MerchantDecrypter = mustPrivateKey(t, "other_key.pem")
	if _, err := NewClient(cfg); err == nil || !strings.Contains(err.Error(), "MerchantDecrypter") {
		t.Errorf("a decrypter of another key pair: %v", err)
	}
	var nilKey *rsa.PrivateKey
	cfg.MerchantDecrypter = nilKey
	if _, err := NewClient(cfg); err == nil || !strings.Contains(err.Error(), "MerchantDecrypter") {
		t.Errorf("a nil decrypter: %v", err)
	}
}

// kmsError is what a KMS or HSM client returns; kmsKey is a
// crypto.Decrypter that always fails with it.
type kmsError struct{ code string }

func (e *kmsError) Error() string { return "kms: " + e.code }

type kmsKey struct{ pub *rsa.PublicKey }

func (k kmsKey) Public() crypto.PublicKey { return k.pub }
func (k kmsKey) Decrypt(io.Reader, []byte, crypto.DecrypterOpts) ([]byte, error) {
	return nil, &kmsError{code: "THROTTLED"}
}

// TestDecryptKeepsTheDecrypterError: a KMS's own error stays reachable with
// errors.As through DecryptSensitiveField, beside ErrFieldDecrypt, so a
// caller can tell a throttled KMS from a bad ciphertext.
func TestDecryptKeepsTheDecrypterError(t *testing.T) {
	key := mustPrivateKey(t, "merchant_key.pem")
	ct, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, &key.PublicKey, []byte("张三"), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = DecryptSensitiveField(kmsKey{pub: &key.PublicKey}, "name", base64.StdEncoding.EncodeToString(ct))
	var ke *kmsError
	if !errors.Is(err, ErrFieldDecrypt) || !errors.As(err, &ke) || ke.code != "THROTTLED" {
		t.Fatalf("error %v: want ErrFieldDecrypt and the *kmsError", err)
	}
}
