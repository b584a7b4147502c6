package wechatpaytest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
)

// Platform certificate mode (平台证书), from the official download page
// https://pay.weixin.qq.com/wiki/doc/apiv3_partner/wechatpay/wechatpay5_1.shtml
// and the runtime's reading of it (package wechatpay, certificates.go):
// GET /v3/certificates lists the certificates in use, each encrypted with
// AEAD_AES_256_GCM under the APIv3 key, associated data "certificate"; a new
// certificate is listed 24 hours before the switch, while the old one's
// expire_time is moved to the switch; answers and notifications are signed
// with one of them and name it in Wechatpay-Serial.
//
// A merchant in public-key mode has no platform certificate: WeChat Pay then
// answers the download with 404 RESOURCE_NOT_EXISTS "无可用的平台证书，请在商户
// 平台-API安全申请使用微信支付公钥", as merchants quote it on WeChat's developer
// community (https://developers.weixin.qq.com/community/pay); the sandbox
// does the same.

// certificateAD is the associated data of every encrypted certificate.
const certificateAD = "certificate"

// PlatformCertificate is a platform certificate of a sandbox in certificate
// mode (Options.PlatformCertificates): the certificate, the private key it
// certifies, which signs the answers while the certificate is the one in
// use, and the times the download announces.
type PlatformCertificate struct {
	Key         *rsa.PrivateKey
	Certificate *x509.Certificate
	// EffectiveTime and ExpireTime are the certificate's effective_time
	// and expire_time, when WeChat Pay starts and stops using it. Zero
	// means the certificate's NotBefore and NotAfter. They must lie within
	// them: expire_time moves earlier when a replacement is listed.
	EffectiveTime, ExpireTime time.Time
}

// Serial returns the certificate's serial as WeChat Pay writes it, the
// value of Wechatpay-Serial.
func (p PlatformCertificate) Serial() string { return wechatpay.CertificateSerial(p.Certificate) }

// PEM returns the certificate in PEM, as the download's ciphertext holds it.
func (p PlatformCertificate) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Certificate.Raw})
}

// times returns effective_time and expire_time, defaults applied.
func (p PlatformCertificate) times() (effective, expire time.Time) {
	effective, expire = p.EffectiveTime, p.ExpireTime
	if effective.IsZero() {
		effective = p.Certificate.NotBefore
	}
	if expire.IsZero() {
		expire = p.Certificate.NotAfter
	}
	return effective, expire
}

// inEffect reports whether WeChat Pay uses the certificate at now.
func (p PlatformCertificate) inEffect(now time.Time) bool {
	effective, expire := p.times()
	return !now.Before(effective) && !now.After(expire)
}

// expired reports whether the certificate's expire_time is before now.
func (p PlatformCertificate) expired(now time.Time) bool {
	_, expire := p.times()
	return now.After(expire)
}

// NewPlatformCertificate returns a self-signed platform certificate for key
// (a fresh RSA-2048 key when nil), valid from notBefore to notAfter, with a
// random 20-byte serial, shaped like WeChat Pay's (40 hexadecimal digits).
// Its subject says it is the sandbox's; WeChat Pay's are issued by its own
// CA, which no client checks.
func NewPlatformCertificate(key *rsa.PrivateKey, notBefore, notAfter time.Time) (PlatformCertificate, error) {
	if key == nil {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return PlatformCertificate{}, fmt.Errorf("wechatpaytest: platform certificate: %w", err)
		}
	}
	if !notBefore.Before(notAfter) {
		return PlatformCertificate{}, errors.New("wechatpaytest: platform certificate: notBefore must be before notAfter")
	}
	var serial [20]byte
	_, _ = rand.Read(serial[:])       // never fails, see crypto/rand.Read
	serial[0] = serial[0]&0x3f | 0x10 // positive, and 20 bytes with no leading zero
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes(serial[:]),
		Subject:      pkix.Name{CommonName: "wechatpaytest platform certificate", Organization: []string{"payforge wechatpay sandbox"}},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return PlatformCertificate{}, fmt.Errorf("wechatpaytest: platform certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return PlatformCertificate{}, fmt.Errorf("wechatpaytest: platform certificate: %w", err)
	}
	return PlatformCertificate{Key: key, Certificate: cert}, nil
}

// checkCertificates checks a list of platform certificates: each complete,
// its key the certificate's, RSA-2048 or more, its announced times within
// the certificate's validity and in order, no serial twice.
func checkCertificates(certs []PlatformCertificate) error {
	if len(certs) == 0 {
		return errors.New("no platform certificate")
	}
	seen := make(map[string]bool, len(certs))
	for i, c := range certs {
		bad := func(format string, args ...any) error {
			return fmt.Errorf("platform certificate %d: "+format, append([]any{i}, args...)...)
		}
		if c.Key == nil || c.Certificate == nil {
			return bad("Key and Certificate are required")
		}
		pub, ok := c.Certificate.PublicKey.(*rsa.PublicKey)
		if !ok || !pub.Equal(&c.Key.PublicKey) {
			return bad("Certificate does not certify Key")
		}
		if bits := c.Key.N.BitLen(); bits < 2048 {
			return bad("Key has %d bits, want at least 2048", bits)
		}
		effective, expire := c.times()
		switch {
		case !effective.Before(expire):
			return bad("EffectiveTime is not before ExpireTime")
		case effective.Before(c.Certificate.NotBefore) || expire.After(c.Certificate.NotAfter):
			return bad("EffectiveTime to ExpireTime lies outside the certificate's validity")
		}
		serial := c.Serial()
		if seen[serial] {
			return bad("serial %s is listed twice", serial)
		}
		seen[serial] = true
	}
	return nil
}

// certMode reports whether the server runs in platform certificate mode.
func (s *Server) certMode() bool { return s.certificateMode }

// PlatformCertificates returns the platform certificates the sandbox lists,
// nil in public-key mode.
func (s *Server) PlatformCertificates() []PlatformCertificate {
	if !s.certMode() {
		return nil
	}
	s.certMu.Lock()
	defer s.certMu.Unlock()
	return slices.Clone(s.certs)
}

// SetPlatformCertificates replaces the platform certificates the sandbox
// lists, as WeChat Pay rotates them: list the new certificate beside the old
// one, the old one's ExpireTime moved to the switch and the new one's
// EffectiveTime at it, and answers stay signed with the old one until the
// switch (see the package doc). It fails,
// changing nothing, in public-key mode or for a list Options.PlatformCertificates
// would refuse.
func (s *Server) SetPlatformCertificates(certs ...PlatformCertificate) error {
	if !s.certMode() {
		return errors.New("wechatpaytest: set platform certificates: the sandbox runs in public-key mode (Options.PlatformCertificates is empty)")
	}
	if err := checkCertificates(certs); err != nil {
		return fmt.Errorf("wechatpaytest: set platform certificates: %w", err)
	}
	s.certMu.Lock()
	defer s.certMu.Unlock()
	s.certs = slices.Clone(certs)
	return nil
}

// signingKey returns the key answers and notifications are signed with now,
// and the serial that names it: the WeChat Pay public key's in public-key
// mode; in certificate mode, of the certificates in effect (effective_time
// to expire_time), the one that took effect last, or the first listed when
// none is in effect.
func (s *Server) signingKey() (*rsa.PrivateKey, string) {
	if !s.certMode() {
		return s.wpKey, s.wpKeyID
	}
	now := s.clock()
	s.certMu.Lock()
	defer s.certMu.Unlock()
	best, bestEffective := -1, time.Time{}
	for i, c := range s.certs {
		if !c.inEffect(now) {
			continue
		}
		if e, _ := c.times(); best < 0 || e.After(bestEffective) {
			best, bestEffective = i, e
		}
	}
	if best < 0 {
		best = 0
	}
	return s.certs[best].Key, s.certs[best].Serial()
}

// certificateKey returns the private key of the platform certificate serial
// names, if the sandbox lists it and it has not expired.
func (s *Server) certificateKey(serial string) (*rsa.PrivateKey, bool) {
	now := s.clock()
	s.certMu.Lock()
	defer s.certMu.Unlock()
	for _, c := range s.certs {
		if c.Serial() == serial && !c.expired(now) {
			return c.Key, true
		}
	}
	return nil, false
}

// certificateKeys returns the verification keys of the certificates listed
// and not expired, narrowed to their announced times, as a download gives
// them.
func (s *Server) certificateKeys() []wechatpay.VerificationKey {
	now := s.clock()
	s.certMu.Lock()
	defer s.certMu.Unlock()
	var keys []wechatpay.VerificationKey
	for _, c := range s.certs {
		if c.expired(now) {
			continue
		}
		effective, expire := c.times()
		keys = append(keys, wechatpay.VerificationKey{Serial: c.Serial(), PublicKey: &c.Key.PublicKey, NotBefore: effective, NotAfter: expire})
	}
	return keys
}

// certificateEntry is one item of the download's data.
type certificateEntry struct {
	SerialNo           string           `json:"serial_no"`
	EffectiveTime      string           `json:"effective_time"`
	ExpireTime         string           `json:"expire_time"`
	EncryptCertificate encryptedPayload `json:"encrypt_certificate"`
}

// encryptedPayload is an AEAD_AES_256_GCM ciphertext as WeChat Pay sends
// one.
type encryptedPayload struct {
	Algorithm      string `json:"algorithm"`
	Nonce          string `json:"nonce"`
	AssociatedData string `json:"associated_data"`
	Ciphertext     string `json:"ciphertext"`
}

// sealCertificate encrypts a PEM certificate as the download page describes:
// AES-256-GCM under the APIv3 key, a 12-character nonce (the page's example
// is 12 hexadecimal digits), associated data "certificate", the 16-byte tag
// appended, Base64. It is written from the page rather than with the
// runtime's code, so that a test through the runtime checks both.
func sealCertificate(apiV3Key, plaintext []byte) (encryptedPayload, error) {
	block, err := aes.NewCipher(apiV3Key)
	if err != nil {
		return encryptedPayload{}, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return encryptedPayload{}, err
	}
	var raw [6]byte
	_, _ = rand.Read(raw[:]) // never fails, see crypto/rand.Read
	nonce := hex.EncodeToString(raw[:])
	sealed := gcm.Seal(nil, []byte(nonce), plaintext, []byte(certificateAD))
	return encryptedPayload{Algorithm: "AEAD_AES_256_GCM", Nonce: nonce, AssociatedData: certificateAD,
		Ciphertext: base64.StdEncoding.EncodeToString(sealed)}, nil
}

// downloadCertificates answers GET /v3/certificates: the certificates listed
// and not expired, in the order given, times in RFC 3339 at +08:00.
func (s *Server) downloadCertificates(*Call) (*Response, error) {
	if !s.certMode() {
		return nil, &Error{Status: http.StatusNotFound, Code: "RESOURCE_NOT_EXISTS",
			Message: "无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥"}
	}
	now := s.clock()
	data := []certificateEntry{}
	for _, c := range s.PlatformCertificates() {
		if c.expired(now) {
			continue
		}
		enc, err := sealCertificate(s.apiV3Key, c.PEM())
		if err != nil {
			return nil, err
		}
		effective, expire := c.times()
		data = append(data, certificateEntry{
			SerialNo:           c.Serial(),
			EffectiveTime:      effective.In(chinaTime).Format(time.RFC3339),
			ExpireTime:         expire.In(chinaTime).Format(time.RFC3339),
			EncryptCertificate: enc,
		})
	}
	if len(data) == 0 {
		return nil, &Error{Status: http.StatusNotFound, Code: "RESOURCE_NOT_EXISTS",
			Message: "every platform certificate of the sandbox expired before " + now.In(chinaTime).Format(time.RFC3339) +
				" (" + strconv.Itoa(len(s.PlatformCertificates())) + " listed); set new ones with SetPlatformCertificates"}
	}
	return JSON(map[string]any{"data": data})
}
