package wechatpaytest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
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

// The labels of this family's notification that no official page gives:
// the event type, the summary, the resource's original_type and
// associated_data (which official pages set per product, such as
// "transaction" for payments). These are sandbox placeholders, not WeChat
// Pay's values; each says "sandbox".
const (
	NotificationEventType      = "SANDBOX.CONTRACT_SIGNED"
	NotificationSummary        = "sandbox: the user signed the contract"
	NotificationOriginalType   = "sandbox-contract"
	NotificationAssociatedData = "sandbox-contract"
)

// DefaultNotifyTimeout bounds a notification delivery when Options.NotifyClient is nil.
const DefaultNotifyTimeout = 10 * time.Second

// notifyUserAgent is the User-Agent of the sandbox's notifications.
const notifyUserAgent = "payforge-wechatpay-sandbox"

// maxAnswerQuoted is how much of a merchant's failure answer a DeliveryError keeps.
const maxAnswerQuoted = 512

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

// SignContract signs a pending contract as its user would: the contract
// becomes active with a new contract_id, signed at the sandbox clock's time.
// The sandbox then POSTs the signing notification to the contract's
// notify_url (unless Options.NoNotifications) and returns the outcome: nil
// when the merchant answered 2xx, a *DeliveryError otherwise. The contract
// stays signed either way; SendNotification delivers again.
func (s *Server) SignContract(ctx context.Context, serviceID int64, code string) error {
	key := contractKey{serviceID, code}
	s.mu.Lock()
	c := s.contracts[key]
	if c == nil || c.state != ContractPending {
		s.mu.Unlock()
		return fmt.Errorf("wechatpaytest: sign contract %d/%s: it is %v, want pending", serviceID, code, s.stateOf(c))
	}
	c.sign(s.clock())
	view, notifyURL := s.view(key, c), c.req.NotifyURL
	s.mu.Unlock()
	if s.noNotify {
		return nil
	}
	return s.deliver(ctx, key, notifyURL, view)
}

// SendNotification sends the signing notification of an active contract to
// its notify_url again, as WeChat Pay retries one that was not acknowledged,
// and returns the outcome as SignContract does. Contracts made by
// AddContract have no notify_url.
func (s *Server) SendNotification(ctx context.Context, serviceID int64, code string) error {
	key := contractKey{serviceID, code}
	s.mu.Lock()
	c := s.contracts[key]
	if c == nil || c.state != ContractActive || c.req.NotifyURL == "" {
		s.mu.Unlock()
		return fmt.Errorf("wechatpaytest: send notification %d/%s: want an active contract with a notify_url, it is %v", serviceID, code, s.stateOf(c))
	}
	view, notifyURL := s.view(key, c), c.req.NotifyURL
	s.mu.Unlock()
	if s.noNotify {
		return fmt.Errorf("wechatpaytest: send notification %d/%s: notifications are off (Options.NoNotifications)", serviceID, code)
	}
	return s.deliver(ctx, key, notifyURL, view)
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

// deliver POSTs the notification of view to notifyURL and logs the outcome.
func (s *Server) deliver(ctx context.Context, key contractKey, notifyURL string, view contractView) error {
	kind := s.takeNotificationFault()
	err := s.post(ctx, notifyURL, view, kind)
	attrs := []slog.Attr{
		slog.Int64("service_id", key.serviceID),
		slog.String("out_contract_code", key.code),
		slog.String("notify_url", notifyURL),
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

func (s *Server) post(ctx context.Context, notifyURL string, view contractView, kind FaultKind) error {
	body, err := s.notificationBody(view, kind)
	if err != nil {
		return fmt.Errorf("wechatpaytest: notify %s: %w", notifyURL, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, notifyURL, nil)
	if err != nil {
		return &DeliveryError{NotifyURL: notifyURL, Err: err}
	}
	sent := s.signInto(req.Header, body, kind)
	req.Body = io.NopCloser(bytes.NewReader(sent))
	req.ContentLength = int64(len(sent))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(sent)), nil }
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", notifyUserAgent)

	resp, err := s.notifyClient.Do(req)
	if err != nil {
		return &DeliveryError{NotifyURL: notifyURL, Err: err}
	}
	defer resp.Body.Close()
	quoted, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswerQuoted))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &DeliveryError{NotifyURL: notifyURL, StatusCode: resp.StatusCode, Body: string(quoted)}
	}
	return nil
}

// notificationBody builds the envelope of view's notification, its resource
// encrypted with the APIv3 key, spoiled as kind says.
func (s *Server) notificationBody(view contractView, kind FaultKind) ([]byte, error) {
	key := s.apiV3Key
	if kind == FaultWrongAPIv3Key {
		key = bytes.Clone(key)
		key[0] ^= 1 // still 32 bytes, and still printable when it was
	}
	res, err := wechatpay.EncryptNotificationResource(key, marshal(view), NotificationAssociatedData, nil)
	if err != nil {
		return nil, err
	}
	res.OriginalType = NotificationOriginalType
	if kind == FaultTamperedCiphertext {
		sealed, _ := base64.StdEncoding.DecodeString(res.Ciphertext) // just encoded
		sealed[0] ^= 1
		res.Ciphertext = base64.StdEncoding.EncodeToString(sealed)
	}
	return marshal(wechatpay.Notification{
		ID:           "sandbox-" + randomHex(16),
		CreateTime:   s.clock().In(chinaTime).Format(time.RFC3339),
		EventType:    NotificationEventType,
		ResourceType: NotificationResourceType,
		Summary:      NotificationSummary,
		Resource:     res,
	}), nil
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
