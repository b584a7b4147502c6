package wechatpay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// goSignedHeader is the header of a delivery of body signed (by crypto/rsa,
// for speed when many are needed) with the public-key mode key and nonce.
func goSignedHeader(t testing.TB, body []byte, nonce string) http.Header {
	t.Helper()
	sig, err := Sign(mustPrivateKey(t, "wechatpay_key.pem"), ResponseMessage(tsAt(0), nonce, body))
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set(HeaderTimestamp, tsAt(0))
	h.Set(HeaderNonce, nonce)
	h.Set(HeaderSignature, sig)
	h.Set(HeaderSerial, testPubKeyID)
	return h
}

func TestReplayGuard(t *testing.T) {
	var g replayGuard
	d1 := delivery{newReplayID("n1", []byte("sig1")), 100}
	d2 := delivery{newReplayID("n2", []byte("sig2")), 100}
	step := func(what string, got, want error) {
		t.Helper()
		if !errors.Is(got, want) || (want == nil) != (got == nil) {
			t.Fatalf("%s = %v, want %v", what, got, want)
		}
	}
	step("claim A/d1", g.claim("A", d1, 0), nil)
	step("claim A/d2 while A is in flight", g.claim("A", d2, 0), ErrNotificationInProgress)
	step("claim B/d2", g.claim("B", d2, 0), nil)
	g.release("A")
	if g.wasHandled(d1, 0) {
		t.Fatal("a released delivery counts as handled")
	}
	step("claim A/d1 after release", g.claim("A", d1, 0), nil)
	g.done("A", d1, 0)
	if !g.wasHandled(d1, 0) || !g.wasHandled(d1, 100) || g.wasHandled(d1, 101) {
		t.Fatal("a handled delivery is not remembered until its expiry, and only until then")
	}
	step("claim A/d1 once handled", g.claim("A", d1, 0), ErrReplayed)
	g.release("B")
	step("claim A/d2 (another delivery of A)", g.claim("A", d2, 0), nil)
	g.release("A")
	g.markHandled(d2, 0)
	step("claim A/d2 once marked", g.claim("A", d2, 0), ErrReplayed)
	if n := g.len(); n != 2 {
		t.Errorf("%d deliveries remembered, want 2", n)
	}
	// The nonce and the signature are kept apart in the key.
	if newReplayID("ab", []byte("c")) == newReplayID("a", []byte("bc")) {
		t.Error("(ab, c) and (a, bc) collide")
	}
}

// TestNotifyFailureIsRedelivered: a handler that fails (or panics) leaves the
// notification deliverable, so WeChat Pay's identical resend reaches it; once
// handled, the same request is a replay.
func TestNotifyFailureIsRedelivered(t *testing.T) {
	v := loadNotifyVector(t)
	body := notifyEnvelope(t, testNotifyID, v.resource())
	header := goSignedHeader(t, body, testNotifyNonce)
	for _, failure := range []string{"error", "panic"} {
		t.Run(failure, func(t *testing.T) {
			var calls atomic.Int32
			h := mustNotifyHandler(t, testNotifyConfig(t, v.APIv3Key), func(context.Context, *Notification) error {
				if calls.Add(1) == 1 {
					if failure == "panic" {
						panic("handler bug")
					}
					return errors.New("database unavailable")
				}
				return nil
			})
			serve := func() (status int, panicked bool) {
				defer func() { panicked = recover() != nil }()
				req := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(body))
				req.Header = header.Clone()
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec.Code, false
			}
			status, panicked := serve()
			if failure == "error" && status != 500 || failure == "panic" && !panicked {
				t.Fatalf("first delivery: status %d, panicked %v", status, panicked)
			}
			if status, _ := serve(); status != 204 {
				t.Fatalf("identical resend after the failure answered %d, want 204", status)
			}
			if status, _ := serve(); status != 400 {
				t.Fatalf("identical resend after success answered %d, want 400 (replay)", status)
			}
			if n := calls.Load(); n != 2 {
				t.Errorf("handler called %d times, want 2", n)
			}
		})
	}
}

// TestNotifyDuplicatesNeverConcurrent delivers one notification id 24 times at
// once: 12 deliveries signed anew (as WeChat Pay's resends are) and each of
// them twice. The handler never runs twice at a time for the id (run with
// -race); every delivery is answered 204, 409 (in progress) or 400 (replay);
// and a delivery answered 409 is handled when sent again later.
func TestNotifyDuplicatesNeverConcurrent(t *testing.T) {
	v := loadNotifyVector(t)
	body := notifyEnvelope(t, testNotifyID, v.resource())
	var active, maxActive, handled atomic.Int32
	h := mustNotifyHandler(t, testNotifyConfig(t, v.APIv3Key), func(_ context.Context, n *Notification) error {
		now := active.Add(1)
		for {
			m := maxActive.Load()
			if now <= m || maxActive.CompareAndSwap(m, now) {
				break
			}
		}
		time.Sleep(2 * time.Millisecond) // widen the window a second delivery could slip into
		active.Add(-1)
		handled.Add(1)
		return nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	const resends = 12
	headers := make([]http.Header, resends)
	for i := range headers {
		headers[i] = goSignedHeader(t, body, fmt.Sprintf("resend%026d", i))
	}
	status := make([][2]int, resends)
	var wg sync.WaitGroup
	for i := range resends {
		for twin := range 2 {
			wg.Go(func() { status[i][twin] = postNotification(t, srv.URL, http.MethodPost, headers[i], body).status })
		}
	}
	wg.Wait()
	if m := maxActive.Load(); m != 1 {
		t.Fatalf("the handler ran %d times at once for one notification id", m)
	}
	ok := 0
	for i, st := range status {
		for _, s := range st {
			switch s {
			case 204:
				ok++
			case 400, 409:
			default:
				t.Errorf("delivery %d answered %d", i, s)
			}
		}
		if st[0] == 204 && st[1] == 204 {
			t.Errorf("delivery %d was handled twice", i)
		}
	}
	if ok == 0 || int(handled.Load()) != ok {
		t.Fatalf("%d answers 204, handler succeeded %d times; want the same, at least 1", ok, handled.Load())
	}
	// WeChat Pay sends again what was not acknowledged: now nothing is in
	// flight, and each delivery not yet handled is.
	for i, st := range status {
		want := 400
		if st[0] != 204 && st[1] != 204 {
			want = 204
		}
		if got := postNotification(t, srv.URL, http.MethodPost, headers[i], body).status; got != want {
			t.Errorf("delivery %d sent again answered %d, want %d", i, got, want)
		}
	}
}

// TestParseRecordsNothing: Parse leaves recording to the caller, through
// MarkHandled.
func TestParseRecordsNothing(t *testing.T) {
	v := loadNotifyVector(t)
	body := notifyEnvelope(t, testNotifyID, v.resource())
	header := goSignedHeader(t, body, testNotifyNonce)
	h := mustNotifyHandler(t, testNotifyConfig(t, v.APIv3Key), func(context.Context, *Notification) error { return nil })
	parse := func() (*Notification, error) {
		req := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(body))
		req.Header = header.Clone()
		return h.Parse(req)
	}
	n, err := parse()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parse(); err != nil {
		t.Fatalf("second Parse before MarkHandled: %v", err)
	}
	h.MarkHandled(nil)             // no notification: nothing to record
	h.MarkHandled(&Notification{}) // not from Parse: nothing to record
	if _, err := parse(); err != nil {
		t.Fatalf("Parse after MarkHandled of foreign notifications: %v", err)
	}
	h.MarkHandled(n)
	var verr *VerificationError
	if _, err := parse(); !errors.As(err, &verr) || !errors.Is(err, ErrReplayed) {
		t.Fatalf("Parse after MarkHandled = %v, want *VerificationError wrapping ErrReplayed", err)
	}
	// ServeHTTP shares the record.
	req := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(body))
	req.Header = header.Clone()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 400 {
		t.Errorf("ServeHTTP of a delivery marked handled answered %d, want 400", rec.Code)
	}
}
