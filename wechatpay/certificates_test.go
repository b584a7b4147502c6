package wechatpay

import (
	"bytes"
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/payforge/wechatpay/internal/testkit"
)

const testAPIv3Key = "payforge-test-apiv3-key-32-bytes"

// listed is one entry of a /v3/certificates answer a stand-in serves.
type listed struct {
	pem               []byte
	serial            string // serial_no; default the certificate's
	effective, expire time.Time
	ad                string // associated_data; default "certificate"
}

func listedCert(c *x509.Certificate) listed {
	return listed{pem: certPEM(c), serial: CertificateSerial(c), effective: c.NotBefore, expire: c.NotAfter}
}

// sealGCM encrypts as the certificate page describes, with crypto/aes
// directly: AES-256-GCM under key, 12-byte nonce, tag appended, Base64.
func sealGCM(t testing.TB, key, nonce, plaintext []byte, ad string) string {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(gcm.Seal(nil, nonce, plaintext, []byte(ad)))
}

// certificatesBody is the JSON of a /v3/certificates answer listing certs,
// each encrypted under apiV3Key.
func certificatesBody(t testing.TB, apiV3Key string, certs ...listed) []byte {
	t.Helper()
	type enc struct {
		Algorithm      string `json:"algorithm"`
		Nonce          string `json:"nonce"`
		AssociatedData string `json:"associated_data"`
		Ciphertext     string `json:"ciphertext"`
	}
	type entry struct {
		SerialNo           string `json:"serial_no"`
		EffectiveTime      string `json:"effective_time"`
		ExpireTime         string `json:"expire_time"`
		EncryptCertificate enc    `json:"encrypt_certificate"`
	}
	answer := struct {
		Data []entry `json:"data"`
	}{Data: []entry{}}
	for i, c := range certs {
		ad := c.ad
		if ad == "" {
			ad = "certificate"
		}
		nonce := []byte("nonce-" + string(rune('a'+i)) + "12345")[:12]
		answer.Data = append(answer.Data, entry{
			SerialNo:           c.serial,
			EffectiveTime:      c.effective.In(time.FixedZone("CST", 8*3600)).Format(time.RFC3339),
			ExpireTime:         c.expire.In(time.FixedZone("CST", 8*3600)).Format(time.RFC3339),
			EncryptCertificate: enc{"AEAD_AES_256_GCM", string(nonce), ad, sealGCM(t, []byte(apiV3Key), nonce, c.pem, ad)},
		})
	}
	b, err := json.Marshal(answer)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// certServer is a /v3/certificates stand-in written from the protocol: it
// checks the request is a signed GET and answers the current list, signed
// with the current key and serial.
type certServer struct {
	*httptest.Server
	mu       sync.Mutex
	body     []byte
	signKey  *rsa.PrivateKey
	serial   string
	status   int
	requests atomic.Int32
	now      func() time.Time
}

func newCertServer(t *testing.T, now func() time.Time) *certServer {
	s := &certServer{status: 200, now: now}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if r.Method != http.MethodGet || r.URL.Path != "/v3/certificates" ||
			!strings.HasPrefix(r.Header.Get("Authorization"), "WECHATPAY2-SHA256-RSA2048 ") {
			w.WriteHeader(400)
			return
		}
		s.mu.Lock()
		body, key, serial, status := s.body, s.signKey, s.serial, s.status
		s.mu.Unlock()
		if status != 200 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"code":"SYSTEM_ERROR","message":"系统错误"}`))
			return
		}
		ts := s.now().Unix()
		nonce := "certNonce0123456789"
		tsText := big.NewInt(ts).String()
		sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sha256Of(tsText+"\n"+nonce+"\n"+string(body)+"\n"))
		if err != nil {
			t.Error(err)
		}
		w.Header().Set(HeaderTimestamp, tsText)
		w.Header().Set(HeaderNonce, nonce)
		w.Header().Set(HeaderSignature, base64.StdEncoding.EncodeToString(sig))
		w.Header().Set(HeaderSerial, serial)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *certServer) serve(body []byte, signKey *rsa.PrivateKey, serial string) {
	s.mu.Lock()
	s.body, s.signKey, s.serial, s.status = body, signKey, serial, 200
	s.mu.Unlock()
}

func (s *certServer) fail(status int) {
	s.mu.Lock()
	s.status = status
	s.mu.Unlock()
}

// rotation is the certificates of a rotation around the test clock: old
// ends in two hours, new started an hour ago; both are RSA keys of testdata.
type rotation struct {
	oldKey, newKey   *rsa.PrivateKey
	oldCert, newCert *x509.Certificate
}

func newRotation(t testing.TB) rotation {
	now := testClock()
	r := rotation{oldKey: mustPrivateKey(t, "platform_key.pem"), newKey: mustPrivateKey(t, "other_key.pem")}
	r.oldCert = testCertificate(t, r.oldKey, 0x0A01, now.Add(-400*24*time.Hour), now.Add(2*time.Hour))
	r.newCert = testCertificate(t, r.newKey, 0x0B02, now.Add(-time.Hour), now.Add(400*24*time.Hour))
	return r
}

// TestCertificateDecryptionKnownAnswer lets node encrypt a certificate with
// aes-256-gcm (key, 12-byte nonce, AAD "certificate", tag appended) and
// parses it; and lets node decrypt what the stand-in encrypts.
func TestCertificateDecryptionKnownAnswer(t *testing.T) {
	requireNode(t)
	cert := mustCertificate(t, "platform_cert.pem")
	pemText := readFile(t, td("platform_cert.pem"))
	const nonce = "61f9c719728a"
	const encrypt = `const c=require('crypto');
const [key,nonce,hex]=process.argv.slice(1);
const e=c.createCipheriv('aes-256-gcm',Buffer.from(key),Buffer.from(nonce));
e.setAAD(Buffer.from('certificate'));
const ct=Buffer.concat([e.update(Buffer.from(hex,'hex')),e.final(),e.getAuthTag()]);
process.stdout.write(ct.toString('base64'));`
	ciphertext := string(node(t, encrypt, testAPIv3Key, nonce, hexOf(string(pemText))))
	body := `{"data":[{"serial_no":"` + testPlatformSerial + `","effective_time":"` + cert.NotBefore.Format(time.RFC3339) +
		`","expire_time":"` + cert.NotAfter.Format(time.RFC3339) + `","encrypt_certificate":{"algorithm":"AEAD_AES_256_GCM","nonce":"` +
		nonce + `","associated_data":"certificate","ciphertext":"` + ciphertext + `"}}]}`
	certs, err := ParseCertificates([]byte(body), []byte(testAPIv3Key), cert.NotBefore)
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 1 || certs[0].Serial != testPlatformSerial || !bytes.Equal(certs[0].PEM, pemText) || !certs[0].Certificate.Equal(cert) {
		t.Fatalf("ParseCertificates = %+v", certs)
	}

	const decrypt = `const c=require('crypto');
const [key,nonce,b64]=process.argv.slice(1);
const b=Buffer.from(b64,'base64');
const d=c.createDecipheriv('aes-256-gcm',Buffer.from(key),Buffer.from(nonce));
d.setAAD(Buffer.from('certificate'));d.setAuthTag(b.subarray(b.length-16));
process.stdout.write(Buffer.concat([d.update(b.subarray(0,b.length-16)),d.final()]));`
	sealed := sealGCM(t, []byte(testAPIv3Key), []byte(nonce), pemText, "certificate")
	if got := node(t, decrypt, testAPIv3Key, nonce, sealed); !bytes.Equal(got, pemText) {
		t.Fatalf("node decrypted the stand-in's ciphertext to %q", got)
	}
}

func TestParseCertificatesRejects(t *testing.T) {
	now := testClock()
	rot := newRotation(t)
	ok := listedCert(rot.newCert)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(0x0C03), Subject: pkix.Name{CommonName: "ec"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}
	ecDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ecKey.PublicKey, ecKey)
	if err != nil {
		t.Fatal(err)
	}
	ecCert, _ := x509.ParseCertificate(ecDER)
	with := func(f func(*listed)) listed { l := ok; f(&l); return l }
	body := func(certs ...listed) []byte { return certificatesBody(t, testAPIv3Key, certs...) }
	for _, tc := range []struct {
		name   string
		body   []byte
		key    string
		want   string
		wantIs error
	}{
		{"not JSON", []byte(`<html>`), testAPIv3Key, "not the documented JSON", nil},
		{"data of the wrong type", []byte(`{"data":{}}`), testAPIv3Key, "not the documented JSON", nil},
		{"no data", []byte(`{}`), testAPIv3Key, "lists no certificate", nil},
		{"empty data", body(), testAPIv3Key, "lists no certificate", nil},
		{"no encrypt_certificate", []byte(`{"data":[{"serial_no":"0B02"}]}`), testAPIv3Key, "no encrypt_certificate", nil},
		{"wrong APIv3 key", body(ok), testOtherAPIv3Key, "authentication failed", ErrCertificateDecrypt},
		{"associated data of a notification", body(with(func(l *listed) { l.ad = "transaction" })), testAPIv3Key, "associated_data", ErrCertificateDecrypt},
		{"plaintext is not PEM", body(with(func(l *listed) { l.pem = []byte("not a certificate") })), testAPIv3Key, "one PEM CERTIFICATE", nil},
		{"two PEM blocks", body(with(func(l *listed) { l.pem = append(certPEM(rot.newCert), certPEM(rot.oldCert)...) })), testAPIv3Key, "one PEM CERTIFICATE", nil},
		{"PEM of garbage DER", body(with(func(l *listed) { l.pem = pemOf([]byte{0x30, 0x03, 1, 2, 3}) })), testAPIv3Key, "x509", nil},
		{"serial_no of another certificate", body(with(func(l *listed) { l.serial = "0A01" })), testAPIv3Key, "does not match", nil},
		{"an EC certificate", body(with(func(l *listed) { l.pem, l.serial = certPEM(ecCert), "0C03" })), testAPIv3Key, "want RSA", nil},
		{"effective after expire", body(with(func(l *listed) { l.effective, l.expire = l.expire, l.effective })), testAPIv3Key, "not before", nil},
		{"expire_time after the certificate's end", body(with(func(l *listed) { l.expire = l.expire.Add(time.Second) })), testAPIv3Key, "outside the certificate's validity", nil},
		{"effective_time before the certificate's start", body(with(func(l *listed) { l.effective = l.effective.Add(-time.Second) })), testAPIv3Key, "outside the certificate's validity", nil},
		{"listed twice", body(ok, ok), testAPIv3Key, "listed twice", nil},
		{"all expired", body(listedCert(testCertificate(t, rot.oldKey, 0x0D04, now.Add(-48*time.Hour), now.Add(-time.Hour)))), testAPIv3Key, "expired", nil},
		{"bad effective_time", bytes.Replace(body(ok), []byte(`"effective_time":"`), []byte(`"effective_time":"x`), 1), testAPIv3Key, "RFC 3339", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			certs, err := ParseCertificates(tc.body, []byte(tc.key), now)
			var ce *CertificateError
			if certs != nil || !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParseCertificates = %v, %v; want a *CertificateError containing %q", certs, err, tc.want)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("error %v does not wrap %v", err, tc.wantIs)
			}
			if strings.Contains(err.Error(), "BEGIN CERTIFICATE") || strings.Contains(err.Error(), tc.key) {
				t.Errorf("error quotes a certificate or the key: %v", err)
			}
		})
	}
	t.Run("expired certificates are left out", func(t *testing.T) {
		expired := listedCert(testCertificate(t, rot.oldKey, 0x0D04, now.Add(-48*time.Hour), now.Add(-time.Hour)))
		// The old certificate's expire_time moved before its PEM end, as in a rotation.
		early := with(func(l *listed) {})
		early.pem, early.serial, early.effective, early.expire = certPEM(rot.oldCert), "0a01", rot.oldCert.NotBefore, now.Add(time.Hour)
		certs, err := ParseCertificates(body(expired, ok, early), []byte(testAPIv3Key), now)
		if err != nil {
			t.Fatal(err)
		}
		if len(certs) != 2 || certs[0].Serial != "0B02" || certs[1].Serial != "0A01" || !certs[1].ExpireTime.Equal(now.Add(time.Hour)) {
			t.Fatalf("certs = %+v", certs)
		}
		if k := certs[1].Key(); !k.NotAfter.Equal(now.Add(time.Hour)) || !k.NotBefore.Equal(rot.oldCert.NotBefore) || k.Serial != "0A01" {
			t.Errorf("Key() = %+v", k)
		}
	})
	if _, err := ParseCertificates(body(ok), []byte("short"), now); err == nil {
		t.Error("a 5-byte APIv3 key was accepted")
	}
}

func certTestConfig(t testing.TB, url string, clock func() time.Time, keys ...VerificationKey) Config {
	cfg := testConfig(t, url)
	cfg.VerificationKeys, cfg.Clock = keys, clock
	return cfg
}

func TestDownloadCertificates(t *testing.T) {
	rot := newRotation(t)
	srv := newCertServer(t, testClock)
	both := certificatesBody(t, testAPIv3Key, listedCert(rot.oldCert), listedCert(rot.newCert))
	oldKey, newKey := mustCertKey(t, rot.oldCert), mustCertKey(t, rot.newCert)

	t.Run("signed by a trusted certificate", func(t *testing.T) {
		srv.serve(both, rot.oldKey, "0A01")
		c := newTestClient(t, certTestConfig(t, srv.URL, testClock, oldKey))
		certs, err := c.DownloadCertificates(context.Background(), []byte(testAPIv3Key))
		if err != nil {
			t.Fatal(err)
		}
		if len(certs) != 2 || certs[0].Serial != "0A01" || certs[1].Serial != "0B02" {
			t.Fatalf("certs = %+v", certs)
		}
		if got := c.Keys().Serials(); !slices.Equal(got, []string{"0A01"}) {
			t.Errorf("DownloadCertificates changed the key set: %v", got)
		}
	})
	t.Run("signed by a certificate not yet trusted", func(t *testing.T) {
		srv.serve(both, rot.newKey, "0B02")
		c := newTestClient(t, certTestConfig(t, srv.URL, testClock, oldKey))
		_, err := c.DownloadCertificates(context.Background(), []byte(testAPIv3Key))
		var verr *VerificationError
		if !errors.As(err, &verr) || !errors.Is(err, ErrUnknownSerial) {
			t.Fatalf("err = %v, want *VerificationError wrapping ErrUnknownSerial", err)
		}
	})
	t.Run("a forged signature", func(t *testing.T) {
		srv.serve(both, rot.newKey, "0A01") // names the old certificate, signed by another key
		c := newTestClient(t, certTestConfig(t, srv.URL, testClock, oldKey))
		if _, err := c.DownloadCertificates(context.Background(), []byte(testAPIv3Key)); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("err = %v, want ErrBadSignature", err)
		}
	})
	t.Run("bootstrap from the download itself", func(t *testing.T) {
		srv.serve(both, rot.newKey, "0B02")
		certs, err := BootstrapCertificates(context.Background(), certTestConfig(t, srv.URL, testClock), []byte(testAPIv3Key))
		if err != nil {
			t.Fatal(err)
		}
		keys := CertificateKeys(certs)
		if len(keys) != 2 || keys[1].Serial != newKey.Serial || !keys[1].PublicKey.Equal(newKey.PublicKey) {
			t.Fatalf("keys = %+v", keys)
		}
	})
	t.Run("bootstrap refuses a signer outside the download", func(t *testing.T) {
		srv.serve(certificatesBody(t, testAPIv3Key, listedCert(rot.newCert)), rot.oldKey, "0A01")
		_, err := BootstrapCertificates(context.Background(), certTestConfig(t, srv.URL, testClock), []byte(testAPIv3Key))
		if !errors.Is(err, ErrUnknownSerial) {
			t.Fatalf("err = %v, want ErrUnknownSerial", err)
		}
	})
	t.Run("bootstrap with the wrong APIv3 key", func(t *testing.T) {
		srv.serve(both, rot.newKey, "0B02")
		_, err := BootstrapCertificates(context.Background(), certTestConfig(t, srv.URL, testClock), []byte(testOtherAPIv3Key))
		var ce *CertificateError
		if !errors.Is(err, ErrUnknownSerial) || !errors.As(err, &ce) || !errors.Is(err, ErrCertificateDecrypt) {
			t.Fatalf("err = %v, want ErrUnknownSerial with the *CertificateError that kept the signer unknown", err)
		}
	})
	t.Run("bootstrap needs the rest of the config", func(t *testing.T) {
		cfg := certTestConfig(t, srv.URL, testClock)
		cfg.MchID = ""
		if _, err := BootstrapCertificates(context.Background(), cfg, []byte(testAPIv3Key)); err == nil || !strings.Contains(err.Error(), "MchID") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("an API error", func(t *testing.T) {
		srv.fail(500)
		c := newTestClient(t, certTestConfig(t, srv.URL, testClock, oldKey))
		var apiErr *APIError
		if _, err := c.DownloadCertificates(context.Background(), []byte(testAPIv3Key)); !errors.As(err, &apiErr) || apiErr.Code != "SYSTEM_ERROR" {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestCertificateRefresher follows a rotation: the new certificate is added
// and used for encryption, a failed refresh changes nothing, the expired one
// is dropped, and Run stops with its context leaving no goroutine.
func TestCertificateRefresher(t *testing.T) {
	rot := newRotation(t)
	var nowUnix atomic.Int64
	nowUnix.Store(testTimestamp)
	clock := func() time.Time { return time.Unix(nowUnix.Load(), 0) }
	srv := newCertServer(t, clock)
	pubMode, _ := testKeys(t)
	oldKey := mustCertKey(t, rot.oldCert)
	c := newTestClient(t, certTestConfig(t, srv.URL, clock, oldKey))
	var logBuf testkit.LockedBuffer
	r, err := NewCertificateRefresher(c, CertificateRefresherConfig{
		APIv3Key: []byte(testAPIv3Key), Interval: time.Hour,
		Logger: slog.New(slog.NewJSONHandler(&logBuf, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if enc, err := c.Encrypter(); err != nil || enc.Serial() != "0A01" {
		t.Fatalf("before the refresh: Encrypter = %v, %v", enc, err)
	}

	// The new certificate joins the list; the old one still signs.
	srv.serve(certificatesBody(t, testAPIv3Key, listedCert(rot.oldCert), listedCert(rot.newCert)), rot.oldKey, "0A01")
	if _, err := r.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := c.Keys().Serials(); !slices.Equal(got, []string{"0A01", "0B02"}) {
		t.Fatalf("after the first refresh: %v", got)
	}
	if enc, err := c.Encrypter(); err != nil || enc.Serial() != "0B02" {
		t.Fatalf("after the first refresh: Encrypter = %v, %v; want the new certificate", enc, err)
	}

	// A failing refresh keeps the keys, even past the old certificate's end.
	nowUnix.Add(3 * 3600)
	srv.fail(500)
	if _, err := r.Refresh(context.Background()); err == nil {
		t.Fatal("a refresh against a 500 succeeded")
	}
	if got := c.Keys().Serials(); !slices.Equal(got, []string{"0A01", "0B02"}) {
		t.Fatalf("after a failed refresh: %v", got)
	}
	// The old certificate expired; the new one signs. A public key is
	// never dropped.
	if err := c.Keys().Add(pubMode); err != nil {
		t.Fatal(err)
	}
	srv.serve(certificatesBody(t, testAPIv3Key, listedCert(rot.newCert)), rot.newKey, "0B02")
	if _, err := r.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := c.Keys().Serials(); !slices.Equal(got, []string{"0B02", testPubKeyID}) {
		t.Fatalf("after the old certificate expired: %v", got)
	}
	recs := logRecords(t, logBuf.String())
	if len(recs) != 3 || recs[1]["level"] != "WARN" || !strings.Contains(logBuf.String(), `"dropped":["0A01"]`) ||
		!strings.Contains(logBuf.String(), `"added":["0B02"]`) {
		t.Errorf("log:\n%s", logBuf.String())
	}

	// Run: a refresh at once and one after each wait, until the context
	// ends (here, at the third wait).
	before := srv.requests.Load()
	ctx, cancel := context.WithCancel(context.Background())
	waits := 0
	r.wait = func(ctx context.Context, d time.Duration) error {
		if d != time.Hour {
			t.Errorf("waited %v, want the interval", d)
		}
		if waits++; waits == 3 {
			cancel()
		}
		return ctx.Err()
	}
	if err := r.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if n := srv.requests.Load() - before; n != 3 {
		t.Errorf("Run made %d downloads for three waits, want 3", n)
	}
	// And with the real wait of an hour: Run returns as soon as the context
	// ends.
	r.wait = sleepContext
	ctx, cancel = context.WithCancel(context.Background())
	done := make(chan error)
	before = srv.requests.Load()
	go func() { done <- r.Run(ctx) }()
	for srv.requests.Load() == before {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	srv.Close()
	c.http.CloseIdleConnections()
	goleak.VerifyNone(t)
}

func TestNewCertificateRefresherConfig(t *testing.T) {
	_, err := NewCertificateRefresher(nil, CertificateRefresherConfig{APIv3Key: []byte("short"), Interval: -1})
	if got := fields(configErrors(t, err)); !slices.Equal(got, []string{"Client", "APIv3Key", "Interval"}) {
		t.Errorf("fields = %v (%v)", got, err)
	}
	c := newTestClient(t, testConfig(t, "https://api.mch.weixin.qq.com"))
	r, err := NewCertificateRefresher(c, CertificateRefresherConfig{APIv3Key: []byte(testAPIv3Key)})
	if err != nil || r.interval != DefaultCertificateRefreshInterval || r.log == nil {
		t.Errorf("defaults: %+v, %v", r, err)
	}
}

func TestWriteCertificates(t *testing.T) {
	rot := newRotation(t)
	certs, err := ParseCertificates(certificatesBody(t, testAPIv3Key, listedCert(rot.oldCert), listedCert(rot.newCert)), []byte(testAPIv3Key), testClock())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	unrelated := filepath.Join(dir, "merchant_key.pem")
	if err := os.WriteFile(unrelated, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	paths, err := WriteCertificates(dir, certs)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 || filepath.Base(paths[0]) != "wechatpay_0A01.pem" || filepath.Base(paths[1]) != "wechatpay_0B02.pem" {
		t.Fatalf("paths = %v", paths)
	}
	for i, p := range paths {
		c, err := LoadCertificateFile(p)
		if err != nil || !c.Equal(certs[i].Certificate) {
			t.Errorf("%s: %v", p, err)
		}
	}
	if b, _ := os.ReadFile(unrelated); string(b) != "keep me" {
		t.Error("an unrelated file changed")
	}
	// Again: an identical or older copy is fine.
	if err := os.WriteFile(paths[1], certPEM(rot.newCert), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteCertificates(dir, certs); err != nil {
		t.Fatalf("second write: %v", err)
	}
	// A foreign file under a certificate's name stops everything.
	if err := os.Remove(paths[0]); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(paths[1], []byte("a note, not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteCertificates(dir, certs); err == nil || !strings.Contains(err.Error(), "not overwritten") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(paths[0]); !errors.Is(err, os.ErrNotExist) {
		t.Error("a certificate was written although another could not be")
	}
	if b, _ := os.ReadFile(paths[1]); string(b) != "a note, not a certificate" {
		t.Error("the foreign file was overwritten")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
	if _, err := WriteCertificates(filepath.Join(dir, "missing"), certs); err == nil {
		t.Error("writing into a missing folder succeeded")
	}
	if _, err := WriteCertificates(dir, []PlatformCertificate{{Serial: "../x"}}); err == nil {
		t.Error("an unchecked entry was written")
	}
}

// TestBootstrapReturnsWhatItVerified: a bootstrap parses the download to find
// the key its signature names; the certificates it returns are that parse's,
// not a second parse at a later reading of the clock. With a clock that
// moves a second per reading and a certificate whose expire_time falls at
// each second in turn, the bootstrap either finds no signer (it expired
// before the download was checked) or returns the certificate that verified
// it; never "all certificates expired" after the signature verified.
func TestBootstrapReturnsWhatItVerified(t *testing.T) {
	rot := newRotation(t)
	srv := newCertServer(t, testClock)
	start := testClock()
	for offset := range 40 {
		entry := listedCert(rot.newCert)
		entry.expire = start.Add(time.Duration(offset) * time.Second)
		srv.serve(certificatesBody(t, testAPIv3Key, entry), rot.newKey, "0B02")
		var readings atomic.Int64
		clock := func() time.Time { return start.Add(time.Duration(readings.Add(1)-1) * time.Second) }
		certs, err := BootstrapCertificates(context.Background(), certTestConfig(t, srv.URL, clock), []byte(testAPIv3Key))
		switch {
		case err == nil && (len(certs) != 1 || certs[0].Serial != "0B02"):
			t.Fatalf("expire_time +%d s: certs = %+v", offset, certs)
		case err != nil && !errors.Is(err, ErrUnknownSerial):
			t.Fatalf("expire_time +%d s: the download verified, then: %v", offset, err)
		}
	}
}

// TestCertificateRefresherMissedOverlap: a client that missed the overlap of
// a rotation trusts only the old certificate while downloads are signed by
// the new one. Each refresh fails with ErrUnknownSerial, logged at Error
// level, apart from passing failures, naming the signer and the way out;
// the key set is unchanged (no fallback to trusting the download itself);
// after a new bootstrap the refresher carries on.
func TestCertificateRefresherMissedOverlap(t *testing.T) {
	rot := newRotation(t)
	srv := newCertServer(t, testClock)
	c := newTestClient(t, certTestConfig(t, srv.URL, testClock, mustCertKey(t, rot.oldCert)))
	var logBuf testkit.LockedBuffer
	r, err := NewCertificateRefresher(c, CertificateRefresherConfig{
		APIv3Key: []byte(testAPIv3Key), Logger: slog.New(slog.NewJSONHandler(&logBuf, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.serve(certificatesBody(t, testAPIv3Key, listedCert(rot.newCert)), rot.newKey, "0B02")
	for range 2 {
		if _, err := r.Refresh(context.Background()); !errors.Is(err, ErrUnknownSerial) {
			t.Fatalf("Refresh = %v, want ErrUnknownSerial", err)
		}
	}
	if got := c.Keys().Serials(); !slices.Equal(got, []string{"0A01"}) {
		t.Fatalf("the key set changed: %v", got)
	}
	srv.fail(500) // a passing failure stays a warning
	if _, err := r.Refresh(context.Background()); err == nil {
		t.Fatal("a refresh against a 500 succeeded")
	}
	recs := logRecords(t, logBuf.String())
	if len(recs) != 3 {
		t.Fatalf("log:\n%s", logBuf.String())
	}
	for _, rec := range recs[:2] {
		if rec["level"] != "ERROR" || rec["signer"] != "0B02" || !strings.Contains(rec["msg"].(string), "BootstrapCertificates") {
			t.Errorf("the unknown signer is not logged apart: %v", rec)
		}
	}
	if recs[2]["level"] != "WARN" {
		t.Errorf("a 500 logged as %v", recs[2])
	}

	// The way out the log names: bootstrap again, add the keys.
	srv.serve(certificatesBody(t, testAPIv3Key, listedCert(rot.newCert)), rot.newKey, "0B02")
	certs, err := BootstrapCertificates(context.Background(), certTestConfig(t, srv.URL, testClock), []byte(testAPIv3Key))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range CertificateKeys(certs) {
		if err := c.Keys().Add(k); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Refresh(context.Background()); err != nil {
		t.Fatalf("Refresh after the new bootstrap: %v", err)
	}
}
