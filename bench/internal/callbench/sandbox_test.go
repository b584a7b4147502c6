package callbench_test

import (
	"context"
	"testing"

	"github.com/payforge/wechatpay/bench/internal/callbench"
	"github.com/payforge/wechatpay/bench/internal/replay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
)

// The replay server checks nothing; the sandbox checks request signatures.
// Every benchmarked client must get its terminate call through it.
func TestClientsAgainstSandbox(t *testing.T) {
	for name, call := range map[string]func(t *testing.T, env *replay.Env) callbench.Call{
		"TerminateByCode": func(t *testing.T, env *replay.Env) callbench.Call {
			return callbench.TerminateByCode(env.Runtime(t, env.MerchantKey))
		},
		"OapiCodegenTerminateByCode": func(t *testing.T, env *replay.Env) callbench.Call { return callbench.OapiCodegen(t, env) },
		"HTTPFloor":                  func(t *testing.T, env *replay.Env) callbench.Call { return callbench.HTTPFloor(t, env) },
	} {
		t.Run(name, func(t *testing.T) {
			checkAgainstSandbox(t, call)
		})
	}
}

// checkAgainstSandbox points the client at a sandbox holding the example
// contract with the benchmark's keys and clock; one terminate must succeed.
func checkAgainstSandbox(t *testing.T, call func(t *testing.T, env *replay.Env) callbench.Call) {
	env := replay.Start(t)
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{
		MchID:            replay.MchID,
		MerchantKey:      env.MerchantKey,
		MerchantSerialNo: replay.MchSerial,
		WechatpayKey:     env.WechatpayKey,
		WechatpayKeyID:   replay.PubKeyID,
		Clock:            replay.Clock,
		Behaviours:       []wechatpaytest.Behaviour{contracts.New(contracts.Options{})},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	env.URL = srv.URL
	if err := call(t, env)(context.Background()); err != nil {
		t.Fatal(err)
	}
}
