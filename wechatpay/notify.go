package wechatpay

import (
	"container/heap"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// NotificationAlgorithm is the algorithm WeChat Pay encrypts notification
// resources with; a resource naming any other is rejected.
const NotificationAlgorithm = "AEAD_AES_256_GCM"

// Sizes of the notification resource encryption.
const (
	APIv3KeySize          = 32 // bytes of the merchant's APIv3 key (AES-256)
	NotificationNonceSize = 12 // bytes of resource.nonce
	notificationTagSize   = 16 // bytes of the GCM tag appended to the ciphertext
)

// DefaultMaxNotificationBytes is the body size NewNotifyHandler accepts when
// NotifyConfig.MaxBodyBytes is zero.
const DefaultMaxNotificationBytes = 1 << 20

// Sentinel causes of notification failures, for errors.Is.
var (
	// ErrMethodNotAllowed: the notification was not a POST (answered 405).
	ErrMethodNotAllowed = errors.New("notification must be a POST")
	// ErrNotificationTooLarge: the body exceeds NotifyConfig.MaxBodyBytes (answered 413).
	ErrNotificationTooLarge = errors.New("notification body exceeds the size limit")
	// ErrReplayed is the cause of a *VerificationError for a request whose
	// Wechatpay-Nonce and Wechatpay-Signature were already seen within MaxClockSkew.
	ErrReplayed = errors.New("notification replayed")
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
		// json's messages name types and fields, not values.
		return zero, fmt.Errorf("wechatpay: notification %s: decode plaintext: %w", n.ID, err)
	}
	return v, nil
}

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

// NotifyHandler receives WeChat Pay notifications. It is an http.Handler for
// the notify_url; Parse serves callers who route and answer themselves. It is
// safe for concurrent use.
type NotifyHandler struct {
	verifier Verifier
	aead     cipher.AEAD // the only form the APIv3 key is kept in
	clock    func() time.Time
	maxBody  int64
	log      *slog.Logger
	handle   func(ctx context.Context, n *Notification) error
	seen     replayGuard
}

// NewNotifyHandler checks cfg and returns a handler that passes each verified,
// decrypted notification to handle. Problems are *ConfigError values naming
// the field (or "handle"), joined.
func NewNotifyHandler(cfg NotifyConfig, handle func(ctx context.Context, n *Notification) error) (*NotifyHandler, error) {
	var errs []error
	bad := func(field, problem string) { errs = append(errs, &ConfigError{Field: field, Problem: problem}) }
	if cfg.Keys == nil {
		bad("Keys", "is required")
	} else if len(cfg.Keys.Serials()) == 0 {
		bad("Keys", "holds no WeChat Pay public key or platform certificate")
	}
	if len(cfg.APIv3Key) != APIv3KeySize {
		bad("APIv3Key", fmt.Sprintf("has %d bytes, want %d", len(cfg.APIv3Key), APIv3KeySize))
	}
	if cfg.MaxBodyBytes < 0 {
		bad("MaxBodyBytes", "must not be negative")
	}
	if handle == nil {
		bad("handle", "is required")
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	aead, err := newResourceAEAD(cfg.APIv3Key)
	if err != nil {
		return nil, &ConfigError{Field: "APIv3Key", Problem: err.Error()}
	}
	h := &NotifyHandler{aead: aead, clock: cfg.Clock, maxBody: cfg.MaxBodyBytes, log: cfg.Logger, handle: handle}
	if h.clock == nil {
		h.clock = time.Now
	}
	if h.maxBody == 0 {
		h.maxBody = DefaultMaxNotificationBytes
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.verifier = Verifier{Keys: cfg.Keys, Now: h.clock}
	return h, nil
}

func newResourceAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block) // 12-byte nonce, 16-byte tag
}

// Parse checks r and returns its notification: r must be a POST whose body
// fits MaxBodyBytes, whose signature verifies (*VerificationError), that was
// not seen before (*VerificationError wrapping ErrReplayed), whose body is a
// notification (ErrMalformedNotification) and whose resource decrypts to JSON
// (*DecryptError). A request Parse accepted counts as seen: the same request
// again within MaxClockSkew is a replay. Parse reads r.Body.
func (h *NotifyHandler) Parse(r *http.Request) (*Notification, error) {
	n, err := h.parse(r)
	if err != nil {
		return nil, err
	}
	return n, nil
}

// parse is Parse, also returning what it learned of a notification that
// failed to decrypt, for the log.
func (h *NotifyHandler) parse(r *http.Request) (*Notification, error) {
	if r.Method != http.MethodPost {
		return nil, fmt.Errorf("wechatpay: notification: %w (got %.16q)", ErrMethodNotAllowed, r.Method)
	}
	body, err := h.readBody(r)
	if err != nil {
		return nil, err
	}
	requestID, serial := r.Header.Get(HeaderRequestID), r.Header.Get(HeaderSerial)
	verificationErr := func(err error) error {
		return &VerificationError{RequestID: requestID, Serial: serial, Err: err}
	}
	if err := h.verifier.Verify(r.Header, body); err != nil {
		return nil, verificationErr(err)
	}
	// Verify accepted both, so they parse.
	ts, _ := strconv.ParseInt(r.Header.Get(HeaderTimestamp), 10, 64)
	sig, _ := base64.StdEncoding.DecodeString(r.Header.Get(HeaderSignature))
	window := int64(MaxClockSkew / time.Second)
	// The signed timestamp stops verifying window seconds after it; until
	// then, the same nonce and signature are a replay.
	if !h.seen.first(r.Header.Get(HeaderNonce), sig, ts+window, h.clock().Unix()) {
		return nil, verificationErr(fmt.Errorf("%w: %s and %s already seen within %d s", ErrReplayed, HeaderNonce, HeaderSignature, window))
	}

	// The embedded Notification takes the envelope's fields; this Resource,
	// shallower, shadows its Resource so a missing one can be told apart.
	var env struct {
		Notification
		Resource *NotificationResource `json:"resource"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("wechatpay: notification: %w: %v", ErrMalformedNotification, err)
	}
	if env.Resource == nil {
		return nil, fmt.Errorf("wechatpay: notification %s: %w: no resource", env.ID, ErrMalformedNotification)
	}
	n := &env.Notification
	n.Resource, n.Serial, n.RequestID = *env.Resource, serial, requestID
	plaintext, err := openResource(h.aead, n.Resource)
	if err != nil {
		return n, &DecryptError{ID: n.ID, RequestID: requestID, Err: err}
	}
	n.Plaintext = plaintext
	return n, nil
}

func (h *NotifyHandler) readBody(r *http.Request) ([]byte, error) {
	tooLarge := fmt.Errorf("wechatpay: notification: %w of %d bytes", ErrNotificationTooLarge, h.maxBody)
	if r.Body == nil {
		return nil, nil
	}
	if r.ContentLength > h.maxBody {
		return nil, tooLarge
	}
	// One byte past the limit tells "exactly at" from "over".
	limit := h.maxBody
	if limit < math.MaxInt64 {
		limit++
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit))
	if err != nil {
		return nil, fmt.Errorf("wechatpay: notification: read body: %w", err)
	}
	if int64(len(body)) > h.maxBody {
		return nil, tooLarge
	}
	return body, nil
}

// openResource decrypts and authenticates res. Its errors wrap ErrDecrypt and
// describe sizes and formats, never content.
func openResource(aead cipher.AEAD, res NotificationResource) ([]byte, error) {
	if res.Algorithm != NotificationAlgorithm {
		return nil, fmt.Errorf("%w: algorithm %.32q is not %s", ErrDecrypt, res.Algorithm, NotificationAlgorithm)
	}
	if len(res.Nonce) != NotificationNonceSize {
		return nil, fmt.Errorf("%w: nonce has %d bytes, want %d", ErrDecrypt, len(res.Nonce), NotificationNonceSize)
	}
	sealed, err := base64.StdEncoding.DecodeString(res.Ciphertext)
	if err != nil {
		return nil, fmt.Errorf("%w: ciphertext is not Base64", ErrDecrypt)
	}
	if len(sealed) < notificationTagSize {
		return nil, fmt.Errorf("%w: ciphertext has %d bytes, shorter than the %d-byte tag", ErrDecrypt, len(sealed), notificationTagSize)
	}
	plaintext, err := aead.Open(nil, []byte(res.Nonce), sealed, []byte(res.AssociatedData))
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed (wrong APIv3 key, or tampered ciphertext, nonce or associated data)", ErrDecrypt)
	}
	if !json.Valid(plaintext) {
		return nil, fmt.Errorf("%w: plaintext is not JSON", ErrDecrypt)
	}
	return plaintext, nil
}

// EncryptNotificationResource encrypts plaintext the way WeChat Pay encrypts a
// notification resource: AES-256-GCM under the 32-byte APIv3 key, with
// associatedData as additional data and the 16-byte tag appended. nonce must be
// 12 bytes of UTF-8 (it travels as a JSON string); nil draws 12 random
// characters of [0-9A-Za-z]. Sandboxes and tests make notifications with it;
// OriginalType is left for the caller to set.
func EncryptNotificationResource(apiV3Key, plaintext []byte, associatedData string, nonce []byte) (NotificationResource, error) {
	if len(apiV3Key) != APIv3KeySize {
		return NotificationResource{}, fmt.Errorf("wechatpay: encrypt notification resource: APIv3 key has %d bytes, want %d", len(apiV3Key), APIv3KeySize)
	}
	if nonce == nil {
		s, err := NewNonce(rand.Reader)
		if err != nil {
			return NotificationResource{}, fmt.Errorf("wechatpay: encrypt notification resource: %w", err)
		}
		nonce = []byte(s[:NotificationNonceSize])
	}
	if len(nonce) != NotificationNonceSize {
		return NotificationResource{}, fmt.Errorf("wechatpay: encrypt notification resource: nonce has %d bytes, want %d", len(nonce), NotificationNonceSize)
	}
	if !utf8.Valid(nonce) {
		return NotificationResource{}, errors.New("wechatpay: encrypt notification resource: nonce is not valid UTF-8")
	}
	aead, err := newResourceAEAD(apiV3Key)
	if err != nil {
		return NotificationResource{}, fmt.Errorf("wechatpay: encrypt notification resource: %w", err)
	}
	sealed := aead.Seal(nil, nonce, plaintext, []byte(associatedData))
	return NotificationResource{
		Algorithm:      NotificationAlgorithm,
		Ciphertext:     base64.StdEncoding.EncodeToString(sealed),
		Nonce:          string(nonce),
		AssociatedData: associatedData,
	}, nil
}

// ServeHTTP answers 204 No Content once handle accepted the notification. Any
// failure is answered with a non-2xx status, so WeChat Pay retries, and the
// body {"code":"FAIL","message":"<reason>"}: 405 for a method other than POST,
// 413 for a body over the limit, 400 for a request that failed verification
// or decoding, 500 when handle returned an error. Each outcome is logged.
func (h *NotifyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	n, err := h.parse(r)
	var attrs []any
	if n != nil {
		attrs = append(attrs, slog.String("event_id", n.ID), slog.String("event_type", n.EventType))
	}
	attrs = append(attrs, slog.String("request_id", r.Header.Get(HeaderRequestID)))
	if err != nil {
		status, reason := notifyRejection(err)
		h.log.WarnContext(ctx, "wechatpay notification", append(attrs,
			slog.String("outcome", "rejected"), slog.Int("status", status), slog.String("error", err.Error()))...)
		if status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", http.MethodPost)
		}
		writeNotifyFailure(w, status, reason)
		return
	}
	if err := h.handle(ctx, n); err != nil {
		// The handler's error is logged as is: keep secrets out of it.
		h.log.ErrorContext(ctx, "wechatpay notification", append(attrs,
			slog.String("outcome", "handler failed"), slog.Int("status", http.StatusInternalServerError), slog.String("error", err.Error()))...)
		writeNotifyFailure(w, http.StatusInternalServerError, "notification handler failed")
		return
	}
	h.log.InfoContext(ctx, "wechatpay notification", append(attrs,
		slog.String("outcome", "handled"), slog.Int("status", http.StatusNoContent))...)
	w.WriteHeader(http.StatusNoContent)
}

// notifyRejection maps a Parse error to the status and the short reason
// answered; the reason is fixed per class, so no detail leaks to the sender.
func notifyRejection(err error) (int, string) {
	var verr *VerificationError
	var derr *DecryptError
	switch {
	case errors.Is(err, ErrMethodNotAllowed):
		return http.StatusMethodNotAllowed, "method not allowed"
	case errors.Is(err, ErrNotificationTooLarge):
		return http.StatusRequestEntityTooLarge, "body too large"
	case errors.Is(err, ErrReplayed):
		return http.StatusBadRequest, "notification replayed"
	case errors.As(err, &verr):
		return http.StatusBadRequest, "signature verification failed"
	case errors.Is(err, ErrMalformedNotification):
		return http.StatusBadRequest, "malformed notification"
	case errors.As(err, &derr):
		return http.StatusBadRequest, "resource decryption failed"
	}
	return http.StatusBadRequest, "bad request"
}

func writeNotifyFailure(w http.ResponseWriter, status int, reason string) {
	body, _ := json.Marshal(struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}{"FAIL", reason})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// replayGuard remembers the nonce and signature of each accepted notification
// until its signed timestamp leaves the verification window; older entries are
// dropped, so memory follows the traffic of the last 2×MaxClockSkew.
type replayGuard struct {
	mu      sync.Mutex
	expires map[[sha256.Size]byte]int64 // Unix second after which a key may be forgotten
	queue   replayQueue                 // the same keys, soonest expiry first
}

// first records (nonce, signature) until expiry and reports whether it was
// not recorded yet. The signature is taken decoded: Base64 has spare bits, so
// several strings decode to one signature.
func (g *replayGuard) first(nonce string, signature []byte, expiry, now int64) bool {
	h := sha256.New()
	fmt.Fprintf(h, "%d:%s:", len(nonce), nonce)
	h.Write(signature)
	var key [sha256.Size]byte
	h.Sum(key[:0])

	g.mu.Lock()
	defer g.mu.Unlock()
	for len(g.queue) > 0 && g.queue[0].expiry < now {
		e := heap.Pop(&g.queue).(replayEntry)
		if g.expires[e.key] == e.expiry {
			delete(g.expires, e.key)
		}
	}
	if exp, ok := g.expires[key]; ok && exp >= now {
		return false
	}
	if g.expires == nil {
		g.expires = make(map[[sha256.Size]byte]int64)
	}
	g.expires[key] = expiry
	heap.Push(&g.queue, replayEntry{key, expiry})
	return true
}

func (g *replayGuard) len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.expires)
}

type replayEntry struct {
	key    [sha256.Size]byte
	expiry int64
}

// replayQueue is a min-heap of entries by expiry (container/heap).
type replayQueue []replayEntry

func (q replayQueue) Len() int           { return len(q) }
func (q replayQueue) Less(i, j int) bool { return q[i].expiry < q[j].expiry }
func (q replayQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *replayQueue) Push(x any)        { *q = append(*q, x.(replayEntry)) }
func (q *replayQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}
