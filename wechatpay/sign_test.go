package wechatpay

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
)

func TestRequestMessage(t *testing.T) {
	tests := []struct {
		name   string
		method string
		uri    string
		ts     int64
		nonce  string
		body   []byte
		want   string
	}{
		{"post with body", "POST", terminateURI, testTimestamp, testNonce, []byte(terminateBody),
			"POST\n" + terminateURI + "\n1554208460\n" + testNonce + "\n" + terminateBody + "\n"},
		{"get without body", "GET", "/v3/certificates?a=1&b=2", 1, "n", nil,
			"GET\n/v3/certificates?a=1&b=2\n1\nn\n\n"},
		{"empty non-nil body", "DELETE", "/x", 0, "", []byte{},
			"DELETE\n/x\n0\n\n\n"},
		{"body with newlines kept verbatim", "PUT", "/y", -5, "N", []byte("a\nb\n"),
			"PUT\n/y\n-5\nN\na\nb\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RequestMessage(tt.method, tt.uri, tt.ts, tt.nonce, tt.body)
			if string(got) != tt.want {
				t.Errorf("RequestMessage = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestResponseMessage(t *testing.T) {
	tests := []struct {
		name      string
		ts, nonce string
		body      []byte
		want      string
	}{
		{"json body", "1554208460", testRespNonce, []byte(terminateResp),
			"1554208460\n" + testRespNonce + "\n" + terminateResp + "\n"},
		{"empty body of a 204", "1554208460", "abc", nil, "1554208460\nabc\n\n"},
		{"empty non-nil body", "1", "2", []byte{}, "1\n2\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ResponseMessage(tt.ts, tt.nonce, tt.body); string(got) != tt.want {
				t.Errorf("ResponseMessage = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSignMatchesOpenSSL(t *testing.T) {
	requireOpenSSL(t)
	pkcs8 := mustPrivateKey(t, "merchant_key.pem")
	pkcs1 := mustPrivateKey(t, "merchant_key_pkcs1.pem")
	if !pkcs8.Equal(pkcs1) {
		t.Fatal("merchant_key.pem and merchant_key_pkcs1.pem load to different keys")
	}
	messages := []string{
		string(RequestMessage("POST", terminateURI, testTimestamp, testNonce, []byte(terminateBody))),
		string(RequestMessage("GET", "/v3/certificates", testTimestamp, testNonce, nil)),
		"",
		"\x00\xff binary \n",
	}
	for i, msg := range messages {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			want := opensslSign(t, td("merchant_key.pem"), []byte(msg))
			if want1 := opensslSign(t, td("merchant_key_pkcs1.pem"), []byte(msg)); want1 != want {
				t.Fatalf("openssl signs differently with the PKCS#1 file")
			}
			for name, key := range map[string]crypto.Signer{"pkcs8": pkcs8, "pkcs1": pkcs1} {
				got, err := Sign(key, []byte(msg))
				if err != nil {
					t.Fatalf("%s: Sign: %v", name, err)
				}
				if got != want {
					t.Errorf("%s: Sign = %s\nopenssl  = %s", name, got, want)
				}
			}
		})
	}
}

type failingSigner struct{ crypto.Signer }

var errSignerDown = errors.New("hsm unavailable")

func (failingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errSignerDown
}

func TestSignPropagatesSignerError(t *testing.T) {
	_, err := Sign(failingSigner{mustPrivateKey(t, "merchant_key.pem")}, []byte("x"))
	if !errors.Is(err, errSignerDown) {
		t.Fatalf("Sign error = %v, want it to wrap the signer's error", err)
	}
}

func TestAuthorization(t *testing.T) {
	got := Authorization("1900000109", "SERIAL", "NONCE", 1554208460, "SIG+/=")
	want := `WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="NONCE",signature="SIG+/=",timestamp="1554208460",serial_no="SERIAL"`
	if got != want {
		t.Errorf("Authorization =\n%s\nwant\n%s", got, want)
	}
}

// authRE matches the exact Authorization format: field order as the official
// example, no spaces after commas.
var authRE = regexp.MustCompile(`^WECHATPAY2-SHA256-RSA2048 mchid="([^"]*)",nonce_str="([^"]*)",signature="([^"]*)",timestamp="([^"]*)",serial_no="([^"]*)"$`)

type authFields struct{ mchID, nonce, signature, timestamp, serial string }

func parseAuthorization(t testing.TB, v string) authFields {
	t.Helper()
	m := authRE.FindStringSubmatch(v)
	if m == nil {
		t.Fatalf("Authorization %q does not have the documented format", v)
	}
	return authFields{m[1], m[2], m[3], m[4], m[5]}
}

// seen is one request as the server received it.
type seen struct {
	method, requestURI string
	header             http.Header
	body               []byte
}

// recorder is an httptest server that records requests and answers each
// with the same status, header and body.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func newRecorder(t testing.TB, status int, h http.Header, body string) *recorder {
	t.Helper()
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, seen{r.Method, r.RequestURI, r.Header.Clone(), b})
		rec.mu.Unlock()
		writeAnswer(w, h, status, body)
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (rec *recorder) requests() []seen {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]seen(nil), rec.reqs...)
}

func (rec *recorder) only(t testing.TB) seen {
	t.Helper()
	reqs := rec.requests()
	if len(reqs) != 1 {
		t.Fatalf("server received %d requests, want 1", len(reqs))
	}
	return reqs[0]
}

func terminateRequest() *Request {
	return &Request{
		Operation:    "terminateByCode",
		Method:       http.MethodPost,
		PathTemplate: "/v3/password-exempt-contract/contracts/service-id/{service_id}/out-contract-code/{out_contract_code}/terminate",
		Path:         terminateURI,
		Body:         []byte(terminateBody),
	}
}

// TestClientSignsTerminateRequest is the known-answer test: the header the
// client sends carries exactly openssl's signature of the five-line string.
func TestClientSignsTerminateRequest(t *testing.T) {
	requireOpenSSL(t)
	wantMsg := "POST\n" + terminateURI + "\n1554208460\n" + testNonce + "\n" + terminateBody + "\n"
	wantSig := opensslSign(t, td("merchant_key.pem"), []byte(wantMsg))

	for _, keyFile := range []string{"merchant_key.pem", "merchant_key_pkcs1.pem"} {
		t.Run(keyFile, func(t *testing.T) {
			rec := newRecorder(t, http.StatusOK, okHeader(t, terminateResp), terminateResp)
			cfg := testConfig(t, rec.URL)
			cfg.MerchantKey = mustPrivateKey(t, keyFile)
			c := newTestClient(t, cfg)

			resp, err := c.Do(context.Background(), terminateRequest())
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			if resp.StatusCode != 200 || string(resp.Body) != terminateResp || resp.RequestID != testRequestID {
				t.Errorf("response = %d %q %q", resp.StatusCode, resp.Body, resp.RequestID)
			}

			got := rec.only(t)
			if got.method != "POST" || got.requestURI != terminateURI {
				t.Errorf("request line = %s %s, want POST %s", got.method, got.requestURI, terminateURI)
			}
			if string(got.body) != terminateBody {
				t.Errorf("body sent = %q, want %q", got.body, terminateBody)
			}
			auth := got.header.Get("Authorization")
			wantAuth := `WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="` + testNonce +
				`",signature="` + wantSig + `",timestamp="1554208460",serial_no="` + testMerchantSerial + `"`
			if auth != wantAuth {
				t.Errorf("Authorization =\n%s\nwant\n%s", auth, wantAuth)
			}
			f := parseAuthorization(t, auth)
			if f.signature != wantSig || f.timestamp != "1554208460" || f.nonce != testNonce ||
				f.mchID != testMchID || f.serial != testMerchantSerial {
				t.Errorf("Authorization fields = %+v", f)
			}
			for name, want := range map[string]string{
				"Accept":           "application/json",
				"Content-Type":     "application/json",
				"User-Agent":       DefaultUserAgent,
				"Wechatpay-Serial": testPubKeyID, // the public-key mode key is preferred
			} {
				if v := got.header.Values(name); len(v) != 1 || v[0] != want {
					t.Errorf("header %s = %q, want [%q]", name, v, want)
				}
			}
		})
	}
}

// TestClientSignsRequestLine checks that the URL signed is the exact request
// target the server sees, with query, escapes and a base path prefix.
func TestClientSignsRequestLine(t *testing.T) {
	requireOpenSSL(t)
	tests := []struct {
		name     string
		prefix   string // path prefix of BaseURL
		method   string
		path     string
		query    url.Values
		body     []byte
		wantURI  string
		wantBody string
	}{
		{
			name:    "get with query",
			method:  "GET",
			path:    "/v3/password-exempt-contract/contracts/service-id/12535/out-contract-code/wxwtdk20200910100000",
			query:   url.Values{"offset": {"0"}, "limit": {"10"}, "q": {"a b/ç&="}},
			wantURI: "/v3/password-exempt-contract/contracts/service-id/12535/out-contract-code/wxwtdk20200910100000?limit=10&offset=0&q=a+b%2F%C3%A7%26%3D",
		},
		{
			name:    "escaped path segment",
			method:  "GET",
			path:    "/v3/x/abc%2Fdef/%E7%94%A8",
			wantURI: "/v3/x/abc%2Fdef/%E7%94%A8",
		},
		{
			name:     "base URL with path prefix",
			prefix:   "/sandbox/",
			method:   "POST",
			path:     "/v3/y",
			body:     []byte(`{}`),
			wantURI:  "/sandbox/v3/y",
			wantBody: `{}`,
		},
		{
			name:    "delete without body",
			method:  "DELETE",
			path:    "/v3/z",
			query:   url.Values{},
			wantURI: "/v3/z",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder(t, http.StatusNoContent, okHeader(t, ""), "")
			c := newTestClient(t, testConfig(t, rec.URL+tt.prefix))
			_, err := c.Do(context.Background(), &Request{Operation: "op", Method: tt.method, PathTemplate: tt.path, Path: tt.path, Query: tt.query, Body: tt.body})
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			got := rec.only(t)
			if got.requestURI != tt.wantURI {
				t.Errorf("server saw %q, want %q", got.requestURI, tt.wantURI)
			}
			if string(got.body) != tt.wantBody {
				t.Errorf("server got body %q, want %q", got.body, tt.wantBody)
			}
			if tt.body == nil && got.header.Get("Content-Type") != "" {
				t.Errorf("Content-Type %q sent without a body", got.header.Get("Content-Type"))
			}
			// What the server saw, signed by openssl, must be the signature sent.
			msg := tt.method + "\n" + got.requestURI + "\n1554208460\n" + testNonce + "\n" + string(got.body) + "\n"
			want := opensslSign(t, td("merchant_key.pem"), []byte(msg))
			if f := parseAuthorization(t, got.header.Get("Authorization")); f.signature != want {
				t.Errorf("signature %s does not cover %q (openssl: %s)", f.signature, msg, want)
			}
		})
	}
}

func TestNewNonceCraftedBytes(t *testing.T) {
	// chunkA: every even byte is >= 248 (skipped), odd bytes are 0..31.
	var chunkA []byte
	for i := 0; i < 32; i++ {
		chunkA = append(chunkA, byte(248+i%8), byte(i))
	}
	// chunkB: values that all reduce to index 61 ('z'), then filler.
	chunkB := bytes.Repeat([]byte{61, 123, 185, 247}, 16)
	// chunkC: 20 usable bytes 36..55 ('a'..'t') among 44 skipped ones.
	var chunkC []byte
	for i := 0; i < 20; i++ {
		chunkC = append(chunkC, byte(36+i), 255, 254)
	}
	chunkC = append(chunkC, 248, 249, 250, 251)
	// chunkD: 186..197 are 3×62 + 0..11, so '0'..'B'; then anything.
	var chunkD []byte
	for i := 0; i < 64; i++ {
		chunkD = append(chunkD, byte(186+i))
	}
	all255 := bytes.Repeat([]byte{255}, 64)

	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"skips bytes at or above 248", chunkA, "0123456789ABCDEFGHIJKLMNOPQRSTUV"},
		{"reads again after an unusable chunk", append(append([]byte{}, all255...), chunkB...), strings.Repeat("z", 32)},
		{"continues in the next chunk", append(append([]byte{}, chunkC...), chunkD...), "abcdefghijklmnopqrst0123456789AB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.in)%64 != 0 {
				t.Fatalf("test input has %d bytes, want a multiple of 64", len(tt.in))
			}
			got, err := NewNonce(bytes.NewReader(tt.in))
			if err != nil {
				t.Fatalf("NewNonce: %v", err)
			}
			if got != tt.want {
				t.Errorf("NewNonce = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewNonceReaderError(t *testing.T) {
	errBroken := errors.New("entropy source broken")
	tests := []struct {
		name string
		r    io.Reader
		want error
	}{
		{"error at once", iotest.ErrReader(errBroken), errBroken},
		{"error after an unusable chunk", io.MultiReader(bytes.NewReader(bytes.Repeat([]byte{250}, 64)), iotest.ErrReader(errBroken)), errBroken},
		{"short read", bytes.NewReader(make([]byte, 10)), io.ErrUnexpectedEOF},
		{"empty", bytes.NewReader(nil), io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewNonce(tt.r)
			if !errors.Is(err, tt.want) {
				t.Fatalf("NewNonce error = %v, want %v", err, tt.want)
			}
			if got != "" {
				t.Errorf("NewNonce returned %q with an error", got)
			}
		})
	}
}

func TestNewNonceAlphabet(t *testing.T) {
	const n = 10000
	counts := map[rune]int{}
	distinct := make(map[string]bool, n)
	for i := 0; i < n; i++ {
		s, err := NewNonce(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if len(s) != NonceLength || NonceLength != 32 {
			t.Fatalf("nonce %q has %d characters, want 32", s, len(s))
		}
		for _, r := range s {
			if !strings.ContainsRune(nonceAlphabet, r) {
				t.Fatalf("nonce %q has %q outside [0-9A-Za-z]", s, r)
			}
			counts[r]++
		}
		distinct[s] = true
	}
	if len(nonceAlphabet) != 62 {
		t.Fatalf("alphabet has %d characters", len(nonceAlphabet))
	}
	for _, r := range nonceAlphabet {
		if counts[r] == 0 {
			t.Errorf("character %q never appeared in %d nonces", r, n)
		}
	}
	if len(distinct) != n {
		t.Errorf("%d distinct nonces out of %d", len(distinct), n)
	}
}

// The header built on every call matches the exported, simpler builder.
func TestAuthorizationForMatchesAuthorization(t *testing.T) {
	for _, sig := range [][]byte{{}, {0xff}, make([]byte, 256), make([]byte, 900)} {
		want := Authorization(testMchID, testMerchantSerial, testNonce, testTimestamp, base64.StdEncoding.EncodeToString(sig))
		if got := authorizationFor(testMchID, testMerchantSerial, testNonce, testTimestamp, sig); got != want {
			t.Errorf("authorizationFor(%d-byte signature) = %q, want %q", len(sig), got, want)
		}
	}
}

// constReader yields one byte for ever.
type constReader byte

func (c constReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(c)
	}
	return len(p), nil
}

// TestNewNonceNotRandom: a reader that only yields bytes NewNonce discards
// (at or above 248) is an error after a bounded number of reads, not a loop
// for ever; one that yields a usable byte once in a while still makes a nonce.
func TestNewNonceNotRandom(t *testing.T) {
	if got, err := NewNonce(constReader(0xFF)); err == nil || got != "" || !strings.Contains(err.Error(), "not a random source") {
		t.Fatalf("NewNonce(0xFF...) = %q, %v; want an error", got, err)
	}
	// 3 usable bytes in each 64-byte read: 11 reads make the 32 characters.
	chunk := append(bytes.Repeat([]byte{255}, 61), 1, 2, 3)
	got, err := NewNonce(bytes.NewReader(bytes.Repeat(chunk, maxNonceFills)))
	if err != nil || len(got) != NonceLength {
		t.Fatalf("NewNonce of a sparse reader = %q, %v", got, err)
	}
}
