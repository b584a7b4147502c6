//go:build cgo && openssl

package opensslsigner_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/opensslsigner"

	"github.com/payforge/wechatpay/internal/testkit"
)

// The two encodings of one merchant key the runtime's tests use.
var keyFiles = []string{"../testdata/merchant_key.pem", "../testdata/merchant_key_pkcs1.pem"}

// messages cover an empty body, the official terminate request, non-ASCII
// text and a body longer than one SHA-256 block.
var messages = [][]byte{
	wechatpay.RequestMessage(http.MethodGet, "/v3/certificates", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242", nil),
	wechatpay.RequestMessage(http.MethodPost,
		"/v3/password-exempt-contract/contracts/service-id/12535/out-contract-code/wxwtdk20200910100000/terminate",
		1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242", []byte(`{"contract_termination_remark":"用户解约"}`)),
	[]byte("免密支付\n"),
	bytes.Repeat([]byte("0123456789abcdef"), 100),
}

func load(t *testing.T, file string) (*opensslsigner.Signer, *rsa.PrivateKey) {
	t.Helper()
	pemBytes, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s, err := opensslsigner.New(pemBytes)
	if err != nil {
		t.Fatalf("New(%s): %v", file, err)
	}
	goKey, err := wechatpay.ParsePrivateKey(pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	return s, goKey
}

// PKCS#1 v1.5 is deterministic: OpenSSL and crypto/rsa must agree byte for byte.
func TestSignMatchesCryptoRSA(t *testing.T) {
	for _, file := range keyFiles {
		s, goKey := load(t, file)
		if !goKey.PublicKey.Equal(s.Public()) {
			t.Fatalf("%s: Public() is not the key's public key", file)
		}
		for i, msg := range messages {
			digest := sha256.Sum256(msg)
			got, err := s.Sign(rand.Reader, digest[:], crypto.SHA256)
			if err != nil {
				t.Fatalf("%s message %d: %v", file, i, err)
			}
			want, err := rsa.SignPKCS1v15(nil, goKey, crypto.SHA256, digest[:])
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s message %d: OpenSSL and crypto/rsa signatures differ", file, i)
			}
		}
	}
}

// The openssl command line is the oracle the runtime's own tests use.
func TestSignMatchesOpenSSLCommand(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Fatal("the openssl command line, this test's oracle, is not installed (make deps installs it)")
	}
	dir := t.TempDir()
	for _, file := range keyFiles {
		s, _ := load(t, file)
		for i, msg := range messages {
			msgFile := filepath.Join(dir, "msg")
			if err := os.WriteFile(msgFile, msg, 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("openssl", "dgst", "-sha256", "-sign", file, msgFile).Output()
			if err != nil {
				t.Fatalf("openssl dgst: %v", err)
			}
			digest := sha256.Sum256(msg)
			got, err := s.Sign(nil, digest[:], crypto.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, out) {
				t.Errorf("%s message %d: signature differs from openssl dgst -sha256 -sign", file, i)
			}
		}
	}
}

// A signature made through wechatpay.Sign passes the runtime's Verifier.
func TestRuntimeVerifies(t *testing.T) {
	s, goKey := load(t, keyFiles[0])
	const id = "PUB_KEY_ID_0114232134912410000000000000"
	vk, err := wechatpay.PublicKeyModeKey(id, &goKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := wechatpay.NewKeySet(vk)
	if err != nil {
		t.Fatal(err)
	}
	v := wechatpay.Verifier{Keys: keys, Now: func() time.Time { return time.Unix(1554208460, 0) }}
	body := []byte(`{"mchid":"1900000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000"}`)
	sig, err := wechatpay.Sign(s, wechatpay.ResponseMessage("1554208460", "a1b2c3d4e5f6", body))
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set(wechatpay.HeaderTimestamp, "1554208460")
	h.Set(wechatpay.HeaderNonce, "a1b2c3d4e5f6")
	h.Set(wechatpay.HeaderSignature, sig)
	h.Set(wechatpay.HeaderSerial, id)
	if err := v.Verify(h, body); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	// And the runtime takes the Signer as a merchant key.
	if _, err := wechatpay.NewClient(wechatpay.Config{
		MchID: "1900000109", MerchantSerialNo: testkit.MerchantSerial,
		MerchantKey: s, VerificationKeys: []wechatpay.VerificationKey{vk},
	}); err != nil {
		t.Fatalf("NewClient: %v", err)
	}
}

func TestSignRefuses(t *testing.T) {
	s, _ := load(t, keyFiles[0])
	d256 := sha256.Sum256([]byte("x"))
	d1 := sha1.Sum([]byte("x"))
	for _, tc := range []struct {
		name   string
		digest []byte
		opts   crypto.SignerOpts
		want   string
	}{
		{"PSS", d256[:], &rsa.PSSOptions{Hash: crypto.SHA256}, "PSS"},
		{"SHA-1", d1[:], crypto.SHA1, "only SHA-256"},
		{"no options", d256[:], nil, "only SHA-256"},
		{"short digest", d256[:31], crypto.SHA256, "31 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sig, err := s.Sign(nil, tc.digest, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Sign = %x, %v; want an error containing %q", sig, err, tc.want)
			}
		})
	}
}

func TestNewRefuses(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		pem  []byte
		want string
	}{
		{"empty", nil, "no PEM block"},
		{"EC key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER}), "want an RSA key"},
		{"certificate", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), "want PRIVATE KEY"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := opensslsigner.New(tc.pem)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New = %v, %v; want an error containing %q", s, err, tc.want)
			}
		})
	}
}

// One Signer shared by goroutines signs what crypto/rsa signs (run with -race).
func TestConcurrentUse(t *testing.T) {
	s, goKey := load(t, keyFiles[0])
	want := make([][]byte, len(messages))
	for i, msg := range messages {
		digest := sha256.Sum256(msg)
		want[i], _ = rsa.SignPKCS1v15(nil, goKey, crypto.SHA256, digest[:])
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for j := range 20 {
				i := (g + j) % len(messages)
				digest := sha256.Sum256(messages[i])
				sig, err := s.Sign(nil, digest[:], crypto.SHA256)
				if err == nil && !bytes.Equal(sig, want[i]) {
					err = errors.New("signature differs from crypto/rsa")
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
