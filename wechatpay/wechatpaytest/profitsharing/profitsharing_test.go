package profitsharing_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/payforge/wechatpay/spec"
	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/internal/sandboxtest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/profitsharing"
)

const addPath = "/v3/profitsharing/receivers/add"

// receiverBody is a valid add-receiver body for a merchant receiver, its
// name already encrypted.
func receiverBody(name string) map[string]any {
	return map[string]any{"sub_mchid": "1900000109", "appid": "wx8888888888888888", "type": "MERCHANT_ID",
		"account": "86693852", "name": name, "relation_type": "PARTNER"}
}

// addReceiver sends body through the runtime, naming serial in
// Wechatpay-Serial.
func addReceiver(rt *wechatpay.Client, serial string, body any) (*wechatpay.Response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	return rt.Do(context.Background(), &wechatpay.Request{Operation: "addReceiver", Method: http.MethodPost,
		PathTemplate: addPath, Path: addPath, Body: b, WechatpaySerial: serial})
}

// checkAgainstSpec validates an answer against the family's spec.
func checkAgainstSpec(t *testing.T, family *profitsharing.Family, resp *wechatpay.Response) {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(family.Specs()[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, addPath, nil)
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatal(err)
	}
	err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode, Header: resp.Header, Body: io.NopCloser(bytes.NewReader(resp.Body)),
	})
	if err != nil {
		t.Errorf("answer %s breaks the spec: %v", resp.Body, err)
	}
}

// roundTrip adds a receiver whose name rt encrypts, checks the sandbox
// decrypted it, and that rt decrypts the name the answer echoes; it returns
// the serial the name was encrypted under.
func roundTrip(t *testing.T, family *profitsharing.Family, rt *wechatpay.Client, plain string) string {
	t.Helper()
	enc, err := rt.Encrypter()
	if err != nil {
		t.Fatal(err)
	}
	name, err := enc.Encrypt("name", plain)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := addReceiver(rt, enc.Serial(), receiverBody(name))
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstSpec(t, family, resp)
	r, ok := family.Receiver("MERCHANT_ID", "86693852")
	if !ok || r.Name != plain || r.RelationType != "PARTNER" {
		t.Errorf("the sandbox kept %+v, %v; want the name %q", r, ok, plain)
	}
	var answer struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(resp.Body, &answer); err != nil {
		t.Fatal(err)
	}
	if answer.Name == name || answer.Name == plain {
		t.Errorf("the answer's name %q is not encrypted anew for the merchant", answer.Name)
	}
	got, err := rt.DecryptField("name", answer.Name)
	if err != nil || got != plain {
		t.Errorf("the answer's name decrypts to %q, %v; want %q", got, err, plain)
	}
	return enc.Serial()
}

// TestAddReceiverPublicKeyMode: the runtime encrypts the name under the
// WeChat Pay public key and names it; the sandbox decrypts it.
func TestAddReceiverPublicKeyMode(t *testing.T) {
	family := profitsharing.New()
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{Behaviours: []wechatpaytest.Behaviour{family}})
	rt := sandboxtest.NewRuntime(t, srv)
	if serial := roundTrip(t, family, rt, "示例商户全称有限公司"); serial != wechatpaytest.DefaultWechatpayKeyID {
		t.Errorf("encrypted under %s, want the public key %s", serial, wechatpaytest.DefaultWechatpayKeyID)
	}
}

// TestAddReceiverCertificateMode: in certificate mode the runtime encrypts
// under the certificate in use, before and after a rotation, and the
// sandbox decrypts with that certificate's key; a certificate that expired
// and a missing Wechatpay-Serial are refused with WeChat Pay's messages.
func TestAddReceiverCertificateMode(t *testing.T) {
	now := time.Date(2030, 1, 2, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	oldCert, err := wechatpaytest.NewPlatformCertificate(sandboxtest.OtherKey(), now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	family := profitsharing.New()
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{Clock: func() time.Time { return clock() },
		PlatformCertificates: []wechatpaytest.PlatformCertificate{oldCert}, Behaviours: []wechatpaytest.Behaviour{family}})
	rt := sandboxtest.NewRuntime(t, srv)
	if serial := roundTrip(t, family, rt, "张三"); serial != oldCert.Serial() {
		t.Errorf("encrypted under %s, want %s", serial, oldCert.Serial())
	}
	enc, err := rt.Encrypter()
	if err != nil {
		t.Fatal(err)
	}
	oldName, err := enc.Encrypt("name", "李四")
	if err != nil {
		t.Fatal(err)
	}

	newCert, err := wechatpaytest.NewPlatformCertificate(nil, now.Add(-time.Hour), now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.SetPlatformCertificates(oldCert, newCert); err != nil {
		t.Fatal(err)
	}
	refresher, err := wechatpay.NewCertificateRefresher(rt, wechatpay.CertificateRefresherConfig{APIv3Key: srv.APIv3Key()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := refresher.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	later := now.Add(2 * time.Hour) // the old certificate expired
	clock = func() time.Time { return later }
	if serial := roundTrip(t, family, rt, "王五"); serial != newCert.Serial() {
		t.Errorf("after the rotation encrypted under %s, want %s", serial, newCert.Serial())
	}

	_, err = addReceiver(rt, oldCert.Serial(), receiverBody(oldName))
	checkAPIError(t, "a field under the expired certificate", err, "PARAM_ERROR", "平台证书序列号Wechatpay-Serial错误", "/name")
	q := sandboxtest.Valid(srv, 1, "x")
	body, _ := json.Marshal(receiverBody(oldName))
	q.URI, q.Body, q.WechatpaySerial = addPath, string(body), "-"
	a := q.Send(t, srv)
	if a.Status != 400 || a.Error.Code != "PARAM_ERROR" || a.Error.Message != "HTTP header缺少微信支付平台证书序列号(Wechatpay-Serial)" {
		t.Errorf("no Wechatpay-Serial: %d %s", a.Status, a.Body)
	}
}

func checkAPIError(t *testing.T, what string, err error, code, message, field string) {
	t.Helper()
	var apiErr *wechatpay.APIError
	if !errors.As(err, &apiErr) {
		t.Errorf("%s: %v, want an *wechatpay.APIError", what, err)
		return
	}
	if apiErr.StatusCode != 400 || apiErr.Code != code || (message != "" && apiErr.Message != message) ||
		apiErr.Detail == nil || apiErr.Detail.Field != field {
		t.Errorf("%s: %d %s %q %+v, want 400 %s %q field %s", what, apiErr.StatusCode, apiErr.Code, apiErr.Message, apiErr.Detail, code, message, field)
	}
}

// TestAddReceiverRefused: names that do not decrypt, and the family's own
// rules.
func TestAddReceiverRefused(t *testing.T) {
	family := profitsharing.New()
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{Behaviours: []wechatpaytest.Behaviour{family}})
	rt := sandboxtest.NewRuntime(t, srv)
	serial := wechatpaytest.DefaultWechatpayKeyID
	underMerchantKey, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, &sandboxtest.MerchantKey().PublicKey, []byte("张三"), nil)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := rt.Encrypter()
	if err != nil {
		t.Fatal(err)
	}
	good, err := enc.Encrypt("name", "张三")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		what             string
		body             map[string]any
		code, msg, field string
	}{
		{"a name under another key", receiverBody(base64.StdEncoding.EncodeToString(underMerchantKey)), "PARAM_ERROR", "平台私钥解密失败", "/name"},
		{"a name that is not Base64", receiverBody("张三"), "PARAM_ERROR", "平台私钥解密失败", "/name"},
		{"a merchant without a name", func() map[string]any { b := receiverBody(""); delete(b, "name"); return b }(), "PARAM_ERROR", "", "/name"},
		{"CUSTOM without custom_relation", func() map[string]any { b := receiverBody(good); b["relation_type"] = "CUSTOM"; return b }(), "PARAM_ERROR", "", "/custom_relation"},
		{"PERSONAL_SUB_OPENID without sub_appid", func() map[string]any {
			b := receiverBody(good)
			b["type"] = "PERSONAL_SUB_OPENID"
			return b
		}(), "PARAM_ERROR", "", "/sub_appid"},
		{"an unknown type (the spec)", func() map[string]any { b := receiverBody(good); b["type"] = "BANK"; return b }(), "PARAM_ERROR", "", "/type"},
	} {
		_, err := addReceiver(rt, serial, tt.body)
		checkAPIError(t, tt.what, err, tt.code, tt.msg, tt.field)
	}
	if _, ok := family.Receiver("MERCHANT_ID", "86693852"); ok {
		t.Error("a refused receiver was kept")
	}
}

// writePEM writes a PEM block to a file in dir and returns its path.
func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// openssl runs openssl pkeyutl with RSAES-OAEP, SHA-1 and MGF1-SHA-1 on in.
func openssl(t *testing.T, in []byte, args ...string) []byte {
	t.Helper()
	args = append([]string{"pkeyutl"}, append(args,
		"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha1", "-pkeyopt", "rsa_mgf1_md:sha1")...)
	cmd := exec.Command("openssl", args...)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl %v: %v\n%s", args, err, stderr.Bytes())
	}
	return out
}

// TestSensitiveFieldOracle checks the sandbox's RSAES-OAEP against the
// openssl command line in both directions: a name openssl encrypts under the
// sandbox's WeChat Pay public key is decrypted by the sandbox, and the name
// the sandbox encrypts for the merchant is decrypted by openssl with the
// merchant's private key.
func TestSensitiveFieldOracle(t *testing.T) {
	family := profitsharing.New()
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{Behaviours: []wechatpaytest.Behaviour{family}})
	dir := t.TempDir()
	pubDER, err := x509.MarshalPKIXPublicKey(&sandboxtest.WechatpayKey().PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubFile := writePEM(t, dir, "wechatpay_public_key.pem", "PUBLIC KEY", pubDER)
	merchantDER, err := x509.MarshalPKCS8PrivateKey(sandboxtest.MerchantKey())
	if err != nil {
		t.Fatal(err)
	}
	merchantFile := writePEM(t, dir, "merchant_key.pem", "PRIVATE KEY", merchantDER)

	const plain = "示例商户全称有限公司 Example Ltd."
	ct := openssl(t, []byte(plain), "-encrypt", "-pubin", "-inkey", pubFile)
	q := sandboxtest.Valid(srv, 1, "x")
	body, _ := json.Marshal(receiverBody(base64.StdEncoding.EncodeToString(ct)))
	q.URI, q.Body = addPath, string(body)
	a := q.Send(t, srv)
	if a.Status != 200 {
		t.Fatalf("add with an openssl-encrypted name: %d %s", a.Status, a.Body)
	}
	if r, _ := family.Receiver("MERCHANT_ID", "86693852"); r.Name != plain {
		t.Errorf("the sandbox decrypted %q, want %q", r.Name, plain)
	}
	var answer struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(a.Body, &answer); err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(answer.Name)
	if err != nil {
		t.Fatal(err)
	}
	if got := openssl(t, raw, "-decrypt", "-inkey", merchantFile); string(got) != plain {
		t.Errorf("openssl decrypts the answer's name to %q, want %q", got, plain)
	}
}

// TestEmbeddedSpecWins: when Options.Specs already describes addReceiver,
// the family's own spec steps aside and the family serves that operation.
func TestEmbeddedSpecWins(t *testing.T) {
	names, err := fs.Glob(spec.FS, "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var specs []wechatpaytest.Spec
	for _, n := range names {
		// Read from spec.FS, where their references to siblings resolve.
		specs = append(specs, wechatpaytest.Spec{Name: n, FS: spec.FS})
	}
	family := profitsharing.New()
	own := family.Specs()[0]
	own.Name = "embedded/profitsharing.yaml"
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{Specs: append(specs, own), Behaviours: []wechatpaytest.Behaviour{family}})
	rt := sandboxtest.NewRuntime(t, srv)
	roundTrip(t, family, rt, "张三")
}
