//go:build cgo && openssl

package bench_test

import (
	"testing"

	"github.com/payforge/wechatpay/bench/internal/callbench"
	"github.com/payforge/wechatpay/bench/internal/replay"
	"github.com/payforge/wechatpay/wechatpay/opensslsigner"
)

func opensslKey(tb testing.TB, env *replay.Env) *opensslsigner.Signer {
	tb.Helper()
	key, err := opensslsigner.New(env.MerchantPEM)
	if err != nil {
		tb.Fatal(err)
	}
	return key
}

// BenchmarkTerminateByCodeOpenSSL is BenchmarkTerminateByCode with the
// merchant key held by OpenSSL.
func BenchmarkTerminateByCodeOpenSSL(b *testing.B) {
	env := replay.Start(b)
	callbench.Serial(b, callbench.TerminateByCode(env.Runtime(b, opensslKey(b, env))))
}

func BenchmarkTerminateByCodeOpenSSLParallel(b *testing.B) {
	env := replay.Start(b)
	callbench.Parallel(b, callbench.TerminateByCode(env.Runtime(b, opensslKey(b, env))))
}

// BenchmarkSignOpenSSL is the merchant signature alone with OpenSSL; compare
// BenchmarkSignGo.
func BenchmarkSignOpenSSL(b *testing.B) {
	env := replay.Start(b)
	benchmarkSign(b, opensslKey(b, env))
}
