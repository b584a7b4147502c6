//go:build cgo && openssl

package opensslsigner

/*
#cgo LDFLAGS: -lcrypto
#cgo noescape verify_sha256
#cgo nocallback verify_sha256
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

typedef struct {
	EVP_PKEY *key;
	unsigned long err;
} pub_result;

// load_public_key parses a SubjectPublicKeyInfo in DER.
static pub_result load_public_key(const unsigned char *der, long len) {
	pub_result r;
	const unsigned char *p = der;
	r.key = d2i_PUBKEY(NULL, &p, len);
	r.err = r.key == NULL ? ERR_peek_last_error() : 0;
	ERR_clear_error();
	return r;
}

typedef struct {
	int rc; // EVP_PKEY_verify's: 1 valid, 0 invalid, below 0 an error
	unsigned long err;
} verify_result;

// verify_sha256 checks an RSASSA-PKCS1-v1_5 signature over a SHA-256 digest
// with a context set up by new_ctx.
static verify_result verify_sha256(EVP_PKEY_CTX *ctx, const unsigned char *digest, size_t digest_len, const unsigned char *sig, size_t sig_len) {
	verify_result r = {0, 0};
	r.rc = EVP_PKEY_verify(ctx, sig, sig_len, digest, digest_len);
	if (r.rc != 1) {
		r.err = ERR_peek_last_error();
	}
	ERR_clear_error();
	return r;
}
*/
import "C"

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"unsafe"
)

// maxCachedKeys bounds the public keys a Verifier keeps in OpenSSL: a
// rotating key set replaces a few keys now and then, so the cache starts
// over when it is full rather than growing for ever.
const maxCachedKeys = 64

// Verifier checks WeChat Pay's RSASSA-PKCS1-v1_5 SHA-256 signatures with
// OpenSSL, as a wechatpay.SignatureVerifier for Config.SignatureVerifier
// and NotifyConfig.SignatureVerifier. It keeps each public key it has seen
// in OpenSSL form. It is safe for concurrent use.
type Verifier struct {
	mu   sync.RWMutex
	keys map[*rsa.PublicKey]*publicKey
}

// publicKey is a public key held by OpenSSL, with contexts set up to
// verify with it, freed once unreachable.
type publicKey struct{ ctxs *ctxPool }

// NewVerifier returns a Verifier.
func NewVerifier() (*Verifier, error) {
	return &Verifier{keys: make(map[*rsa.PublicKey]*publicKey)}, nil
}

// VerifyPKCS1v15SHA256 returns nil only if signature is a valid
// RSASSA-PKCS1-v1_5 signature of the SHA-256 digest under pub.
func (v *Verifier) VerifyPKCS1v15SHA256(pub *rsa.PublicKey, digest, signature []byte) error {
	if pub == nil || len(digest) != sha256.Size || len(signature) == 0 {
		return errors.New("opensslsigner: verify: need a key, a SHA-256 digest and a signature")
	}
	k, err := v.publicKey(pub)
	if err != nil {
		return err
	}
	ctx, err := k.ctxs.get()
	if err != nil {
		return fmt.Errorf("opensslsigner: verify: %w", err)
	}
	r := C.verify_sha256(ctx,
		(*C.uchar)(unsafe.Pointer(&digest[0])), C.size_t(len(digest)),
		(*C.uchar)(unsafe.Pointer(&signature[0])), C.size_t(len(signature)))
	// An invalid signature (0) leaves the context usable; an error (below 0)
	// frees it.
	k.ctxs.put(ctx, r.rc >= 0)
	runtime.KeepAlive(k) // the cleanup must not free the key while OpenSSL uses it
	if r.rc != 1 {
		return fmt.Errorf("opensslsigner: verify: invalid signature (%s)", errorString(r.err))
	}
	return nil
}

// publicKey returns pub in OpenSSL form, loading it on first use.
func (v *Verifier) publicKey(pub *rsa.PublicKey) (*publicKey, error) {
	v.mu.RLock()
	k, ok := v.keys[pub]
	v.mu.RUnlock()
	if ok {
		return k, nil
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("opensslsigner: verify: %w", err)
	}
	r := C.load_public_key((*C.uchar)(unsafe.Pointer(&der[0])), C.long(len(der)))
	if r.key == nil {
		return nil, fmt.Errorf("opensslsigner: load public key: %s", errorString(r.err))
	}
	k = &publicKey{ctxs: newCtxPool(r.key, true)}
	runtime.AddCleanup(k, func(p *ctxPool) { p.close(); C.EVP_PKEY_free(p.key) }, k.ctxs)
	v.mu.Lock()
	if len(v.keys) >= maxCachedKeys {
		v.keys = make(map[*rsa.PublicKey]*publicKey)
	}
	v.keys[pub] = k
	v.mu.Unlock()
	return k, nil
}
