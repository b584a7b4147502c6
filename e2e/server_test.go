package e2e_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/payforge/wechatpay/internal/testkit"
	"github.com/payforge/wechatpay/wechatpay"
)

// This file is an independent WeChat Pay stand-in for the end-to-end tests:
// it checks request signatures and signs answers with crypto/rsa directly,
// building the signed strings itself instead of calling the runtime's code.

const (
	testMchID      = testkit.MchID
	testMchSerial  = testkit.MerchantSerial
	testPubKeyID   = "PUB_KEY_ID_0114232134912410000000000000"
	testNow        = 1554208460
	otherPubKeyID  = "PUB_KEY_ID_0114232134912410000000000001"
	testdataFolder = "../wechatpay/testdata"
)

func readRSAPrivate(tb testing.TB, name string) *rsa.PrivateKey {
	return testkit.RSAPrivateKey(tb, filepath.Join(testdataFolder, name))
}

// keys holds the three key pairs the tests use.
type keys struct {
	merchant  *rsa.PrivateKey // signs requests
	wechatpay *rsa.PrivateKey // signs answers, known to the client as testPubKeyID
	other     *rsa.PrivateKey // known to nobody
}

func loadKeys(tb testing.TB) keys {
	return keys{
		merchant:  readRSAPrivate(tb, "merchant_key.pem"),
		wechatpay: readRSAPrivate(tb, "wechatpay_key.pem"),
		other:     readRSAPrivate(tb, "other_key.pem"),
	}
}

var authPattern = regexp.MustCompile(`^WECHATPAY2-SHA256-RSA2048 mchid="([^"]*)",nonce_str="([^"]*)",signature="([^"]*)",timestamp="([^"]*)",serial_no="([^"]*)"$`)

// answer is what the stand-in replies with; the zero value is a signed 200.
type answer struct {
	status        int
	body          string
	signWith      *rsa.PrivateKey // nil: the WeChat Pay key
	serial        string          // Wechatpay-Serial sent; "" means testPubKeyID
	timestamp     int64           // 0: testNow
	omitHeader    string          // a header left out
	tamperedBody  string          // sent instead of the body that was signed
	unsigned      bool            // no Wechatpay-* headers at all (error answers)
	contentType   string
	requestIDSent string
}

// standIn is an httptest server with one scripted answer and a record of what
// it received.
type standIn struct {
	*httptest.Server
	keys keys

	mu       sync.Mutex
	next     answer
	received []receivedRequest
}

type receivedRequest struct {
	method, requestURI, body string
	escapedPath              string     // r.URL.EscapedPath()
	query                    url.Values // r.URL.Query()
	header                   http.Header
	signatureOK              bool
	problem                  string
}

func newStandIn(tb testing.TB, k keys) *standIn {
	s := &standIn{keys: k}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

func (s *standIn) script(a answer) {
	s.mu.Lock()
	s.next = a
	s.mu.Unlock()
}

func (s *standIn) requests() []receivedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]receivedRequest(nil), s.received...)
}

// checkSignature verifies the Authorization header the way WeChat Pay does.
func (s *standIn) checkSignature(r *http.Request, body []byte) (bool, string) {
	m := authPattern.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return false, "malformed Authorization"
	}
	mchID, nonce, sig, ts, serial := m[1], m[2], m[3], m[4], m[5]
	if mchID != testMchID || serial != testMchSerial {
		return false, "unknown mchid or serial"
	}
	if r.Header.Get("Wechatpay-Serial") != testPubKeyID {
		return false, "wrong Wechatpay-Serial"
	}
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return false, "signature not base64"
	}
	msg := r.Method + "\n" + r.RequestURI + "\n" + ts + "\n" + nonce + "\n" + string(body) + "\n"
	digest := sha256.Sum256([]byte(msg))
	if err := rsa.VerifyPKCS1v15(&s.keys.merchant.PublicKey, crypto.SHA256, digest[:], raw); err != nil {
		return false, "bad signature"
	}
	return true, ""
}

func (s *standIn) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	ok, problem := s.checkSignature(r, body)
	s.mu.Lock()
	s.received = append(s.received, receivedRequest{
		method: r.Method, requestURI: r.RequestURI, body: string(body),
		escapedPath: r.URL.EscapedPath(), query: r.URL.Query(),
		header: r.Header.Clone(), signatureOK: ok, problem: problem,
	})
	a := s.next
	s.mu.Unlock()

	if !ok {
		writeRaw(w, http.StatusUnauthorized, `{"code":"SIGN_ERROR","message":"`+problem+`"}`, "application/json", "req-sign")
		return
	}
	if a.status == 0 {
		a.status = http.StatusOK
	}
	reqID := a.requestIDSent
	if reqID == "" {
		reqID = "08F78BB5AF0610D302A7E1B1D2A8011C"
	}
	ct := a.contentType
	if ct == "" {
		ct = "application/json"
	}
	if a.unsigned {
		writeRaw(w, a.status, a.body, ct, reqID)
		return
	}
	key := a.signWith
	if key == nil {
		key = s.keys.wechatpay
	}
	ts := a.timestamp
	if ts == 0 {
		ts = testNow
	}
	serial := a.serial
	if serial == "" {
		serial = testPubKeyID
	}
	h := signAnswer(key, ts, "a1b2c3d4e5f6", serial, []byte(a.body))
	for k, v := range h {
		if k != a.omitHeader {
			w.Header().Set(k, v)
		}
	}
	sent := a.body
	if a.tamperedBody != "" {
		sent = a.tamperedBody
	}
	writeRaw(w, a.status, sent, ct, reqID)
}

// signAnswer returns the four Wechatpay-* headers for body.
func signAnswer(key *rsa.PrivateKey, ts int64, nonce, serial string, body []byte) map[string]string {
	tsText := strconv.FormatInt(ts, 10)
	digest := sha256.Sum256([]byte(tsText + "\n" + nonce + "\n" + string(body) + "\n"))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		panic(fmt.Sprintf("signing a test answer: %v", err))
	}
	return map[string]string{
		"Wechatpay-Timestamp": tsText,
		"Wechatpay-Nonce":     nonce,
		"Wechatpay-Signature": base64.StdEncoding.EncodeToString(sig),
		"Wechatpay-Serial":    serial,
	}
}

func writeRaw(w http.ResponseWriter, status int, body, contentType, requestID string) {
	if body != "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.Header().Set("Request-ID", requestID)
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// newRuntime returns a runtime client for the stand-in at baseURL, with its
// clock fixed at testNow.
func newRuntime(tb testing.TB, k keys, baseURL string, hc *http.Client) *wechatpay.Client {
	tb.Helper()
	vk, err := wechatpay.PublicKeyModeKey(testPubKeyID, &k.wechatpay.PublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	cfg := wechatpay.Config{
		MchID:            testMchID,
		MerchantSerialNo: testMchSerial,
		MerchantKey:      k.merchant,
		VerificationKeys: []wechatpay.VerificationKey{vk},
		BaseURL:          baseURL,
		HTTPClient:       hc,
		Clock:            func() time.Time { return time.Unix(testNow, 0) },
	}
	// Benchmarks measure the client as shipped: no logger, no wrapped transport.
	if _, isBenchmark := tb.(*testing.B); !isBenchmark {
		recordConfig(&cfg)
	}
	rt, err := wechatpay.NewClient(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return rt
}
