package wechatpay

import (
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// DefaultMaxNotificationBytes is the body size NewNotifyHandler accepts when
// NotifyConfig.MaxBodyBytes is zero.
const DefaultMaxNotificationBytes = 1 << 20

// NotifyConfig is what a NotifyHandler needs. Keys and APIv3Key are required.
// Formatting a NotifyConfig (fmt, slog) never shows the APIv3 key.
type NotifyConfig struct {
	// Keys are the WeChat Pay keys notifications are signed with, chosen by
	// Wechatpay-Serial; a Client's Keys() can be shared.
	Keys *KeySet
	// APIv3Key is the merchant's APIv3 key (exactly 32 bytes), set on the
	// merchant platform. NewNotifyHandler keeps only the cipher built from it.
	APIv3Key []byte
	// Clock returns the current time for the timestamp and replay checks. Default time.Now.
	Clock func() time.Time
	// SignatureVerifier checks the RSA signatures of notifications. Default
	// crypto/rsa.
	SignatureVerifier SignatureVerifier
	// MaxBodyBytes caps the body read. Default DefaultMaxNotificationBytes.
	MaxBodyBytes int64
	// Logger receives one record per notification served: its id, event type
	// and outcome; never keys, signatures, the resource or the plaintext.
	// Default: discard.
	Logger *slog.Logger
}

// Format prints c with the APIv3 key redacted, whatever the verb.
func (c NotifyConfig) Format(f fmt.State, _ rune) {
	serials := []string{}
	if c.Keys != nil {
		serials = c.Keys.Serials()
	}
	fmt.Fprintf(f, "wechatpay.NotifyConfig{Keys:%v APIv3Key:%s MaxBodyBytes:%d}", serials, redactedKey(c.APIv3Key), c.MaxBodyBytes)
}

// LogValue leaves the APIv3 key out of logs.
func (c NotifyConfig) LogValue() slog.Value {
	var serials []string
	if c.Keys != nil {
		serials = c.Keys.Serials()
	}
	return slog.GroupValue(
		slog.Any("keys", serials),
		slog.String("api_v3_key", redactedKey(c.APIv3Key)),
		slog.Int64("max_body_bytes", c.MaxBodyBytes),
	)
}

func redactedKey(k []byte) string {
	if len(k) == 0 {
		return "[none]"
	}
	return "[redacted " + strconv.Itoa(len(k)) + " bytes]"
}
