package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
)

// certSandbox is an in-process sandbox in certificate mode and a folder with
// its merchant key, APIv3 key and certificate.
type certSandbox struct {
	srv  *wechatpaytest.Server
	cert wechatpaytest.PlatformCertificate
	dir  string
}

func newCertSandbox(t *testing.T) *certSandbox {
	t.Helper()
	keys, err := testKeys()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	cert, err := wechatpaytest.NewPlatformCertificate(keys[1], now.Add(-time.Hour), now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{MerchantKey: keys[0], WechatpayKey: keys[1],
		PlatformCertificates: []wechatpaytest.PlatformCertificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	s := &certSandbox{srv: srv, cert: cert, dir: t.TempDir()}
	writeKeyFiles(t, s.dir, keys[0], keys[1])
	writeFile(t, filepath.Join(s.dir, "apiv3_key"), append(srv.APIv3Key(), '\n'))
	writeFile(t, filepath.Join(s.dir, "platform_cert.pem"), cert.PEM())
	return s
}

// config writes a config file named name for the sandbox, edited by edit.
func (s *certSandbox) config(t *testing.T, name string, edit func(*wechatpay.ConfigFile)) string {
	t.Helper()
	cfg := s.srv.ClientConfig()
	f := wechatpay.ConfigFile{
		MchID:                    cfg.MchID,
		MerchantSerialNo:         cfg.MerchantSerialNo,
		MerchantPrivateKeyFile:   merchantKeyFile,
		PlatformCertificateFiles: []string{"platform_cert.pem"},
		APIv3KeyFile:             "apiv3_key",
		BaseURL:                  s.srv.URL,
	}
	if edit != nil {
		edit(&f)
	}
	data, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(s.dir, name)
	writeFile(t, path, data)
	return path
}

// checkWritten checks that dir holds exactly the sandbox's certificate, and
// that stdout names it.
func (s *certSandbox) checkWritten(t *testing.T, r result, dir string) {
	t.Helper()
	path := filepath.Join(dir, "wechatpay_"+s.cert.Serial()+".pem")
	fields := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\t")
	if len(fields) != 4 || fields[0] != path || fields[1] != s.cert.Serial() || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("stdout %q, want one line: %s, its serial, effective_time, expire_time", r.stdout, path)
	} else if _, err := time.Parse(time.RFC3339, fields[3]); err != nil {
		t.Errorf("expire_time %q: %v", fields[3], err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != string(s.cert.PEM()) {
		t.Errorf("%s: %v; want the certificate's PEM", path, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%s holds %d files, want 1", dir, len(entries))
	}
}

// TestCertificatesCommand downloads the certificates with the configured
// certificate, and without any (the first download), and writes them.
func TestCertificatesCommand(t *testing.T) {
	s := newCertSandbox(t)
	configured := s.config(t, "config.json", nil)
	out := filepath.Join(t.TempDir(), "certs", "new") // created
	r := cli(t, nil, "", "-config", configured, "certificates", "-out", out)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	s.checkWritten(t, r, out)
	// Again, into the same folder: the file is the same certificate.
	if r := cli(t, nil, "", "-config", configured, "certificates", "-out", out); r.code != 0 {
		t.Errorf("second run: exit %d\n%s", r.code, r.stderr)
	}

	first := s.config(t, "first.json", func(f *wechatpay.ConfigFile) { f.PlatformCertificateFiles = nil })
	out = t.TempDir()
	r = cli(t, map[string]string{"WECHATPAY_CONFIG": first}, "", "certificates", "-out", out)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("first download: exit %d\n%s", r.code, r.stderr)
	}
	s.checkWritten(t, r, out)
	// What was written makes a working config.
	if cfg, err := wechatpay.LoadConfig(s.config(t, "after.json", func(f *wechatpay.ConfigFile) {
		f.PlatformCertificateFiles = []string{filepath.Join(out, "wechatpay_"+s.cert.Serial()+".pem")}
	})); err != nil || cfg.VerificationKeys[0].Serial != s.cert.Serial() {
		t.Errorf("config with the written certificate: %v", err)
	}
}

// TestCertificatesCommandFailures: usage and config errors (exit 2), an
// API error (exit 1), and downloads that cannot be used (exit 3); none
// writes a file.
func TestCertificatesCommandFailures(t *testing.T) {
	s := newCertSandbox(t)
	wrongKey := filepath.Join(s.dir, "wrong_apiv3_key")
	writeFile(t, wrongKey, []byte(strings.Repeat("k", 32)))
	otherCert, err := wechatpaytest.NewPlatformCertificate(nil, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(s.dir, "other_cert.pem"), otherCert.PEM())
	keys, err := testKeys()
	if err != nil {
		t.Fatal(err)
	}
	publicMode, err := wechatpaytest.NewServer(wechatpaytest.Options{MerchantKey: keys[0], WechatpayKey: keys[1]})
	if err != nil {
		t.Fatal(err)
	}
	defer publicMode.Close()

	for _, tt := range []struct {
		name   string
		args   []string
		config func(*wechatpay.ConfigFile) // nil: no -config
		code   int
		stderr []string
	}{
		{"no -out", nil, func(*wechatpay.ConfigFile) {}, 2, []string{"-out DIR is required"}},
		{"an extra argument", []string{"-out", "x", "y"}, func(*wechatpay.ConfigFile) {}, 2, []string{"-out DIR is required"}},
		{"no config", []string{"-out", "x"}, nil, 2, []string{"no config file"}},
		{"no apiv3_key_file", []string{"-out", "x"}, func(f *wechatpay.ConfigFile) { f.APIv3KeyFile = "" }, 2, []string{`"apiv3_key_file" is required`}},
		{"a short APIv3 key", []string{"-out", "x"}, func(f *wechatpay.ConfigFile) { f.APIv3KeyFile = "platform_cert.pem" }, 2, []string{"apiv3_key_file:", "want 32"}},
		{"bootstrap without mchid", []string{"-out", "x"}, func(f *wechatpay.ConfigFile) { f.PlatformCertificateFiles, f.MchID = nil, "" }, 2, []string{`"mchid" is required`}},
		{"the wrong APIv3 key", []string{"-out", "x"}, func(f *wechatpay.ConfigFile) { f.APIv3KeyFile = wrongKey }, 3,
			[]string{"cannot decrypt the platform certificate", "nothing was written"}},
		{"the wrong APIv3 key, first download", []string{"-out", "x"}, func(f *wechatpay.ConfigFile) { f.APIv3KeyFile, f.PlatformCertificateFiles = wrongKey, nil }, 3,
			[]string{"wechatpay: certificates: response verification failed", "cannot decrypt"}},
		{"a certificate that did not sign", []string{"-out", "x"}, func(f *wechatpay.ConfigFile) { f.PlatformCertificateFiles = []string{"other_cert.pem"} }, 3,
			[]string{"response verification failed", "The answer failed verification and was discarded."}},
		{"a merchant in public-key mode", []string{"-out", "x"}, func(f *wechatpay.ConfigFile) {
			f.BaseURL, f.PlatformCertificateFiles = publicMode.URL, nil
			f.WechatpayPublicKeyID, f.WechatpayPublicKeyFile = wechatpaytest.DefaultWechatpayKeyID, wechatpayPublicFile
		}, 1, []string{"code:       RESOURCE_NOT_EXISTS", "Request-ID: "}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := []string{"certificates"}
			for _, a := range tt.args {
				if a == "x" {
					a = out
				}
				args = append(args, a)
			}
			if tt.config != nil {
				args = append([]string{"-config", s.config(t, "config.json", tt.config)}, args...)
			}
			r := cli(t, nil, "", args...)
			if r.code != tt.code || r.stdout != "" {
				t.Errorf("exit %d, stdout %q; want %d and nothing\n%s", r.code, r.stdout, tt.code, r.stderr)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr does not contain %q:\n%s", want, r.stderr)
				}
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s was made: %v", out, err)
			}
		})
	}

	r := cli(t, nil, "", "certificates", "-h")
	if r.code != 0 || !strings.HasPrefix(r.stdout, certificatesUsage+"\n") {
		t.Errorf("certificates -h: exit %d\n%s", r.code, r.stdout)
	}
	if r := cli(t, nil, "", "-h"); !strings.Contains(r.stdout, "certificates -out DIR") {
		t.Errorf("-h does not list the certificates command:\n%s", r.stdout)
	}
}
