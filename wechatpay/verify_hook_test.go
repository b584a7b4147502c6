package wechatpay

import (
	"bytes"
	"context"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// countingVerifier records its calls and answers as told.
type countingVerifier struct {
	calls atomic.Int32
	ok    bool
}

func (v *countingVerifier) VerifyPKCS1v15SHA256(pub *rsa.PublicKey, digest, sig []byte) error {
	v.calls.Add(1)
	if len(digest) != 32 || len(sig) != pub.Size() {
		return errors.New("unexpected sizes")
	}
	if !v.ok {
		return errors.New("refused")
	}
	return nil
}

// TestSignatureVerifierHook: Config.SignatureVerifier decides, for answers
// and notifications alike.
func TestSignatureVerifierHook(t *testing.T) {
	requireOpenSSL(t)
	for _, ok := range []bool{true, false} {
		rec := newRecorder(t, 200, okHeader(t, terminateResp), terminateResp)
		hook := &countingVerifier{ok: ok}
		cfg := testConfig(t, rec.URL)
		cfg.SignatureVerifier = hook
		_, err := newTestClient(t, cfg).Do(context.Background(), terminateRequest())
		if hook.calls.Load() != 1 || (err == nil) != ok || (!ok && !errors.Is(err, ErrBadSignature)) {
			t.Errorf("hook answering %v: %d calls, Do = %v", ok, hook.calls.Load(), err)
		}
	}
	v := loadNotifyVector(t)
	body := notifyEnvelope(t, testNotifyID, v.resource())
	hook := &countingVerifier{ok: false}
	ncfg := testNotifyConfig(t, v.APIv3Key)
	ncfg.SignatureVerifier = hook
	h := mustNotifyHandler(t, ncfg, func(context.Context, *Notification) error { return nil })
	req := postRequest(body, notifyHeader(t, body))
	if _, err := h.Parse(req); !errors.Is(err, ErrBadSignature) || hook.calls.Load() != 1 {
		t.Errorf("notification with a refusing hook: %v after %d calls", err, hook.calls.Load())
	}
}

func postRequest(body []byte, h http.Header) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(body))
	req.Header = h.Clone()
	return req
}
