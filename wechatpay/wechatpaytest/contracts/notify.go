package contracts

import (
	"context"
	"errors"
	"fmt"

	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
)

// The labels of this family's notification that no official page gives:
// the event type, the summary, and the resource's original_type and
// associated_data (which official pages set per product, such as
// "transaction" for payments). These are sandbox placeholders, not WeChat
// Pay's values; each says "sandbox". The envelope's resource_type is the
// official wechatpaytest.NotificationResourceType.
const (
	NotificationEventType      = "SANDBOX.CONTRACT_SIGNED"
	NotificationSummary        = "sandbox: the user signed the contract"
	NotificationOriginalType   = "sandbox-contract"
	NotificationAssociatedData = "sandbox-sign" // at most 15 bytes, as the envelope allows
)

// SignContract signs a pending contract as its user would: the contract
// becomes active with a new contract_id, signed at the sandbox clock's time.
// The sandbox then POSTs the signing notification to the contract's
// notify_url (unless notifications are off, wechatpaytest.Options
// NoNotifications) and returns the outcome: nil when the merchant answered
// 2xx, a *wechatpaytest.DeliveryError otherwise. The contract stays signed
// either way; SendNotification delivers again.
func (f *Family) SignContract(ctx context.Context, serviceID int64, code string) error {
	srv, err := f.server("sign contract")
	if err != nil {
		return err
	}
	k := key{serviceID, code}
	f.mu.Lock()
	c := f.contracts[k]
	if c == nil || c.state != Pending {
		f.mu.Unlock()
		return fmt.Errorf("contracts: sign contract %d/%s: it is %v, want pending", serviceID, code, stateOf(c))
	}
	c.sign(srv.Now())
	view, notifyURL := f.view(k, c), c.req.NotifyURL
	f.mu.Unlock()
	if err := f.notify(ctx, srv, notifyURL, view); err != nil && !errors.Is(err, wechatpaytest.ErrNotificationsOff) {
		return err
	}
	return nil
}

// SendNotification sends the signing notification of an active contract to
// its notify_url again, as WeChat Pay retries one that was not acknowledged,
// and returns the outcome as SignContract does; with notifications off it
// returns wechatpaytest.ErrNotificationsOff. Contracts made by AddContract
// have no notify_url.
func (f *Family) SendNotification(ctx context.Context, serviceID int64, code string) error {
	srv, err := f.server("send notification")
	if err != nil {
		return err
	}
	k := key{serviceID, code}
	f.mu.Lock()
	c := f.contracts[k]
	if c == nil || c.state != Active || c.req.NotifyURL == "" {
		f.mu.Unlock()
		return fmt.Errorf("contracts: send notification %d/%s: want an active contract with a notify_url, it is %v", serviceID, code, stateOf(c))
	}
	view, notifyURL := f.view(k, c), c.req.NotifyURL
	f.mu.Unlock()
	return f.notify(ctx, srv, notifyURL, view)
}

// notify delivers the notification of a signed contract through the engine.
func (f *Family) notify(ctx context.Context, srv *wechatpaytest.Server, notifyURL string, view contractView) error {
	plaintext, err := wechatpaytest.JSON(view)
	if err != nil {
		return err
	}
	return srv.Notify(ctx, wechatpaytest.Notification{
		URL:            notifyURL,
		EventType:      NotificationEventType,
		Summary:        NotificationSummary,
		OriginalType:   NotificationOriginalType,
		AssociatedData: NotificationAssociatedData,
		Plaintext:      plaintext.Body,
	})
}
