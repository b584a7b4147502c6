//go:build cgo && openssl

package callbench_test

import (
	"testing"

	"github.com/payforge/wechatpay/bench/internal/callbench"
	"github.com/payforge/wechatpay/bench/internal/replay"
	"github.com/payforge/wechatpay/wechatpay/opensslsigner"
)

func TestOpenSSLAgainstSandbox(t *testing.T) {
	checkAgainstSandbox(t, func(t *testing.T, env *replay.Env) callbench.Call {
		key, err := opensslsigner.New(env.MerchantPEM)
		if err != nil {
			t.Fatal(err)
		}
		return callbench.TerminateByCode(env.Runtime(t, key))
	})
}

func TestOpenSSLVerifierAgainstSandbox(t *testing.T) {
	checkAgainstSandbox(t, func(t *testing.T, env *replay.Env) callbench.Call {
		key, err := opensslsigner.New(env.MerchantPEM)
		if err != nil {
			t.Fatal(err)
		}
		v, err := opensslsigner.NewVerifier()
		if err != nil {
			t.Fatal(err)
		}
		return callbench.TerminateByCode(env.RuntimeVerifying(t, key, v))
	})
}
