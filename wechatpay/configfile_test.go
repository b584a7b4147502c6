package wechatpay_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/payforge/wechatpay/wechatpay"
)

// copyTestKeys puts the test key files in a fresh folder, so that relative
// names in a config file there resolve.
func copyTestKeys(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"merchant_key.pem", "wechatpay_public_key.pem", "platform_cert.pem"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func writeConfig(t *testing.T, dir, body string) string {
	t.Helper()
	path := filepath.Join(dir, "config.json")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadConfig(t *testing.T) {
	dir := copyTestKeys(t)
	cases := []struct {
		name    string
		body    string
		wantErr []string // substrings; none means success
		keys    int
	}{
		{"public-key mode", `{"mchid":"1900000109","merchant_serial_no":"ABC","merchant_private_key_file":"merchant_key.pem",
			"wechatpay_public_key_id":"PUB_KEY_ID_0114232134912410000000000000","wechatpay_public_key_file":"wechatpay_public_key.pem",
			"base_url":"http://127.0.0.1:8080"}`, nil, 1},
		{"certificate mode", `{"mchid":"1900000109","merchant_serial_no":"ABC","merchant_private_key_file":"merchant_key.pem",
			"platform_certificate_files":["platform_cert.pem"]}`, nil, 1},
		{"both modes", `{"mchid":"1900000109","merchant_serial_no":"ABC","merchant_private_key_file":"merchant_key.pem",
			"wechatpay_public_key_id":"PUB_KEY_ID_0114232134912410000000000000","wechatpay_public_key_file":"wechatpay_public_key.pem",
			"platform_certificate_files":["platform_cert.pem"]}`, nil, 2},
		{"unknown key", `{"mchid":"1900000109","merchant_serial_no":"ABC","merchant_private_key_file":"merchant_key.pem",
			"platform_certificate_files":["platform_cert.pem"],"api_v3_key":"x"}`, []string{`unknown field "api_v3_key"`}, 0},
		{"missing keys", `{}`, []string{`"mchid" is required`, `"merchant_serial_no" is required`,
			`"merchant_private_key_file" is required`, `"platform_certificate_files"`}, 0},
		{"id without file", `{"mchid":"1","merchant_serial_no":"A","merchant_private_key_file":"merchant_key.pem",
			"wechatpay_public_key_id":"PUB_KEY_ID_01"}`, []string{"go together"}, 0},
		{"bad key id", `{"mchid":"1","merchant_serial_no":"A","merchant_private_key_file":"merchant_key.pem",
			"wechatpay_public_key_id":"KEY_1","wechatpay_public_key_file":"wechatpay_public_key.pem"}`, []string{"wechatpay_public_key_id", "PUB_KEY_ID_"}, 0},
		{"missing key file", `{"mchid":"1","merchant_serial_no":"A","merchant_private_key_file":"nope.pem",
			"platform_certificate_files":["platform_cert.pem"]}`, []string{"merchant_private_key_file", "nope.pem"}, 0},
		{"public key given as private key", `{"mchid":"1","merchant_serial_no":"A","merchant_private_key_file":"wechatpay_public_key.pem",
			"platform_certificate_files":["platform_cert.pem"]}`, []string{"merchant_private_key_file", "PUBLIC KEY"}, 0},
		{"http to a remote host", `{"mchid":"1","merchant_serial_no":"A","merchant_private_key_file":"merchant_key.pem",
			"platform_certificate_files":["platform_cert.pem"],"base_url":"http://api.mch.weixin.qq.com"}`, []string{"base_url", "loopback"}, 0},
		{"mchid not fit for the Authorization header", `{"mchid":"19 00","merchant_serial_no":"A\"B","merchant_private_key_file":"merchant_key.pem",
			"platform_certificate_files":["platform_cert.pem"]}`, []string{`"mchid" may hold only`, `"merchant_serial_no" may hold only`}, 0},
		{"one certificate listed twice", `{"mchid":"1","merchant_serial_no":"A","merchant_private_key_file":"merchant_key.pem",
			"platform_certificate_files":["platform_cert.pem","platform_cert.pem"]}`, []string{"platform_certificate_files", "listed twice"}, 0},
		{"trailing data", `{"mchid":"1"} {}`, []string{"after the JSON object"}, 0},
		{"not JSON", `mchid: 1`, []string{"config.json"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, dir, tc.body)
			cfg, err := wechatpay.LoadConfig(path)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("LoadConfig: %v", err)
				}
				if len(cfg.VerificationKeys) != tc.keys {
					t.Errorf("got %d verification keys, want %d", len(cfg.VerificationKeys), tc.keys)
				}
				if _, err := wechatpay.NewClient(cfg); err != nil {
					t.Errorf("NewClient on the loaded config: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("LoadConfig succeeded, want an error")
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

// TestLoadConfigErrorsAs: a problem the runtime's Config check finds in a
// loaded config names the file's key in its text and is still a
// *ConfigError to errors.As, with the Config field.
func TestLoadConfigErrorsAs(t *testing.T) {
	dir := copyTestKeys(t)
	path := writeConfig(t, dir, `{"mchid":"19 00","merchant_serial_no":"A","merchant_private_key_file":"merchant_key.pem",
		"platform_certificate_files":["platform_cert.pem"]}`)
	_, err := wechatpay.LoadConfig(path)
	var ce *wechatpay.ConfigError
	if !errors.As(err, &ce) || ce.Field != "MchID" || !strings.Contains(err.Error(), `"mchid" may hold only`) {
		t.Fatalf("LoadConfig = %v; want a *ConfigError on MchID whose text names \"mchid\"", err)
	}
}

// TestLoadFilesRefuseHugeFiles: a key, certificate or config path that names
// a huge file (a wrong path: a log, /dev/zero) is refused after reading a
// little past the limit, not read whole.
func TestLoadFilesRefuseHugeFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge")
	if err := os.WriteFile(path, make([]byte, 2<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, load := range map[string]func(string) error{
		"LoadPrivateKeyFile":  func(p string) error { _, err := wechatpay.LoadPrivateKeyFile(p); return err },
		"LoadPublicKeyFile":   func(p string) error { _, err := wechatpay.LoadPublicKeyFile(p); return err },
		"LoadCertificateFile": func(p string) error { _, err := wechatpay.LoadCertificateFile(p); return err },
		"LoadConfig":          func(p string) error { _, err := wechatpay.LoadConfig(p); return err },
	} {
		if err := load(path); err == nil || !strings.Contains(err.Error(), "holds more than") {
			t.Errorf("%s of a 2 MiB file: %v, want an error saying it holds more than the limit", name, err)
		}
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		if _, err := wechatpay.LoadPrivateKeyFile("/dev/zero"); err == nil || !strings.Contains(err.Error(), "holds more than") {
			t.Errorf("LoadPrivateKeyFile(/dev/zero): %v", err)
		}
	}
}

func TestLoadConfigMissingFile(t *testing.T) {
	_, err := wechatpay.LoadConfig(filepath.Join(t.TempDir(), "absent.json"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v does not wrap os.ErrNotExist", err)
	}
}

// A config file names the key files relative to its own folder.
func ExampleLoadConfig() {
	dir, _ := os.MkdirTemp("", "wechatpay-config")
	defer os.RemoveAll(dir)
	for _, name := range []string{"merchant_key.pem", "wechatpay_public_key.pem"} {
		b, _ := os.ReadFile(filepath.Join("testdata", name))
		os.WriteFile(filepath.Join(dir, name), b, 0o600)
	}
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{
  "mchid": "1900000109",
  "merchant_serial_no": "3775B6A45ACD588826D15E583A95F5DD00000001",
  "merchant_private_key_file": "merchant_key.pem",
  "wechatpay_public_key_id": "PUB_KEY_ID_0114232134912410000000000000",
  "wechatpay_public_key_file": "wechatpay_public_key.pem"
}`), 0o600)

	cfg, err := wechatpay.LoadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("merchant:", cfg.MchID)
	for _, k := range cfg.VerificationKeys {
		fmt.Println("verifies with:", k.Serial)
	}
	_, err = wechatpay.NewClient(cfg)
	fmt.Println("client error:", err)

	// Output:
	// merchant: 1900000109
	// verifies with: PUB_KEY_ID_0114232134912410000000000000
	// client error: <nil>
}

// TestLoadNotifyConfig: the config file's WeChat Pay keys and apiv3_key_file
// make a NotifyConfig; the key file is read with a size check, and no error
// quotes it.
func TestLoadNotifyConfig(t *testing.T) {
	dir := copyTestKeys(t)
	const key = "0123456789abcdefABCDEF0123456789"
	for name, content := range map[string]string{
		"apiv3_key": key, "apiv3_key_lf": key + "\n", "apiv3_key_crlf": key + "\r\n",
		"short": key[:31], "long": key + "x", "cr_only": key + "\r", "two_newlines": key + "\n\n",
		"huge": strings.Repeat(key, 1000),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	const publicKey = `"wechatpay_public_key_id":"PUB_KEY_ID_0114232134912410000000000000","wechatpay_public_key_file":"wechatpay_public_key.pem"`
	cases := []struct {
		name    string
		body    string
		wantErr []string // substrings; none means success
		serials int
	}{
		{"public key", `{` + publicKey + `,"apiv3_key_file":"apiv3_key"}`, nil, 1},
		{"newline", `{` + publicKey + `,"apiv3_key_file":"apiv3_key_lf"}`, nil, 1},
		{"CRLF", `{` + publicKey + `,"apiv3_key_file":"apiv3_key_crlf"}`, nil, 1},
		{"both key modes and the merchant's fields", `{"mchid":"1900000109","merchant_serial_no":"ABC","merchant_private_key_file":"merchant_key.pem",` +
			publicKey + `,"platform_certificate_files":["platform_cert.pem"],"apiv3_key_file":"apiv3_key"}`, nil, 2},
		{"absolute name", `{` + publicKey + `,"apiv3_key_file":"` + filepath.ToSlash(filepath.Join(dir, "apiv3_key")) + `"}`, nil, 1},
		{"no key file", `{` + publicKey + `}`, []string{`"apiv3_key_file" is required`}, 0},
		{"no WeChat Pay key", `{"apiv3_key_file":"apiv3_key"}`, []string{`"platform_certificate_files"`}, 0},
		{"missing key file", `{` + publicKey + `,"apiv3_key_file":"nope"}`, []string{"apiv3_key_file", "nope", "no such file"}, 0},
		{"a folder", `{` + publicKey + `,"apiv3_key_file":"sub"}`, []string{"apiv3_key_file"}, 0},
		{"31 bytes", `{` + publicKey + `,"apiv3_key_file":"short"}`, []string{"apiv3_key_file", "31 bytes, want 32"}, 0},
		{"33 bytes", `{` + publicKey + `,"apiv3_key_file":"long"}`, []string{"apiv3_key_file", "33 bytes, want 32"}, 0},
		{"CR alone", `{` + publicKey + `,"apiv3_key_file":"cr_only"}`, []string{"apiv3_key_file", "33 bytes"}, 0},
		{"two newlines", `{` + publicKey + `,"apiv3_key_file":"two_newlines"}`, []string{"apiv3_key_file", "33 bytes"}, 0},
		{"huge", `{` + publicKey + `,"apiv3_key_file":"huge"}`, []string{"apiv3_key_file", "more than 34 bytes"}, 0},
		{"unknown key", `{` + publicKey + `,"apiv3_key":"` + key + `"}`, []string{`unknown field "apiv3_key"`}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, dir, tc.body)
			cfg, err := wechatpay.LoadNotifyConfig(path)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("LoadNotifyConfig: %v", err)
				}
				if string(cfg.APIv3Key) != key || cfg.Keys == nil || len(cfg.Keys.Serials()) != tc.serials {
					t.Errorf("loaded %v, want the key and %d serials", cfg, tc.serials)
				}
				if _, err := wechatpay.NewNotifyHandler(cfg, func(context.Context, *wechatpay.Notification) error { return nil }); err != nil {
					t.Errorf("NewNotifyHandler on the loaded config: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("LoadNotifyConfig succeeded, want an error")
			}
			for _, want := range append(tc.wantErr, path) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if strings.Contains(err.Error(), key[:16]) {
				t.Errorf("error %q quotes the key", err)
			}
		})
	}
	// LoadConfig accepts the key and does not need it.
	path := writeConfig(t, dir, `{"mchid":"1900000109","merchant_serial_no":"ABC","merchant_private_key_file":"merchant_key.pem",`+
		publicKey+`,"apiv3_key_file":"nope"}`)
	if _, err := wechatpay.LoadConfig(path); err != nil {
		t.Errorf("LoadConfig with apiv3_key_file: %v", err)
	}
}
