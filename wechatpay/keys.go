package wechatpay

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// PublicKeyIDPrefix starts every WeChat Pay public key ID (public-key mode).
const PublicKeyIDPrefix = "PUB_KEY_ID_"

// VerificationKey is one WeChat Pay key that answers and callbacks may be
// signed with, named by the value WeChat Pay sends in Wechatpay-Serial: a
// public key ID in public-key mode, a certificate serial number in
// platform-certificate mode.
//
// NotBefore and NotAfter bound the period the key is valid in; a zero value
// leaves that side open. PlatformCertificateKey sets them from the
// certificate, and DownloadCertificates narrows them to the effective and
// expire times WeChat Pay announces. They choose the key sensitive fields are
// encrypted with (see Client.Encrypter) and let a CertificateRefresher drop
// expired certificates; Verify does not read them.
type VerificationKey struct {
	Serial    string
	PublicKey *rsa.PublicKey
	NotBefore time.Time
	NotAfter  time.Time
}

// validAt reports whether t lies within the key's validity period.
func (k VerificationKey) validAt(t time.Time) bool {
	return (k.NotBefore.IsZero() || !t.Before(k.NotBefore)) && (k.NotAfter.IsZero() || !t.After(k.NotAfter))
}

// isPublicKeyMode reports whether k is a WeChat Pay public key (public-key
// mode) rather than a platform certificate.
func (k VerificationKey) isPublicKeyMode() bool {
	return strings.HasPrefix(k.Serial, PublicKeyIDPrefix)
}

// PublicKeyModeKey returns the verification key for a WeChat Pay public key
// (public-key mode). id must be PUB_KEY_ID_ followed by digits.
func PublicKeyModeKey(id string, pub *rsa.PublicKey) (VerificationKey, error) {
	digits, ok := strings.CutPrefix(id, PublicKeyIDPrefix)
	if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return VerificationKey{}, fmt.Errorf("wechatpay: public key ID %q: want %s followed by digits", id, PublicKeyIDPrefix)
	}
	if err := checkRSAPublicKey(pub); err != nil {
		return VerificationKey{}, fmt.Errorf("wechatpay: public key %s: %w", id, err)
	}
	return VerificationKey{Serial: id, PublicKey: pub}, nil
}

// PlatformCertificateKey returns the verification key for a WeChat Pay platform
// certificate (platform-certificate mode); its serial is the certificate's
// serial number in upper-case hexadecimal, as WeChat Pay sends it.
func PlatformCertificateKey(cert *x509.Certificate) (VerificationKey, error) {
	if cert == nil {
		return VerificationKey{}, errors.New("wechatpay: platform certificate is nil")
	}
	serial := CertificateSerial(cert)
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return VerificationKey{}, fmt.Errorf("wechatpay: platform certificate %s: public key is %T, want RSA", serial, cert.PublicKey)
	}
	if err := checkRSAPublicKey(pub); err != nil {
		return VerificationKey{}, fmt.Errorf("wechatpay: platform certificate %s: %w", serial, err)
	}
	return VerificationKey{Serial: serial, PublicKey: pub, NotBefore: cert.NotBefore, NotAfter: cert.NotAfter}, nil
}

// CertificateSerial returns a certificate's serial number the way WeChat Pay
// writes it: upper-case hexadecimal without separators.
func CertificateSerial(cert *x509.Certificate) string {
	// Two digits per byte: a serial whose first byte is below 0x10 keeps its
	// leading zero (0A57…), as WeChat Pay and openssl write it; Text(16) would
	// drop it and the key would never be found.
	return fmt.Sprintf("%X", cert.SerialNumber.Bytes())
}

func checkRSAPublicKey(pub *rsa.PublicKey) error {
	if pub == nil || pub.N == nil {
		return errors.New("public key is nil")
	}
	if pub.N.BitLen() < 2048 {
		return fmt.Errorf("RSA key has %d bits, want at least 2048", pub.N.BitLen())
	}
	return nil
}

// ParsePrivateKey parses the merchant API private key from PEM, in PKCS#8
// ("PRIVATE KEY", as the merchant platform issues it) or PKCS#1
// ("RSA PRIVATE KEY"). Errors never quote the key material.
func ParsePrivateKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("wechatpay: private key: no PEM block found")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("wechatpay: private key: PEM block is %q, want PRIVATE KEY or RSA PRIVATE KEY", block.Type)
	}
	if err != nil {
		// The parser's message names the ASN.1 problem, not key bytes.
		return nil, fmt.Errorf("wechatpay: private key: %w", err)
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("wechatpay: private key: got %T, want an RSA key", key)
	}
	if err := checkRSAPublicKey(&rsaKey.PublicKey); err != nil {
		return nil, fmt.Errorf("wechatpay: private key: %w", err)
	}
	return rsaKey, nil
}

// LoadPrivateKeyFile reads and parses a PEM private key file; see ParsePrivateKey.
func LoadPrivateKeyFile(path string) (*rsa.PrivateKey, error) {
	b, err := readSmallFile(path)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: private key: %w", err)
	}
	k, err := ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return k, nil
}

// ParsePublicKey parses a WeChat Pay public key from PEM ("PUBLIC KEY", as the
// merchant platform offers it for download, or "RSA PUBLIC KEY").
func ParsePublicKey(pemBytes []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("wechatpay: public key: no PEM block found")
	}
	var key any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		return nil, fmt.Errorf("wechatpay: public key: PEM block is %q, want PUBLIC KEY", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("wechatpay: public key: %w", err)
	}
	pub, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("wechatpay: public key: got %T, want an RSA key", key)
	}
	if err := checkRSAPublicKey(pub); err != nil {
		return nil, fmt.Errorf("wechatpay: public key: %w", err)
	}
	return pub, nil
}

// LoadPublicKeyFile reads and parses a PEM public key file; see ParsePublicKey.
func LoadPublicKeyFile(path string) (*rsa.PublicKey, error) {
	b, err := readSmallFile(path)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: public key: %w", err)
	}
	k, err := ParsePublicKey(b)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return k, nil
}

// ParseCertificate parses a WeChat Pay platform certificate from PEM.
func ParseCertificate(pemBytes []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("wechatpay: certificate: no CERTIFICATE PEM block found")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: certificate: %w", err)
	}
	return cert, nil
}

// LoadCertificateFile reads and parses a PEM certificate file; see ParseCertificate.
func LoadCertificateFile(path string) (*x509.Certificate, error) {
	b, err := readSmallFile(path)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: certificate: %w", err)
	}
	c, err := ParseCertificate(b)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return c, nil
}

// KeySet holds the WeChat Pay verification keys by serial. It is safe for
// concurrent use, so keys can be added and removed while calls are in flight
// (key rotation, a CertificateRefresher, or a migration from certificates to
// public keys).
type KeySet struct {
	mu   sync.RWMutex
	keys map[string]VerificationKey
}

// NewKeySet returns a set holding keys; a key without serial or public key, or
// two keys with one serial, is an error.
func NewKeySet(keys ...VerificationKey) (*KeySet, error) {
	s := &KeySet{keys: make(map[string]VerificationKey, len(keys))}
	for _, k := range keys {
		if _, dup := s.keys[k.Serial]; dup {
			return nil, fmt.Errorf("wechatpay: verification key %s listed twice", k.Serial)
		}
		if err := s.Add(k); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Add adds k, replacing any key with the same serial.
func (s *KeySet) Add(k VerificationKey) error {
	if k.Serial == "" {
		return errors.New("wechatpay: verification key has no serial")
	}
	if err := checkRSAPublicKey(k.PublicKey); err != nil {
		return fmt.Errorf("wechatpay: verification key %s: %w", k.Serial, err)
	}
	s.mu.Lock()
	if s.keys == nil { // a zero KeySet
		s.keys = make(map[string]VerificationKey)
	}
	s.keys[k.Serial] = k
	s.mu.Unlock()
	return nil
}

// Remove drops the key with the given serial, if any.
func (s *KeySet) Remove(serial string) {
	s.mu.Lock()
	delete(s.keys, serial)
	s.mu.Unlock()
}

// Lookup returns the public key named by serial. A nil set holds no key.
func (s *KeySet) Lookup(serial string) (*rsa.PublicKey, bool) {
	k, ok := s.Key(serial)
	return k.PublicKey, ok
}

// Key returns the key named by serial, with its validity period. A nil set
// holds no key.
func (s *KeySet) Key(serial string) (VerificationKey, bool) {
	if s == nil { // a Verifier without keys knows no serial
		return VerificationKey{}, false
	}
	s.mu.RLock()
	k, ok := s.keys[serial]
	s.mu.RUnlock()
	return k, ok
}

// Serials returns the serials in the set, sorted.
func (s *KeySet) Serials() []string {
	s.mu.RLock()
	out := make([]string, 0, len(s.keys))
	for k := range s.keys {
		out = append(out, k)
	}
	s.mu.RUnlock()
	sort.Strings(out)
	return out
}

// List returns the keys in the set, sorted by serial.
func (s *KeySet) List() []VerificationKey {
	s.mu.RLock()
	out := make([]VerificationKey, 0, len(s.keys))
	for _, k := range s.keys {
		out = append(out, k)
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Serial < out[j].Serial })
	return out
}

// RemoveExpired drops every key whose NotAfter is before now and returns
// their serials, sorted. Keys without NotAfter (public-key mode) stay.
func (s *KeySet) RemoveExpired(now time.Time) []string {
	var gone []string
	s.mu.Lock()
	for serial, k := range s.keys {
		if !k.NotAfter.IsZero() && now.After(k.NotAfter) {
			delete(s.keys, serial)
			gone = append(gone, serial)
		}
	}
	s.mu.Unlock()
	sort.Strings(gone)
	return gone
}

// newest returns the key of the given mode (public-key mode, or platform
// certificate) valid at now that stays valid longest, as the certificate
// download page advises for encryption ("敏感信息加密时，建议使用最新的平台证书（即：证书有效期较大的证书）";
// https://pay.weixin.qq.com/wiki/doc/api/wxpay/ch/fusion_wallet_ch/MiniProgramPay/chapter8_7.shtml).
// Ties go to the greater serial, so the choice is stable. With validOnly
// false, a set whose keys of that mode are all outside their periods still
// answers with the one ending last.
func (s *KeySet) newest(now time.Time, publicKeyMode, validOnly bool) (VerificationKey, bool) {
	if s == nil {
		return VerificationKey{}, false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var best VerificationKey
	found := false
	for _, k := range s.keys {
		if k.isPublicKeyMode() != publicKeyMode || (validOnly && !k.validAt(now)) {
			continue
		}
		if !found || laterEnd(k, best) {
			best, found = k, true
		}
	}
	return best, found
}

// laterEnd orders keys by NotAfter (zero is the latest), then by serial.
func laterEnd(a, b VerificationKey) bool {
	switch {
	case a.NotAfter.Equal(b.NotAfter):
		return a.Serial > b.Serial
	case a.NotAfter.IsZero():
		return true
	case b.NotAfter.IsZero():
		return false
	}
	return a.NotAfter.After(b.NotAfter)
}
