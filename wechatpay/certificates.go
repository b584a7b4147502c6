package wechatpay

import (
	"context"
	"crypto/cipher"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Platform certificates (平台证书), for merchants in certificate mode. The
// facts come from the official download page (下载平台证书,
// https://pay.weixin.qq.com/wiki/doc/api/wxpay/ch/fusion_wallet_ch/MiniProgramPay/chapter8_7.shtml;
// the response fields also at https://pay.weixin.qq.com/doc/global/v3/zh/4012354540):
//
//   - GET /v3/certificates answers {"data":[{serial_no, effective_time,
//     expire_time, encrypt_certificate:{algorithm, nonce, associated_data,
//     ciphertext}}]}; the times are RFC 3339;
//   - encrypt_certificate is AEAD_AES_256_GCM under the APIv3 key, its
//     associated_data "certificate" (固定值), and the plaintext a PEM
//     certificate;
//   - a new certificate joins the list 24 hours before the switch, when the
//     old one's expire_time is moved to the switch; so expire_time may be
//     earlier than the PEM's own end ("更换证书时会出现PEM格式中的证书失效时间与
//     接口返回的证书弃用时间不一致的情况");
//   - merchants should download on a schedule, less than 12 hours apart, and
//     encrypt with the newest certificate (the one valid longest).
//
// The page does not say which key signs the download itself. As the official
// SDKs do, the first download (BootstrapCertificates) is verified with a
// certificate from the download; later ones (Client.DownloadCertificates,
// CertificateRefresher) only with keys already trusted.

// CertificatesPath is the path of the platform certificate download.
const CertificatesPath = "/v3/certificates"

// CertificateAssociatedData is the associated data of every encrypted
// platform certificate.
const CertificateAssociatedData = "certificate"

// ErrCertificateDecrypt is the cause of a *CertificateError for an
// encrypt_certificate that does not decrypt.
var ErrCertificateDecrypt = errors.New("cannot decrypt the platform certificate")

// CertificateError is a certificate download that cannot be used: not the
// documented JSON, no certificate, an entry that does not decrypt
// (ErrCertificateDecrypt), is not one X.509 certificate, names another
// serial than its certificate's, announces effective or expire times outside
// the certificate's own validity, or repeats a serial. Nothing of such a
// download is used.
type CertificateError struct {
	Serial string // the serial_no of the entry concerned; empty for the answer as a whole
	Err    error
}

func (e *CertificateError) Error() string {
	if e.Serial == "" {
		return "wechatpay: platform certificates: " + e.Err.Error()
	}
	return "wechatpay: platform certificate " + e.Serial + ": " + e.Err.Error()
}

func (e *CertificateError) Unwrap() error { return e.Err }

// PlatformCertificate is one downloaded platform certificate, decrypted and
// checked.
type PlatformCertificate struct {
	Serial        string    // the certificate's serial, as WeChat Pay writes it (CertificateSerial)
	EffectiveTime time.Time // effective_time: when WeChat Pay starts using it
	ExpireTime    time.Time // expire_time: when WeChat Pay stops using it
	Certificate   *x509.Certificate
	PEM           []byte // the certificate as decrypted
}

// Key returns the verification key of the certificate, valid from its
// effective time to its expire time.
func (p *PlatformCertificate) Key() VerificationKey {
	k, _ := PlatformCertificateKey(p.Certificate) // checked when it was parsed
	k.NotBefore, k.NotAfter = p.EffectiveTime, p.ExpireTime
	return k
}

// CertificateKeys returns the verification keys of certs, for
// Config.VerificationKeys.
func CertificateKeys(certs []PlatformCertificate) []VerificationKey {
	keys := make([]VerificationKey, len(certs))
	for i := range certs {
		keys[i] = certs[i].Key()
	}
	return keys
}

// certificatesAnswer is the JSON of a /v3/certificates answer.
type certificatesAnswer struct {
	Data []struct {
		SerialNo           string                `json:"serial_no"`
		EffectiveTime      string                `json:"effective_time"`
		ExpireTime         string                `json:"expire_time"`
		EncryptCertificate *NotificationResource `json:"encrypt_certificate"` // the same shape as a notification's resource
	} `json:"data"`
}

// ParseCertificates decrypts and checks the body of a /v3/certificates
// answer with the 32-byte APIv3 key. It returns the certificates still valid
// at now (effective or not yet), leaving out the expired ones; every other
// problem is a *CertificateError and nothing is returned. It does not check
// the answer's signature: the Client's download functions do.
func ParseCertificates(body, apiV3Key []byte, now time.Time) ([]PlatformCertificate, error) {
	if len(apiV3Key) != APIv3KeySize {
		return nil, &CertificateError{Err: fmt.Errorf("APIv3 key has %d bytes, want %d", len(apiV3Key), APIv3KeySize)}
	}
	aead, err := newResourceAEAD(apiV3Key)
	if err != nil {
		return nil, &CertificateError{Err: err}
	}
	return parseCertificates(body, aead, now)
}

func parseCertificates(body []byte, aead cipher.AEAD, now time.Time) ([]PlatformCertificate, error) {
	var answer certificatesAnswer
	if err := json.Unmarshal(body, &answer); err != nil {
		// decodeCause leaves out the values json's messages may quote.
		return nil, &CertificateError{Err: fmt.Errorf("answer is not the documented JSON: %v", decodeCause(err))}
	}
	if len(answer.Data) == 0 {
		return nil, &CertificateError{Err: errors.New("answer lists no certificate")}
	}
	var out []PlatformCertificate
	seen := make(map[string]bool, len(answer.Data))
	expired := 0
	for i, entry := range answer.Data {
		label := entry.SerialNo
		if label == "" || !headerSafe(label) || len(label) > 64 {
			label = fmt.Sprintf("#%d", i)
		}
		bad := func(format string, args ...any) error {
			return &CertificateError{Serial: label, Err: fmt.Errorf(format, args...)}
		}
		if entry.EncryptCertificate == nil {
			return nil, bad("no encrypt_certificate")
		}
		enc := *entry.EncryptCertificate
		if enc.AssociatedData != CertificateAssociatedData {
			return nil, bad("%w: associated_data %.32q is not %q", ErrCertificateDecrypt, enc.AssociatedData, CertificateAssociatedData)
		}
		plain, err := openSealed(aead, enc, ErrCertificateDecrypt)
		if err != nil {
			return nil, &CertificateError{Serial: label, Err: err}
		}
		block, rest := pem.Decode(plain)
		if block == nil || block.Type != "CERTIFICATE" || strings.TrimSpace(string(rest)) != "" {
			return nil, bad("plaintext is not one PEM CERTIFICATE block")
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, bad("%w", err)
		}
		serial := CertificateSerial(cert)
		if !strings.EqualFold(serial, entry.SerialNo) {
			return nil, bad("serial_no does not match the certificate's serial %s", serial)
		}
		if _, err := PlatformCertificateKey(cert); err != nil {
			return nil, bad("%w", err)
		}
		effective, err1 := time.Parse(time.RFC3339, entry.EffectiveTime)
		expire, err2 := time.Parse(time.RFC3339, entry.ExpireTime)
		switch {
		case err1 != nil:
			return nil, bad("effective_time %.40q is not RFC 3339", entry.EffectiveTime)
		case err2 != nil:
			return nil, bad("expire_time %.40q is not RFC 3339", entry.ExpireTime)
		case !effective.Before(expire):
			return nil, bad("effective_time %s is not before expire_time %s", entry.EffectiveTime, entry.ExpireTime)
		case effective.Before(cert.NotBefore) || expire.After(cert.NotAfter):
			// WeChat Pay may end a certificate early (expire_time before
			// NotAfter), never use it outside its own validity.
			return nil, bad("effective_time %s to expire_time %s lies outside the certificate's validity %s to %s",
				entry.EffectiveTime, entry.ExpireTime, cert.NotBefore.Format(time.RFC3339), cert.NotAfter.Format(time.RFC3339))
		}
		if seen[serial] {
			return nil, bad("listed twice")
		}
		seen[serial] = true
		if now.After(expire) {
			expired++
			continue
		}
		out = append(out, PlatformCertificate{Serial: serial, EffectiveTime: effective, ExpireTime: expire, Certificate: cert, PEM: plain})
	}
	if len(out) == 0 {
		return nil, &CertificateError{Err: fmt.Errorf("all %d certificates expired before %s", expired, now.Format(time.RFC3339))}
	}
	return out, nil
}

// DownloadCertificates downloads the platform certificates (GET
// /v3/certificates), verifies the answer with the keys the client already
// trusts, and decrypts and checks each certificate with the 32-byte APIv3
// key (see ParseCertificates). It changes nothing in the client's keys; a
// CertificateRefresher does. Errors are those of Do, plus *CertificateError.
func (c *Client) DownloadCertificates(ctx context.Context, apiV3Key []byte) ([]PlatformCertificate, error) {
	return c.downloadCertificates(ctx, apiV3Key, false)
}

// BootstrapCertificates downloads the platform certificates for a merchant
// who trusts none yet: cfg is a complete Config but for VerificationKeys,
// which may be empty. The answer is verified with the key its
// Wechatpay-Serial names, taken from cfg.VerificationKeys or, failing that,
// from the certificates of the download itself, as the official SDKs do for
// their first download. What vouches for such a certificate is the APIv3
// key: only WeChat Pay and the merchant hold it, and AES-GCM under it
// authenticated the certificate. Build the client with
// CertificateKeys(certs) afterwards, and keep them current with a
// CertificateRefresher.
func BootstrapCertificates(ctx context.Context, cfg Config, apiV3Key []byte) ([]PlatformCertificate, error) {
	c, err := newClient(cfg, false)
	if err != nil {
		return nil, err
	}
	return c.downloadCertificates(ctx, apiV3Key, true)
}

func (c *Client) downloadCertificates(ctx context.Context, apiV3Key []byte, bootstrap bool) ([]PlatformCertificate, error) {
	if len(apiV3Key) != APIv3KeySize {
		return nil, &ConfigError{Field: "APIv3Key", Problem: fmt.Sprintf("has %d bytes, want %d", len(apiV3Key), APIv3KeySize)}
	}
	aead, err := newResourceAEAD(apiV3Key)
	if err != nil {
		return nil, &ConfigError{Field: "APIv3Key", Problem: err.Error()}
	}
	return c.fetchCertificates(ctx, aead, bootstrap)
}

func (c *Client) fetchCertificates(ctx context.Context, aead cipher.AEAD, bootstrap bool) ([]PlatformCertificate, error) {
	req := &Request{Operation: "downloadCertificates", Method: http.MethodGet, PathTemplate: CertificatesPath, Path: CertificatesPath}
	// A bootstrap parses the download to verify it; what it parsed (at one
	// reading of the clock) is what it returns. Do calls verify once per
	// answer it returns, last for the answer it returns.
	var parsed []PlatformCertificate
	var parsedErr error
	if bootstrap {
		req.verify = func(h http.Header, body []byte) error {
			keys, _ := NewKeySet(c.keys.List()...)
			certs, parseErr := parseCertificates(body, aead, c.clock())
			parsed, parsedErr = certs, parseErr
			for _, k := range CertificateKeys(certs) {
				if _, trusted := keys.Key(k.Serial); !trusted {
					_ = keys.Add(k) // checked by parseCertificates
				}
			}
			v := Verifier{Keys: keys, Now: c.clock, Signatures: c.verifier.Signatures}
			err := v.Verify(h, body)
			if errors.Is(err, ErrUnknownSerial) && parseErr != nil {
				// Say why the download's own certificates could not vouch.
				return fmt.Errorf("%w; the download's certificates cannot serve: %w", err, parseErr)
			}
			return err
		}
	}
	resp, err := c.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	if bootstrap {
		return parsed, parsedErr
	}
	return parseCertificates(resp.Body, aead, c.clock())
}

func pemOf(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
