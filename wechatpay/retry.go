package wechatpay

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"net/http"
	"time"
)

// RetryPolicy says which failed calls the Client repeats, and how long it
// waits in between. The zero value repeats nothing.
//
// Only failures that may pass on their own are repeated: a *TransportError
// (the connection failed, the answer was cut off, or an attempt outlasted
// the http.Client's Timeout), except when the caller's context ended, and an
// *APIError whose Temporary method reports true. Answers that failed verification, other API errors and validation
// errors are never repeated.
//
// An answer is temporary by WeChat Pay's table of HTTP status codes
// (https://pay.weixin.qq.com/wiki/doc/apiv3/Share/error_code.shtml, "HTTP状态码"):
//
//   - code SYSTEM_ERROR (status 500): "按具体接口的错误指引进行重试", and the
//     operations' pages say "retry later";
//   - status 502 or 503, or code SERVICE_UNAVAILABLE: "请求无法处理，请稍后重试"
//     (the request was not processed), whatever the body, so a proxy's HTML
//     502 page counts too;
//   - status 429 (code RATELIMIT_EXCEEDED): "请求未受理，请降低频率后重试" (not
//     accepted; retry at a lower rate). For refunds the page adds that the
//     acceptance is unknown: query before repeating, which RetryUnsafe
//     leaves to the caller.
//
// Any other answer is final, 500 without SYSTEM_ERROR included: the table
// says to follow the operation's own guidance there, and a 500 or 504 page
// from a proxy does not say whether WeChat Pay processed the request.
//
// A repeated request may run twice at WeChat Pay when the first answer was
// lost on the way back. So by default only GET and HEAD calls, which change
// nothing, are repeated; set RetryUnsafe for operations you know are safe to
// run twice. Terminating a contract is not: a second termination is refused
// even when the first one succeeded.
type RetryPolicy struct {
	// MaxAttempts is the number of attempts, the first included; 0 or 1
	// means no repetition.
	MaxAttempts int
	// BaseDelay is the wait before the second attempt; it doubles for each
	// attempt after, up to MaxDelay, and a random part of up to half of it is
	// added so that many clients do not retry in step. Default 100 ms.
	BaseDelay time.Duration
	// MaxDelay caps the wait between two attempts. Default 2 s.
	MaxDelay time.Duration
	// RetryUnsafe repeats calls of every method, POST included.
	RetryUnsafe bool

	// sleep waits for d or until ctx ends; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

// Defaults of RetryPolicy.
const (
	DefaultRetryBaseDelay = 100 * time.Millisecond
	DefaultRetryMaxDelay  = 2 * time.Second
)

func (p RetryPolicy) check() error {
	if p.MaxAttempts < 0 || p.BaseDelay < 0 || p.MaxDelay < 0 {
		return errors.New("MaxAttempts, BaseDelay and MaxDelay must not be negative")
	}
	if p.MaxDelay > 0 && p.BaseDelay > p.MaxDelay {
		return errors.New("BaseDelay must not exceed MaxDelay")
	}
	return nil
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.BaseDelay == 0 {
		p.BaseDelay = DefaultRetryBaseDelay
	}
	if p.MaxDelay == 0 {
		p.MaxDelay = DefaultRetryMaxDelay
	}
	if p.sleep == nil {
		p.sleep = sleepContext
	}
	return p
}

// retries reports whether the call r, made under ctx, whose attempt number
// attempt failed with err, is to be repeated.
func (p RetryPolicy) retries(ctx context.Context, r *Request, err error, attempt int) bool {
	if attempt >= p.MaxAttempts {
		return false
	}
	if !p.RetryUnsafe && r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	var te *TransportError
	if errors.As(err, &te) {
		// Whether the caller's context ended is asked of ctx itself: the
		// timeout of an http.Client (one attempt) matches
		// context.DeadlineExceeded too, and is worth another attempt.
		return ctx.Err() == nil && !errors.Is(err, ErrResponseTooLarge)
	}
	var ae *APIError
	return errors.As(err, &ae) && ae.Temporary()
}

// temporaryAnswer is the rule of RetryPolicy and APIError.Temporary: whether
// WeChat Pay documents an answer as "try again later".
func temporaryAnswer(status int, code string) bool {
	switch {
	case code == "SYSTEM_ERROR", code == "SERVICE_UNAVAILABLE":
		return true
	case status == http.StatusTooManyRequests, status == http.StatusBadGateway, status == http.StatusServiceUnavailable:
		return true
	}
	return false
}

// delay is the wait after attempt number attempt: BaseDelay doubled per
// attempt, capped at MaxDelay, plus up to half of it at random.
// Both steps saturate instead of overflowing: the doubling stops at MaxDelay
// before it could wrap negative, and the sum at the largest Duration.
func (p RetryPolicy) delay(attempt int) time.Duration {
	d := max(p.BaseDelay, 0)
	for i := 1; i < attempt && d < p.MaxDelay; i++ {
		if d > p.MaxDelay/2 {
			d = p.MaxDelay
			break
		}
		d *= 2
	}
	d = min(d, p.MaxDelay)
	jitter := rand.N(d/2 + 1) // d/2+1 >= 1: d is not negative
	if d > math.MaxInt64-jitter {
		return math.MaxInt64
	}
	return d + jitter
}

func (p RetryPolicy) wait(ctx context.Context, attempt int) error {
	return p.sleep(ctx, p.delay(attempt))
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
