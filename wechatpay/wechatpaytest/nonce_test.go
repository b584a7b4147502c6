package wechatpaytest

import "testing"

// TestNonceCacheExpires checks the sandbox's use of the expiring set: a
// nonce is refused while its request's timestamp is in the window, and
// forgotten after.
func TestNonceCacheExpires(t *testing.T) {
	var c nonceCache
	now := int64(1000)
	for i := range 100 {
		if !c.Add(string(rune('A'+i)), now+int64(i), now) {
			t.Fatalf("fresh nonce %d refused", i)
		}
	}
	if c.Add("A", now+300, now) {
		t.Fatal("replayed nonce accepted")
	}
	// At now+50 the nonces expiring before it are forgotten.
	c.Add("fresh", now+350, now+50)
	if got := c.Len(); got != 100-50+1 {
		t.Errorf("after expiry %d nonces remembered, want 51", got)
	}
	if !c.Add("A", now+350, now+50) {
		t.Error("expired nonce still refused")
	}
}
