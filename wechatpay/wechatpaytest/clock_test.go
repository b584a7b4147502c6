package wechatpaytest_test

import (
	"sync"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
)

func TestClock(t *testing.T) {
	start := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	c := wechatpaytest.NewClock(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now = %v, want %v", got, start)
	}
	// 100 goroutines each add a minute while others read: under -race, and
	// no step is lost.
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			c.Add(time.Minute)
			_ = c.Now()
		})
	}
	wg.Wait()
	if got, want := c.Now(), start.Add(100*time.Minute); !got.Equal(want) {
		t.Fatalf("after 100 Add(1m): %v, want %v", got, want)
	}
	c.Set(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("after Set: %v, want %v", got, start)
	}
}
