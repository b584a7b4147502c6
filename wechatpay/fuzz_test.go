package wechatpay

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/payforge/wechatpay/internal/testkit"
)

// Fuzz targets for everything the runtime parses from outside: answers and
// their headers, error bodies, path values and config files. `make test`
// runs each briefly; `make fuzz` runs them longer. Seeds live under
// testdata/fuzz/<target>/ beside the f.Add ones below.

// FuzzVerify feeds arbitrary headers and bodies to the verifier. It must
// never panic, and it must accept nothing but the one answer the seed signed.
// Most fuzzed headers fail before the signature is checked (a timestamp out
// of the window, an unknown serial), so each input is also verified twice
// more where the RSA check is reached: its body and nonce under the signed
// headers, and its signature's bytes, in Base64, over the signed answer.
func FuzzVerify(f *testing.F) {
	pub := mustPublicKey(f, "wechatpay_public_key.pem")
	keys, err := NewKeySet(VerificationKey{Serial: testPubKeyID, PublicKey: pub})
	if err != nil {
		f.Fatal(err)
	}
	v := Verifier{Keys: keys, Now: testClock}
	const body0 = `{"mchid":"1900000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000"}`
	body := body0
	good := okHeader(f, body)
	ts, nonce, sig := good.Get(HeaderTimestamp), good.Get(HeaderNonce), good.Get(HeaderSignature)
	f.Add(ts, nonce, sig, testPubKeyID, []byte(body))
	f.Add(ts, nonce, sig, testPubKeyID, []byte(body+" "))
	f.Add("", nonce, sig, testPubKeyID, []byte(body))
	f.Add("-9223372036854775808", nonce, sig, testPubKeyID, []byte(body))
	f.Add("99999999999999999999", nonce, sig, testPubKeyID, []byte(body))
	f.Add(ts, nonce, "!!!", testPubKeyID, []byte(body))
	f.Add(ts, nonce, sig, "PUB_KEY_ID_0", []byte{})
	verify := func(t *testing.T, ts, nonce, sig, serial string, body []byte) {
		h := http.Header{}
		for k, val := range map[string]string{HeaderTimestamp: ts, HeaderNonce: nonce, HeaderSignature: sig, HeaderSerial: serial} {
			h[k] = []string{val}
		}
		err := v.Verify(h, body)
		same := ts == good.Get(HeaderTimestamp) && nonce == good.Get(HeaderNonce) &&
			sig == good.Get(HeaderSignature) && serial == testPubKeyID && string(body) == `{"mchid":"1900000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000"}`
		if err == nil && !same {
			t.Fatalf("accepted an answer that was never signed: ts=%q nonce=%q sig=%q serial=%q body=%q", ts, nonce, sig, serial, body)
		}
		if err != nil && same {
			t.Fatalf("rejected the signed answer: %v", err)
		}
	}
	f.Fuzz(func(t *testing.T, ts, nonce, sig, serial string, body []byte) {
		verify(t, ts, nonce, sig, serial, body)
		verify(t, good.Get(HeaderTimestamp), nonce, good.Get(HeaderSignature), testPubKeyID, body)
		verify(t, good.Get(HeaderTimestamp), good.Get(HeaderNonce), base64.StdEncoding.EncodeToString([]byte(sig)), testPubKeyID, []byte(body0))
	})
}

// FuzzAPIError parses arbitrary error bodies: never a panic, a code only
// from a JSON body that has one, and the body never quoted in the message.
// Few mutated bodies are JSON with a code, so raw, split at NUL bytes, also
// gives the code, message and detail (field, value, issue, location) of a
// WeChat Pay error body written out as JSON: each must come back as a
// generic JSON decoder reads it.
func FuzzAPIError(f *testing.F) {
	f.Add(400, []byte(`{"code":"PARAM_ERROR","message":"参数错误","detail":{"field":"/amount/currency","value":"XYZ","issue":"Currency code is invalid","location":"body"}}`))
	f.Add(500, []byte(`<html><body>502 Bad Gateway</body></html>`))
	f.Add(404, []byte{})
	f.Add(400, []byte(`{"code":5}`))
	f.Add(400, []byte(`{"code":"X","detail":[1,2]}`))
	f.Add(401, []byte("\xff\xfe{"))
	f.Add(400, []byte("PARAM_ERROR\x00参数错误\x00/amount/currency\x00XYZ\x00Currency code is invalid\x00body"))
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

		part := func(i int) string {
			if parts := strings.Split(string(raw), "\x00"); i < len(parts) {
				return parts[i]
			}
			return ""
		}
		body, err := json.Marshal(map[string]any{"code": part(0), "message": part(1), "detail": map[string]string{
			"field": part(2), "value": part(3), "issue": part(4), "location": part(5)}})
		if err != nil {
			t.Fatal(err)
		}
		var want struct {
			Code, Message string
			Detail        struct {
				Field, Issue, Location string
				Value                  json.RawMessage
			}
		}
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatal(err)
		}
		e = newAPIError("op", resp, body, "rid")
		switch {
		case want.Code == "":
			if e.Code != "" || e.Detail != nil {
				t.Fatalf("a body without a code gave code %q, detail %+v", e.Code, e.Detail)
			}
		case e.Code != want.Code || e.Message != want.Message || e.Detail == nil:
			t.Fatalf("%s parsed as code %q, message %q, detail %+v", body, e.Code, e.Message, e.Detail)
		case e.Detail.Field != want.Detail.Field || e.Detail.Issue != want.Detail.Issue ||
			e.Detail.Location != want.Detail.Location || !bytes.Equal(e.Detail.Value, want.Detail.Value):
			t.Fatalf("%s parsed with detail %+v", body, *e.Detail)
		}
	})
}

// FuzzFillPath builds paths from arbitrary values. An accepted value must
// stay in its own segment and come back unchanged when the server unescapes
// it; nothing may escape into the query or fragment. Most fuzzed strings are
// not UTF-8, which is refused, so each is also tried with its invalid bytes
// replaced by U+FFFD.
func FuzzFillPath(f *testing.F) {
	for _, v := range []string{"wxwtdk20200910100000", "a/b", "..", ".", "%2F", "a?b=c", "a#b", " ", "\x00", "协议", "\xff", "a%", "{x}", strings.Repeat("z", 4096)} {
		f.Add(v)
	}
	const tmpl = "/v3/contracts/{code}/terminate"
	fill := func(t *testing.T, v string) {
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
	}
	f.Fuzz(func(t *testing.T, v string) {
		fill(t, v)
		if valid := strings.ToValidUTF8(v, "\uFFFD"); valid != v {
			fill(t, valid)
		}
	})
}

// keepOnly drops from s every character that keep rejects.
func keepOnly(s string, keep func(r rune) bool) string {
	return strings.Map(func(r rune) rune {
		if keep(r) {
			return r
		}
		return -1
	}, s)
}

// headerSafeRune and digit are what the IDs of a config may hold: an
// Authorization header quotes mchid and merchant_serial_no, and a public key
// ID is PUB_KEY_ID_ followed by digits.
func headerSafeRune(r rune) bool {
	return r == '-' || r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}

func digit(r rune) bool { return '0' <= r && r <= '9' }

// configKeyFiles are the file names FuzzLoadConfig's selector picks from:
// each key file of testdata, none, and a file that does not exist.
var configKeyFiles = []string{"merchant_key.pem", "wechatpay_public_key.pem", "platform_cert.pem", "", "missing.pem"}

// Spoilers of FuzzLoadConfig: each is on when its four bits of sel are all
// set, for one input in sixteen, so that most inputs load.
const (
	spoilIDs           = iota // mchid and merchant_serial_no as fuzzed
	spoilBaseURL              // a base_url, as fuzzed
	spoilPublicKeyID          // wechatpay_public_key_id as fuzzed
	spoilKeyFile              // another merchant_private_key_file
	spoilPublicKeyFile        // another wechatpay_public_key_file
	spoilCertificates         // a platform certificate listed twice
	spoilers
)

// FuzzLoadConfig loads config files: never a panic, every refusal names the
// file, and a config that loads makes a client (NewClient accepts it) holding
// what the file said. Mutated JSON mostly stops at the decoder, so the input
// is field values, written out as a JSON object that always reaches the
// checks behind the decoder. It has the right shape (the right key files, the
// IDs kept to the characters they may hold) but for the spoilers sel turns
// on. raw is loaded too, as a file of its own, for the decoder's part.
func FuzzLoadConfig(f *testing.F) {
	spoil := func(kinds ...int) uint32 {
		var sel uint32
		for _, k := range kinds {
			sel |= 0xf << (4 * k)
		}
		return sel
	}
	const pubID = "PUB_KEY_ID_0114232134912410000000000000"
	// Most seeds load; spoiled seeds breed spoiled inputs.
	f.Add([]byte(`{}`), testkit.MchID, testkit.MerchantSerial, pubID, "", uint32(0))
	f.Add([]byte(`{"mchid":1}`), "1900000109", "ABC", pubID, "https://api.mch.weixin.qq.com", uint32(1<<31))
	f.Add([]byte("\x00"), "1 9-0_0\n", "A\"B", "12a", "http://127.0.0.1:8080", uint32(0x12345678&^(1<<31)))
	f.Add([]byte(`{"mchid":"1","base_url":"http://[::1"}`), "中文1", "\xffA", "", "http://[::1", uint32(0x8765432|1<<31))
	f.Add([]byte(`{"mchid":"1900000109"} trailing`), "1900000109", "ABC", pubID, "http://example.com", uint32(0))
	f.Add([]byte(`{"mchid":"1900000109","merchant_serial_no":"A","merchant_private_key_file":"merchant_key.pem","platform_certificate_files":["platform_cert.pem"]}`),
		"1900000109", "ABC", pubID, "https://api.mch.weixin.qq.com/prefix/", spoil(spoilBaseURL)|1<<31)
	// What LoadConfig once accepted and NewClient refused.
	f.Add([]byte(`{}`), "19 00", "ABC", pubID, "", spoil(spoilIDs))
	f.Add([]byte(`{}`), "1900000109", "ABC", pubID, "", spoil(spoilCertificates)|1<<31)
	dir := f.TempDir()
	for _, name := range configKeyFiles[:3] {
		if err := os.WriteFile(filepath.Join(dir, name), readFile(f, td(name)), 0o600); err != nil {
			f.Fatal(err)
		}
	}
	// Each fuzzing worker is a process of its own and calls the function
	// below one input at a time, so one config file in dir serves them all;
	// relative key file names resolve against dir.
	path := filepath.Join(dir, "config.json")
	load := func(t *testing.T, data []byte) (Config, error) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := LoadConfig(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("the refusal does not name the file: %v", err)
			}
			return cfg, err
		}
		if _, err := NewClient(cfg); err != nil {
			t.Fatalf("LoadConfig accepted %q, but NewClient refuses it: %v", data, err)
		}
		return cfg, nil
	}
	f.Fuzz(func(t *testing.T, raw []byte, mchID, serial, pubKeyID, baseURL string, sel uint32) {
		load(t, raw)

		on := func(spoiler int) bool { return sel>>(4*spoiler)&0xf == 0xf }
		// The bits above the spoilers' pick files and count certificates.
		other := func(i int) string { return configKeyFiles[int(sel>>(4*spoilers+i))%len(configKeyFiles)] }
		file := ConfigFile{
			MchID:                  keepOnly(mchID, headerSafeRune),
			MerchantSerialNo:       keepOnly(serial, headerSafeRune),
			MerchantPrivateKeyFile: "merchant_key.pem",
			WechatpayPublicKeyID:   PublicKeyIDPrefix + "1" + keepOnly(pubKeyID, digit),
			WechatpayPublicKeyFile: "wechatpay_public_key.pem",
		}
		if sel>>31 != 0 {
			file.PlatformCertificateFiles = []string{"platform_cert.pem"}
		}
		if on(spoilIDs) {
			file.MchID, file.MerchantSerialNo = mchID, serial
		}
		if on(spoilBaseURL) {
			file.BaseURL = baseURL
		}
		if on(spoilPublicKeyID) {
			file.WechatpayPublicKeyID = pubKeyID
		}
		if on(spoilKeyFile) {
			file.MerchantPrivateKeyFile = other(0)
		}
		if on(spoilPublicKeyFile) {
			file.WechatpayPublicKeyFile = other(3)
		}
		if on(spoilCertificates) {
			file.PlatformCertificateFiles = append(file.PlatformCertificateFiles, "platform_cert.pem")
		}
		data, err := json.Marshal(file)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := load(t, data)
		if err != nil {
			return
		}
		// What loaded is what the file said (json.Marshal wrote invalid
		// UTF-8 as U+FFFD, so compare with what it wrote).
		var written ConfigFile
		if err := json.Unmarshal(data, &written); err != nil {
			t.Fatal(err)
		}
		keys := len(written.PlatformCertificateFiles)
		if written.WechatpayPublicKeyID != "" {
			keys++
		}
		if cfg.MchID != written.MchID || cfg.MerchantSerialNo != written.MerchantSerialNo || cfg.BaseURL != written.BaseURL ||
			cfg.MerchantKey == nil || len(cfg.VerificationKeys) != keys {
			t.Fatalf("%s loaded as MchID %q, MerchantSerialNo %q, BaseURL %q, %d verification keys",
				data, cfg.MchID, cfg.MerchantSerialNo, cfg.BaseURL, len(cfg.VerificationKeys))
		}
	})
}
