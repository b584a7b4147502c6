// Package replay is the WeChat Pay stand-in of the call benchmarks: a
// loopback server that answers every request with one answer signed in
// advance, so that its share of a benchmarked call is close to zero, and the
// keys, request and clients that go with it.
package replay

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
)

// The merchant, the WeChat Pay key and the one call every benchmark makes:
// the terminate request of the official example.
const (
	MchID           = "1900000109"
	MchSerial       = "3775B6A45ACD588826D15E583A95F5DD00000001"
	PubKeyID        = "PUB_KEY_ID_0114232134912410000000000000"
	ServiceID       = 12535
	OutContractCode = "wxwtdk20200910100000"
	Remark          = "用户解约"
	TerminatePath   = "/v3/password-exempt-contract/contracts/service-id/12535/out-contract-code/wxwtdk20200910100000/terminate"
	RequestBody     = `{"contract_termination_remark":"用户解约"}`
	ResponseBody    = `{"mchid":"1900000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000"}`
	Nonce           = "a1b2c3d4e5f6"
	RequestID       = "08F78BB5AF0610D302A7E1B1D2A8011C"
)

// Now is the fixed clock of every client: the answer was signed at this time.
var Now = time.Unix(1554208460, 0)

// Clock returns Now.
func Clock() time.Time { return Now }

// Env is one stand-in server with the clients of a benchmark.
type Env struct {
	URL          string
	HTTPClient   *http.Client    // keep-alive loopback client of the server
	MerchantKey  *rsa.PrivateKey // signs requests
	MerchantPEM  []byte          // the same key in PEM, for other signers
	WechatpayKey *rsa.PrivateKey // signed the answer
	WechatpayPub *rsa.PublicKey  // verifies answers
	Verification wechatpay.VerificationKey
	Answer       http.Header // the four Wechatpay-* headers of the answer
}

// Start starts the server; it stops when tb ends.
func Start(tb testing.TB) *Env {
	tb.Helper()
	merchantPEM := readKey(tb, "merchant_key.pem")
	merchant, err := wechatpay.ParsePrivateKey(merchantPEM)
	if err != nil {
		tb.Fatal(err)
	}
	wp, err := wechatpay.ParsePrivateKey(readKey(tb, "wechatpay_key.pem"))
	if err != nil {
		tb.Fatal(err)
	}
	vk, err := wechatpay.PublicKeyModeKey(PubKeyID, &wp.PublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	ts := strconv.FormatInt(Now.Unix(), 10)
	digest := sha256.Sum256([]byte(ts + "\n" + Nonce + "\n" + ResponseBody + "\n"))
	sig, err := rsa.SignPKCS1v15(nil, wp, crypto.SHA256, digest[:])
	if err != nil {
		tb.Fatal(err)
	}
	// Canonical header keys, set by assignment: the server copies slices and
	// never parses or signs anything per request.
	answer := http.Header{
		"Wechatpay-Timestamp": {ts},
		"Wechatpay-Nonce":     {Nonce},
		"Wechatpay-Signature": {base64.StdEncoding.EncodeToString(sig)},
		"Wechatpay-Serial":    {PubKeyID},
	}
	body := []byte(ResponseBody)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		h := w.Header()
		for k, v := range answer {
			h[k] = v
		}
		h["Content-Type"] = []string{"application/json"}
		h["Request-Id"] = []string{RequestID}
		w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return &Env{
		URL:          srv.URL,
		HTTPClient:   srv.Client(),
		MerchantKey:  merchant,
		MerchantPEM:  merchantPEM,
		WechatpayKey: wp,
		WechatpayPub: &wp.PublicKey,
		Verification: vk,
		Answer:       answer,
	}
}

// Runtime returns a runtime client of the server whose requests key signs
// (an *rsa.PrivateKey, or another signer such as an OpenSSL one).
func (e *Env) Runtime(tb testing.TB, key crypto.Signer) *wechatpay.Client {
	tb.Helper()
	return e.RuntimeVerifying(tb, key, nil)
}

// RuntimeVerifying is Runtime with answers checked by v (nil: crypto/rsa),
// such as an OpenSSL verifier.
func (e *Env) RuntimeVerifying(tb testing.TB, key crypto.Signer, v wechatpay.SignatureVerifier) *wechatpay.Client {
	tb.Helper()
	rt, err := wechatpay.NewClient(wechatpay.Config{
		MchID:             MchID,
		MerchantSerialNo:  MchSerial,
		MerchantKey:       key,
		VerificationKeys:  []wechatpay.VerificationKey{e.Verification},
		BaseURL:           e.URL,
		HTTPClient:        e.HTTPClient,
		Clock:             Clock,
		SignatureVerifier: v,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return rt
}

// readKey reads a test key of the runtime, found from this source file so
// that benchmarks in any folder of the module (generated ones included) can.
func readKey(tb testing.TB, name string) []byte {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("replay: no caller information to find the test keys")
	}
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "..", "wechatpay", "testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
