package wechatpay

import (
	"crypto/sha256"
	"fmt"
	"sync"
	"time"

	"github.com/payforge/wechatpay/wechatpay/internal/expiring"
)

// replayGuard keeps the two records behind the delivery guarantee of
// NotifyHandler:
//
//   - handled: the nonce and signature of each delivery whose handling
//     succeeded, until its signed timestamp left the verification window
//     replayMargin ago (the same delivery after that fails the timestamp
//     check instead), so memory follows the traffic of the last
//     2×MaxClockSkew + replayMargin;
//   - inFlight: the id of each notification being handled now, so a
//     duplicate (the same delivery again, or WeChat Pay's resend signed
//     anew) never runs the handler beside it.
//
// A delivery is recorded as handled only after the handler succeeded: one
// that failed, or never reached the handler, stays deliverable.
type replayGuard struct {
	handled expiring.Set[replayID]

	mu       sync.Mutex
	inFlight map[string]struct{}
}

// replayID identifies one signed delivery; see newReplayID.
type replayID [sha256.Size]byte

// replayMargin is how long a handled delivery is kept after its signed
// timestamp stopped verifying. Each request is judged at the one instant it
// read the clock, but the record is shared: without the margin, a delivery
// recorded by a request that read the clock a second later could drop the
// entry of a replay still verifying at its own, earlier, reading.
const replayMargin = time.Minute

// delivery is what the guard needs of one verified request.
type delivery struct {
	id     replayID
	expiry int64 // Unix second until which the guard remembers it once handled
	at     int64 // Unix second of the one clock reading the request is judged at
}

// newDelivery returns the delivery of a request signed at Unix second ts with
// nonce and signature, judged at Unix second at: remembered until the signed
// timestamp stopped verifying replayMargin ago.
func newDelivery(nonce string, signature []byte, ts, at int64) delivery {
	return delivery{
		id:     newReplayID(nonce, signature),
		expiry: ts + int64(MaxClockSkew/time.Second) + int64(replayMargin/time.Second),
		at:     at,
	}
}

// newReplayID hashes a delivery's nonce and signature. The signature is taken
// decoded: Base64 has spare bits, so several strings decode to one signature.
func newReplayID(nonce string, signature []byte) replayID {
	h := sha256.New()
	fmt.Fprintf(h, "%d:%s:", len(nonce), nonce)
	h.Write(signature)
	var id replayID
	h.Sum(id[:0])
	return id
}

// wasHandled reports whether d was handled successfully.
func (g *replayGuard) wasHandled(d delivery, now int64) bool {
	return g.handled.Contains(d.id, now)
}

// claim marks notification id as in flight for delivery d. It fails with
// ErrReplayed when d was handled meanwhile, and with ErrNotificationInProgress
// when another delivery of id is being handled; on success the caller must
// call release or done.
func (g *replayGuard) claim(id string, d delivery, now int64) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	// Checked under the lock that done holds too: a twin that finished
	// between Parse and here is seen.
	if g.handled.Contains(d.id, now) {
		return ErrReplayed
	}
	if _, busy := g.inFlight[id]; busy {
		return ErrNotificationInProgress
	}
	if g.inFlight == nil {
		g.inFlight = make(map[string]struct{})
	}
	g.inFlight[id] = struct{}{}
	return nil
}

// release ends the claim on id without recording anything: the notification
// stays deliverable.
func (g *replayGuard) release(id string) {
	g.mu.Lock()
	delete(g.inFlight, id)
	g.mu.Unlock()
}

// done records d as handled and ends the claim on id, in one step.
func (g *replayGuard) done(id string, d delivery, now int64) {
	g.mu.Lock()
	g.handled.Add(d.id, d.expiry, now)
	delete(g.inFlight, id)
	g.mu.Unlock()
}

// markHandled records d as handled, for callers of Parse.
func (g *replayGuard) markHandled(d delivery, now int64) {
	g.mu.Lock()
	g.handled.Add(d.id, d.expiry, now)
	g.mu.Unlock()
}

func (g *replayGuard) len() int { return g.handled.Len() }
