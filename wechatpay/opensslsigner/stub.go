//go:build !(cgo && openssl)

package opensslsigner

import (
	"crypto"
	"crypto/rsa"
	"fmt"
	"io"
)

// Signer is an OpenSSL-held RSA key; this build has none (see ErrUnavailable).
type Signer struct{}

// New returns an error wrapping ErrUnavailable: this build has no OpenSSL.
func New(pemBytes []byte) (*Signer, error) {
	return nil, fmt.Errorf("opensslsigner: new: %w", ErrUnavailable)
}

// Public returns nil: this build has no OpenSSL.
func (s *Signer) Public() crypto.PublicKey { return nil }

// Sign returns an error wrapping ErrUnavailable: this build has no OpenSSL.
func (s *Signer) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return nil, fmt.Errorf("opensslsigner: sign: %w", ErrUnavailable)
}

// Verifier is an OpenSSL signature verifier; this build has none (see
// ErrUnavailable).
type Verifier struct{}

// NewVerifier returns an error wrapping ErrUnavailable: this build has no
// OpenSSL.
func NewVerifier() (*Verifier, error) {
	return nil, fmt.Errorf("opensslsigner: new verifier: %w", ErrUnavailable)
}

// VerifyPKCS1v15SHA256 returns an error wrapping ErrUnavailable: this build
// has no OpenSSL.
func (v *Verifier) VerifyPKCS1v15SHA256(pub *rsa.PublicKey, digest, signature []byte) error {
	return fmt.Errorf("opensslsigner: verify: %w", ErrUnavailable)
}
