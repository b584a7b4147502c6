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
}
