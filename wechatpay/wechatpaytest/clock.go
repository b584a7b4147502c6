package wechatpaytest

import (
	"sync"
	"time"
)

// Clock is a clock a test moves by hand. Give its Now to the sandbox
// (Options.Clock), to the client (wechatpay.Config.Clock) and to the
// notification handler (wechatpay.NotifyConfig.Clock), and they agree on the time: a test can fetch the
// day's bill "the next morning", or let a notification's timestamp age,
// without waiting. It is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock showing t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t, forwards or back.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
