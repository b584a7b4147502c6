package wechatpay

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets for everything the runtime parses from outside: answers and
// their headers, error bodies, path values and config files. `make test`
// runs each briefly; `make fuzz` runs them longer. Seeds live under
// testdata/fuzz/<target>/ beside the f.Add ones below.

// FuzzVerify feeds arbitrary headers and bodies to the verifier. It must
// never panic, and it must accept nothing but the one answer the seed signed.
func FuzzVerify(f *testing.F) {
	pub := mustPublicKey(f, "wechatpay_public_key.pem")
	keys, err := NewKeySet(VerificationKey{Serial: testPubKeyID, PublicKey: pub})
	if err != nil {
		f.Fatal(err)
	}
	v := Verifier{Keys: keys, Now: testClock}
	body := `{"mchid":"1900000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000"}`
	good := okHeader(f, body)
	ts, nonce, sig := good.Get(HeaderTimestamp), good.Get(HeaderNonce), good.Get(HeaderSignature)
	f.Add(ts, nonce, sig, testPubKeyID, []byte(body))
	f.Add(ts, nonce, sig, testPubKeyID, []byte(body+" "))
	f.Add("", nonce, sig, testPubKeyID, []byte(body))
	f.Add("-9223372036854775808", nonce, sig, testPubKeyID, []byte(body))
	f.Add("99999999999999999999", nonce, sig, testPubKeyID, []byte(body))
	f.Add(ts, nonce, "!!!", testPubKeyID, []byte(body))
	f.Add(ts, nonce, sig, "PUB_KEY_ID_0", []byte{})
	f.Fuzz(func(t *testing.T, ts, nonce, sig, serial string, body []byte) {
		h := http.Header{}
		for k, val := range map[string]string{HeaderTimestamp: ts, HeaderNonce: nonce, HeaderSignature: sig, HeaderSerial: serial} {
			h[k] = []string{val}
		}
		err := v.Verify(h, body)
		same := ts == good.Get(HeaderTimestamp) && nonce == good.Get(HeaderNonce) &&
			sig == good.Get(HeaderSignature) && serial == testPubKeyID && string(body) == `{"mchid":"1900000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000"}`
		if err == nil && !same {
			t.Fatalf("accepted an answer that was never signed: ts=%q nonce=%q serial=%q body=%q", ts, nonce, serial, body)
		}
		if err != nil && same {
			t.Fatalf("rejected the signed answer: %v", err)
		}
	})
}

// FuzzAPIError parses arbitrary error bodies: never a panic, a code only
// from a JSON body that has one, and the body never quoted in the message.
func FuzzAPIError(f *testing.F) {
	f.Add(400, []byte(`{"code":"PARAM_ERROR","message":"参数错误","detail":{"field":"/amount/currency","value":"XYZ","issue":"Currency code is invalid","location":"body"}}`))
	f.Add(500, []byte(`<html><body>502 Bad Gateway</body></html>`))
	f.Add(404, []byte{})
	f.Add(400, []byte(`{"code":5}`))
	f.Add(400, []byte(`{"code":"X","detail":[1,2]}`))
	f.Add(401, []byte("\xff\xfe{"))
	f.Fuzz(func(t *testing.T, status int, raw []byte) {
		resp := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"text/html"}}}
		e := newAPIError("op", resp, raw, "rid")
		if e.StatusCode != status || e.RequestID != "rid" {
			t.Fatalf("lost the status or Request-ID: %+v", e)
		}
		if e.Code != "" && !json.Valid(raw) {
			t.Fatalf("found a code %q in a body without one", e.Code)
		}
		_ = e.Error()
		if e.Code == "" && len(raw) > 16 && strings.Contains(e.Error(), string(raw)) {
			t.Fatalf("the message quotes a non-WeChat Pay body")
		}
	})
}

// FuzzFillPath builds paths from arbitrary values. An accepted value must
// stay in its own segment and come back unchanged when the server unescapes
// it; nothing may escape into the query or fragment.
func FuzzFillPath(f *testing.F) {
	for _, v := range []string{"wxwtdk20200910100000", "a/b", "..", ".", "%2F", "a?b=c", "a#b", " ", "\x00", "协议", "\xff", "a%", "{x}", strings.Repeat("z", 4096)} {
		f.Add(v)
	}
	const tmpl = "/v3/contracts/{code}/terminate"
	f.Fuzz(func(t *testing.T, v string) {
		path, err := fillPath(tmpl, map[string]string{"code": v})
		if err != nil {
			if v != "" && v != "." && v != ".." && utf8.ValidString(v) {
				t.Fatalf("refused a usable value %q: %v", v, err)
			}
			return
		}
		if strings.ContainsAny(path, "?#") {
			t.Fatalf("value %q put ? or # into the path %q", v, path)
		}
		segs := strings.Split(path, "/")
		if len(segs) != 5 || segs[4] != "terminate" {
			t.Fatalf("value %q changed the path's shape: %q", v, path)
		}
		u, err := url.Parse("https://api.mch.weixin.qq.com" + path)
		if err != nil {
			t.Fatalf("path %q does not parse: %v", path, err)
		}
		if got := strings.Split(u.EscapedPath(), "/")[3]; got != segs[3] {
			t.Fatalf("the request line would carry %q, not the signed %q", got, segs[3])
		}
		if back, err := url.PathUnescape(segs[3]); err != nil || back != v {
			t.Fatalf("value %q arrives as %q (%v)", v, back, err)
		}
	})
}

// FuzzLoadConfig loads arbitrary config files: never a panic, and a config
// it accepts must make a client.
func FuzzLoadConfig(f *testing.F) {
	f.Add([]byte(`{"mchid":"1900000109","merchant_serial_no":"ABC","merchant_private_key_file":"merchant_key.pem","wechatpay_public_key_id":"PUB_KEY_ID_0114232134912410000000000000","wechatpay_public_key_file":"wechatpay_public_key.pem"}`))
	f.Add([]byte(`{"mchid":"1900000109","merchant_serial_no":"ABC","merchant_private_key_file":"merchant_key.pem","platform_certificate_files":["platform_cert.pem","platform_cert.pem"]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"mchid":1}`))
	f.Add([]byte(`{"mchid":"1","base_url":"http://[::1"}`))
	f.Add([]byte("\x00"))
	dir := f.TempDir()
	for _, name := range []string{"merchant_key.pem", "wechatpay_public_key.pem", "platform_cert.pem"} {
		if err := os.WriteFile(filepath.Join(dir, name), readFile(f, td(name)), 0o600); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "config.json")
		// Relative key names resolve against the config's folder: point
		// them at the shared key folder through absolute names.
		data = bytes.ReplaceAll(data, []byte(`_file":"`), []byte(`_file":"`+filepath.ToSlash(dir)+`/`))
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := LoadConfig(path)
		if err != nil {
			return
		}
		if _, err := NewClient(cfg); err != nil && !strings.Contains(err.Error(), "config") {
			t.Fatalf("a loaded config fails NewClient oddly: %v", err)
		}
	})
}
