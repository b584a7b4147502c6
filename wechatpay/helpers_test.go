package wechatpay

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/payforge/wechatpay/internal/testkit"
)

// Fixed inputs shared by the tests of this package.
const (
	testMchID          = "1900000109"
	testMerchantSerial = testkit.MerchantSerial
	testPubKeyID       = "PUB_KEY_ID_0114232134912410000000000000"
	testPlatformSerial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
	testTimestamp      = int64(1554208460)
	testNonce          = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"
	testRespNonce      = "fdasflkja484w9fdasflkja484w9fdas"
	testRequestID      = "08F78BB5AF0710D1B9B2B23D25A1E4B1"

	terminateURI  = "/v3/password-exempt-contract/contracts/service-id/12535/out-contract-code/wxwtdk20200910100000/terminate"
	terminateBody = `{"contract_termination_remark":"用户解约"}`
	terminateResp = `{"mchid":"1900000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000"}`
)

func testClock() time.Time { return time.Unix(testTimestamp, 0) }

// td returns the path of a file in testdata.
func td(name string) string { return filepath.Join("testdata", name) }

// requireOpenSSL fails the test when the openssl command line, the
// independent oracle of the crypto tests, is missing: a skipped oracle would
// check nothing.
func requireOpenSSL(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Fatal("the openssl command line is not on PATH (make deps installs it)")
	}
}

// openssl runs the openssl command line with stdin and returns its stdout.
func openssl(t testing.TB, stdin []byte, args ...string) []byte {
	t.Helper()
	requireOpenSSL(t)
	cmd := exec.Command("openssl", args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// opensslSign is the oracle: `openssl dgst -sha256 -sign keyFile` over msg,
// in standard Base64.
func opensslSign(t testing.TB, keyFile string, msg []byte) string {
	t.Helper()
	sig := openssl(t, msg, "dgst", "-sha256", "-sign", keyFile)
	if len(sig) != 256 {
		t.Fatalf("openssl signature has %d bytes, want 256", len(sig))
	}
	return base64.StdEncoding.EncodeToString(sig)
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustPrivateKey(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	k, err := LoadPrivateKeyFile(td(name))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustPublicKey(t testing.TB, name string) *rsa.PublicKey {
	t.Helper()
	k, err := LoadPublicKeyFile(td(name))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustCertificate(t testing.TB, name string) *x509.Certificate {
	t.Helper()
	c, err := LoadCertificateFile(td(name))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testKeys returns the public-key mode key and the platform certificate key.
func testKeys(t testing.TB) (pubMode, platform VerificationKey) {
	t.Helper()
	pubMode, err := PublicKeyModeKey(testPubKeyID, mustPublicKey(t, "wechatpay_public_key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	platform, err = PlatformCertificateKey(mustCertificate(t, "platform_cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return pubMode, platform
}

// testConfig is a complete Config for a server at baseURL, with the fixed clock.
func testConfig(t testing.TB, baseURL string) Config {
	t.Helper()
	pubMode, platform := testKeys(t)
	return Config{
		MchID:            testMchID,
		MerchantSerialNo: testMerchantSerial,
		MerchantKey:      mustPrivateKey(t, "merchant_key.pem"),
		VerificationKeys: []VerificationKey{pubMode, platform},
		BaseURL:          baseURL,
		Clock:            testClock,
	}
}

// newTestClient returns a Client for baseURL with the fixed clock and nonce.
func newTestClient(t testing.TB, cfg Config) *Client {
	t.Helper()
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.newNonce = func() (string, error) { return testNonce, nil }
	return c
}

// signedHeader returns the headers of an answer signed by openssl with keyFile
// over TIMESTAMP\nNONCE\nBODY\n, naming serial.
func signedHeader(t testing.TB, keyFile, serial, ts, nonce string, body []byte) http.Header {
	t.Helper()
	h := http.Header{}
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderNonce, nonce)
	h.Set(HeaderSerial, serial)
	h.Set(HeaderSignature, opensslSign(t, td(keyFile), []byte(ts+"\n"+nonce+"\n"+string(body)+"\n")))
	h.Set("Request-ID", testRequestID)
	return h
}

// okHeader is signedHeader for a valid public-key mode answer at the fixed clock.
func okHeader(t testing.TB, body string) http.Header {
	t.Helper()
	return signedHeader(t, "wechatpay_key.pem", testPubKeyID, strconv.FormatInt(testTimestamp, 10), testRespNonce, []byte(body))
}

// writeAnswer copies h into w's headers and writes status and body.
func writeAnswer(w http.ResponseWriter, h http.Header, status int, body string) {
	for k, v := range h {
		w.Header()[k] = v
	}
	if body != "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// pemLines returns the non-empty lines of a PEM file.
func pemLines(b []byte) []string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
