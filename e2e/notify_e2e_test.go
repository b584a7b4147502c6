package e2e_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	pec "github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
)

// notifyMerchant is a merchant's notify_url: an HTTPS test server hosting the
// runtime's NotifyHandler with the sandbox's WeChat Pay public key and APIv3
// key. handled receives each notification the handler function accepted.
type notifyMerchant struct {
	*httptest.Server
	handler atomic.Pointer[wechatpay.NotifyHandler]
	handled chan pec.QueryByCodeResponse
	calls   atomic.Int32 // of the handler function
	status  atomic.Int32 // of the last answer
}

func (m *notifyMerchant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	m.handler.Load().ServeHTTP(rec, r)
	m.status.Store(int32(rec.status))
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// notifySandbox starts a merchant and a sandbox that notifies it. The merchant
// starts first, so the sandbox can take its client (which trusts its
// certificate); its handler is built from the sandbox's keys after.
func notifySandbox(t *testing.T) (familyServer, *pec.Client, *notifyMerchant) {
	t.Helper()
	m := &notifyMerchant{handled: make(chan pec.QueryByCodeResponse, 8)}
	m.Server = httptest.NewTLSServer(m)
	t.Cleanup(m.Close)

	srv, _, c := familySandbox(t, wechatpaytest.Options{NotifyClient: m.Client()})
	cfg := srv.ClientConfig()
	keys, err := wechatpay.NewKeySet(cfg.VerificationKeys...)
	if err != nil {
		t.Fatal(err)
	}
	h, err := wechatpay.NewNotifyHandler(wechatpay.NotifyConfig{Keys: keys, APIv3Key: srv.APIv3Key(), Clock: cfg.Clock, Logger: recorded.logger},
		func(_ context.Context, n *wechatpay.Notification) error {
			m.calls.Add(1)
			contract, err := wechatpay.DecodeNotification[pec.QueryByCodeResponse](n)
			if err != nil {
				return err
			}
			if n.EventType != contracts.NotificationEventType || n.ResourceType != wechatpaytest.NotificationResourceType ||
				n.Resource.OriginalType != contracts.NotificationOriginalType || n.Serial != wechatpaytest.DefaultWechatpayKeyID {
				return errors.New("unexpected envelope")
			}
			m.handled <- contract
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	m.handler.Store(h)
	return srv, c, m
}

// preSignFor pre-signs code with the merchant's notify_url.
func preSignFor(t *testing.T, c *pec.Client, m *notifyMerchant, code string) {
	t.Helper()
	v := preSignVariants[2] // service provider, mini program: sub fields too
	if _, err := v.send(context.Background(), c, v.request(code, m.URL+"/wechatpay/notify")); err != nil {
		t.Fatal(err)
	}
}

func TestNotificationRoundTrip(t *testing.T) {
	srv, c, m := notifySandbox(t)
	ctx := context.Background()
	preSignFor(t, c, m, "notify1")
	if err := srv.SignContract(ctx, familyServiceID, "notify1"); err != nil {
		t.Fatalf("SignContract: %v", err)
	}
	var got pec.QueryByCodeResponse
	select {
	case got = <-m.handled:
	default:
		t.Fatal("SignContract returned before the handler took the notification")
	}
	if st := m.status.Load(); st != http.StatusNoContent {
		t.Errorf("merchant answered %d, want 204", st)
	}
	// The plaintext is the contract as the query answers it.
	q, err := c.QueryByCode(ctx, &pec.QueryByCodeRequest{ServiceID: familyServiceID, OutContractCode: "notify1"})
	if err != nil {
		t.Fatal(err)
	}
	if got.ContractID == "" || got.ContractID != q.ContractID || got.OutContractCode != "notify1" || got.ServiceID != familyServiceID ||
		got.MchID != wechatpaytest.DefaultMchID || got.AppID != testSpAppID || got.OpenID != testSpOpenID ||
		got.SubAppID != testSubAppID || got.SubOpenID != testSubOpenID || got.ContractDisplayAccount != testAccount ||
		got.ContractState != pec.ContractStateSigned || !got.ContractSignedTime.Equal(signedAt) {
		t.Errorf("notified contract %+v, queried %+v", got, *q)
	}

	// WeChat Pay retries a notification; each delivery is a new request.
	if err := srv.SendNotification(ctx, familyServiceID, "notify1"); err != nil {
		t.Fatalf("SendNotification: %v", err)
	}
	<-m.handled
}

// TestNotificationRejected spoils one notification per case: the handler
// refuses it without calling the handler function, and SignContract reports
// the failed delivery. The retry that follows is clean and accepted.
func TestNotificationRejected(t *testing.T) {
	srv, c, m := notifySandbox(t)
	ctx := context.Background()
	const decrypt, verify = "resource decryption failed", "signature verification failed"
	for i, tt := range []struct {
		kind   wechatpaytest.FaultKind
		reason string // the handler's message
	}{
		{wechatpaytest.FaultTamperedCiphertext, decrypt},
		{wechatpaytest.FaultWrongAPIv3Key, decrypt},
		{wechatpaytest.FaultStaleTimestamp, verify},
		{wechatpaytest.FaultBadSignature, verify},
		{wechatpaytest.FaultTamperedBody, verify},
		{wechatpaytest.FaultUnknownSerial, verify},
		{wechatpaytest.FaultMissingSignature, verify},
	} {
		kind := tt.kind
		t.Run(kind.String(), func(t *testing.T) {
			code := "rejected" + string(rune('A'+i))
			preSignFor(t, c, m, code)
			if err := srv.InjectNotificationFault(wechatpaytest.Fault{Kind: kind}); err != nil {
				t.Fatal(err)
			}
			before := m.calls.Load()
			err := srv.SignContract(ctx, familyServiceID, code)
			var de *wechatpaytest.DeliveryError
			if !errors.As(err, &de) || de.StatusCode != http.StatusBadRequest || de.Err != nil || !strings.Contains(de.Body, tt.reason) {
				t.Fatalf("SignContract: %v, want a *DeliveryError: 400 %s", err, tt.reason)
			}
			if n := m.calls.Load() - before; n != 0 {
				t.Errorf("handler function called %d times for a spoiled notification", n)
			}
			if st := srv.State(familyServiceID, code); st != contracts.Active {
				t.Errorf("contract %v after a refused notification, want active", st)
			}
			if err := srv.SendNotification(ctx, familyServiceID, code); err != nil {
				t.Fatalf("clean retry: %v", err)
			}
			select {
			case got := <-m.handled:
				if got.OutContractCode != code {
					t.Errorf("retry notified %s", got.OutContractCode)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("retry not handled")
			}
		})
	}
}
