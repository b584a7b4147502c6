package wechatpaytest_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/internal/sandboxtest"
)

// testClock is a clock tests move by hand; the sandbox and the runtime share
// it.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2030, 1, 2, 12, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// newCertificate makes a platform certificate for key valid from notBefore
// to notAfter.
func newCertificate(t testing.TB, key *rsa.PrivateKey, notBefore, notAfter time.Time) wechatpaytest.PlatformCertificate {
	t.Helper()
	c, err := wechatpaytest.NewPlatformCertificate(key, notBefore, notAfter)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// freshKey returns a new RSA-2048 key.
func freshKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

const year = 365 * 24 * time.Hour

// terminate calls the example terminate operation through rt and returns
// the Wechatpay-Serial of its verified answer.
func terminate(t testing.TB, rt *wechatpay.Client) string {
	t.Helper()
	resp, err := rt.Do(context.Background(), sandboxtest.TerminateRequest(12535, "wxwtdk20200910100000"))
	if err != nil {
		t.Fatalf("terminate: %v", err)
	}
	return resp.Header.Get("Wechatpay-Serial")
}

// TestCertificatesInPublicKeyMode: a merchant in public-key mode has no
// platform certificate to download.
func TestCertificatesInPublicKeyMode(t *testing.T) {
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{})
	rt := sandboxtest.NewRuntime(t, srv)
	_, err := rt.DownloadCertificates(context.Background(), srv.APIv3Key())
	var apiErr *wechatpay.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.Code != "RESOURCE_NOT_EXISTS" {
		t.Fatalf("download in public-key mode: %v, want 404 RESOURCE_NOT_EXISTS", err)
	}
	if srv.PlatformCertificates() != nil {
		t.Error("PlatformCertificates in public-key mode is not nil")
	}
	c := newCertificate(t, sandboxtest.OtherKey(), time.Now().Add(-time.Hour), time.Now().Add(year))
	if err := srv.SetPlatformCertificates(c); err == nil {
		t.Error("SetPlatformCertificates in public-key mode succeeded")
	}
}

// TestCertificateRotation follows a merchant in certificate mode through a
// rotation, entirely through the runtime: the first download
// (BootstrapCertificates), a new certificate listed before its switch (a
// refresh adds it; answers stay signed with the old one, which the runtime
// still encrypts with), the switch (answers signed with the new one, which
// the runtime now encrypts with), and the old one's expiry (a refresh drops
// it).
func TestCertificateRotation(t *testing.T) {
	clock := newTestClock()
	t0 := clock.Now()
	oldCert := newCertificate(t, sandboxtest.OtherKey(), t0.Add(-400*24*time.Hour), t0.Add(5*year))
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{Clock: clock.Now, PlatformCertificates: []wechatpaytest.PlatformCertificate{oldCert}})

	cfg := srv.ClientConfig()
	cfg.VerificationKeys = nil // a merchant who trusts no certificate yet
	certs, err := wechatpay.BootstrapCertificates(context.Background(), cfg, srv.APIv3Key())
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 1 || certs[0].Serial != oldCert.Serial() || !bytes.Equal(certs[0].PEM, oldCert.PEM()) {
		t.Fatalf("bootstrap gave %+v, want the certificate %s", certs, oldCert.Serial())
	}
	cfg.VerificationKeys = wechatpay.CertificateKeys(certs)
	rt, err := wechatpay.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	refresher, err := wechatpay.NewCertificateRefresher(rt, wechatpay.CertificateRefresherConfig{
		APIv3Key: srv.APIv3Key(), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	encryptsWith := func() string {
		t.Helper()
		enc, err := rt.Encrypter()
		if err != nil {
			t.Fatal(err)
		}
		return enc.Serial()
	}
	if got := terminate(t, rt); got != oldCert.Serial() {
		t.Errorf("before the rotation the answer names %s, want %s", got, oldCert.Serial())
	}

	// The new certificate is listed two hours before the switch; the old
	// one's expire_time moves to the switch.
	switchAt := t0.Add(2 * time.Hour)
	retiring := oldCert
	retiring.ExpireTime = switchAt
	newCert := newCertificate(t, freshKey(t), t0.Add(-time.Hour), t0.Add(5*year))
	newCert.EffectiveTime = switchAt
	if err := srv.SetPlatformCertificates(retiring, newCert); err != nil {
		t.Fatal(err)
	}
	if _, err := refresher.Refresh(context.Background()); err != nil {
		t.Fatalf("refresh after the new certificate was listed: %v", err)
	}
	want := []string{oldCert.Serial(), newCert.Serial()}
	slices.Sort(want)
	if got := rt.Keys().Serials(); !slices.Equal(got, want) {
		t.Errorf("keys after the first refresh %v, want %v", got, want)
	}
	if got := terminate(t, rt); got != oldCert.Serial() {
		t.Errorf("before the switch the answer names %s, want the old %s", got, oldCert.Serial())
	}
	if got := encryptsWith(); got != oldCert.Serial() {
		t.Errorf("before the switch the runtime encrypts with %s, want the old %s", got, oldCert.Serial())
	}

	// After the switch: the new certificate signs, and is used.
	clock.Add(3 * time.Hour)
	if got := terminate(t, rt); got != newCert.Serial() {
		t.Errorf("after the switch the answer names %s, want the new %s", got, newCert.Serial())
	}
	if got := encryptsWith(); got != newCert.Serial() {
		t.Errorf("after the switch the runtime encrypts with %s, want the new %s", got, newCert.Serial())
	}
	downloaded, err := refresher.Refresh(context.Background())
	if err != nil {
		t.Fatalf("refresh after the switch: %v", err)
	}
	if len(downloaded) != 1 || downloaded[0].Serial != newCert.Serial() {
		t.Errorf("the download after the switch lists %+v, want only %s", downloaded, newCert.Serial())
	}
	if got := rt.Keys().Serials(); !slices.Equal(got, []string{newCert.Serial()}) {
		t.Errorf("keys after the old certificate expired %v, want only %s", got, newCert.Serial())
	}
	if !strings.Contains(logs.String(), "dropped=["+oldCert.Serial()+"]") {
		t.Errorf("the refresher did not log dropping %s:\n%s", oldCert.Serial(), logs.String())
	}
	// The client, which sends the new serial now, still works; a request
	// naming the old, expired certificate is not refused for it.
	q := sandboxtest.Valid(srv, 12535, "wxwtdk20200910100000")
	q.WechatpaySerial = oldCert.Serial()
	if a := q.Send(t, srv); a.Status != 200 {
		t.Errorf("a request naming the expired certificate: %d %s", a.Status, a.Body)
	}
}

// TestCertificateRefresherRun runs a refresher against the sandbox until
// its context ends: it downloads repeatedly, returns the context's error,
// and leaves no goroutine behind (TestMain runs goleak).
func TestCertificateRefresherRun(t *testing.T) {
	clock := newTestClock()
	c := newCertificate(t, sandboxtest.OtherKey(), clock.Now().Add(-time.Hour), clock.Now().Add(year))
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{Clock: clock.Now, PlatformCertificates: []wechatpaytest.PlatformCertificate{c}})
	rt := sandboxtest.NewRuntime(t, srv)
	refreshed := make(chan struct{}, 16)
	log := slog.New(&signalHandler{msg: "wechatpay certificates refreshed", ch: refreshed})
	r, err := wechatpay.NewCertificateRefresher(rt, wechatpay.CertificateRefresherConfig{
		APIv3Key: srv.APIv3Key(), Interval: time.Millisecond, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	for range 3 {
		select {
		case <-refreshed:
		case err := <-done:
			t.Fatalf("Run returned early: %v", err)
		case <-time.After(20 * time.Second):
			t.Fatal("no refresh within 20 s")
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
}

// signalHandler is a slog handler that signals each record with message msg.
type signalHandler struct {
	msg string
	ch  chan<- struct{}
}

func (h *signalHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *signalHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *signalHandler) WithGroup(string) slog.Handler            { return h }
func (h *signalHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		select {
		case h.ch <- struct{}{}:
		default:
		}
	}
	return nil
}

// TestCertificateDownloadOracle reads the download by hand: its signature
// with crypto/rsa under the certificate's key, and each certificate
// decrypted by node's crypto module (aes-256-gcm, the APIv3 key, the nonce,
// associated data "certificate", the tag at the end of the ciphertext).
func TestCertificateDownloadOracle(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is needed as the independent AES-GCM oracle: ", err)
	}
	clock := newTestClock()
	now := clock.Now()
	a := newCertificate(t, sandboxtest.OtherKey(), now.Add(-time.Hour), now.Add(year))
	a.ExpireTime = now.Add(time.Hour)
	b := newCertificate(t, freshKey(t), now.Add(-time.Hour), now.Add(2*year))
	b.EffectiveTime = now.Add(time.Hour)
	expired := newCertificate(t, freshKey(t), now.Add(-2*year), now.Add(-time.Minute))
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{Clock: clock.Now, PlatformCertificates: []wechatpaytest.PlatformCertificate{a, b, expired}})

	ans := sandboxtest.Get(srv, "/v3/certificates").Send(t, srv)
	if ans.Status != 200 {
		t.Fatalf("download: %d %s", ans.Status, ans.Body)
	}
	if got := ans.Header.Get("Wechatpay-Serial"); got != a.Serial() {
		t.Errorf("signed by %s, want %s (the certificate in effect)", got, a.Serial())
	}
	verifyWith(t, ans, &a.Key.PublicKey)
	var body struct {
		Data []struct {
			SerialNo           string `json:"serial_no"`
			EffectiveTime      string `json:"effective_time"`
			ExpireTime         string `json:"expire_time"`
			EncryptCertificate struct {
				Algorithm      string `json:"algorithm"`
				Nonce          string `json:"nonce"`
				AssociatedData string `json:"associated_data"`
				Ciphertext     string `json:"ciphertext"`
			} `json:"encrypt_certificate"`
		} `json:"data"`
	}
	if err := json.Unmarshal(ans.Body, &body); err != nil {
		t.Fatal(err)
	}
	if len(body.Data) != 2 {
		t.Fatalf("%d certificates listed, want 2 (the expired one left out): %s", len(body.Data), ans.Body)
	}
	const decrypt = `const c=require('crypto');
const [key,nonce,ad,b64]=process.argv.slice(1);
const raw=Buffer.from(b64,'base64');
const d=c.createDecipheriv('aes-256-gcm',Buffer.from(key),Buffer.from(nonce));
d.setAAD(Buffer.from(ad));d.setAuthTag(raw.subarray(raw.length-16));
process.stdout.write(Buffer.concat([d.update(raw.subarray(0,raw.length-16)),d.final()]));`
	for i, want := range []wechatpaytest.PlatformCertificate{a, b} {
		e := body.Data[i]
		effective, expire := want.EffectiveTime, want.ExpireTime
		if effective.IsZero() {
			effective = want.Certificate.NotBefore
		}
		if expire.IsZero() {
			expire = want.Certificate.NotAfter
		}
		if e.SerialNo != want.Serial() || e.EffectiveTime != effective.In(time.FixedZone("", 8*3600)).Format(time.RFC3339) ||
			e.ExpireTime != expire.In(time.FixedZone("", 8*3600)).Format(time.RFC3339) || !strings.HasSuffix(e.EffectiveTime, "+08:00") {
			t.Errorf("entry %d: %s %s %s, want %s %v %v at +08:00", i, e.SerialNo, e.EffectiveTime, e.ExpireTime, want.Serial(), effective, expire)
		}
		enc := e.EncryptCertificate
		if enc.Algorithm != "AEAD_AES_256_GCM" || enc.AssociatedData != "certificate" || len(enc.Nonce) != 12 {
			t.Errorf("entry %d: encrypt_certificate %+v", i, enc)
		}
		plain := runNode(t, decrypt, string(srv.APIv3Key()), enc.Nonce, enc.AssociatedData, enc.Ciphertext)
		if !bytes.Equal(plain, want.PEM()) {
			t.Errorf("entry %d decrypts to %q, want the certificate's PEM", i, plain)
		}
	}
}

// verifyWith checks an answer's signature with crypto/rsa under pub.
func verifyWith(t testing.TB, a *sandboxtest.Answer, pub *rsa.PublicKey) {
	t.Helper()
	h := a.Header
	sig, err := base64.StdEncoding.DecodeString(h.Get("Wechatpay-Signature"))
	if err != nil {
		t.Fatalf("Wechatpay-Signature: %v", err)
	}
	digest := sha256.Sum256([]byte(h.Get("Wechatpay-Timestamp") + "\n" + h.Get("Wechatpay-Nonce") + "\n" + string(a.Body) + "\n"))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("answer signature: %v", err)
	}
}

// runNode runs a node script with args and returns its stdout.
func runNode(t testing.TB, script string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("node", append([]string{"-e", script, "--"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.Bytes())
	}
	return out
}

// TestPlatformCertificatesRefused: what NewServer and SetPlatformCertificates
// refuse, and the answers of certificate mode to an unknown or missing
// Wechatpay-Serial (served) and to a download with every certificate
// expired.
func TestPlatformCertificatesRefused(t *testing.T) {
	clock := newTestClock()
	now := clock.Now()
	good := newCertificate(t, sandboxtest.OtherKey(), now.Add(-time.Hour), now.Add(year))
	mismatched := good
	mismatched.Key = sandboxtest.WechatpayKey()
	outside := good
	outside.ExpireTime = good.Certificate.NotAfter.Add(time.Second)
	backwards := good
	backwards.EffectiveTime, backwards.ExpireTime = now.Add(time.Hour), now
	for name, certs := range map[string][]wechatpaytest.PlatformCertificate{
		"key of another certificate":  {mismatched},
		"expire_time after NotAfter":  {outside},
		"effective_time after expire": {backwards},
		"one serial twice":            {good, good},
		"no key":                      {{Certificate: good.Certificate}},
		"no certificate":              {{Key: good.Key}},
	} {
		if _, err := wechatpaytest.NewServer(wechatpaytest.Options{MerchantKey: sandboxtest.MerchantKey(),
			WechatpayKey: sandboxtest.WechatpayKey(), PlatformCertificates: certs}); err == nil {
			t.Errorf("%s: NewServer succeeded", name)
		}
	}

	srv := sandboxtest.NewServer(t, wechatpaytest.Options{Clock: clock.Now, PlatformCertificates: []wechatpaytest.PlatformCertificate{good}})
	if err := srv.SetPlatformCertificates(mismatched); err == nil {
		t.Error("SetPlatformCertificates with a mismatched key succeeded")
	}
	if got := srv.PlatformCertificates(); len(got) != 1 || got[0].Serial() != good.Serial() {
		t.Errorf("a refused SetPlatformCertificates changed the list: %v", got)
	}
	// Wechatpay-Serial matters to encrypted fields only (see package
	// profitsharing's tests): a request without any is served whatever it
	// names, or without the header.
	q := sandboxtest.Valid(srv, 12535, "wxwtdk20200910100000")
	q.WechatpaySerial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
	if a := q.Send(t, srv); a.Status != 200 {
		t.Errorf("unknown Wechatpay-Serial: %d %s", a.Status, a.Body)
	}
	q = sandboxtest.Valid(srv, 12535, "wxwtdk20200910100000")
	q.WechatpaySerial = "-"
	if a := q.Send(t, srv); a.Status != 200 {
		t.Errorf("no Wechatpay-Serial in certificate mode: %d %s", a.Status, a.Body)
	}

	rt := sandboxtest.NewRuntime(t, srv)
	clock.Add(2 * year)
	_, err := rt.DownloadCertificates(context.Background(), srv.APIv3Key())
	var apiErr *wechatpay.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.Code != "RESOURCE_NOT_EXISTS" {
		t.Errorf("download with every certificate expired: %v, want 404 RESOURCE_NOT_EXISTS", err)
	}
}

// TestNotificationInCertificateMode: notifications are signed like answers,
// with the certificate in effect, and a merchant's notify handler trusting
// the downloaded certificates verifies and decrypts them.
func TestNotificationInCertificateMode(t *testing.T) {
	clock := newTestClock()
	c := newCertificate(t, sandboxtest.OtherKey(), clock.Now().Add(-time.Hour), clock.Now().Add(year))
	merchant := make(chan *wechatpay.Notification, 1)
	var serial string
	var handler *wechatpay.NotifyHandler
	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		serial = r.Header.Get("Wechatpay-Serial")
		handler.ServeHTTP(w, r)
	}))
	defer tls.Close()
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{Clock: clock.Now, NotifyClient: tls.Client(),
		PlatformCertificates: []wechatpaytest.PlatformCertificate{c}})
	rt := sandboxtest.NewRuntime(t, srv)
	certs, err := rt.DownloadCertificates(context.Background(), srv.APIv3Key())
	if err != nil {
		t.Fatal(err)
	}
	keys, err := wechatpay.NewKeySet(wechatpay.CertificateKeys(certs)...)
	if err != nil {
		t.Fatal(err)
	}
	handler, err = wechatpay.NewNotifyHandler(wechatpay.NotifyConfig{Keys: keys, APIv3Key: srv.APIv3Key(), Clock: clock.Now},
		func(_ context.Context, n *wechatpay.Notification) error { merchant <- n; return nil })
	if err != nil {
		t.Fatal(err)
	}
	err = srv.Notify(context.Background(), wechatpaytest.Notification{URL: tls.URL + "/notify", EventType: "SANDBOX.TEST",
		OriginalType: "sandbox", AssociatedData: "sandbox", Plaintext: []byte(`{"ok":true}`)})
	if err != nil {
		t.Fatal(err)
	}
	n := <-merchant
	if serial != c.Serial() || string(n.Plaintext) != `{"ok":true}` {
		t.Errorf("notification signed by %q with plaintext %s; want %s", serial, n.Plaintext, c.Serial())
	}
}
