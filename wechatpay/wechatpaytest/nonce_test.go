package wechatpaytest

import "testing"

func TestNonceCacheExpires(t *testing.T) {
	var c nonceCache
	now := int64(1000)
	for i := range 100 {
		if !c.use(string(rune('A'+i)), now+int64(i), now) {
			t.Fatalf("fresh nonce %d refused", i)
		}
	}
	if c.use("A", now+300, now) {
		t.Fatal("replayed nonce accepted")
	}
	// At now+50 the nonces expiring before it are forgotten.
	c.use("fresh", now+350, now+50)
	if got := c.size(); got != 100-50+1 {
		t.Errorf("after expiry %d nonces remembered, want 51", got)
	}
	if !c.use("A", now+350, now+50) {
		t.Error("expired nonce still refused")
	}
}
