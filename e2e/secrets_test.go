package e2e_test

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	pec "github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
)

// This file gathers what the tests of this package produce: every log record
// of the runtime clients, notify handlers and sandboxes they build (one
// Debug-level JSON logger), the error strings the scenarios see, and the
// secrets in play: the merchant private keys, the sandboxes' APIv3 keys and
// every request signature sent. TestMain scans the records for the secrets
// once every test has run (scanForSecrets).

// secretWindow is the length of the windows the scan looks secrets up by; a
// secret shorter than this (the last line of a PEM body, say) identifies
// nothing and is not checked.
const secretWindow = 16

// recorder holds the records and the secrets. Its methods are safe for
// concurrent use: the concurrency test logs from a thousand goroutines.
type recorder struct {
	mu      sync.Mutex
	lines   []string          // log records, one JSON object each
	errs    []string          // error strings the scenarios saw
	secrets map[string]string // secret -> its kind, which is all a report may name
	logger  *slog.Logger      // writes into lines
}

// recorded is the recorder of this test binary. Package state, because the
// scan runs in TestMain after every test has finished.
var recorded = newRecorder()

func newRecorder() *recorder {
	r := &recorder{secrets: make(map[string]string)}
	r.logger = slog.New(slog.NewJSONHandler(logLines{r}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return r
}

// logLines is the io.Writer of the recorder's JSON handler, which writes one
// whole record per Write.
type logLines struct{ r *recorder }

func (w logLines) Write(p []byte) (int, error) {
	w.r.mu.Lock()
	w.r.lines = append(w.r.lines, strings.TrimSuffix(string(p), "\n"))
	w.r.mu.Unlock()
	return len(p), nil
}

// sawError records the text of an error a scenario received; nil is ignored.
func (r *recorder) sawError(err error) {
	if err == nil {
		return
	}
	r.mu.Lock()
	r.errs = append(r.errs, err.Error())
	r.mu.Unlock()
}

// secret registers value as a secret of the given kind.
func (r *recorder) secret(kind, value string) {
	if len(value) < secretWindow {
		return
	}
	r.mu.Lock()
	if _, known := r.secrets[value]; !known {
		r.secrets[value] = kind
	}
	r.mu.Unlock()
}

// pemBody registers each line of the body of every PEM block in data whose
// type names a private key.
func (r *recorder) pemBody(kind string, data []byte) {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return
		}
		if !strings.Contains(block.Type, "PRIVATE KEY") {
			continue
		}
		for line := range strings.SplitSeq(string(pem.EncodeToMemory(block)), "\n") {
			if !strings.HasPrefix(line, "-----") {
				r.secret(kind, line)
			}
		}
	}
}

// privateKey registers the PEM lines of k in PKCS#8 (as the merchant platform
// issues keys) and PKCS#1.
func (r *recorder) privateKey(kind string, k *rsa.PrivateKey) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(fmt.Sprintf("marshal a test key: %v", err))
	}
	r.pemBody(kind, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	r.pemBody(kind, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}

// apiV3Key registers an APIv3 key as text and in Base64.
func (r *recorder) apiV3Key(kind string, key []byte) {
	r.secret(kind+" (text)", string(key))
	r.secret(kind+" (Base64)", base64.StdEncoding.EncodeToString(key))
	r.secret(kind+" (Base64)", base64.RawStdEncoding.EncodeToString(key))
}

var signatureField = regexp.MustCompile(`signature="([^"]*)"`)

// signatureRecorder registers the signature of every request it sends.
type signatureRecorder struct{ base http.RoundTripper }

func (t signatureRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if m := signatureField.FindStringSubmatch(req.Header.Get("Authorization")); m != nil {
		recorded.secret("request signature", m[1])
	}
	return t.base.RoundTrip(req)
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// wrapped transport.
func (t signatureRecorder) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// recordConfig routes cfg's log to the recorder, wraps its transport to
// record the signatures it sends, and registers its merchant key.
func recordConfig(cfg *wechatpay.Config) {
	cfg.Logger = recorded.logger
	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		*hc = *cfg.HTTPClient
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = signatureRecorder{base}
	cfg.HTTPClient = hc
	if k, ok := cfg.MerchantKey.(*rsa.PrivateKey); ok {
		recorded.privateKey("merchant private key PEM line", k)
	}
}

// recordedConfig returns srv's client config, recorded as recordConfig
// says, and registers the sandbox's APIv3 key.
func recordedConfig(srv *wechatpaytest.Server) wechatpay.Config {
	cfg := srv.ClientConfig()
	recordConfig(&cfg)
	recorded.apiV3Key("APIv3 key", srv.APIv3Key())
	return cfg
}

// scanForSecrets looks for every registered secret, and every line of the
// private keys in wechatpay/testdata, in the recorded log lines and errors.
// It returns an error naming the kinds of secret found and where, never the
// secrets; only when it found none does it print its summary line.
func scanForSecrets() error {
	files, _ := filepath.Glob(filepath.Join(testdataFolder, "*.pem"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			recorded.pemBody("private key PEM line of testdata/"+filepath.Base(f), b)
		}
	}
	lines, errs, secrets, found := recorded.scan()
	if len(found) > 0 {
		return fmt.Errorf("secrets scan: secrets leaked:\n\t%s", strings.Join(found, "\n\t"))
	}
	fmt.Printf("secrets scan: %d log lines and %d errors checked for %d secrets, 0 found\n", lines, errs, secrets)
	return nil
}

// scan returns how many log lines, errors and secrets it checked, and for
// each kind of secret found, the kind and where, never the secret.
func (r *recorder) scan() (lines, errs, secrets int, found []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	// Every secret is at least secretWindow long: look each window of a text
	// up by its first secretWindow bytes, then compare the whole secret.
	byPrefix := make(map[string][]string, len(r.secrets))
	for s := range r.secrets {
		byPrefix[s[:secretWindow]] = append(byPrefix[s[:secretWindow]], s)
	}
	hits := map[string]bool{} // "kind in where"
	search := func(where, text string) {
		for i := 0; i+secretWindow <= len(text); i++ {
			for _, s := range byPrefix[text[i:i+secretWindow]] {
				if strings.HasPrefix(text[i:], s) {
					hits[r.secrets[s]+" in "+where] = true
				}
			}
		}
	}
	for i, line := range r.lines {
		search(fmt.Sprintf("log line %d", i+1), line)
	}
	for i, e := range r.errs {
		search(fmt.Sprintf("error %d", i+1), e)
	}
	for w := range hits {
		found = append(found, w)
	}
	sort.Strings(found)
	return len(r.lines), len(r.errs), len(r.secrets), found
}

// TestSecretsScanFindsLeaks shows the scan at work on a recorder of its own:
// each kind of secret, logged or in an error, is found and named, and the
// report never quotes it.
func TestSecretsScanFindsLeaks(t *testing.T) {
	r := newRecorder()
	k := loadKeys(t)
	r.privateKey("merchant private key PEM line", k.merchant)
	r.apiV3Key("APIv3 key", []byte("0123456789abcdefghijABCDEFGHIJkl"))
	sig := base64.StdEncoding.EncodeToString(make([]byte, 256))
	r.secret("request signature", sig)
	der, err := x509.MarshalPKCS8PrivateKey(k.merchant)
	if err != nil {
		t.Fatal(err)
	}
	keyLine := strings.Split(string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), "\n")[5]

	r.logger.Debug("call", slog.String("authorization", `WECHATPAY2-SHA256-RSA2048 signature="`+sig+`"`))
	r.logger.Info("clean", slog.String("path", "/v3/x/{v}"))
	r.sawError(errors.New("key material: " + keyLine))
	r.sawError(fmt.Errorf("apiv3 key %s", base64.StdEncoding.EncodeToString([]byte("0123456789abcdefghijABCDEFGHIJkl"))))
	r.sawError(errors.New("apiv3 key 0123456789abcdefghijABCDEFGHIJkl!"))

	lines, errs, secrets, found := r.scan()
	if lines != 2 || errs != 3 || secrets < 50 {
		t.Errorf("checked %d lines, %d errors, %d secrets", lines, errs, secrets)
	}
	want := []string{
		"APIv3 key (Base64) in error 2",
		"APIv3 key (text) in error 3",
		"merchant private key PEM line in error 1",
		"request signature in log line 1",
	}
	if strings.Join(found, "|") != strings.Join(want, "|") {
		t.Errorf("found %q, want %q", found, want)
	}
	for _, f := range found {
		if strings.Contains(f, sig) || strings.Contains(f, keyLine) || strings.Contains(f, "0123456789abcdef") {
			t.Errorf("report quotes a secret: %s", f)
		}
	}
}

// TestSecretsScenarios makes every kind of error the clients of this package
// can see, so that the scan in TestMain covers each one, whichever other tests
// run: validation errors, API errors, each sandbox fault, a decode error,
// refused notifications, and errors about keys and configs.
func TestSecretsScenarios(t *testing.T) {
	ctx := context.Background()
	saw := recorded.sawError

	// Validation: the generated client and the escape hatch.
	_, _, c := familySandbox(t, wechatpaytest.Options{NoNotifications: true})
	bad := exampleRequest()
	bad.OutContractCode, bad.ContractTerminationRemark = "a/b", strings.Repeat("解", 300)
	for _, err := range []error{
		func() error { _, err := c.TerminateByCode(ctx, bad); return err }(),
		func() error { _, err := c.TerminateByCode(ctx, nil); return err }(),
		func() error {
			_, err := c.QueryByCode(ctx, &pec.QueryByCodeRequest{ServiceID: 1, OutContractCode: "\xff"})
			return err
		}(),
	} {
		var verr *wechatpay.ValidationError
		if !errors.As(err, &verr) {
			t.Errorf("invalid request: %v, want a *wechatpay.ValidationError", err)
		}
		saw(err)
	}

	// API errors and every fault of the sandbox.
	srv, rt, c := familySandbox(t, wechatpaytest.Options{NoNotifications: true})
	_, err := c.TerminateByCode(ctx, &pec.TerminateByCodeRequest{ServiceID: 1, OutContractCode: "nosuch1", ContractTerminationRemark: "x"})
	if !isAPIError(err, http.StatusBadRequest, "PARAM_ERROR") {
		t.Errorf("unknown contract: %v", err)
	}
	err = rt.Call(ctx, http.MethodPost, preSignVariants[0].path, nil, nil, []byte(`{"appid":1}`), nil)
	if !isAPIError(err, http.StatusBadRequest, "PARAM_ERROR") {
		t.Errorf("malformed body: %v", err)
	}
	wrongKeyCfg := recordedConfig(srv.Server)
	wrongKeyCfg.MerchantKey = loadKeys(t).other
	wrongKey, err := wechatpay.NewClient(wrongKeyCfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = pec.NewClient(wrongKey).TerminateByCode(ctx, exampleRequest())
	if !isAPIError(err, http.StatusUnauthorized, "SIGN_ERROR") {
		t.Errorf("wrong merchant key: %v", err)
	}
	for kind := wechatpaytest.FaultError; kind <= wechatpaytest.FaultMissingSignature; kind++ {
		code := fmt.Sprintf("fault%d", kind)
		if err := srv.AddContract(familyServiceID, code); err != nil {
			t.Fatal(err)
		}
		f := wechatpaytest.Fault{Kind: kind}
		callCtx, cancel := ctx, context.CancelFunc(func() {})
		if kind == wechatpaytest.FaultDelay {
			f.Delay = 2 * time.Second
			callCtx, cancel = context.WithTimeout(ctx, 50*time.Millisecond)
		}
		if err := srv.InjectFault("terminateByCode", f); err != nil {
			t.Fatal(err)
		}
		_, err := c.TerminateByCode(callCtx, &pec.TerminateByCodeRequest{ServiceID: familyServiceID, OutContractCode: code, ContractTerminationRemark: "用户解约"})
		cancel()
		if err == nil {
			t.Errorf("fault %v: no error", kind)
		}
		saw(err)
	}

	// A decode error, from the independent stand-in.
	s, sc := setup(t)
	s.script(answer{body: `{"mchid":1900000109}`})
	_, err = sc.TerminateByCode(ctx, exampleRequest())
	var derr *wechatpay.DecodeError
	if !errors.As(err, &derr) {
		t.Errorf("undecodable answer: %v, want a *wechatpay.DecodeError", err)
	}
	saw(err)

	// Refused notifications: the handler logs why, the sandbox reports the answer.
	nsrv, nc, m := notifySandbox(t)
	for i, kind := range []wechatpaytest.FaultKind{wechatpaytest.FaultWrongAPIv3Key, wechatpaytest.FaultTamperedCiphertext, wechatpaytest.FaultBadSignature} {
		code := fmt.Sprintf("secretnotify%d", i)
		preSignFor(t, nc, m, code)
		if err := nsrv.InjectNotificationFault(wechatpaytest.Fault{Kind: kind}); err != nil {
			t.Fatal(err)
		}
		err := nsrv.SignContract(ctx, familyServiceID, code)
		var de *wechatpaytest.DeliveryError
		if !errors.As(err, &de) {
			t.Errorf("notification fault %v: %v, want a *wechatpaytest.DeliveryError", kind, err)
		}
		saw(err)
	}

	// Keys and configs that do not fit: the errors must not quote them.
	apiV3Key := nsrv.APIv3Key()
	recorded.apiV3Key("APIv3 key one byte short", apiV3Key[:len(apiV3Key)-1])
	_, err = wechatpay.NewNotifyHandler(wechatpay.NotifyConfig{Keys: rt.Keys(), APIv3Key: apiV3Key[:len(apiV3Key)-1]},
		func(context.Context, *wechatpay.Notification) error { return nil })
	if err == nil {
		t.Error("a 31-byte APIv3 key was accepted")
	}
	saw(err)
	merchantPEM, err := os.ReadFile(filepath.Join(testdataFolder, "merchant_key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	for _, spoil := range []func([]byte) []byte{
		func(b []byte) []byte { // one Base64 character changed: still PEM, no longer a key
			i := len(b) / 2
			b[i] ^= 1
			if b[i] == '\n' || b[i] == '=' {
				b[i-1] ^= 1
			}
			return b
		},
		func(b []byte) []byte { return b[:len(b)/2] }, // cut in half: no PEM block
		func(b []byte) []byte { // labelled as a certificate
			return []byte(strings.ReplaceAll(string(b), "PRIVATE KEY", "CERTIFICATE"))
		},
	} {
		spoiled := spoil(append([]byte(nil), merchantPEM...))
		_, err := wechatpay.ParsePrivateKey(spoiled)
		if err == nil {
			t.Error("a spoiled private key parsed")
		}
		saw(err)
		file := filepath.Join(t.TempDir(), "key.pem")
		if err := os.WriteFile(file, spoiled, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err = wechatpay.LoadPrivateKeyFile(file)
		saw(err)
		_, err = wechatpay.ParsePublicKey(spoiled)
		saw(err)
	}
	cfg := recordedConfig(srv.Server)
	cfg.MchID, cfg.BaseURL, cfg.WechatpaySerial = "19000\"00109", "http://example.com", "PUB_KEY_ID_1"
	_, err = wechatpay.NewClient(cfg)
	if err == nil {
		t.Error("a broken config was accepted")
	}
	saw(err)
}
