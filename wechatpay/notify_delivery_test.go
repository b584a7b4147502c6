package wechatpay

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
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
	d1 := delivery{id: newReplayID("n1", []byte("sig1")), expiry: 100}
	d2 := delivery{id: newReplayID("n2", []byte("sig2")), expiry: 100}
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
// handled, the same request is acknowledged again (204) without reaching it.
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
			if status, _ := serve(); status != 204 {
				t.Fatalf("identical resend after success answered %d, want 204 (already handled)", status)
			}
			if n := calls.Load(); n != 2 {
				t.Errorf("handler called %d times, want 2", n)
			}
		})
	}
}

// TestNotifyPanicOverHTTP: as ServeHTTP's doc says, a panicking handler is
// not recovered; net/http's server drops the connection, so the sender gets
// no answer (no 2xx), and the id is released: the next delivery is handled.
func TestNotifyPanicOverHTTP(t *testing.T) {
	v := loadNotifyVector(t)
	body := notifyEnvelope(t, testNotifyID, v.resource())
	header := goSignedHeader(t, body, testNotifyNonce)
	var calls atomic.Int32
	h := mustNotifyHandler(t, testNotifyConfig(t, v.APIv3Key), func(context.Context, *Notification) error {
		if calls.Add(1) == 1 {
			panic("handler bug")
		}
		return nil
	})
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the server logs the panic
	srv.Start()
	defer srv.Close()
	send := func() (int, error) {
		req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header = header.Clone()
		resp, err := srv.Client().Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	if status, err := send(); err == nil {
		t.Fatalf("a panicking handler was answered %d; want the connection dropped", status)
	}
	if status, err := send(); err != nil || status != 204 {
		t.Fatalf("the delivery after the panic: %d, %v; want 204", status, err)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("handler called %d times, want 2", n)
	}
}

// TestNotifyDuplicatesNeverConcurrent delivers one notification id 24 times at
// once: 12 deliveries signed anew (as WeChat Pay's resends are) and each of
// them twice. The handler never runs twice at a time for the id (run with
// -race) nor twice for one delivery; every delivery is answered 204 (handled,
// or already handled) or 409 (in progress); and a delivery answered 409 is
// handled when sent again later.
func TestNotifyDuplicatesNeverConcurrent(t *testing.T) {
	v := loadNotifyVector(t)
	body := notifyEnvelope(t, testNotifyID, v.resource())
	var active, maxActive atomic.Int32
	var mu sync.Mutex
	handled := map[replayID]int{} // handler calls per delivery
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
		mu.Lock()
		handled[n.delivery.id]++
		mu.Unlock()
		return nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	const resends = 12
	headers := make([]http.Header, resends)
	ids := make([]replayID, resends)
	for i := range headers {
		headers[i] = goSignedHeader(t, body, fmt.Sprintf("resend%026d", i))
		sig, _ := base64.StdEncoding.DecodeString(headers[i].Get(HeaderSignature))
		ids[i] = newReplayID(headers[i].Get(HeaderNonce), sig)
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
	for i, st := range status {
		for _, s := range st {
			if s != 204 && s != 409 {
				t.Errorf("delivery %d answered %d", i, s)
			}
		}
		// A 204 is given only for a delivery handled, now or before.
		if acked := st[0] == 204 || st[1] == 204; acked != (handled[ids[i]] == 1) {
			t.Errorf("delivery %d answered %v, handled %d times", i, st, handled[ids[i]])
		}
	}
	if len(handled) == 0 {
		t.Fatal("no delivery was handled")
	}
	// WeChat Pay sends again what was not acknowledged, and may resend what
	// was: now nothing is in flight, every delivery is acknowledged, and each
	// is handled exactly once in all.
	for i := range status {
		if got := postNotification(t, srv.URL, http.MethodPost, headers[i], body).status; got != 204 {
			t.Errorf("delivery %d sent again answered %d, want 204", i, got)
		}
	}
	for i, id := range ids {
		if handled[id] != 1 {
			t.Errorf("delivery %d handled %d times, want 1", i, handled[id])
		}
	}
}

// TestNotifyHandledResendAcknowledged: WeChat Pay's resend of a delivery
// already handled (its 204 was lost) is answered 204 without calling the
// handler again; what merely looks like it is refused as before: the same
// headers over another body, the same request once its timestamp is stale.
func TestNotifyHandledResendAcknowledged(t *testing.T) {
	v := loadNotifyVector(t)
	body := notifyEnvelope(t, testNotifyID, v.resource())
	header := goSignedHeader(t, body, testNotifyNonce)
	var now atomic.Int64
	now.Store(testTimestamp)
	cfg := testNotifyConfig(t, v.APIv3Key)
	cfg.Clock = func() time.Time { return time.Unix(now.Load(), 0) }
	var calls atomic.Int32
	h := mustNotifyHandler(t, cfg, func(context.Context, *Notification) error {
		calls.Add(1)
		return nil
	})
	serve := func(body []byte, header http.Header) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(body))
		req.Header = header.Clone()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := serve(body, header); rec.Code != 204 {
		t.Fatalf("first delivery answered %d %s", rec.Code, rec.Body)
	}
	for range 2 {
		if rec := serve(body, header); rec.Code != 204 || rec.Body.Len() != 0 {
			t.Fatalf("resend of a handled delivery answered %d %s, want 204", rec.Code, rec.Body)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("handler called %d times, want 1", n)
	}

	// The same nonce and signature over another body (another notification
	// id, or the same id with another resource) do not verify.
	for _, other := range [][]byte{
		notifyEnvelope(t, "EV-0000000000000000000000000000", v.resource()),
		bytes.Replace(body, []byte(`"resource"`), []byte(`"resource" `), 1),
	} {
		if bytes.Equal(other, body) {
			t.Fatal("the other body is the same")
		}
		if rec := serve(other, header); rec.Code != 400 || !strings.Contains(rec.Body.String(), "signature verification failed") {
			t.Errorf("the handled headers over another body answered %d %s, want 400", rec.Code, rec.Body)
		}
	}
	// Once the signed timestamp left the window, the same request is stale.
	now.Store(testTimestamp + int64(MaxClockSkew/time.Second) + 1)
	if rec := serve(body, header); rec.Code != 400 || !strings.Contains(rec.Body.String(), "signature verification failed") {
		t.Errorf("the handled request with a stale timestamp answered %d %s, want 400", rec.Code, rec.Body)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("handler called %d times, want 1", n)
	}
}

// TestParseRecordsNothing: Parse leaves recording to the caller, through
// MarkHandled.
func TestParseRecordsNothing(t *testing.T) {
	v := loadNotifyVector(t)
	body := notifyEnvelope(t, testNotifyID, v.resource())
	header := goSignedHeader(t, body, testNotifyNonce)
	var calls atomic.Int32
	h := mustNotifyHandler(t, testNotifyConfig(t, v.APIv3Key), func(context.Context, *Notification) error {
		calls.Add(1)
		return nil
	})
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
	// ServeHTTP shares the record: it acknowledges the delivery without
	// handling it again.
	req := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(body))
	req.Header = header.Clone()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 204 || calls.Load() != 0 {
		t.Errorf("ServeHTTP of a delivery marked handled answered %d and called the handler %d times, want 204 and 0", rec.Code, calls.Load())
	}
}

// tickingClock is a clock that moves forward by step on every reading,
// starting at start: it makes the time that passes between two readings of
// one request visible to a test.
func tickingClock(start time.Time, step time.Duration) func() time.Time {
	var now atomic.Int64
	now.Store(start.UnixNano() - int64(step))
	return func() time.Time { return time.Unix(0, now.Add(int64(step))) }
}

// TestNotifyReplayAtWindowEdge replays a handled delivery in the last
// microseconds of its timestamp's window, with a clock that moves on every
// reading: the request is judged at one instant, so a timestamp that
// verified cannot meet a replay record already expired. Both ServeHTTP and
// Parse refuse the replay.
func TestNotifyReplayAtWindowEdge(t *testing.T) {
	v := loadNotifyVector(t)
	body := notifyEnvelope(t, testNotifyID, v.resource())
	header := goSignedHeader(t, body, testNotifyNonce) // signed at testTimestamp
	// The last microsecond of the window: the first reading still verifies,
	// any later one is past the window.
	edge := time.Unix(testTimestamp+301, 0).Add(-time.Microsecond)
	newRequest := func() *http.Request {
		req := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(body))
		req.Header = header.Clone()
		return req
	}

	t.Run("ServeHTTP", func(t *testing.T) {
		cfg := testNotifyConfig(t, v.APIv3Key)
		var setClock func(func() time.Time)
		cfg.Clock, setClock = switchableClock()
		var calls atomic.Int32
		h := mustNotifyHandler(t, cfg, func(context.Context, *Notification) error {
			calls.Add(1)
			return nil
		})
		serve := func() int {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, newRequest())
			return rec.Code
		}
		if code := serve(); code != 204 {
			t.Fatalf("first delivery answered %d, want 204", code)
		}
		setClock(tickingClock(edge, time.Microsecond))
		if code := serve(); code != 204 || calls.Load() != 1 {
			t.Fatalf("replay at the window's edge answered %d with %d handler calls, want 204 and 1", code, calls.Load())
		}
	})

	t.Run("Parse", func(t *testing.T) {
		cfg := testNotifyConfig(t, v.APIv3Key)
		var setClock func(func() time.Time)
		cfg.Clock, setClock = switchableClock()
		h := mustNotifyHandler(t, cfg, func(context.Context, *Notification) error { return nil })
		n, err := h.Parse(newRequest())
		if err != nil {
			t.Fatal(err)
		}
		h.MarkHandled(n)
		setClock(tickingClock(edge, time.Microsecond))
		if _, err := h.Parse(newRequest()); !errors.Is(err, ErrReplayed) {
			t.Fatalf("Parse of a replay at the window's edge = %v, want ErrReplayed", err)
		}
	})
}

// TestNotifyReplaySurvivesLaterPurge: a request judged at the last second of
// its window still meets the record of its handled twin when another
// delivery, judged a moment later, was recorded in between and dropped what
// had expired by its own reading.
func TestNotifyReplaySurvivesLaterPurge(t *testing.T) {
	v := loadNotifyVector(t)
	body := notifyEnvelope(t, testNotifyID, v.resource())
	replayed := goSignedHeader(t, body, testNotifyNonce) // signed at testTimestamp
	sig, err := Sign(mustPrivateKey(t, "wechatpay_key.pem"), ResponseMessage(tsAt(10), "laterNonce", body))
	if err != nil {
		t.Fatal(err)
	}
	later := replayed.Clone()
	later.Set(HeaderTimestamp, tsAt(10))
	later.Set(HeaderNonce, "laterNonce")
	later.Set(HeaderSignature, sig)

	var now atomic.Int64
	cfg := testNotifyConfig(t, v.APIv3Key)
	cfg.Clock = func() time.Time { return time.Unix(now.Load(), 0) }
	var calls atomic.Int32
	h := mustNotifyHandler(t, cfg, func(context.Context, *Notification) error {
		calls.Add(1)
		return nil
	})
	serve := func(at int64, header http.Header) int {
		now.Store(testTimestamp + at)
		req := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(body))
		req.Header = header.Clone()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	if code := serve(0, replayed); code != 204 {
		t.Fatalf("first delivery answered %d, want 204", code)
	}
	if code := serve(302, later); code != 204 {
		t.Fatalf("later delivery answered %d, want 204", code)
	}
	// A replay that read the clock at +300, before the later delivery was
	// recorded, is judged at +300.
	if code := serve(300, replayed); code != 204 || calls.Load() != 2 {
		t.Fatalf("replay judged at +300 answered %d with %d handler calls, want 204 and 2", code, calls.Load())
	}
}

// TestNotifyHandlerChangesNotification: the handler owns the *Notification it
// receives and may wipe it or change its fields; ServeHTTP still releases or
// records the delivery that came in, so a failed notification is handled
// when it comes back, and a handled one is acknowledged without handling.
func TestNotifyHandlerChangesNotification(t *testing.T) {
	v := loadNotifyVector(t)
	body := notifyEnvelope(t, testNotifyID, v.resource())
	for _, change := range []struct {
		name string
		do   func(n *Notification)
	}{
		{"wiped", func(n *Notification) { *n = Notification{} }},
		{"id changed", func(n *Notification) { n.ID = "another-id" }},
	} {
		t.Run(change.name, func(t *testing.T) {
			var calls atomic.Int32
			h := mustNotifyHandler(t, testNotifyConfig(t, v.APIv3Key), func(_ context.Context, n *Notification) error {
				defer change.do(n)
				if calls.Add(1) == 1 {
					return errors.New("database unavailable")
				}
				return nil
			})
			serve := func(nonce string) int {
				req := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(body))
				req.Header = goSignedHeader(t, body, nonce)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec.Code
			}
			if code := serve("nonce-1"); code != 500 {
				t.Fatalf("first delivery answered %d, want 500", code)
			}
			if code := serve("nonce-2"); code != 204 || calls.Load() != 2 {
				t.Fatalf("redelivery after the failure answered %d with %d handler calls, want 204 and 2", code, calls.Load())
			}
			if code := serve("nonce-2"); code != 204 || calls.Load() != 2 {
				t.Fatalf("resend of the handled delivery answered %d with %d handler calls, want 204 and 2", code, calls.Load())
			}
		})
	}
}

// switchableClock returns a clock for a NotifyConfig that reads testClock
// until set switches it to another clock, safely while requests are served.
func switchableClock() (now func() time.Time, set func(func() time.Time)) {
	var clock atomic.Pointer[func() time.Time]
	set = func(c func() time.Time) { clock.Store(&c) }
	set(testClock)
	return func() time.Time { return (*clock.Load())() }, set
}
