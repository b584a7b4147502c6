//go:build !(cgo && openssl)

package opensslsigner_test

import (
	"errors"
	"testing"

	"github.com/payforge/wechatpay/wechatpay/opensslsigner"
)

func TestUnavailable(t *testing.T) {
	if _, err := opensslsigner.New(nil); !errors.Is(err, opensslsigner.ErrUnavailable) {
		t.Fatalf("New: %v, want ErrUnavailable", err)
	}
	if _, err := opensslsigner.NewVerifier(); !errors.Is(err, opensslsigner.ErrUnavailable) {
		t.Fatalf("NewVerifier: %v, want ErrUnavailable", err)
	}
	var v *opensslsigner.Verifier
	if err := v.VerifyPKCS1v15SHA256(nil, nil, nil); !errors.Is(err, opensslsigner.ErrUnavailable) {
		t.Fatalf("VerifyPKCS1v15SHA256: %v, want ErrUnavailable", err)
	}
}
