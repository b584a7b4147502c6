package wechatpay

import (
	"crypto/sha256"
	"fmt"

	"github.com/payforge/wechatpay/wechatpay/internal/expiring"
)

// replayGuard remembers the nonce and signature of each accepted notification
// until its signed timestamp leaves the verification window; older entries are
// dropped, so memory follows the traffic of the last 2×MaxClockSkew.
type replayGuard struct {
	seen expiring.Set[[sha256.Size]byte]
}

// replayKey identifies one signed delivery by its nonce and signature. The
// signature is taken decoded: Base64 has spare bits, so several strings decode
// to one signature.
func replayKey(nonce string, signature []byte) [sha256.Size]byte {
	h := sha256.New()
	fmt.Fprintf(h, "%d:%s:", len(nonce), nonce)
	h.Write(signature)
	var key [sha256.Size]byte
	h.Sum(key[:0])
	return key
}

// first records (nonce, signature) until expiry and reports whether it was
// not recorded yet.
func (g *replayGuard) first(nonce string, signature []byte, expiry, now int64) bool {
	return g.seen.Add(replayKey(nonce, signature), expiry, now)
}

func (g *replayGuard) len() int { return g.seen.Len() }
