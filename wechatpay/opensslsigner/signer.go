//go:build cgo && openssl

package opensslsigner

/*
#cgo LDFLAGS: -lcrypto
#cgo noescape sign_sha256
#cgo nocallback sign_sha256
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

// OpenSSL keeps its error queue per thread, and a goroutine may change thread
// between two cgo calls: each helper reads the error in the call that failed.

typedef struct {
	EVP_PKEY *key;
	unsigned long err;
} load_result;

// load_rsa_key parses a PKCS#1 RSAPrivateKey in DER.
static load_result load_rsa_key(const unsigned char *der, long len) {
	load_result r;
	const unsigned char *p = der;
	r.key = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, len);
	r.err = r.key == NULL ? ERR_peek_last_error() : 0;
	ERR_clear_error();
	return r;
}

typedef struct {
	size_t len;
	unsigned long err;
} sign_result;

// sign_sha256 signs a SHA-256 digest with a context set up by new_ctx into
// sig, which holds EVP_PKEY_get_size(key) bytes; len is 0 on failure.
static sign_result sign_sha256(EVP_PKEY_CTX *ctx, const unsigned char *digest, size_t digest_len, unsigned char *sig, size_t sig_cap) {
	sign_result r = {sig_cap, 0};
	if (EVP_PKEY_sign(ctx, sig, &r.len, digest, digest_len) <= 0) {
		r.len = 0;
		r.err = ERR_peek_last_error();
	}
	ERR_clear_error();
	return r;
}
*/
import "C"

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"runtime"
	"unsafe"

	"github.com/payforge/wechatpay/wechatpay"
)

// Signer is an RSA private key held by OpenSSL. It signs SHA-256 digests with
// RSASSA-PKCS1-v1_5, the only scheme WeChat Pay APIv3 uses. It is safe for
// concurrent use. Its C memory is freed once the Signer is unreachable.
type Signer struct {
	key  *C.EVP_PKEY
	ctxs *ctxPool // contexts set up to sign with key
	pub  *rsa.PublicKey
	size int // bytes of a signature
}

// New parses a PEM private key, PKCS#8 ("PRIVATE KEY") or PKCS#1 ("RSA
// PRIVATE KEY") as wechatpay.ParsePrivateKey accepts it, and hands it to
// OpenSSL. It signs one digest and checks the signature with Go's crypto/rsa
// before returning, so a key OpenSSL misread never reaches a request.
func New(pemBytes []byte) (*Signer, error) {
	goKey, err := wechatpay.ParsePrivateKey(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("opensslsigner: %w", err)
	}
	der := x509.MarshalPKCS1PrivateKey(goKey)
	r := C.load_rsa_key((*C.uchar)(unsafe.Pointer(&der[0])), C.long(len(der)))
	clear(der)
	if r.key == nil {
		return nil, fmt.Errorf("opensslsigner: load key: %s", errorString(r.err))
	}
	s := &Signer{key: r.key, ctxs: newCtxPool(r.key, false), pub: &goKey.PublicKey, size: int(C.EVP_PKEY_get_size(r.key))}
	runtime.AddCleanup(s, func(p *ctxPool) { p.close(); C.EVP_PKEY_free(p.key) }, s.ctxs)

	probe := sha256.Sum256([]byte("opensslsigner self-test"))
	sig, err := s.Sign(nil, probe[:], crypto.SHA256)
	if err != nil {
		return nil, err
	}
	if err := rsa.VerifyPKCS1v15(s.pub, crypto.SHA256, probe[:], sig); err != nil {
		return nil, errors.New("opensslsigner: self-test: OpenSSL's signature does not verify with the parsed public key")
	}
	return s, nil
}

// Public returns the *rsa.PublicKey of the key.
func (s *Signer) Public() crypto.PublicKey { return s.pub }

// Sign signs a SHA-256 digest with RSASSA-PKCS1-v1_5. opts must hash with
// crypto.SHA256 and not ask for PSS. rand is not used: OpenSSL draws the
// blinding values from its own generator.
func (s *Signer) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if _, isPSS := opts.(*rsa.PSSOptions); isPSS {
		return nil, errors.New("opensslsigner: sign: PSS is not supported, only PKCS#1 v1.5")
	}
	if opts == nil || opts.HashFunc() != crypto.SHA256 {
		return nil, fmt.Errorf("opensslsigner: sign: hash %v is not supported, only SHA-256", hashOf(opts))
	}
	if len(digest) != sha256.Size {
		return nil, fmt.Errorf("opensslsigner: sign: digest has %d bytes, want %d", len(digest), sha256.Size)
	}
	ctx, err := s.ctxs.get()
	if err != nil {
		return nil, fmt.Errorf("opensslsigner: sign: %w", err)
	}
	sig := make([]byte, s.size)
	r := C.sign_sha256(ctx,
		(*C.uchar)(unsafe.Pointer(&digest[0])), C.size_t(len(digest)),
		(*C.uchar)(unsafe.Pointer(&sig[0])), C.size_t(len(sig)))
	s.ctxs.put(ctx, r.len != 0)
	// The cleanup must not free the key while OpenSSL still uses it.
	runtime.KeepAlive(s)
	if r.len == 0 {
		return nil, fmt.Errorf("opensslsigner: sign: %s", errorString(r.err))
	}
	return sig[:r.len], nil
}

func hashOf(opts crypto.SignerOpts) any {
	if opts == nil {
		return "none"
	}
	return opts.HashFunc()
}

// errorString describes an OpenSSL error code.
func errorString(code C.ulong) string {
	if code == 0 {
		return "OpenSSL failed without an error code"
	}
	var buf [256]C.char
	C.ERR_error_string_n(code, &buf[0], C.size_t(len(buf)))
	return C.GoString(&buf[0])
}
