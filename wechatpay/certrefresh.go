package wechatpay

import (
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// DefaultCertificateRefreshInterval is the time between two downloads of a
// CertificateRefresher whose Interval is zero. The official page asks for
// less than 12 hours; half of that leaves room for one failed download.
const DefaultCertificateRefreshInterval = 6 * time.Hour

// CertificateRefresherConfig is what a CertificateRefresher needs; APIv3Key
// is required. Formatting a CertificateRefresherConfig (fmt, slog) never
// shows the APIv3 key.
type CertificateRefresherConfig struct {
	// APIv3Key is the merchant's APIv3 key (32 bytes) the certificates are
	// encrypted with. The refresher keeps only the cipher built from it.
	APIv3Key []byte
	// Interval is the time between two downloads. Default
	// DefaultCertificateRefreshInterval.
	Interval time.Duration
	// Logger receives a record per refresh: the serials added and dropped,
	// or the error of a failed one. Default: discard.
	Logger *slog.Logger
}

// Format prints c with the APIv3 key redacted, whatever the verb.
func (c CertificateRefresherConfig) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "wechatpay.CertificateRefresherConfig{APIv3Key:%s Interval:%s Logger:%t}",
		redactedKey(c.APIv3Key), c.Interval, c.Logger != nil)
}

// LogValue leaves the APIv3 key out of logs.
func (c CertificateRefresherConfig) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("api_v3_key", redactedKey(c.APIv3Key)),
		slog.Duration("interval", c.Interval),
	)
}

// CertificateRefresher keeps a Client's key set current in certificate
// mode: each refresh downloads the platform certificates (verified with the
// keys already trusted), adds new serials, updates the validity of known
// ones, and drops certificates that expired. A failed refresh changes
// nothing and is logged; the next one tries again. Keys of public-key mode
// are never touched.
//
// Each download is verified only with keys the client already trusts, so the
// refresher follows a rotation only while the old and the new certificate
// overlap: WeChat Pay lists the new certificate, still signing with the old
// one, for about a day before it switches. A client that missed the whole
// overlap (refreshes failing, or the process down, for longer than that)
// receives downloads signed by a serial it does not know, and no refresh
// recovers from that on its own: each fails with a *VerificationError
// wrapping ErrUnknownSerial, logged at Error level as "signed by an unknown
// certificate". Recover by bootstrapping again: BootstrapCertificates, then
// add CertificateKeys(certs) to the client's key set (or build a new
// client), and let the refresher carry on.
//
// The refresher does not fall back to that bootstrap verification itself,
// although the code exists: a bootstrap trusts a certificate because
// AES-GCM under the APIv3 key authenticated it, so every answer would then
// be only as authentic as the APIv3 key is secret. Done automatically, anyone
// who holds the APIv3 key (it also decrypts every notification, and is kept
// in more places than the merchant's private key) and can intercept the
// traffic could sign a download with a serial of their own and be trusted
// from then on; the chain of platform keys resists that. Re-bootstrapping
// stays the operator's decision, taken when the error above is logged.
//
// Start it once the client trusts at least one current certificate (from
// configuration, or from BootstrapCertificates):
//
//	r, err := wechatpay.NewCertificateRefresher(rt, wechatpay.CertificateRefresherConfig{APIv3Key: key})
//	…
//	go r.Run(ctx) // returns when ctx ends
type CertificateRefresher struct {
	client   *Client
	aead     cipher.AEAD
	interval time.Duration
	log      *slog.Logger
	wait     func(ctx context.Context, d time.Duration) error // tests replace it
}

// NewCertificateRefresher checks cfg and returns a refresher for c.
// Problems are *ConfigError values, joined.
func NewCertificateRefresher(c *Client, cfg CertificateRefresherConfig) (*CertificateRefresher, error) {
	var errs []error
	if c == nil {
		errs = append(errs, &ConfigError{Field: "Client", Problem: "is required"})
	}
	if len(cfg.APIv3Key) != APIv3KeySize {
		errs = append(errs, &ConfigError{Field: "APIv3Key", Problem: fmt.Sprintf("has %d bytes, want %d", len(cfg.APIv3Key), APIv3KeySize)})
	}
	if cfg.Interval < 0 {
		errs = append(errs, &ConfigError{Field: "Interval", Problem: "must not be negative"})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	aead, err := newResourceAEAD(cfg.APIv3Key)
	if err != nil {
		return nil, &ConfigError{Field: "APIv3Key", Problem: err.Error()}
	}
	r := &CertificateRefresher{client: c, aead: aead, interval: cfg.Interval, log: cfg.Logger, wait: sleepContext}
	if r.interval == 0 {
		r.interval = DefaultCertificateRefreshInterval
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	return r, nil
}

// Refresh downloads the certificates once and applies them to the client's
// key set; it returns the certificates downloaded. On error the key set is
// unchanged.
func (r *CertificateRefresher) Refresh(ctx context.Context) ([]PlatformCertificate, error) {
	certs, err := r.client.fetchCertificates(ctx, r.aead, false)
	var verr *VerificationError
	switch {
	case errors.As(err, &verr) && errors.Is(err, ErrUnknownSerial):
		// Not a passing failure: no later refresh verifies either.
		r.log.ErrorContext(ctx, "wechatpay certificate refresh: the download is signed by an unknown certificate; "+
			"refreshes cannot recover on their own, bootstrap the certificates again (BootstrapCertificates)",
			slog.String("signer", verr.Serial), slog.Any("serials", r.client.keys.Serials()), slog.String("error", err.Error()))
		return nil, err
	case err != nil:
		r.log.WarnContext(ctx, "wechatpay certificate refresh failed; keeping the current keys",
			slog.Any("serials", r.client.keys.Serials()), slog.String("error", err.Error()))
		return nil, err
	}
	keys := r.client.keys
	var added []string
	for _, k := range CertificateKeys(certs) {
		if _, known := keys.Key(k.Serial); !known {
			added = append(added, k.Serial)
		}
		if err := keys.Add(k); err != nil { // checked by parseCertificates; kept for safety
			return nil, err
		}
	}
	dropped := keys.RemoveExpired(r.client.clock())
	slices.Sort(added)
	r.log.InfoContext(ctx, "wechatpay certificates refreshed",
		slog.Any("added", added), slog.Any("dropped", dropped), slog.Any("serials", keys.Serials()))
	return certs, nil
}

// Run refreshes at once and then every Interval until ctx ends, and returns
// ctx's error. Failures are logged and retried at the next tick. Run starts
// no goroutine of its own: it returns, leaving nothing behind, as soon as
// ctx ends, aborting a download in flight.
func (r *CertificateRefresher) Run(ctx context.Context) error {
	for {
		_, _ = r.Refresh(ctx) // logged
		if err := r.wait(ctx, r.interval); err != nil {
			return ctx.Err()
		}
	}
}
