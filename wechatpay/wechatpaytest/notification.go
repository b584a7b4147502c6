package wechatpaytest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
)

// NotificationResourceType is the resource_type of every notification:
// "encrypt-resource", the value every official callback page gives, such as
// https://pay.weixin.qq.com/doc/v3/partner/4016790583 ("固定为encrypt-resource").
const NotificationResourceType = "encrypt-resource"

// DefaultNotifyTimeout bounds a notification delivery when Options.NotifyClient is nil.
const DefaultNotifyTimeout = 10 * time.Second

// notifyUserAgent is the User-Agent of the sandbox's notifications.
const notifyUserAgent = "payforge-wechatpay-sandbox"

// maxAnswerQuoted is how much of a merchant's failure answer a DeliveryError keeps.
const maxAnswerQuoted = 512

// chinaTime is the zone WeChat Pay writes its times in (+08:00).
var chinaTime = time.FixedZone("CST", 8*60*60)

// ErrNotificationsOff is what Server.Notify returns when Options.NoNotifications is set.
var ErrNotificationsOff = errors.New("wechatpaytest: notifications are off (Options.NoNotifications)")

// ErrServerClosed is returned by Notify once Close has begun: nothing is
// delivered after Close.
var ErrServerClosed = errors.New("wechatpaytest: the server is closed")

// Notification is a callback for Server.Notify to deliver: what the
// behaviour decides. The engine adds the rest of WeChat Pay's envelope: id,
// create_time, resource_type and the resource's algorithm, nonce and
// ciphertext.
type Notification struct {
	// URL is the notify_url to POST to.
	URL string
	// EventType and Summary are the envelope's event_type and summary.
	EventType string
	Summary   string
	// OriginalType and AssociatedData are the resource's original_type and
	// associated_data, which the encryption authenticates.
	OriginalType   string
	AssociatedData string
	// Plaintext is the resource before encryption: the JSON the merchant
	// decrypts.
	Plaintext []byte
}

// DeliveryError is a notification the merchant did not acknowledge: it sent
// no answer (Err) or a status other than 2xx.
type DeliveryError struct {
	NotifyURL  string
	StatusCode int    // 0 when no answer came
	Body       string // the start of the answer, at most 512 bytes
	Err        error  // why no answer came
}

func (e *DeliveryError) Error() string {
	if e.Err != nil {
		return "wechatpaytest: notify " + e.NotifyURL + ": " + e.Err.Error()
	}
	return fmt.Sprintf("wechatpaytest: notify %s: answered %d %s", e.NotifyURL, e.StatusCode, e.Body)
}

func (e *DeliveryError) Unwrap() error { return e.Err }

// Notify delivers n once, as WeChat Pay calls a notify_url: a POST of the
// envelope {"id","create_time","event_type","resource_type","summary",
// "resource"}, the resource encrypted with AEAD_AES_256_GCM under the APIv3
// key and the whole signed with the sandbox's WeChat Pay key like an answer,
// spoiled as a notification fault says (InjectNotificationFault). It follows
// no redirect and returns nil when the merchant answered 2xx, a
// *DeliveryError otherwise, and ErrNotificationsOff, sending nothing, with
// Options.NoNotifications. Close ends a delivery in progress and waits for
// it; after Close, Notify sends nothing and returns ErrServerClosed. Each
// delivery is logged.
func (s *Server) Notify(ctx context.Context, n Notification) error {
	if s.noNotify {
		return ErrNotificationsOff
	}
	// A delivery counts as work Close waits for, and ends when Close begins.
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrServerClosed
	}
	s.active.Add(1) // before Close can reach active.Wait, which needs s.mu first
	s.mu.Unlock()
	defer s.active.Done()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(s.ctx, cancel)()
	kind := s.takeNotificationFault()
	// 36 characters, the most the envelope's id may hold.
	id := "sandbox-" + randomHex(14)
	err := s.post(ctx, id, n, kind)
	attrs := []slog.Attr{
		slog.String("id", id),
		slog.String("event_type", n.EventType),
		slog.String("notify_url", n.URL),
	}
	if kind != 0 {
		attrs = append(attrs, slog.String("fault", kind.String()))
	}
	var de *DeliveryError
	switch {
	case err == nil:
		s.log.LogAttrs(ctx, slog.LevelInfo, "sandbox notification", append(attrs, slog.String("outcome", "acknowledged"))...)
	case errors.As(err, &de) && de.Err == nil:
		s.log.LogAttrs(ctx, slog.LevelWarn, "sandbox notification", append(attrs,
			slog.String("outcome", "refused"), slog.Int("status", de.StatusCode))...)
	default:
		s.log.LogAttrs(ctx, slog.LevelWarn, "sandbox notification", append(attrs,
			slog.String("outcome", "failed"), slog.String("error", err.Error()))...)
	}
	return err
}

// APIv3Key returns a copy of the key notification resources are encrypted
// with: the merchant's APIv3 key.
func (s *Server) APIv3Key() []byte { return bytes.Clone(s.apiV3Key) }

// InjectNotificationFault spoils the next notifications as f says, replacing
// any notification fault set before. The kinds that apply: FaultBadSignature,
// FaultTamperedBody, FaultStaleTimestamp, FaultUnknownSerial,
// FaultMissingSignature, FaultTamperedCiphertext and FaultWrongAPIv3Key.
// f.Times counts as for InjectFault.
func (s *Server) InjectNotificationFault(f Fault) error {
	switch f.Kind {
	case FaultBadSignature, FaultTamperedBody, FaultStaleTimestamp, FaultUnknownSerial,
		FaultMissingSignature, FaultTamperedCiphertext, FaultWrongAPIv3Key:
	default:
		return fmt.Errorf("wechatpaytest: inject notification fault: %v does not apply to notifications", f.Kind)
	}
	if f.Times == 0 {
		f.Times = 1
	}
	s.mu.Lock()
	s.notifyFault = &f
	s.mu.Unlock()
	return nil
}

// ClearNotificationFault removes the notification fault, if any.
func (s *Server) ClearNotificationFault() {
	s.mu.Lock()
	s.notifyFault = nil
	s.mu.Unlock()
}

func (s *Server) takeNotificationFault() FaultKind {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.notifyFault
	if f == nil {
		return 0
	}
	if f.Times > 0 {
		f.Times--
		if f.Times == 0 {
			s.notifyFault = nil
		}
	}
	return f.Kind
}

func (s *Server) post(ctx context.Context, id string, n Notification, kind FaultKind) error {
	body, err := s.notificationBody(id, n, kind)
	if err != nil {
		return fmt.Errorf("wechatpaytest: notify %s: %w", n.URL, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.URL, nil)
	if err != nil {
		return &DeliveryError{NotifyURL: n.URL, Err: err}
	}
	sent := s.signInto(req.Header, body, kind)
	req.Body = io.NopCloser(bytes.NewReader(sent))
	req.ContentLength = int64(len(sent))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(sent)), nil }
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", notifyUserAgent)

	resp, err := s.notifyClient.Do(req)
	if err != nil {
		return &DeliveryError{NotifyURL: n.URL, Err: err}
	}
	defer resp.Body.Close()
	quoted, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswerQuoted))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &DeliveryError{NotifyURL: n.URL, StatusCode: resp.StatusCode, Body: string(quoted)}
	}
	return nil
}

// notificationBody builds the envelope of n, its resource encrypted with
// the APIv3 key, spoiled as kind says.
func (s *Server) notificationBody(id string, n Notification, kind FaultKind) ([]byte, error) {
	key := s.apiV3Key
	if kind == FaultWrongAPIv3Key {
		key = bytes.Clone(key)
		key[0] ^= 1 // still 32 bytes, and still printable when it was
	}
	res, err := wechatpay.EncryptNotificationResource(key, n.Plaintext, n.AssociatedData, nil)
	if err != nil {
		return nil, err
	}
	res.OriginalType = n.OriginalType
	if kind == FaultTamperedCiphertext {
		sealed, _ := base64.StdEncoding.DecodeString(res.Ciphertext) // just encoded
		sealed[0] ^= 1
		res.Ciphertext = base64.StdEncoding.EncodeToString(sealed)
	}
	return marshal(wechatpay.Notification{
		ID:           id,
		CreateTime:   s.clock().In(chinaTime).Format(time.RFC3339),
		EventType:    n.EventType,
		ResourceType: NotificationResourceType,
		Summary:      n.Summary,
		Resource:     res,
	})
}

// newAPIv3Key returns 32 characters of [0-9A-Za-z], the shape of the key a
// merchant sets on the merchant platform.
func newAPIv3Key() ([]byte, error) {
	k, err := wechatpay.NewNonce(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("wechatpaytest: generate APIv3 key: %w", err)
	}
	if len(k) != wechatpay.APIv3KeySize {
		return nil, errors.New("wechatpaytest: generate APIv3 key: want " + strconv.Itoa(wechatpay.APIv3KeySize) + " characters")
	}
	return []byte(k), nil
}

// randomHex returns n random bytes in lower-case hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails, see crypto/rand.Read
	return hex.EncodeToString(b)
}
