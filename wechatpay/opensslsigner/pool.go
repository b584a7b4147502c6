//go:build cgo && openssl

package opensslsigner

/*
#cgo LDFLAGS: -lcrypto
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

typedef struct {
	EVP_PKEY_CTX *ctx;
	unsigned long err;
} ctx_result;

// new_ctx returns a context of key ready to sign (verify == 0) or verify
// SHA-256 digests with RSASSA-PKCS1-v1_5.
static ctx_result new_ctx(EVP_PKEY *key, int verify) {
	ctx_result r = {NULL, 0};
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
	int ok = ctx != NULL
		&& (verify ? EVP_PKEY_verify_init(ctx) : EVP_PKEY_sign_init(ctx)) > 0
		&& EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0
		&& EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) > 0;
	if (ok) {
		r.ctx = ctx;
	} else {
		r.err = ERR_peek_last_error();
		EVP_PKEY_CTX_free(ctx);
	}
	ERR_clear_error();
	return r;
}
*/
import "C"

import "fmt"

// ctxPool keeps contexts of one key set up for one operation. Setting a
// context up costs OpenSSL 3 about as much as a verification (it fetches the
// algorithm from its provider), and a set-up context may run the operation
// again: "EVP_PKEY_sign_init() and EVP_PKEY_sign() may be called more than
// once on the same context if several operations are performed using the
// same parameters" (EVP_PKEY_sign(3), and likewise EVP_PKEY_verify(3)). A
// context serves one goroutine at a time, so each call takes one from the
// pool and gives it back.
type ctxPool struct {
	key    *C.EVP_PKEY
	verify C.int
	free   chan *C.EVP_PKEY_CTX
}

// poolSize bounds the idle contexts kept: about the calls in flight at once.
const poolSize = 32

func newCtxPool(key *C.EVP_PKEY, verify bool) *ctxPool {
	p := &ctxPool{key: key, free: make(chan *C.EVP_PKEY_CTX, poolSize)}
	if verify {
		p.verify = 1
	}
	return p
}

// get returns an idle context, or a new one.
func (p *ctxPool) get() (*C.EVP_PKEY_CTX, error) {
	select {
	case ctx := <-p.free:
		return ctx, nil
	default:
	}
	r := C.new_ctx(p.key, p.verify)
	if r.ctx == nil {
		return nil, fmt.Errorf("set up a context: %s", errorString(r.err))
	}
	return r.ctx, nil
}

// put gives a context back after a successful operation; one whose
// operation failed is freed instead, since its state is not known.
func (p *ctxPool) put(ctx *C.EVP_PKEY_CTX, ok bool) {
	if ok {
		select {
		case p.free <- ctx:
			return
		default:
		}
	}
	C.EVP_PKEY_CTX_free(ctx)
}

// close frees the idle contexts; the key's owner calls it from its cleanup,
// when no call can use the pool any more.
func (p *ctxPool) close() {
	for {
		select {
		case ctx := <-p.free:
			C.EVP_PKEY_CTX_free(ctx)
		default:
			return
		}
	}
}
