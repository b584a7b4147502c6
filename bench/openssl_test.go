//go:build cgo && openssl

package bench_test

import (
	"testing"

	"github.com/payforge/wechatpay/bench/internal/callbench"
	"github.com/payforge/wechatpay/bench/internal/replay"
	"github.com/payforge/wechatpay/wechatpay/opensslsigner"
)

func opensslVerifier(tb testing.TB) *opensslsigner.Verifier {
	tb.Helper()
	v, err := opensslsigner.NewVerifier()
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

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

// BenchmarkCryptoFloorOpenSSL is the RSA work of a call with OpenSSL on both
// sides: sign the request, verify the answer.
func BenchmarkCryptoFloorOpenSSL(b *testing.B) {
	env := replay.Start(b)
	callbench.Serial(b, callbench.CryptoFloorWith(b, env, opensslKey(b, env), opensslVerifier(b)))
}

// BenchmarkTerminateByCodeOpenSSLVerify is BenchmarkTerminateByCode with
// OpenSSL signing the request and verifying the answer; its floor is
// CryptoFloorOpenSSL + HTTPFloor.
func BenchmarkTerminateByCodeOpenSSLVerify(b *testing.B) {
	env := replay.Start(b)
	callbench.Serial(b, callbench.TerminateByCode(env.RuntimeVerifying(b, opensslKey(b, env), opensslVerifier(b))))
}

func BenchmarkTerminateByCodeOpenSSLVerifyParallel(b *testing.B) {
	env := replay.Start(b)
	callbench.Parallel(b, callbench.TerminateByCode(env.RuntimeVerifying(b, opensslKey(b, env), opensslVerifier(b))))
}

// BenchmarkVerifyOpenSSL is the answer's signature check alone with
// OpenSSL; compare BenchmarkVerifyGo.
func BenchmarkVerifyOpenSSL(b *testing.B) {
	benchmarkVerify(b, replay.Start(b), opensslVerifier(b))
}

// BenchmarkFloorsInSequenceOpenSSL is CryptoFloorOpenSSL then HTTPFloor in
// each iteration: the floors of BenchmarkTerminateByCodeOpenSSLVerify with
// the round trip starting after the RSA work, as in a real call.
func BenchmarkFloorsInSequenceOpenSSL(b *testing.B) {
	env := replay.Start(b)
	callbench.Serial(b, callbench.Sequence(callbench.CryptoFloorWith(b, env, opensslKey(b, env), opensslVerifier(b)), callbench.HTTPFloor(b, env)))
}
