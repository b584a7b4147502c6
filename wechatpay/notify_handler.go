package wechatpay

import (
	"context"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

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
	h.verifier = Verifier{Keys: cfg.Keys, Now: h.clock, Signatures: cfg.SignatureVerifier}
	return h, nil
}

// Parse checks r and returns its notification, for callers who route and
// answer themselves: r must be a POST whose body fits MaxBodyBytes, whose
// signature verifies (*VerificationError), that is not a delivery already
// handled (*VerificationError wrapping ErrReplayed), whose body is a
// notification (ErrMalformedNotification) and whose resource decrypts to JSON
// (*DecryptError). Parse reads r.Body.
//
// ErrReplayed comes only after the signature and the timestamp verified: the
// request is WeChat Pay's, identical to one already handled (its
// acknowledgement was lost). Answer it with a 2xx without handling it again,
// as ServeHTTP does, or WeChat Pay keeps sending it.
//
// Parse records nothing: the caller calls MarkHandled once it has handled the
// notification successfully, and only then is the same delivery a replay.
// Parse does not keep two deliveries of one notification id apart either;
// ServeHTTP does. A caller of Parse who may run deliveries concurrently must
// make its handling idempotent by Notification.ID (see the package doc).
func (h *NotifyHandler) Parse(r *http.Request) (*Notification, error) {
	n, err := h.parse(r)
	if err != nil {
		return nil, err
	}
	return n, nil
}

// MarkHandled records the delivery that carried n (a notification Parse
// returned) as handled: the same request again, until its signed timestamp
// stops verifying, is reported by Parse as a replay (ErrReplayed). Call it after the notification
// was handled successfully, before answering 2xx.
func (h *NotifyHandler) MarkHandled(n *Notification) {
	if n == nil || n.delivery == (delivery{}) {
		return // not from Parse: nothing identifies its delivery
	}
	h.seen.markHandled(n.delivery, n.delivery.at)
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
	// One clock reading judges the whole request: the timestamp check, the
	// replay check, and later the claim and the record. With a reading per
	// step, a replay whose timestamp verified at the window's last second
	// could meet a record already expired at the next.
	now := h.clock()
	if err := h.verifier.verifyAt(r.Header, body, now); err != nil {
		return nil, verificationErr(err)
	}
	// verifyAt accepted both, so they parse.
	ts, _ := strconv.ParseInt(r.Header.Get(HeaderTimestamp), 10, 64)
	sig, _ := base64.StdEncoding.DecodeString(r.Header.Get(HeaderSignature))
	// Until the signed timestamp stops verifying, the same nonce and
	// signature of a handled delivery are a replay.
	d := newDelivery(r.Header.Get(HeaderNonce), sig, ts, now.Unix())
	if h.seen.wasHandled(d, d.at) {
		return nil, verificationErr(replayedErr())
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
	n.Resource, n.Serial, n.RequestID, n.delivery = *env.Resource, serial, requestID, d
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
	body, over, err := readLimited(r.Body, h.maxBody)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: notification: read body: %w", err)
	}
	if over {
		return nil, tooLarge
	}
	return body, nil
}

// ServeHTTP answers 204 No Content once handle accepted the notification, and
// also, without calling handle again, to a verified request identical to a
// delivery already handled (same nonce and signature, so same body, within
// the signed timestamp's window): WeChat Pay resends a notification whose
// acknowledgement was lost, and its guidance is to answer success for a
// notification already processed. Any failure is answered with a non-2xx
// status, so WeChat Pay delivers the notification again later, and the body
// {"code":"FAIL","message":"<reason>"}: 405 for a method other than POST, 413
// for a body over the limit, 400 for a request that failed verification
// (a changed body, a stale timestamp) or decoding, 409 while another delivery
// of the same notification id is being handled, 500 when handle returned an
// error. Only a delivery whose handling succeeded is recorded: after a 500
// the same request is handled again. Each outcome is logged.
//
// A panic in handle is not recovered: ServeHTTP releases the notification id
// and lets the panic go on, so net/http's server logs it with its stack and
// drops the connection without an answer (a middleware that recovers panics
// answers for it instead). Either way no 2xx is sent and nothing is
// recorded: WeChat Pay delivers the notification again, and it is handled
// again.
func (h *NotifyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	n, err := h.parse(r)
	var attrs []any
	if n != nil {
		attrs = append(attrs, slog.String("event_id", n.ID), slog.String("event_type", n.EventType))
	}
	attrs = append(attrs, slog.String("request_id", r.Header.Get(HeaderRequestID)))
	if err == nil {
		err = h.claim(n)
	}
	if errors.Is(err, ErrReplayed) {
		// Verified, and identical to a delivery handled successfully: only its
		// acknowledgement was lost. Acknowledge it again; handle never sees it.
		h.log.InfoContext(ctx, "wechatpay notification", append(attrs,
			slog.String("outcome", "already handled"), slog.Int("status", http.StatusNoContent))...)
		w.WriteHeader(http.StatusNoContent)
		return
	}
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
	// handle owns n and may change it (wipe the plaintext, say): release or
	// record what was claimed, never what n holds afterwards.
	id, d := n.ID, n.delivery
	claimed := true
	defer func() {
		// A panicking handle must not leave the id claimed for ever.
		if claimed {
			h.seen.release(id)
		}
	}()
	if err := h.handle(ctx, n); err != nil {
		// The handler's error is logged as is: keep secrets out of it.
		h.log.ErrorContext(ctx, "wechatpay notification", append(attrs,
			slog.String("outcome", "handler failed"), slog.Int("status", http.StatusInternalServerError), slog.String("error", err.Error()))...)
		writeNotifyFailure(w, http.StatusInternalServerError, "notification handler failed")
		return
	}
	h.seen.done(id, d, d.at)
	claimed = false
	h.log.InfoContext(ctx, "wechatpay notification", append(attrs,
		slog.String("outcome", "handled"), slog.Int("status", http.StatusNoContent))...)
	w.WriteHeader(http.StatusNoContent)
}

// claim takes notification n's id for this request, or says why not: a
// replay (*VerificationError wrapping ErrReplayed) or another delivery in
// flight (ErrNotificationInProgress).
func (h *NotifyHandler) claim(n *Notification) error {
	switch err := h.seen.claim(n.ID, n.delivery, n.delivery.at); {
	case errors.Is(err, ErrReplayed):
		return &VerificationError{RequestID: n.RequestID, Serial: n.Serial, Err: replayedErr()}
	case err != nil:
		return fmt.Errorf("wechatpay: notification %s: %w", n.ID, err)
	}
	return nil
}

func replayedErr() error {
	return fmt.Errorf("%w: %s and %s of a delivery already handled", ErrReplayed, HeaderNonce, HeaderSignature)
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
	case errors.Is(err, ErrNotificationInProgress):
		return http.StatusConflict, "notification in progress"
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
