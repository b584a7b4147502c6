package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/payments"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testKeys are the merchant and WeChat Pay keys of every sandbox here,
// generated once: RSA key generation dominates the run time otherwise.
var testKeys = sync.OnceValues(func() ([2]*rsa.PrivateKey, error) {
	var keys [2]*rsa.PrivateKey
	for i := range keys {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return keys, err
		}
		keys[i] = k
	}
	return keys, nil
})

// The files a test config folder holds, named as cmd/wechatpay-sandbox names them.
const (
	merchantKeyFile     = "merchant_key.pem"
	wechatpayPublicFile = "wechatpay_public_key.pem"
)

// sandbox is an in-process sandbox with a config folder for the command.
type sandbox struct {
	srv     *wechatpaytest.Server
	dir     string // holds the key files and the configs
	config  string // config file talking to srv directly
	proxied string // config file talking to srv through a proxy that counts requests

	family  *contracts.Family // the contract behaviour srv runs
	journey *payments.Family  // the payments behaviour srv runs

	mu    sync.Mutex
	auths []string // the Authorization header of each request the proxy saw
}

// newSandbox starts a sandbox with the test keys and writes its configs.
func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	keys, err := testKeys()
	if err != nil {
		t.Fatal(err)
	}
	family := contracts.New(contracts.Options{})
	journey := payments.New(payments.Options{Contracts: family})
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{MerchantKey: keys[0], WechatpayKey: keys[1],
		Behaviours: []wechatpaytest.Behaviour{family, journey}, NoNotifications: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	s := &sandbox{srv: srv, family: family, journey: journey, dir: t.TempDir()}
	writeKeyFiles(t, s.dir, keys[0], keys[1])
	s.config = writeConfig(t, s.dir, "config.json", srv.ClientConfig(), srv.URL)

	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.Transport = transport
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.auths = append(s.auths, r.Header.Get("Authorization"))
		s.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	s.proxied = writeConfig(t, s.dir, "proxied.json", srv.ClientConfig(), front.URL)
	return s
}

// sent returns the Authorization headers of the requests the proxy saw.
func (s *sandbox) sent() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auths...)
}

// writeKeyFiles writes the merchant private key (PKCS#8) and the WeChat Pay
// public key as the config files name them.
func writeKeyFiles(t *testing.T, dir string, merchant, wechatpayKey *rsa.PrivateKey) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(merchant)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, merchantKeyFile), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if der, err = x509.MarshalPKIXPublicKey(&wechatpayKey.PublicKey); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, wechatpayPublicFile), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// writeConfig writes dir/name describing cfg with the given base URL and the
// key files of writeKeyFiles, and returns its path.
func writeConfig(t *testing.T, dir, name string, cfg wechatpay.Config, baseURL string) string {
	t.Helper()
	data, err := json.MarshalIndent(wechatpay.ConfigFile{
		MchID:                  cfg.MchID,
		MerchantSerialNo:       cfg.MerchantSerialNo,
		MerchantPrivateKeyFile: merchantKeyFile,
		WechatpayPublicKeyID:   cfg.WechatpaySerial,
		WechatpayPublicKeyFile: wechatpayPublicFile,
		BaseURL:                baseURL,
	}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	writeFile(t, path, data)
	return path
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// closedPortURL returns the URL of a loopback port nothing listens on.
func closedPortURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String()
	ln.Close()
	return u
}

// result is what one run of the command did.
type result struct {
	code           int
	stdout, stderr string
}

// cli runs the command in-process with the environment env and stdin.
func cli(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := run(ctx, args, strings.NewReader(stdin), &stdout, &stderr, getenv)
	return result{code, stdout.String(), stderr.String()}
}

// The official example's body and answer.
const (
	exampleBody = `{"contract_termination_remark":"用户解约"}`
	exampleOut  = `{
  "mchid": "1900000109",
  "service_id": 12535,
  "out_contract_code": "wxwtdk20200910100000"
}
`
)

// terminateArgs are the arguments terminating contract serviceID/code.
func terminateArgs(config, serviceID, code string) []string {
	return []string{"-config", config, "terminate-by-code", "--service_id", serviceID, "--out_contract_code", code, "-d", exampleBody}
}
