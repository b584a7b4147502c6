//go:build cgo && openssl

package opensslsigner_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/opensslsigner"
)

func mustVerifier(t *testing.T) *opensslsigner.Verifier {
	t.Helper()
	v, err := opensslsigner.NewVerifier()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func loadKey(t *testing.T, name string) *rsa.PrivateKey {
	t.Helper()
	k, err := wechatpay.LoadPrivateKeyFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestVerifierAgreesWithCryptoRSA: for valid signatures and every kind of
// broken one, OpenSSL and crypto/rsa give the same verdict.
func TestVerifierAgreesWithCryptoRSA(t *testing.T) {
	v := mustVerifier(t)
	key, other := loadKey(t, "wechatpay_key.pem"), loadKey(t, "other_key.pem")
	for i, msg := range messages {
		digest := sha256.Sum256(msg)
		sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		flipped := append([]byte(nil), sig...)
		flipped[len(flipped)/2] ^= 0x01
		otherDigest := sha256.Sum256(append(msg, '!'))
		for _, tc := range []struct {
			name   string
			pub    *rsa.PublicKey
			digest []byte
			sig    []byte
			valid  bool
		}{
			{"valid", &key.PublicKey, digest[:], sig, true},
			{"a flipped bit", &key.PublicKey, digest[:], flipped, false},
			{"another key", &other.PublicKey, digest[:], sig, false},
			{"another digest", &key.PublicKey, otherDigest[:], sig, false},
			{"a short signature", &key.PublicKey, digest[:], sig[:255], false},
			{"a long signature", &key.PublicKey, digest[:], append(append([]byte{}, sig...), 0), false},
			{"no signature", &key.PublicKey, digest[:], nil, false},
			{"a short digest", &key.PublicKey, digest[:31], sig, false},
		} {
			got := v.VerifyPKCS1v15SHA256(tc.pub, tc.digest, tc.sig)
			want := rsa.VerifyPKCS1v15(tc.pub, crypto.SHA256, tc.digest, tc.sig)
			if (got == nil) != tc.valid || (want == nil) != tc.valid {
				t.Errorf("message %d, %s: OpenSSL %v, crypto/rsa %v; want valid %v", i, tc.name, got, want, tc.valid)
			}
		}
	}
}

// TestVerifierMatchesOpenSSLCommand verifies what `openssl dgst -sign` made.
func TestVerifierMatchesOpenSSLCommand(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl command not installed (make deps installs it)")
	}
	v := mustVerifier(t)
	pub := &loadKey(t, "wechatpay_key.pem").PublicKey
	dir := t.TempDir()
	for i, msg := range messages {
		msgFile := filepath.Join(dir, "msg")
		if err := os.WriteFile(msgFile, msg, 0o600); err != nil {
			t.Fatal(err)
		}
		digest := sha256.Sum256(msg)
		for _, tc := range []struct {
			key   string
			valid bool
		}{{"wechatpay_key.pem", true}, {"other_key.pem", false}} {
			sig, err := exec.Command("openssl", "dgst", "-sha256", "-sign", filepath.Join("..", "testdata", tc.key), msgFile).Output()
			if err != nil {
				t.Fatal(err)
			}
			if err := v.VerifyPKCS1v15SHA256(pub, digest[:], sig); (err == nil) != tc.valid {
				t.Errorf("message %d signed with %s: %v", i, tc.key, err)
			}
		}
	}
}

// TestVerifierInTheRuntime: answers verified through the hook, and the
// hook's refusal is the runtime's ErrBadSignature.
func TestVerifierInTheRuntime(t *testing.T) {
	key, other := loadKey(t, "wechatpay_key.pem"), loadKey(t, "other_key.pem")
	const id = "PUB_KEY_ID_0114232134912410000000000000"
	vk, err := wechatpay.PublicKeyModeKey(id, &key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := wechatpay.NewKeySet(vk)
	if err != nil {
		t.Fatal(err)
	}
	v := wechatpay.Verifier{Keys: keys, Now: func() time.Time { return time.Unix(1554208460, 0) }, Signatures: mustVerifier(t)}
	body := []byte(`{"mchid":"1900000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000"}`)
	for _, tc := range []struct {
		signer *rsa.PrivateKey
		want   error
	}{{key, nil}, {other, wechatpay.ErrBadSignature}} {
		sig, err := wechatpay.Sign(tc.signer, wechatpay.ResponseMessage("1554208460", "a1b2c3d4e5f6", body))
		if err != nil {
			t.Fatal(err)
		}
		h := http.Header{}
		h.Set(wechatpay.HeaderTimestamp, "1554208460")
		h.Set(wechatpay.HeaderNonce, "a1b2c3d4e5f6")
		h.Set(wechatpay.HeaderSignature, sig)
		h.Set(wechatpay.HeaderSerial, id)
		if err := v.Verify(h, body); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("Verify = %v, want %v", err, tc.want)
		}
	}
}

// TestVerifierConcurrentAndCacheBound shares one Verifier among goroutines
// (run with -race) over more distinct key values than the cache holds.
func TestVerifierConcurrentAndCacheBound(t *testing.T) {
	v := mustVerifier(t)
	key := loadKey(t, "wechatpay_key.pem")
	digest := sha256.Sum256(messages[1])
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for range 20 {
				pub := &rsa.PublicKey{N: key.N, E: key.E} // a new pointer each time
				if err := v.VerifyPKCS1v15SHA256(pub, digest[:], sig); err != nil {
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
