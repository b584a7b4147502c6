package wechatpay

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
)

// NotificationResource is the encrypted part of a notification, as WeChat Pay
// sends it.
type NotificationResource struct {
	Algorithm      string `json:"algorithm"`       // NotificationAlgorithm
	Ciphertext     string `json:"ciphertext"`      // Base64 of the ciphertext with the 16-byte tag appended
	Nonce          string `json:"nonce"`           // the 12-byte GCM nonce
	AssociatedData string `json:"associated_data"` // the GCM additional data; may be empty
	OriginalType   string `json:"original_type"`   // the type of object the plaintext describes
}

// Notification is a notification WeChat Pay sent to the merchant's notify_url,
// verified and decrypted. json.Marshal of a Notification gives the envelope
// WeChat Pay sends (Plaintext, Serial and RequestID stay out of it).
type Notification struct {
	ID           string               `json:"id"`
	CreateTime   string               `json:"create_time"`
	EventType    string               `json:"event_type"`
	ResourceType string               `json:"resource_type"`
	Summary      string               `json:"summary"`
	Resource     NotificationResource `json:"resource"`

	// Plaintext is the decrypted resource: authenticated, valid JSON.
	Plaintext json.RawMessage `json:"-"`
	// Serial is the Wechatpay-Serial of the key that signed the notification.
	Serial string `json:"-"`
	// RequestID is the Request-ID header, when present.
	RequestID string `json:"-"`

	delivery delivery // which signed delivery carried it, for MarkHandled
}

// LogValue leaves the resource and the plaintext out of logs.
func (n Notification) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", n.ID),
		slog.String("event_type", n.EventType),
		slog.String("create_time", n.CreateTime),
		slog.String("serial", n.Serial),
		slog.String("request_id", n.RequestID),
	)
}

// DecodeNotification decodes n's plaintext into a T.
func DecodeNotification[T any](n *Notification) (T, error) {
	var zero, v T
	if n == nil {
		return zero, errors.New("wechatpay: decode notification: nil notification")
	}
	if err := json.Unmarshal(n.Plaintext, &v); err != nil {
		// decodeCause leaves out the values json's messages may quote.
		return zero, fmt.Errorf("wechatpay: notification %s: decode plaintext: %w", n.ID, decodeCause(err))
	}
	return v, nil
}
