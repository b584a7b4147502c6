package wechatpay

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

var sentinels = []error{ErrMissingHeader, ErrUnknownSerial, ErrBadSignature, ErrStaleTimestamp}

// answerCase is one signed answer and the verdict it must get.
type answerCase struct {
	name       string
	status     int
	keyFile    string // signs the answer
	serial     string // Wechatpay-Serial sent
	ts         string // Wechatpay-Timestamp signed and sent
	signedBody string // body covered by the signature
	sentBody   string // body sent
	mutate     func(h http.Header)
	wantErr    error // nil: accepted
}

func tsAt(delta int64) string { return strconv.FormatInt(testTimestamp+delta, 10) }

func answerCases() []answerCase {
	now := tsAt(0)
	base := answerCase{status: 200, keyFile: "wechatpay_key.pem", serial: testPubKeyID, ts: now, signedBody: terminateResp, sentBody: terminateResp}
	with := func(name string, f func(c *answerCase)) answerCase {
		c := base
		c.name = name
		f(&c)
		return c
	}
	del := func(name string) func(h http.Header) { return func(h http.Header) { h.Del(name) } }
	set := func(name, v string) func(h http.Header) { return func(h http.Header) { h.Set(name, v) } }
	return []answerCase{
		with("public-key mode", func(c *answerCase) {}),
		with("platform certificate mode", func(c *answerCase) {
			c.keyFile, c.serial = "platform_key.pem", testPlatformSerial
		}),
		with("empty body of a 204", func(c *answerCase) { c.status, c.signedBody, c.sentBody = 204, "", "" }),
		with("202 with body", func(c *answerCase) { c.status = 202 }),
		with("300 s old is accepted", func(c *answerCase) { c.ts = tsAt(-300) }),
		with("300 s ahead is accepted", func(c *answerCase) { c.ts = tsAt(300) }),

		with("missing Wechatpay-Timestamp", func(c *answerCase) { c.mutate, c.wantErr = del(HeaderTimestamp), ErrMissingHeader }),
		with("missing Wechatpay-Nonce", func(c *answerCase) { c.mutate, c.wantErr = del(HeaderNonce), ErrMissingHeader }),
		with("missing Wechatpay-Signature", func(c *answerCase) { c.mutate, c.wantErr = del(HeaderSignature), ErrMissingHeader }),
		with("missing Wechatpay-Serial", func(c *answerCase) { c.mutate, c.wantErr = del(HeaderSerial), ErrMissingHeader }),
		with("empty Wechatpay-Signature", func(c *answerCase) { c.mutate, c.wantErr = set(HeaderSignature, ""), ErrMissingHeader }),
		with("unknown serial", func(c *answerCase) {
			c.serial, c.wantErr = "PUB_KEY_ID_0114232134912410000000000001", ErrUnknownSerial
		}),
		with("serial in another case", func(c *answerCase) {
			c.keyFile, c.serial, c.wantErr = "platform_key.pem", strings.ToLower(testPlatformSerial), ErrUnknownSerial
		}),
		with("signed with other_key.pem", func(c *answerCase) { c.keyFile, c.wantErr = "other_key.pem", ErrBadSignature }),
		with("signed by the platform key, naming the public key", func(c *answerCase) {
			c.keyFile, c.wantErr = "platform_key.pem", ErrBadSignature
		}),
		with("tampered body", func(c *answerCase) {
			c.sentBody, c.wantErr = strings.Replace(terminateResp, "12535", "12536", 1), ErrBadSignature
		}),
		with("body added to a signed empty answer", func(c *answerCase) {
			c.signedBody, c.wantErr = "", ErrBadSignature
		}),
		with("tampered nonce", func(c *answerCase) { c.mutate, c.wantErr = set(HeaderNonce, "other"), ErrBadSignature }),
		with("tampered timestamp", func(c *answerCase) { c.mutate, c.wantErr = set(HeaderTimestamp, tsAt(1)), ErrBadSignature }),
		with("non-Base64 signature", func(c *answerCase) {
			c.mutate, c.wantErr = set(HeaderSignature, "not*base64!"), ErrBadSignature
		}),
		with("Base64 signature of the wrong length", func(c *answerCase) {
			c.mutate, c.wantErr = set(HeaderSignature, "c2lnbmF0dXJl"), ErrBadSignature
		}),
		with("301 s old", func(c *answerCase) { c.ts, c.wantErr = tsAt(-301), ErrStaleTimestamp }),
		with("301 s ahead", func(c *answerCase) { c.ts, c.wantErr = tsAt(301), ErrStaleTimestamp }),
		with("non-numeric timestamp", func(c *answerCase) { c.ts, c.wantErr = now+"a", ErrStaleTimestamp }),
		with("timestamp in milliseconds", func(c *answerCase) { c.ts, c.wantErr = now+"000", ErrStaleTimestamp }),
		with("minimum int64 timestamp", func(c *answerCase) { c.ts, c.wantErr = "-9223372036854775808", ErrStaleTimestamp }),
		with("maximum int64 timestamp", func(c *answerCase) { c.ts, c.wantErr = "9223372036854775807", ErrStaleTimestamp }),
		with("timestamp beyond int64", func(c *answerCase) { c.ts, c.wantErr = "99999999999999999999", ErrStaleTimestamp }),
	}
}

func (c answerCase) header(t testing.TB) http.Header {
	t.Helper()
	h := signedHeader(t, c.keyFile, c.serial, c.ts, testRespNonce, []byte(c.signedBody))
	if c.mutate != nil {
		c.mutate(h)
	}
	return h
}

// checkSentinel asserts err wraps want and none of the other sentinels.
func checkSentinel(t testing.TB, err, want error) {
	t.Helper()
	for _, s := range sentinels {
		if got := errors.Is(err, s); got != (s == want) {
			t.Errorf("errors.Is(%v, %v) = %v", err, s, got)
		}
	}
}

func testVerifier(t testing.TB) *Verifier {
	t.Helper()
	pubMode, platform := testKeys(t)
	keys, err := NewKeySet(pubMode, platform)
	if err != nil {
		t.Fatal(err)
	}
	return &Verifier{Keys: keys, Now: testClock}
}

func TestVerify(t *testing.T) {
	requireOpenSSL(t)
	v := testVerifier(t)
	for _, tc := range answerCases() {
		t.Run(tc.name, func(t *testing.T) {
			err := v.Verify(tc.header(t), []byte(tc.sentBody))
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Verify accepted the answer")
			}
			checkSentinel(t, err, tc.wantErr)
			if tc.sentBody != "" && strings.Contains(err.Error(), tc.sentBody) {
				t.Errorf("error quotes the body: %v", err)
			}
		})
	}
}

func TestClientVerifiesAnswers(t *testing.T) {
	requireOpenSSL(t)
	for _, tc := range answerCases() {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.header(t)
			rec := newRecorder(t, tc.status, h, tc.sentBody)
			c := newTestClient(t, testConfig(t, rec.URL))
			resp, err := c.Do(context.Background(), terminateRequest())
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("Do: %v", err)
				}
				if resp.StatusCode != tc.status || string(resp.Body) != tc.sentBody || resp.RequestID != testRequestID {
					t.Errorf("response = %d %q %q", resp.StatusCode, resp.Body, resp.RequestID)
				}
				if resp.Header.Get(HeaderSignature) != h.Get(HeaderSignature) {
					t.Errorf("response headers not handed over")
				}
				return
			}
			if resp != nil {
				t.Errorf("Do returned a response (%q) with a verification failure", resp.Body)
			}
			var verr *VerificationError
			if !errors.As(err, &verr) {
				t.Fatalf("Do error = %T %v, want *VerificationError", err, err)
			}
			checkSentinel(t, err, tc.wantErr)
			if verr.RequestID != testRequestID || verr.StatusCode != tc.status ||
				verr.Operation != "terminateByCode" || verr.Serial != h.Get(HeaderSerial) {
				t.Errorf("VerificationError = %+v", verr)
			}
			msg := err.Error()
			if !strings.Contains(msg, testRequestID) || !strings.Contains(msg, "terminateByCode") {
				t.Errorf("error %q names neither Request-ID nor operation", msg)
			}
			if strings.Contains(msg, tc.sentBody) || strings.Contains(msg, "wxwtdk20200910100000") {
				t.Errorf("error quotes the body: %q", msg)
			}
			if sig := h.Get(HeaderSignature); sig != "" && strings.Contains(msg, sig) {
				t.Errorf("error quotes the signature: %q", msg)
			}
		})
	}
}

func TestVerifyDefaultsToTimeNow(t *testing.T) {
	requireOpenSSL(t)
	v := testVerifier(t)
	v.Now = nil
	fresh := strconv.FormatInt(time.Now().Unix(), 10)
	h := signedHeader(t, "wechatpay_key.pem", testPubKeyID, fresh, testRespNonce, []byte(terminateResp))
	if err := v.Verify(h, []byte(terminateResp)); err != nil {
		t.Errorf("fresh answer against time.Now: %v", err)
	}
	old := signedHeader(t, "wechatpay_key.pem", testPubKeyID, tsAt(0), testRespNonce, []byte(terminateResp))
	if err := v.Verify(old, []byte(terminateResp)); !errors.Is(err, ErrStaleTimestamp) {
		t.Errorf("2019 answer against time.Now: %v, want ErrStaleTimestamp", err)
	}
}

// TestVerifyAfterKeyRotation checks that Verify follows the key set live.
func TestVerifyAfterKeyRotation(t *testing.T) {
	requireOpenSSL(t)
	v := testVerifier(t)
	h := signedHeader(t, "platform_key.pem", testPlatformSerial, tsAt(0), testRespNonce, []byte(terminateResp))
	if err := v.Verify(h, []byte(terminateResp)); err != nil {
		t.Fatalf("before rotation: %v", err)
	}
	v.Keys.Remove(testPlatformSerial)
	if err := v.Verify(h, []byte(terminateResp)); !errors.Is(err, ErrUnknownSerial) {
		t.Fatalf("after removal: %v, want ErrUnknownSerial", err)
	}
	_, platform := testKeys(t)
	if err := v.Keys.Add(platform); err != nil {
		t.Fatal(err)
	}
	if err := v.Verify(h, []byte(terminateResp)); err != nil {
		t.Fatalf("after adding back: %v", err)
	}
}

func TestVerifyWithoutKeySet(t *testing.T) {
	requireOpenSSL(t)
	h := signedHeader(t, "wechatpay_key.pem", testPubKeyID, tsAt(0), testRespNonce, nil)
	for name, v := range map[string]*Verifier{
		"nil KeySet":        {Now: testClock},
		"zero-value KeySet": {Keys: &KeySet{}, Now: testClock},
	} {
		t.Run(name, func(t *testing.T) {
			if err := v.Verify(h, nil); !errors.Is(err, ErrUnknownSerial) {
				t.Errorf("Verify = %v, want ErrUnknownSerial", err)
			}
		})
	}
}
