// Package bench measures this repository against the floors a WeChat Pay
// call cannot go below and against other generators. It is a module of its
// own, so the other generators and their dependencies never enter the main
// go.mod. `make bench` at the root runs everything and writes BENCHMARKS.md.
//
// The call benchmarks (call_test.go, openssl_test.go; the calls themselves
// are in internal/callbench) make the terminate call of the official example
// against a loopback server that replays one answer signed in advance
// (internal/replay):
//
//   - CryptoFloor: one RSA-2048 PKCS#1 v1.5 SHA-256 signature of the request
//     string and one verification of the answer string, nothing else;
//   - HTTPFloor: the same request bytes through a bare http.Client, the answer
//     read, nothing signed or verified; FloorsInSequence: the two floors one
//     after the other;
//   - TerminateByCode: the generated client (gen/passwordexemptcontract) and
//     the runtime; TerminateByCodeOpenSSL the same with the merchant key in
//     OpenSSL (wechatpay/opensslsigner, -tags openssl), and
//     TerminateByCodeOpenSSLVerify with the answer verified by OpenSSL too;
//     its floors are CryptoFloorOpenSSL (the signature and the verification,
//     both by OpenSSL) and HTTPFloor, FloorsInSequenceOpenSSL the two one
//     after the other; SignGo/SignOpenSSL and VerifyGo/VerifyOpenSSL time
//     one signature or one verification alone;
//   - OapiCodegenTerminateByCode: the client oapi-codegen generates from the
//     same spec (oapiclient) with the signer and verifier a user writes
//     (internal/handsign);
//   - the Parallel variants share one client between GOMAXPROCS goroutines.
//
// Package genbench times this repository's generator, oapi-codegen and ogen
// on the family spec and on larger ones (internal/bigspec), and the
// compilation of what each generates. cmd/scaleprobe writes call benchmarks
// for the packages generated from each spec size; cmd/benchreport turns the
// output of all of them into the ratio tables and the plot.
package bench
