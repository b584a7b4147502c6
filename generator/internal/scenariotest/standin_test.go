package scenariotest

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
)

// The stand-in is an independent WeChat Pay for the scenarios' generated
// clients: it checks each request's signature with its own crypto/rsa code
// over what it received (the request target as sent, and the body, or the
// meta part of a multipart body), records the request, and answers as the
// test says, signing the answer unless told not to.

// standInKeys are the merchant's key and WeChat Pay's, made once per test
// binary.
var standInKeys = sync.OnceValues(func() (merchant, platform *rsa.PrivateKey) {
	m, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	p, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return m, p
})

// standInSerial is the ID of the stand-in's WeChat Pay public key.
const standInSerial = "PUB_KEY_ID_0114232134912410000000000042"

// received is one request as the stand-in saw it.
type received struct {
	Method     string
	RequestURI string
	Header     http.Header
	Body       []byte
	// Signed is what the signature's BODY line covered: the body, or the
	// meta part of a multipart body.
	Signed []byte
	// Parts are the parts of a multipart body, by name.
	Parts map[string][]byte
	// PartTypes are their content types.
	PartTypes map[string]string
	// FileName is the file name of the part named file.
	FileName string
}

// answer is what the stand-in sends back.
type answer struct {
	Status      int
	Body        []byte
	ContentType string
	Unsigned    bool
}

type standIn struct {
	t        *testing.T
	srv      *httptest.Server
	merchant *rsa.PrivateKey
	platform *rsa.PrivateKey

	mu       sync.Mutex
	requests []received
	respond  func(received) answer
}

// newStandIn starts a stand-in answering with respond.
func newStandIn(t *testing.T, respond func(received) answer) *standIn {
	t.Helper()
	m, p := standInKeys()
	s := &standIn{t: t, merchant: m, platform: p, respond: respond}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// client is a runtime client of the stand-in.
func (s *standIn) client() *wechatpay.Client {
	s.t.Helper()
	key, err := wechatpay.PublicKeyModeKey(standInSerial, &s.platform.PublicKey)
	if err != nil {
		s.t.Fatal(err)
	}
	rt, err := wechatpay.NewClient(wechatpay.Config{
		MchID:            "1900000109",
		MerchantSerialNo: "3775B6A45ACD588826D15E583A95F5DD00000001",
		MerchantKey:      s.merchant,
		VerificationKeys: []wechatpay.VerificationKey{key},
		BaseURL:          s.srv.URL,
		HTTPClient:       s.srv.Client(),
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return rt
}

// last is the last request received.
func (s *standIn) last() received {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) == 0 {
		s.t.Fatal("the stand-in received no request")
	}
	return s.requests[len(s.requests)-1]
}

func (s *standIn) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func (s *standIn) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rec := received{Method: r.Method, RequestURI: r.RequestURI, Header: r.Header.Clone(), Body: body, Signed: body}
	if mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		rec.Parts, rec.PartTypes = map[string][]byte{}, map[string]string{}
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				writeError(w, http.StatusBadRequest, "PARAM_ERROR", "bad multipart body: "+err.Error())
				return
			}
			data, _ := io.ReadAll(p)
			rec.Parts[p.FormName()] = data
			rec.PartTypes[p.FormName()] = p.Header.Get("Content-Type")
			if p.FormName() == "file" {
				rec.FileName = p.FileName()
			}
		}
		rec.Signed = rec.Parts["meta"]
	}
	if err := s.checkSignature(r, rec.Signed); err != nil {
		writeError(w, http.StatusUnauthorized, "SIGN_ERROR", err.Error())
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	n := len(s.requests)
	s.mu.Unlock()

	a := s.respond(rec)
	if a.Status == 0 {
		a.Status = http.StatusOK
	}
	if a.ContentType == "" && len(a.Body) > 0 {
		a.ContentType = "application/json"
	}
	if a.ContentType != "" {
		w.Header().Set("Content-Type", a.ContentType)
	}
	w.Header().Set("Request-ID", "standin-request")
	if !a.Unsigned {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		nonce := "standinnonce" + strconv.Itoa(n)
		sum := sha256.Sum256([]byte(ts + "\n" + nonce + "\n" + string(a.Body) + "\n"))
		sig, err := rsa.SignPKCS1v15(rand.Reader, s.platform, crypto.SHA256, sum[:])
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Wechatpay-Timestamp", ts)
		w.Header().Set("Wechatpay-Nonce", nonce)
		w.Header().Set("Wechatpay-Signature", base64.StdEncoding.EncodeToString(sig))
		w.Header().Set("Wechatpay-Serial", standInSerial)
	}
	w.WriteHeader(a.Status)
	w.Write(a.Body)
}

// checkSignature checks the Authorization header of r against the
// merchant's public key, over what the stand-in received.
func (s *standIn) checkSignature(r *http.Request, body []byte) error {
	auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "WECHATPAY2-SHA256-RSA2048 ")
	if !ok {
		return fmt.Errorf("no WECHATPAY2-SHA256-RSA2048 authorization")
	}
	fields := map[string]string{}
	for _, kv := range strings.Split(auth, ",") {
		k, v, _ := strings.Cut(kv, "=")
		fields[k] = strings.Trim(v, `"`)
	}
	sig, err := base64.StdEncoding.DecodeString(fields["signature"])
	if err != nil {
		return fmt.Errorf("signature is not Base64")
	}
	msg := r.Method + "\n" + r.RequestURI + "\n" + fields["timestamp"] + "\n" + fields["nonce_str"] + "\n" + string(body) + "\n"
	sum := sha256.Sum256([]byte(msg))
	if err := rsa.VerifyPKCS1v15(&s.merchant.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		return fmt.Errorf("signature does not verify over %q", msg)
	}
	return nil
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"code":%q,"message":%q}`, code, message)
}

// jsonAnswer answers body with status 200, signed.
func jsonAnswer(body string) func(received) answer {
	return func(received) answer { return answer{Body: []byte(body)} }
}
