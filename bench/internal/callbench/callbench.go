// Package callbench times one call, alone and from parallel goroutines, the
// same way for every client: the benchmarks of package bench and the probes
// cmd/scaleprobe writes for the generated packages of each spec size.
package callbench

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/payforge/wechatpay/bench/internal/handsign"
	"github.com/payforge/wechatpay/bench/internal/replay"
)

// Call makes one call and reports what went wrong.
type Call func(ctx context.Context) error

// Serial times call made over and over from one goroutine. One call first
// opens the connection and fills the pools, outside the timing.
func Serial(b *testing.B, call Call) {
	ctx := context.Background()
	if err := call(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if err := call(ctx); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

// Parallel times call made by GOMAXPROCS goroutines sharing one client: on
// n cores, ns/op near the serial figure divided by n means it scales.
func Parallel(b *testing.B, call Call) {
	ctx := context.Background()
	if err := call(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := call(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportCPU(b, start)
}

// cpuTime returns the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per call since start: the client's, the
// loopback server's and the garbage collector's together. Unlike ns/op it
// leaves out time spent waiting, so it moves less when other processes
// share the cores.
func reportCPU(b *testing.B, start time.Duration) {
	if used := cpuTime() - start; used > 0 && b.N > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// HandSigned returns the signer and verifier a user of a generic client
// writes (package handsign), set up for env.
func HandSigned(env *replay.Env) (*handsign.Signer, *handsign.Verifier) {
	s := &handsign.Signer{
		MchID:           replay.MchID,
		Serial:          replay.MchSerial,
		WechatpaySerial: replay.PubKeyID,
		Key:             env.MerchantKey,
		Now:             replay.Clock,
	}
	v := &handsign.Verifier{Serial: replay.PubKeyID, Key: env.WechatpayPub, Now: replay.Clock}
	return s, v
}
