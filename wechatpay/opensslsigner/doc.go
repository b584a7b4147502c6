// Package opensslsigner holds a merchant API private key in the system's
// OpenSSL libcrypto and signs with it, as a crypto.Signer the wechatpay
// runtime accepts in Config.MerchantKey, and checks WeChat Pay's signatures
// with OpenSSL, as the runtime's Config.SignatureVerifier:
//
//	key, err := opensslsigner.New(pemBytes)
//	if err != nil {
//		return err
//	}
//	verifier, err := opensslsigner.NewVerifier()
//	if err != nil {
//		return err
//	}
//	rt, err := wechatpay.NewClient(wechatpay.Config{
//		MerchantKey:       key,
//		MerchantDecrypter: goKey, // the Signer does not decrypt sensitive fields
//		SignatureVerifier: verifier,
//		// …
//	})
//
// Every call signs one request and verifies one answer with RSA-2048, which
// is most of a call's CPU time; OpenSSL's assembly RSA is faster than Go's
// constant-time crypto/rsa (see BENCHMARKS.md at the root of the repository
// for the figures here). PKCS#1 v1.5 signatures are deterministic, so both
// sign byte for byte alike.
//
// The package uses cgo and links libcrypto (Debian: libssl-dev), so it is built
// only with cgo enabled and the openssl build tag:
//
//	go build -tags openssl ./...
//
// Without the tag, New and NewVerifier return an error wrapping
// ErrUnavailable and the rest of the module stays pure Go; a program can fall
// back to the key parsed by wechatpay.ParsePrivateKey and crypto/rsa.
package opensslsigner

import "errors"

// ErrUnavailable is the cause of New's error in a build without cgo or
// without -tags openssl.
var ErrUnavailable = errors.New("opensslsigner: built without -tags openssl (or without cgo)")
