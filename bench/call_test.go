package bench_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"testing"
	"time"

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

// BenchmarkHTTPFloorAfterWork is HTTPFloor made after 1 ms of busy work in
// Go in each iteration: no system call, no cgo, no crypto, no client code.
// Its http-ns/op is the round trip alone (the work left out), to compare with
// HTTPFloor, which is timed from a tight loop of round trips: it is what a
// round trip costs when it follows the milliseconds of RSA a call begins
// with, the part of the floors' sum that no client can avoid.
func BenchmarkHTTPFloorAfterWork(b *testing.B) {
	round := callbench.HTTPFloor(b, replay.Start(b))
	var spent time.Duration
	n := 0
	callbench.Serial(b, func(ctx context.Context) error {
		for start := time.Now(); time.Since(start) < time.Millisecond; {
		}
		start := time.Now()
		err := round(ctx)
		spent += time.Since(start)
		n++
		return err
	})
	b.ReportMetric(float64(spent.Nanoseconds())/float64(n), "http-ns/op")
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
