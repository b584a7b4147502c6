package wechatpay

import "errors"

// Sentinel causes of notification failures, for errors.Is.
var (
	// ErrMethodNotAllowed: the notification was not a POST (answered 405).
	ErrMethodNotAllowed = errors.New("notification must be a POST")
	// ErrNotificationTooLarge: the body exceeds NotifyConfig.MaxBodyBytes (answered 413).
	ErrNotificationTooLarge = errors.New("notification body exceeds the size limit")
	// ErrReplayed is the cause of a *VerificationError for a request whose
	// Wechatpay-Nonce and Wechatpay-Signature belong to a delivery that was
	// already handled successfully. It comes only after the signature and
	// the timestamp verified: ServeHTTP answers it 204 without calling the
	// handler again; a caller of Parse should answer it with a 2xx too.
	ErrReplayed = errors.New("notification replayed")
	// ErrNotificationInProgress: another delivery of the same notification id
	// is being handled (answered 409, so WeChat Pay delivers it again later).
	ErrNotificationInProgress = errors.New("notification is being handled")
	// ErrMalformedNotification: a verified body that is not a notification envelope.
	ErrMalformedNotification = errors.New("body is not a WeChat Pay notification")
	// ErrDecrypt is the cause of every *DecryptError.
	ErrDecrypt = errors.New("cannot decrypt the notification resource")
)

// DecryptError is a verified notification whose resource could not be
// decrypted: an unknown algorithm, a bad nonce or ciphertext, a failed
// authentication (wrong APIv3 key, tampered ciphertext or associated data), or
// a plaintext that is not JSON. It wraps ErrDecrypt and never quotes the key,
// the ciphertext or the plaintext.
type DecryptError struct {
	ID        string // the notification's id
	RequestID string // the Request-ID header, when present
	Err       error  // the cause; wraps ErrDecrypt
}

func (e *DecryptError) Error() string {
	s := "wechatpay: notification"
	if e.ID != "" {
		s += " " + e.ID
	}
	s += ": " + e.Err.Error()
	if e.RequestID != "" {
		s += " [Request-ID " + e.RequestID + "]"
	}
	return s
}

func (e *DecryptError) Unwrap() error { return e.Err }
