package bench_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"testing"

	"github.com/payforge/wechatpay/bench/internal/callbench"
	"github.com/payforge/wechatpay/bench/internal/replay"
	"github.com/payforge/wechatpay/wechatpay"
)

// The calls are in package callbench, where a test checks each against the
// sandbox, which verifies request signatures: the replay server here checks
// nothing.

// BenchmarkCryptoFloor is the RSA work of a call alone.
func BenchmarkCryptoFloor(b *testing.B) {
	callbench.Serial(b, callbench.CryptoFloor(b, replay.Start(b)))
}

func BenchmarkCryptoFloorParallel(b *testing.B) {
	callbench.Parallel(b, callbench.CryptoFloor(b, replay.Start(b)))
}

// BenchmarkHTTPFloor is the round trip of a call alone.
func BenchmarkHTTPFloor(b *testing.B) {
	callbench.Serial(b, callbench.HTTPFloor(b, replay.Start(b)))
}

func BenchmarkHTTPFloorParallel(b *testing.B) {
	callbench.Parallel(b, callbench.HTTPFloor(b, replay.Start(b)))
}

// BenchmarkFloorsInSequence is CryptoFloor then HTTPFloor, one after the
// other in each iteration: no client code, but the round trip starts after
// milliseconds of RSA, as in a real call, not from a hot loop of round trips.
func BenchmarkFloorsInSequence(b *testing.B) {
	env := replay.Start(b)
	callbench.Serial(b, callbench.Sequence(callbench.CryptoFloor(b, env), callbench.HTTPFloor(b, env)))
}

// BenchmarkTerminateByCode is one full call of the generated client.
func BenchmarkTerminateByCode(b *testing.B) {
	env := replay.Start(b)
	callbench.Serial(b, callbench.TerminateByCode(env.Runtime(b, env.MerchantKey)))
}

func BenchmarkTerminateByCodeParallel(b *testing.B) {
	env := replay.Start(b)
	callbench.Parallel(b, callbench.TerminateByCode(env.Runtime(b, env.MerchantKey)))
}

// BenchmarkOapiCodegenTerminateByCode is the same call with oapi-codegen's
// client and the signing a user of it writes.
func BenchmarkOapiCodegenTerminateByCode(b *testing.B) {
	env := replay.Start(b)
	callbench.Serial(b, callbench.OapiCodegen(b, env))
}

func BenchmarkOapiCodegenTerminateByCodeParallel(b *testing.B) {
	env := replay.Start(b)
	callbench.Parallel(b, callbench.OapiCodegen(b, env))
}

// BenchmarkSignGo is the merchant signature alone, through crypto.Signer as
// the runtime calls it: the Go half of BenchmarkSignOpenSSL.
func BenchmarkSignGo(b *testing.B) {
	benchmarkSign(b, replay.Start(b).MerchantKey)
}

func benchmarkSign(b *testing.B, key crypto.Signer) {
	d := sha256.Sum256(callbench.RequestMessage)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := key.Sign(nil, d[:], crypto.SHA256); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyGo is the answer's signature check alone with crypto/rsa:
// the Go half of BenchmarkVerifyOpenSSL.
func BenchmarkVerifyGo(b *testing.B) {
	benchmarkVerify(b, replay.Start(b), goVerifier{})
}

type goVerifier struct{}

func (goVerifier) VerifyPKCS1v15SHA256(pub *rsa.PublicKey, digest, sig []byte) error {
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest, sig)
}

func benchmarkVerify(b *testing.B, env *replay.Env, v wechatpay.SignatureVerifier) {
	sig, err := base64.StdEncoding.DecodeString(env.Answer.Get(wechatpay.HeaderSignature))
	if err != nil {
		b.Fatal(err)
	}
	d := sha256.Sum256(wechatpay.ResponseMessage(strconv.FormatInt(replay.Now.Unix(), 10), replay.Nonce, []byte(replay.ResponseBody)))
	b.ReportAllocs()
	for b.Loop() {
		if err := v.VerifyPKCS1v15SHA256(env.WechatpayPub, d[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}
