// Package sandboxtest holds what the tests of the sandbox's engine and of
// its behaviours share: test keys, servers started with them, and requests
// built and signed by hand, so that each part can be broken.
package sandboxtest

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
)

// The terminate operation of the embedded contract spec, which engine tests
// call too: it is answered with its spec's example when no behaviour serves
// it.
const (
	TerminatePath = "/v3/password-exempt-contract/contracts/service-id/%d/out-contract-code/%s/terminate"
	QueryPath     = "/v3/password-exempt-contract/contracts/service-id/%d/out-contract-code/%s"
	RemarkBody    = `{"contract_termination_remark":"用户解约"}`
)

// testKeys are generated once: RSA key generation dominates the run time otherwise.
var testKeys = sync.OnceValue(func() [3]*rsa.PrivateKey {
	var keys [3]*rsa.PrivateKey
	for i := range keys {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		keys[i] = k
	}
	return keys
})

// MerchantKey, WechatpayKey and OtherKey are RSA-2048 keys made once per test binary.
func MerchantKey() *rsa.PrivateKey  { return testKeys()[0] }
func WechatpayKey() *rsa.PrivateKey { return testKeys()[1] }
func OtherKey() *rsa.PrivateKey     { return testKeys()[2] }

// NewServer starts a sandbox with the shared test keys, closed at cleanup.
func NewServer(t testing.TB, opts wechatpaytest.Options) *wechatpaytest.Server {
	t.Helper()
	if opts.MerchantKey == nil {
		opts.MerchantKey = MerchantKey()
	}
	if opts.WechatpayKey == nil {
		opts.WechatpayKey = WechatpayKey()
	}
	srv, err := wechatpaytest.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// NewRuntime returns a runtime client for srv.
func NewRuntime(t testing.TB, srv *wechatpaytest.Server) *wechatpay.Client {
	t.Helper()
	rt, err := wechatpay.NewClient(srv.ClientConfig())
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

// TerminateRequest is the runtime request terminating serviceID/code.
func TerminateRequest(serviceID int64, code string) *wechatpay.Request {
	return &wechatpay.Request{
		Operation:    "terminateByCode",
		Method:       http.MethodPost,
		PathTemplate: "/v3/password-exempt-contract/contracts/service-id/{service_id}/out-contract-code/{out_contract_code}/terminate",
		Path:         fmt.Sprintf(TerminatePath, serviceID, code),
		Body:         []byte(RemarkBody),
	}
}

var nonceCounter atomic.Int64

// Request is a request built and signed by hand, so that each part can be
// broken. The Sign* fields, when set, are signed instead of what is sent.
type Request struct {
	Method, URI, Body             string
	SignMethod, SignURI, SignBody *string
	MchID, SerialNo, Nonce        string
	Timestamp                     int64
	Key                           *rsa.PrivateKey
	// Authorization, when set, rewrites the header value built from the fields.
	Authorization   func(string) string
	WechatpaySerial string // "-" leaves the header out
	ContentType     string
}

// Valid returns a request srv accepts, terminating serviceID/code.
func Valid(srv *wechatpaytest.Server, serviceID int64, code string) *Request {
	cfg := srv.ClientConfig()
	return &Request{
		Method:          http.MethodPost,
		URI:             fmt.Sprintf(TerminatePath, serviceID, code),
		Body:            RemarkBody,
		MchID:           cfg.MchID,
		SerialNo:        cfg.MerchantSerialNo,
		Nonce:           fmt.Sprintf("TESTNONCE%023d", nonceCounter.Add(1)),
		Timestamp:       cfg.Clock().Unix(),
		Key:             cfg.MerchantKey.(*rsa.PrivateKey),
		WechatpaySerial: cfg.WechatpaySerial,
		ContentType:     "application/json",
	}
}

// Get returns a valid GET of uri.
func Get(srv *wechatpaytest.Server, uri string) *Request {
	q := Valid(srv, 1, "x")
	q.Method, q.URI, q.Body, q.ContentType = http.MethodGet, uri, "", ""
	return q
}

func or(p *string, s string) string {
	if p != nil {
		return *p
	}
	return s
}

// authorization signs the request as WeChat Pay expects, with crypto/rsa directly.
func (q *Request) authorization(t testing.TB) string {
	t.Helper()
	msg := or(q.SignMethod, q.Method) + "\n" + or(q.SignURI, q.URI) + "\n" +
		strconv.FormatInt(q.Timestamp, 10) + "\n" + q.Nonce + "\n" + or(q.SignBody, q.Body) + "\n"
	digest := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(nil, q.Key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	auth := fmt.Sprintf(`WECHATPAY2-SHA256-RSA2048 mchid="%s",nonce_str="%s",signature="%s",timestamp="%d",serial_no="%s"`,
		q.MchID, q.Nonce, base64.StdEncoding.EncodeToString(sig), q.Timestamp, q.SerialNo)
	if q.Authorization != nil {
		auth = q.Authorization(auth)
	}
	return auth
}

// Answer is what the sandbox sent back.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
	Error  struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Detail  *struct {
			Field    string          `json:"field"`
			Value    json.RawMessage `json:"value"`
			Issue    string          `json:"issue"`
			Location string          `json:"location"`
		} `json:"detail"`
	}
}

// Send sends q to srv with a plain HTTP client.
func (q *Request) Send(t testing.TB, srv *wechatpaytest.Server) *Answer {
	t.Helper()
	req, err := http.NewRequest(q.Method, srv.URL+q.URI, bytes.NewReader([]byte(q.Body)))
	if err != nil {
		t.Fatal(err)
	}
	if auth := q.authorization(t); auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if q.WechatpaySerial != "-" {
		req.Header.Set("Wechatpay-Serial", q.WechatpaySerial)
	}
	req.Header.Set("Accept", "application/json")
	if q.ContentType != "" {
		req.Header.Set("Content-Type", q.ContentType)
	}
	client := srv.ClientConfig().HTTPClient
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := &Answer{Status: resp.StatusCode, Header: resp.Header}
	if a.Body, err = io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode >= 300 {
		if err := json.Unmarshal(a.Body, &a.Error); err != nil {
			t.Fatalf("error body %q: %v", a.Body, err)
		}
	}
	if resp.Header.Get("Request-ID") == "" {
		t.Errorf("answer %d has no Request-ID", resp.StatusCode)
	}
	return a
}

// VerifyAnswer checks the signature of a 2xx answer with crypto/rsa
// directly, made with WechatpayKey under the default key ID.
func VerifyAnswer(t testing.TB, a *Answer, now time.Time) {
	t.Helper()
	h := a.Header
	if h.Get("Wechatpay-Serial") != wechatpaytest.DefaultWechatpayKeyID {
		t.Errorf("Wechatpay-Serial = %q", h.Get("Wechatpay-Serial"))
	}
	ts, err := strconv.ParseInt(h.Get("Wechatpay-Timestamp"), 10, 64)
	if err != nil || ts < now.Unix()-5 || ts > now.Unix()+5 {
		t.Errorf("Wechatpay-Timestamp = %q, now %d", h.Get("Wechatpay-Timestamp"), now.Unix())
	}
	sig, err := base64.StdEncoding.DecodeString(h.Get("Wechatpay-Signature"))
	if err != nil {
		t.Fatalf("Wechatpay-Signature: %v", err)
	}
	digest := sha256.Sum256([]byte(h.Get("Wechatpay-Timestamp") + "\n" + h.Get("Wechatpay-Nonce") + "\n" + string(a.Body) + "\n"))
	if err := rsa.VerifyPKCS1v15(&WechatpayKey().PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("answer signature: %v", err)
	}
}
