package wechatpay

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/payforge/wechatpay/internal/testkit"
)

// Notification fixtures. The event type, resource type and original type are
// test values: the notifications of this family are not documented yet.
const (
	testNotifyID        = "EV-0000000000000000000000000001"
	testEventType       = "TEST.EVENT"
	testNotifyNonce     = "ntfyNonce0123456789abcdefghijklm"
	testCreateTime      = "2019-04-02T20:34:20+08:00" // testTimestamp in +08:00
	testOtherAPIv3Key   = "another-apiv3-key-of-32-bytes!!!"
	failBodyContentType = "application/json"
)

// notifyVector is testdata/notify_vector.json: a resource encrypted by
// testdata/make-notify-vector.py with Python's cryptography package, an
// oracle independent of crypto/cipher.
type notifyVector struct {
	APIv3Key       string `json:"api_v3_key"`
	Nonce          string `json:"nonce"`
	AssociatedData string `json:"associated_data"`
	Plaintext      string `json:"plaintext"`
	Ciphertext     string `json:"ciphertext"`
}

func loadNotifyVector(t testing.TB) notifyVector {
	t.Helper()
	var v notifyVector
	if err := json.Unmarshal(readFile(t, td("notify_vector.json")), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.APIv3Key) != 32 || len(v.Nonce) != 12 {
		t.Fatalf("vector key has %d bytes and nonce %d", len(v.APIv3Key), len(v.Nonce))
	}
	return v
}

func (v notifyVector) resource() NotificationResource {
	return NotificationResource{Algorithm: NotificationAlgorithm, Ciphertext: v.Ciphertext, Nonce: v.Nonce, AssociatedData: v.AssociatedData, OriginalType: "test"}
}

// notifyEnvelope returns the body of a notification with id carrying res.
func notifyEnvelope(t testing.TB, id string, res NotificationResource) []byte {
	t.Helper()
	b, err := json.Marshal(Notification{ID: id, CreateTime: testCreateTime, EventType: testEventType,
		ResourceType: "test-resource", Summary: "test notification", Resource: res})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// notifyHeader is the header WeChat Pay would send with body: signed by
// openssl with the public-key mode key at the fixed clock.
func notifyHeader(t testing.TB, body []byte) http.Header {
	t.Helper()
	return signedHeader(t, "wechatpay_key.pem", testPubKeyID, tsAt(0), testNotifyNonce, body)
}

func testNotifyConfig(t testing.TB, apiV3Key string) NotifyConfig {
	t.Helper()
	pubMode, platform := testKeys(t)
	keys, err := NewKeySet(pubMode, platform)
	if err != nil {
		t.Fatal(err)
	}
	return NotifyConfig{Keys: keys, APIv3Key: []byte(apiV3Key), Clock: testClock}
}

func mustNotifyHandler(t testing.TB, cfg NotifyConfig, handle func(context.Context, *Notification) error) *NotifyHandler {
	t.Helper()
	h, err := NewNotifyHandler(cfg, handle)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// notifyAnswer is what the notify_url answered.
type notifyAnswer struct {
	status int
	header http.Header
	body   []byte
}

func postNotification(t testing.TB, url, method string, h http.Header, body []byte) notifyAnswer {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return notifyAnswer{resp.StatusCode, resp.Header, b}
}

// checkFail asserts a failure answer: status, JSON content type and the body
// {"code":"FAIL","message":msg}.
func checkFail(t testing.TB, a notifyAnswer, status int, msg string) {
	t.Helper()
	if a.status != status {
		t.Errorf("status = %d, want %d (body %s)", a.status, status, a.body)
	}
	if ct := a.header.Get("Content-Type"); ct != failBodyContentType {
		t.Errorf("Content-Type = %q", ct)
	}
	want, _ := json.Marshal(map[string]string{"code": "FAIL", "message": msg})
	if string(a.body) != string(want) {
		t.Errorf("body = %s, want %s", a.body, want)
	}
}

// logRecords decodes a JSON log.
func logRecords(t testing.TB, log string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, rec)
	}
	return out
}

type plaintextFixture struct {
	MchID           string `json:"mchid"`
	ServiceID       int64  `json:"service_id"`
	OutContractCode string `json:"out_contract_code"`
}

func TestNotifyRoundTrip(t *testing.T) {
	requireOpenSSL(t)
	v := loadNotifyVector(t)
	goRes, err := EncryptNotificationResource([]byte(v.APIv3Key), []byte(v.Plaintext), "other-data", nil)
	if err != nil {
		t.Fatal(err)
	}
	goRes.OriginalType = "test"
	tests := []struct {
		name    string
		res     NotificationResource
		keyFile string
		serial  string
	}{
		{"vector from Python, public-key mode", v.resource(), "wechatpay_key.pem", testPubKeyID},
		{"EncryptNotificationResource, platform certificate mode", goRes, "platform_key.pem", testPlatformSerial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := notifyEnvelope(t, testNotifyID, tt.res)
			header := signedHeader(t, tt.keyFile, tt.serial, tsAt(0), testNotifyNonce, body)
			var logBuf testkit.LockedBuffer
			cfg := testNotifyConfig(t, v.APIv3Key)
			cfg.Logger = slog.New(slog.NewJSONHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
			var mu sync.Mutex
			var got []*Notification
			h := mustNotifyHandler(t, cfg, func(ctx context.Context, n *Notification) error {
				if ctx.Value(http.ServerContextKey) == nil {
					t.Errorf("handler context is not the request's")
				}
				mu.Lock()
				got = append(got, n)
				mu.Unlock()
				return nil
			})
			srv := httptest.NewServer(h)
			defer srv.Close()

			a := postNotification(t, srv.URL+"/notify", http.MethodPost, header, body)
			if a.status != http.StatusNoContent || len(a.body) != 0 {
				t.Fatalf("answer = %d %q, want 204 without body", a.status, a.body)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 1 {
				t.Fatalf("handler called %d times", len(got))
			}
			n := got[0]
			want := Notification{ID: testNotifyID, CreateTime: testCreateTime, EventType: testEventType,
				ResourceType: "test-resource", Summary: "test notification", Resource: tt.res,
				Serial: tt.serial, RequestID: testRequestID}
			plain := n.Plaintext
			n2 := *n
			n2.Plaintext, n2.delivery = nil, delivery{}
			if fmt.Sprint(n2) != fmt.Sprint(want) {
				t.Errorf("notification =\n%+v\nwant\n%+v", n2, want)
			}
			if string(plain) != v.Plaintext {
				t.Errorf("Plaintext = %s, want %s", plain, v.Plaintext)
			}
			typed, err := DecodeNotification[plaintextFixture](n)
			if err != nil {
				t.Fatal(err)
			}
			if typed != (plaintextFixture{"1900000109", 12535, "wxwtdk20200910100000"}) {
				t.Errorf("typed = %+v", typed)
			}

			recs := logRecords(t, logBuf.String())
			if len(recs) != 1 || recs[0]["level"] != "INFO" || recs[0]["outcome"] != "handled" ||
				recs[0]["event_id"] != testNotifyID || recs[0]["event_type"] != testEventType {
				t.Errorf("log = %s", logBuf.String())
			}
			if strings.Contains(logBuf.String(), "wxwtdk20200910100000") {
				t.Errorf("log carries the plaintext: %s", logBuf.String())
			}
		})
	}
}

// tamper returns res with byte i of the sealed ciphertext (negative: from
// the end) flipped.
func tamper(t testing.TB, res NotificationResource, i int) NotificationResource {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(res.Ciphertext)
	if err != nil {
		t.Fatal(err)
	}
	if i < 0 {
		i += len(b)
	}
	b[i] ^= 0x01
	res.Ciphertext = base64.StdEncoding.EncodeToString(b)
	return res
}

// notifyRejectCase is one request the notify_url must refuse.
type notifyRejectCase struct {
	name       string
	method     string // default POST
	apiV3Key   string // the handler's key; default the vector's
	maxBody    int64
	body       []byte
	header     http.Header
	wantStatus int
	wantMsg    string
	wantIs     error
	wantKind   string // verification, decrypt or plain
}

func notifyRejectCases(t testing.TB, v notifyVector) []notifyRejectCase {
	t.Helper()
	okBody := notifyEnvelope(t, testNotifyID, v.resource())
	okHeader := notifyHeader(t, okBody)
	signedRes := func(name string, res NotificationResource) notifyRejectCase {
		b := notifyEnvelope(t, testNotifyID, res)
		return notifyRejectCase{name: name, body: b, header: notifyHeader(t, b),
			wantStatus: 400, wantMsg: "resource decryption failed", wantIs: ErrDecrypt, wantKind: "decrypt"}
	}
	signedBody := func(name, body string) notifyRejectCase {
		return notifyRejectCase{name: name, body: []byte(body), header: notifyHeader(t, []byte(body)),
			wantStatus: 400, wantMsg: "malformed notification", wantIs: ErrMalformedNotification, wantKind: "plain"}
	}
	unverified := func(name string, body []byte, h http.Header, want error) notifyRejectCase {
		return notifyRejectCase{name: name, body: body, header: h,
			wantStatus: 400, wantMsg: "signature verification failed", wantIs: want, wantKind: "verification"}
	}
	without := func(name string) http.Header {
		h := okHeader.Clone()
		h.Del(name)
		return h
	}
	withRes := func(f func(r *NotificationResource)) NotificationResource {
		r := v.resource()
		f(&r)
		return r
	}
	notJSON, err := EncryptNotificationResource([]byte(v.APIv3Key), []byte("plain text, not JSON"), v.AssociatedData, []byte(v.Nonce))
	if err != nil {
		t.Fatal(err)
	}
	tamperedBody := bytes.Replace(okBody, []byte(testNotifyID), []byte("EV-0000000000000000000000000002"), 1)

	cases := []notifyRejectCase{
		signedRes("tampered ciphertext", tamper(t, v.resource(), 0)),
		signedRes("tampered tag", tamper(t, v.resource(), -1)),
		{name: "wrong APIv3 key", apiV3Key: testOtherAPIv3Key, body: okBody, header: okHeader,
			wantStatus: 400, wantMsg: "resource decryption failed", wantIs: ErrDecrypt, wantKind: "decrypt"},
		signedRes("wrong associated data", withRes(func(r *NotificationResource) { r.AssociatedData = "test-resourcf" })),
		signedRes("associated data dropped", withRes(func(r *NotificationResource) { r.AssociatedData = "" })),
		signedRes("other nonce", withRes(func(r *NotificationResource) { r.Nonce = "a1B2c3D4e5F7" })),
		signedRes("wrong algorithm", withRes(func(r *NotificationResource) { r.Algorithm = "AEAD_AES_128_GCM" })),
		signedRes("no algorithm", withRes(func(r *NotificationResource) { r.Algorithm = "" })),
		signedRes("nonce of 11 bytes", withRes(func(r *NotificationResource) { r.Nonce = r.Nonce[:11] })),
		signedRes("nonce of 13 bytes", withRes(func(r *NotificationResource) { r.Nonce += "x" })),
		signedRes("ciphertext not Base64", withRes(func(r *NotificationResource) { r.Ciphertext = "*" + r.Ciphertext[1:] })),
		signedRes("ciphertext shorter than the tag", withRes(func(r *NotificationResource) { r.Ciphertext = "AAAAAAAAAAAAAAAAAAAA" })),
		signedRes("plaintext not JSON", notJSON),

		signedBody("invalid JSON envelope", `{"id":"EV-1","resource":`),
		signedBody("envelope is an array", `[]`),
		signedBody("envelope without resource", `{"id":"EV-1","event_type":"TEST.EVENT"}`),
		signedBody("resource of the wrong type", `{"id":"EV-1","resource":"x"}`),
		signedBody("empty body", ``),

		unverified("stale timestamp (301 s)", okBody, signedHeader(t, "wechatpay_key.pem", testPubKeyID, tsAt(-301), testNotifyNonce, okBody), ErrStaleTimestamp),
		unverified("timestamp 301 s ahead", okBody, signedHeader(t, "wechatpay_key.pem", testPubKeyID, tsAt(301), testNotifyNonce, okBody), ErrStaleTimestamp),
		unverified("bad signature (other key)", okBody, signedHeader(t, "other_key.pem", testPubKeyID, tsAt(0), testNotifyNonce, okBody), ErrBadSignature),
		unverified("body tampered after signing", tamperedBody, okHeader, ErrBadSignature),
		unverified("unknown serial", okBody, signedHeader(t, "wechatpay_key.pem", "PUB_KEY_ID_0114232134912410000000000009", tsAt(0), testNotifyNonce, okBody), ErrUnknownSerial),
		unverified("missing Wechatpay-Timestamp", okBody, without(HeaderTimestamp), ErrMissingHeader),
		unverified("missing Wechatpay-Nonce", okBody, without(HeaderNonce), ErrMissingHeader),
		unverified("missing Wechatpay-Signature", okBody, without(HeaderSignature), ErrMissingHeader),
		unverified("missing Wechatpay-Serial", okBody, without(HeaderSerial), ErrMissingHeader),

		{name: "GET", method: http.MethodGet, header: okHeader,
			wantStatus: 405, wantMsg: "method not allowed", wantIs: ErrMethodNotAllowed, wantKind: "plain"},
		{name: "PUT", method: http.MethodPut, body: okBody, header: okHeader,
			wantStatus: 405, wantMsg: "method not allowed", wantIs: ErrMethodNotAllowed, wantKind: "plain"},
		{name: "one byte over MaxBodyBytes", maxBody: int64(len(okBody) - 1), body: okBody, header: okHeader,
			wantStatus: 413, wantMsg: "body too large", wantIs: ErrNotificationTooLarge, wantKind: "plain"},
		{name: "far over the default limit", body: bytes.Repeat([]byte(" "), DefaultMaxNotificationBytes+1), header: okHeader,
			wantStatus: 413, wantMsg: "body too large", wantIs: ErrNotificationTooLarge, wantKind: "plain"},
	}
	return cases
}

// TestNotifyRejections serves every bad request twice: through an httptest
// server (status, FAIL body, handler not called) and through Parse on a fresh
// handler (error type and cause). Then it checks that neither the log, the
// errors nor the answers carry a secret.
func TestNotifyRejections(t *testing.T) {
	requireOpenSSL(t)
	v := loadNotifyVector(t)
	var logBuf testkit.LockedBuffer
	logger := slog.New(slog.NewJSONHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var texts []string // errors and answers, checked for secrets below
	var signatures []string
	ran := 0
	cases := notifyRejectCases(t, v)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ran++
			if s := tc.header.Get(HeaderSignature); s != "" {
				signatures = append(signatures, s)
			}
			method := cmpOr(tc.method, http.MethodPost)
			cfg := testNotifyConfig(t, cmpOr(tc.apiV3Key, v.APIv3Key))
			cfg.MaxBodyBytes = tc.maxBody
			cfg.Logger = logger
			var calls atomic.Int32
			handle := func(context.Context, *Notification) error { calls.Add(1); return nil }
			srv := httptest.NewServer(mustNotifyHandler(t, cfg, handle))
			defer srv.Close()

			a := postNotification(t, srv.URL+"/notify", method, tc.header, tc.body)
			checkFail(t, a, tc.wantStatus, tc.wantMsg)
			if tc.wantStatus == 405 && a.header.Get("Allow") != "POST" {
				t.Errorf("Allow = %q, want POST", a.header.Get("Allow"))
			}
			if n := calls.Load(); n != 0 {
				t.Errorf("handler called %d times", n)
			}
			texts = append(texts, string(a.body))

			cfg.Logger = nil
			req := httptest.NewRequest(method, "/notify", bytes.NewReader(tc.body))
			req.Header = tc.header.Clone()
			n, err := mustNotifyHandler(t, cfg, handle).Parse(req)
			if n != nil || err == nil {
				t.Fatalf("Parse = %v, %v; want an error", n, err)
			}
			texts = append(texts, err.Error())
			if !errors.Is(err, tc.wantIs) {
				t.Errorf("Parse error %q does not wrap %q", err, tc.wantIs)
			}
			var verr *VerificationError
			var derr *DecryptError
			isV, isD := errors.As(err, &verr), errors.As(err, &derr)
			if isV != (tc.wantKind == "verification") || isD != (tc.wantKind == "decrypt") {
				t.Errorf("Parse error %T %v: *VerificationError %v, *DecryptError %v; want %s", err, err, isV, isD, tc.wantKind)
			}
			if isV {
				checkSentinel(t, err, tc.wantIs)
				if verr.StatusCode != 0 || verr.RequestID != testRequestID || verr.Serial != tc.header.Get(HeaderSerial) {
					t.Errorf("VerificationError = %+v", verr)
				}
				if !strings.HasPrefix(err.Error(), "wechatpay: notification verification failed: ") {
					t.Errorf("error = %q", err)
				}
			}
			if isD && (derr.ID != testNotifyID || derr.RequestID != testRequestID) {
				t.Errorf("DecryptError = %+v", derr)
			}
		})
	}

	log := logBuf.String()
	recs := logRecords(t, log)
	if len(recs) != ran {
		t.Errorf("%d log records for %d requests", len(recs), ran)
	}
	withID := 0
	for _, rec := range recs {
		if rec["level"] != "WARN" || rec["outcome"] != "rejected" || rec["error"] == nil {
			t.Errorf("log record %v", rec)
		}
		if rec["event_id"] == testNotifyID && rec["event_type"] == testEventType {
			withID++ // a notification that verified but did not decrypt
		}
	}
	if withID == 0 && ran == len(cases) {
		t.Errorf("no rejection log names the event id and type:\n%s", log)
	}
	texts = append(texts, log)
	secrets := notifySecrets(v)
	for i, s := range signatures {
		secrets["signature "+strconv.Itoa(i)] = s
	}
	for _, text := range texts {
		for what, secret := range secrets {
			if strings.Contains(text, secret) {
				t.Errorf("%q contains the %s", text, what)
			}
		}
	}
}

// notifySecrets lists what must never reach a log, an error or an answer.
func notifySecrets(v notifyVector) map[string]string {
	key := []byte(v.APIv3Key)
	return map[string]string{
		"APIv3 key":               v.APIv3Key,
		"APIv3 key in Base64":     base64.StdEncoding.EncodeToString(key),
		"APIv3 key in hex":        hex.EncodeToString(key),
		"APIv3 key as byte list":  strings.Trim(fmt.Sprint(key), "[]"),
		"other APIv3 key":         testOtherAPIv3Key,
		"plaintext":               v.Plaintext,
		"plaintext value":         "wxwtdk20200910100000",
		"ciphertext":              v.Ciphertext,
		"ciphertext (first part)": v.Ciphertext[:24],
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func TestNotifyHandlerError(t *testing.T) {
	requireOpenSSL(t)
	v := loadNotifyVector(t)
	body := notifyEnvelope(t, testNotifyID, v.resource())
	header := notifyHeader(t, body)
	var logBuf testkit.LockedBuffer
	cfg := testNotifyConfig(t, v.APIv3Key)
	cfg.Logger = slog.New(slog.NewJSONHandler(&logBuf, nil))
	var calls atomic.Int32
	srv := httptest.NewServer(mustNotifyHandler(t, cfg, func(context.Context, *Notification) error {
		calls.Add(1)
		return errors.New("database unavailable")
	}))
	defer srv.Close()
	a := postNotification(t, srv.URL, http.MethodPost, header, body)
	checkFail(t, a, 500, "notification handler failed")
	if calls.Load() != 1 {
		t.Errorf("handler called %d times", calls.Load())
	}
	recs := logRecords(t, logBuf.String())
	if len(recs) != 1 || recs[0]["level"] != "ERROR" || recs[0]["outcome"] != "handler failed" ||
		recs[0]["error"] != "database unavailable" || recs[0]["event_id"] != testNotifyID {
		t.Errorf("log = %s", logBuf.String())
	}
	for what, secret := range notifySecrets(v) {
		if strings.Contains(logBuf.String(), secret) || strings.Contains(string(a.body), secret) {
			t.Errorf("log or answer contains the %s", what)
		}
	}
}

// respell returns a Base64 signature written differently for the same bytes:
// the last character before "==" carries four unused bits.
func respell(t testing.TB, sig string) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	if !strings.HasSuffix(sig, "==") {
		t.Fatalf("signature %q does not end in ==", sig)
	}
	i := len(sig) - 3
	c := strings.IndexByte(alphabet, sig[i])
	out := sig[:i] + string(alphabet[c^0x01]) + "=="
	a, _ := base64.StdEncoding.DecodeString(sig)
	b, err := base64.StdEncoding.DecodeString(out)
	if err != nil || !bytes.Equal(a, b) || out == sig {
		t.Fatalf("respelled signature does not decode to the same bytes")
	}
	return out
}

func TestNotifyReplay(t *testing.T) {
	requireOpenSSL(t)
	v := loadNotifyVector(t)
	body := notifyEnvelope(t, testNotifyID, v.resource())
	header := notifyHeader(t, body)
	var calls atomic.Int32
	h := mustNotifyHandler(t, testNotifyConfig(t, v.APIv3Key), func(context.Context, *Notification) error {
		calls.Add(1)
		return nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	if a := postNotification(t, srv.URL, http.MethodPost, header, body); a.status != 204 {
		t.Fatalf("first delivery answered %d %s", a.status, a.body)
	}
	// WeChat Pay's resend of a handled delivery: acknowledged, not handled.
	if a := postNotification(t, srv.URL, http.MethodPost, header, body); a.status != 204 {
		t.Fatalf("identical resend answered %d %s, want 204", a.status, a.body)
	}

	respelled := header.Clone()
	respelled.Set(HeaderSignature, respell(t, header.Get(HeaderSignature)))
	if err := testVerifier(t).Verify(respelled, body); err != nil {
		t.Fatalf("the respelled signature does not verify: %v", err)
	}
	if a := postNotification(t, srv.URL, http.MethodPost, respelled, body); a.status != 204 {
		t.Fatalf("resend with a respelled signature answered %d %s, want 204", a.status, a.body)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("handler called %d times for one delivery, want 1", n)
	}

	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header = header.Clone()
	_, err := h.Parse(req)
	var verr *VerificationError
	if !errors.As(err, &verr) || !errors.Is(err, ErrReplayed) {
		t.Fatalf("Parse of a replay = %v, want *VerificationError wrapping ErrReplayed", err)
	}
	checkSentinel(t, err, nil)

	// A delivery signed anew (another nonce, as a retry is) is not a replay.
	again := signedHeader(t, "wechatpay_key.pem", testPubKeyID, tsAt(0), "anotherNonce0123456789abcdefghij", body)
	if a := postNotification(t, srv.URL, http.MethodPost, again, body); a.status != 204 {
		t.Errorf("a newly signed delivery answered %d %s", a.status, a.body)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("handler called %d times, want 2", n)
	}
}

// TestNotifyReplayWindow follows one handled request through the clock: a
// replay is refused as long as its signed timestamp verifies, and the entry
// is dropped after that.
func TestNotifyReplayWindow(t *testing.T) {
	requireOpenSSL(t)
	v := loadNotifyVector(t)
	var now atomic.Int64
	cfg := testNotifyConfig(t, v.APIv3Key)
	cfg.Clock = func() time.Time { return time.Unix(now.Load(), 0) }
	var h *NotifyHandler
	// parse is Parse followed, on success, by MarkHandled, as a caller who
	// routes itself does once it handled the notification.
	parse := func(body []byte, header http.Header) error {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header = header.Clone()
		n, err := h.Parse(req)
		if err == nil {
			h.MarkHandled(n)
		}
		return err
	}
	body := notifyEnvelope(t, testNotifyID, v.resource())
	for _, tc := range []struct {
		name   string
		signed int64 // signed timestamp, relative to testTimestamp
		steps  []struct {
			at   int64
			want error
		}
	}{
		{"signed now", 0, []struct {
			at   int64
			want error
		}{{0, nil}, {1, ErrReplayed}, {300, ErrReplayed}, {301, ErrStaleTimestamp}}},
		{"signed 300 s ahead", 300, []struct {
			at   int64
			want error
		}{{0, nil}, {600, ErrReplayed}, {601, ErrStaleTimestamp}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h = mustNotifyHandler(t, cfg, func(context.Context, *Notification) error { return nil })
			header := signedHeader(t, "wechatpay_key.pem", testPubKeyID, tsAt(tc.signed), testNotifyNonce, body)
			for _, s := range tc.steps {
				now.Store(testTimestamp + s.at)
				if err := parse(body, header); !errors.Is(err, s.want) || (s.want == nil) != (err == nil) {
					t.Fatalf("at +%d s: Parse = %v, want %v", s.at, err, s.want)
				}
			}
			// A fresh notification once the entry outlived its window by
			// replayMargin drops it.
			now.Add(int64(replayMargin / time.Second))
			fresh := signedHeader(t, "wechatpay_key.pem", testPubKeyID, strconv.FormatInt(now.Load(), 10), "freshNonce", body)
			if err := parse(body, fresh); err != nil {
				t.Fatalf("fresh notification: %v", err)
			}
			if n := h.seen.len(); n != 1 {
				t.Errorf("replay guard holds %d entries, want 1", n)
			}
		})
	}
}

// TestNotifyConcurrent sends 50 distinct notifications, each twice at once,
// in parallel: each is handled exactly once and its twin acknowledged as
// already handled (204, it came after) or refused as in progress (409, it
// came during).
func TestNotifyConcurrent(t *testing.T) {
	v := loadNotifyVector(t)
	key := mustPrivateKey(t, "wechatpay_key.pem")
	var mu sync.Mutex
	handled := map[string]int{}
	h := mustNotifyHandler(t, testNotifyConfig(t, v.APIv3Key), func(_ context.Context, n *Notification) error {
		if string(n.Plaintext) != v.Plaintext {
			t.Errorf("%s: plaintext %s", n.ID, n.Plaintext)
		}
		mu.Lock()
		handled[n.ID]++
		mu.Unlock()
		return nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	const count = 50
	type delivery struct {
		id     string
		body   []byte
		header http.Header
	}
	var deliveries []delivery
	for i := range count {
		id := fmt.Sprintf("EV-%028d", i)
		body := notifyEnvelope(t, id, v.resource())
		nonce := fmt.Sprintf("nonce%027d", i)
		sig, err := Sign(key, ResponseMessage(tsAt(0), nonce, body))
		if err != nil {
			t.Fatal(err)
		}
		hd := http.Header{}
		hd.Set(HeaderTimestamp, tsAt(0))
		hd.Set(HeaderNonce, nonce)
		hd.Set(HeaderSignature, sig)
		hd.Set(HeaderSerial, testPubKeyID)
		deliveries = append(deliveries, delivery{id, body, hd})
	}
	statuses := make([][2]int, count)
	var wg sync.WaitGroup
	for i, d := range deliveries {
		for twin := range 2 {
			wg.Go(func() {
				statuses[i][twin] = postNotification(t, srv.URL, http.MethodPost, d.header, d.body).status
			})
		}
	}
	wg.Wait()
	for i, d := range deliveries {
		got := []int{statuses[i][0], statuses[i][1]}
		slices.Sort(got)
		if got[0] != 204 || (got[1] != 204 && got[1] != 409) {
			t.Errorf("%s answered %v, want 204 and 204 or 409", d.id, got)
		}
		if handled[d.id] != 1 {
			t.Errorf("%s handled %d times", d.id, handled[d.id])
		}
	}
	if len(handled) != count {
		t.Errorf("%d notifications handled, want %d", len(handled), count)
	}
}

func TestNotifyBodyLimit(t *testing.T) {
	requireOpenSSL(t)
	v := loadNotifyVector(t)
	body := notifyEnvelope(t, testNotifyID, v.resource())
	header := notifyHeader(t, body)
	for _, tc := range []struct {
		name      string
		max       int64
		hideLen   bool
		wantLarge bool
	}{
		{"exactly at the limit", int64(len(body)), false, false},
		{"exactly at the limit, length unknown", int64(len(body)), true, false},
		{"one over, length unknown", int64(len(body) - 1), true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testNotifyConfig(t, v.APIv3Key)
			cfg.MaxBodyBytes = tc.max
			h := mustNotifyHandler(t, cfg, func(context.Context, *Notification) error { return nil })
			var r io.Reader = bytes.NewReader(body)
			if tc.hideLen {
				r = io.MultiReader(r)
			}
			req := httptest.NewRequest(http.MethodPost, "/", r)
			req.Header = header.Clone()
			if tc.hideLen && req.ContentLength != -1 {
				t.Fatalf("ContentLength = %d", req.ContentLength)
			}
			_, err := h.Parse(req)
			if errors.Is(err, ErrNotificationTooLarge) != tc.wantLarge || (!tc.wantLarge && err != nil) {
				t.Errorf("Parse = %v", err)
			}
		})
	}
}

func TestNewNotifyHandlerConfig(t *testing.T) {
	pubMode, _ := testKeys(t)
	keys, err := NewKeySet(pubMode)
	if err != nil {
		t.Fatal(err)
	}
	key := []byte(testOtherAPIv3Key)
	handle := func(context.Context, *Notification) error { return nil }
	tests := []struct {
		name   string
		cfg    NotifyConfig
		handle func(context.Context, *Notification) error
		want   []string
	}{
		{"empty", NotifyConfig{}, nil, []string{"Keys", "APIv3Key", "handle"}},
		{"empty key set", NotifyConfig{Keys: &KeySet{}, APIv3Key: key}, handle, []string{"Keys"}},
		{"31-byte key", NotifyConfig{Keys: keys, APIv3Key: key[:31]}, handle, []string{"APIv3Key"}},
		{"33-byte key", NotifyConfig{Keys: keys, APIv3Key: append(key, 'x')}, handle, []string{"APIv3Key"}},
		{"negative MaxBodyBytes", NotifyConfig{Keys: keys, APIv3Key: key, MaxBodyBytes: -1}, handle, []string{"MaxBodyBytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := NewNotifyHandler(tt.cfg, tt.handle)
			if h != nil || err == nil {
				t.Fatalf("NewNotifyHandler = %v, %v", h, err)
			}
			if got := fields(configErrors(t, err)); !slices.Equal(got, tt.want) {
				t.Errorf("fields = %v, want %v (%v)", got, tt.want, err)
			}
			if strings.Contains(err.Error(), testOtherAPIv3Key[:31]) {
				t.Errorf("error quotes the key: %v", err)
			}
		})
	}

	v := loadNotifyVector(t)
	vectorKey := []byte(v.APIv3Key)
	h, err := NewNotifyHandler(NotifyConfig{Keys: keys, APIv3Key: vectorKey}, handle)
	if err != nil {
		t.Fatal(err)
	}
	if h.maxBody != DefaultMaxNotificationBytes || h.clock == nil || h.log == nil {
		t.Errorf("defaults not applied: max %d", h.maxBody)
	}
	// The handler does not keep the caller's slice: overwriting it changes nothing.
	copy(vectorKey, "################################")
	if pt, err := openResource(h.aead, v.resource()); err != nil || string(pt) != v.Plaintext {
		t.Fatalf("open after the caller overwrote the key: %q, %v", pt, err)
	}
}

// TestNotifyKeyNotShown formats a config and a handler every way fmt and slog
// can and looks for the APIv3 key in any spelling.
func TestNotifyKeyNotShown(t *testing.T) {
	v := loadNotifyVector(t)
	cfg := testNotifyConfig(t, v.APIv3Key)
	h := mustNotifyHandler(t, cfg, func(context.Context, *Notification) error { return nil })
	var out strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		fmt.Fprintf(&out, verb+"\n", cfg)
		fmt.Fprintf(&out, verb+"\n", &cfg)
		fmt.Fprintf(&out, verb+"\n", h)
		fmt.Fprintf(&out, verb+"\n", struct{ C NotifyConfig }{cfg})
	}
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("config", "cfg", cfg, "ptr", &cfg)
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("config", "cfg", cfg, "handler", h)
	text := out.String() + logBuf.String()
	key := []byte(v.APIv3Key)
	for what, s := range map[string]string{
		"text":      v.APIv3Key,
		"Base64":    base64.StdEncoding.EncodeToString(key),
		"hex":       hex.EncodeToString(key),
		"HEX":       strings.ToUpper(hex.EncodeToString(key)),
		"byte list": strings.Trim(fmt.Sprint(key), "[]"),
	} {
		if strings.Contains(text, s) {
			t.Errorf("formatted output contains the key as %s:\n%s", what, text)
		}
	}
	if !strings.Contains(text, "[redacted 32 bytes]") || !strings.Contains(text, testPubKeyID) {
		t.Errorf("formatted config lacks the redaction or the serials:\n%s", text)
	}
}

func TestEncryptNotificationResource(t *testing.T) {
	v := loadNotifyVector(t)
	key := []byte(v.APIv3Key)
	t.Run("matches the Python vector", func(t *testing.T) {
		res, err := EncryptNotificationResource(key, []byte(v.Plaintext), v.AssociatedData, []byte(v.Nonce))
		if err != nil {
			t.Fatal(err)
		}
		want := v.resource()
		want.OriginalType = ""
		if res != want {
			t.Errorf("resource =\n%+v\nwant\n%+v", res, want)
		}
	})
	t.Run("random nonce", func(t *testing.T) {
		a, err := EncryptNotificationResource(key, []byte(`{}`), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := EncryptNotificationResource(key, []byte(`{}`), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Nonce) != 12 || strings.Trim(a.Nonce, nonceAlphabet) != "" || a.Nonce == b.Nonce {
			t.Errorf("nonces %q and %q", a.Nonce, b.Nonce)
		}
		aead, err := newResourceAEAD(key)
		if err != nil {
			t.Fatal(err)
		}
		if pt, err := openResource(aead, a); err != nil || string(pt) != `{}` {
			t.Errorf("open = %q, %v", pt, err)
		}
	})
	for _, tc := range []struct {
		name  string
		key   []byte
		nonce []byte
	}{
		{"short key", key[:16], []byte(v.Nonce)},
		{"short nonce", key, []byte("0123456789a")},
		{"long nonce", key, []byte("0123456789abc")},
		{"empty nonce", key, []byte{}},
		{"nonce not UTF-8", key, []byte("0123456789a\xff")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := EncryptNotificationResource(tc.key, []byte(`{}`), "", tc.nonce); err == nil {
				t.Error("no error")
			} else if strings.Contains(err.Error(), string(tc.key)) {
				t.Errorf("error quotes the key: %v", err)
			}
		})
	}
}

func TestDecodeNotification(t *testing.T) {
	n := &Notification{ID: "EV-1", Plaintext: json.RawMessage(`{"mchid":"1900000109","service_id":"not a number"}`)}
	got, err := DecodeNotification[plaintextFixture](n)
	if err == nil || got != (plaintextFixture{}) {
		t.Errorf("DecodeNotification = %+v, %v; want the zero value and an error", got, err)
	}
	if !strings.Contains(err.Error(), "EV-1") || strings.Contains(err.Error(), "not a number") {
		t.Errorf("error = %v", err)
	}
	if _, err := DecodeNotification[plaintextFixture](nil); err == nil {
		t.Error("nil notification decoded")
	}
	m, err := DecodeNotification[map[string]any](&Notification{Plaintext: json.RawMessage(`{"a":1}`)})
	if err != nil || m["a"] != 1.0 {
		t.Errorf("map decode = %v, %v", m, err)
	}
}

func TestNotificationLogValue(t *testing.T) {
	var buf bytes.Buffer
	n := &Notification{ID: "EV-1", EventType: testEventType, Resource: NotificationResource{Ciphertext: "CIPHERTEXT"}, Plaintext: json.RawMessage(`{"secret":"PLAINTEXT"}`)}
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("got", "n", n, "value", *n)
	if s := buf.String(); strings.Contains(s, "PLAINTEXT") || strings.Contains(s, "CIPHERTEXT") || !strings.Contains(s, "EV-1") {
		t.Errorf("log = %s", s)
	}
}
