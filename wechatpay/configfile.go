package wechatpay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ConfigFile is the JSON config file shared by programs built on this
// package, the wechatpay command and the sandbox:
//
//	{"mchid": "1900000109",
//	 "merchant_serial_no": "…",
//	 "merchant_private_key_file": "merchant_key.pem",
//	 "wechatpay_public_key_id": "PUB_KEY_ID_…",
//	 "wechatpay_public_key_file": "wechatpay_public_key.pem",
//	 "platform_certificate_files": ["wechatpay_cert.pem"],
//	 "base_url": "https://api.mch.weixin.qq.com"}
//
// Relative file names resolve against the config file's folder. A public key,
// platform certificates, or both (during a migration) must be given.
type ConfigFile struct {
	MchID                    string   `json:"mchid"`
	MerchantSerialNo         string   `json:"merchant_serial_no"`
	MerchantPrivateKeyFile   string   `json:"merchant_private_key_file"`
	WechatpayPublicKeyID     string   `json:"wechatpay_public_key_id,omitempty"`
	WechatpayPublicKeyFile   string   `json:"wechatpay_public_key_file,omitempty"`
	PlatformCertificateFiles []string `json:"platform_certificate_files,omitempty"`
	BaseURL                  string   `json:"base_url,omitempty"`
}

// LoadConfig reads a config file (see ConfigFile) and the key files it names,
// and returns the Config they describe. Unknown keys, missing required keys and
// unreadable key files are errors that name the file and the key.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("wechatpay: config: %w", err)
	}
	var f ConfigFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Config{}, fmt.Errorf("wechatpay: config %s: %w", path, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Config{}, fmt.Errorf("wechatpay: config %s: unexpected data after the JSON object", path)
	}
	cfg, err := f.Config(filepath.Dir(path))
	if err != nil {
		return Config{}, fmt.Errorf("wechatpay: config %s: %w", path, err)
	}
	return cfg, nil
}

// Config checks f, loads the key files it names (relative names resolve
// against dir) and returns the runtime Config.
func (f *ConfigFile) Config(dir string) (Config, error) {
	var missing []error
	need := func(key, value string) {
		if value == "" {
			missing = append(missing, fmt.Errorf("%q is required", key))
		}
	}
	need("mchid", f.MchID)
	need("merchant_serial_no", f.MerchantSerialNo)
	need("merchant_private_key_file", f.MerchantPrivateKeyFile)
	if (f.WechatpayPublicKeyID == "") != (f.WechatpayPublicKeyFile == "") {
		missing = append(missing, errors.New(`"wechatpay_public_key_id" and "wechatpay_public_key_file" go together`))
	}
	if f.WechatpayPublicKeyID == "" && len(f.PlatformCertificateFiles) == 0 {
		missing = append(missing, errors.New(`"wechatpay_public_key_id" with "wechatpay_public_key_file", or "platform_certificate_files", is required`))
	}
	if err := errors.Join(missing...); err != nil {
		return Config{}, err
	}
	resolve := func(name string) string {
		if filepath.IsAbs(name) {
			return name
		}
		return filepath.Join(dir, name)
	}
	key, err := LoadPrivateKeyFile(resolve(f.MerchantPrivateKeyFile))
	if err != nil {
		return Config{}, fmt.Errorf("merchant_private_key_file: %w", err)
	}
	cfg := Config{MchID: f.MchID, MerchantSerialNo: f.MerchantSerialNo, MerchantKey: key, BaseURL: f.BaseURL}
	if f.WechatpayPublicKeyID != "" {
		pub, err := LoadPublicKeyFile(resolve(f.WechatpayPublicKeyFile))
		if err != nil {
			return Config{}, fmt.Errorf("wechatpay_public_key_file: %w", err)
		}
		vk, err := PublicKeyModeKey(f.WechatpayPublicKeyID, pub)
		if err != nil {
			return Config{}, fmt.Errorf("wechatpay_public_key_id: %w", err)
		}
		cfg.VerificationKeys = append(cfg.VerificationKeys, vk)
	}
	for i, name := range f.PlatformCertificateFiles {
		cert, err := LoadCertificateFile(resolve(name))
		if err != nil {
			return Config{}, fmt.Errorf("platform_certificate_files[%d]: %w", i, err)
		}
		vk, err := PlatformCertificateKey(cert)
		if err != nil {
			return Config{}, fmt.Errorf("platform_certificate_files[%d]: %w", i, err)
		}
		cfg.VerificationKeys = append(cfg.VerificationKeys, vk)
	}
	if cfg.BaseURL != "" {
		if err := checkBaseURL(cfg.BaseURL); err != nil {
			return Config{}, fmt.Errorf("base_url: %w", err)
		}
	}
	// Whatever NewClient would refuse is refused here, named by its key.
	if err := cfg.check(); err != nil {
		return Config{}, byFileKey(err)
	}
	if _, err := NewKeySet(cfg.VerificationKeys...); err != nil {
		return Config{}, fmt.Errorf("wechatpay_public_key_id and platform_certificate_files: %w", err)
	}
	return cfg, nil
}

// configFileKeys maps the Config fields a config file sets to its keys.
var configFileKeys = map[string]string{
	"MchID":            "mchid",
	"MerchantSerialNo": "merchant_serial_no",
	"MerchantKey":      "merchant_private_key_file",
	"VerificationKeys": "wechatpay_public_key_file",
	"BaseURL":          "base_url",
}

// byFileKey rewrites the *ConfigError values Config.check joined so that
// each names the config file's key rather than the Config field.
func byFileKey(err error) error {
	errs := []error{err}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	}
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
		var ce *ConfigError
		if errors.As(e, &ce) {
			if key, ok := configFileKeys[ce.Field]; ok {
				out[i] = fmt.Errorf("%q %s", key, ce.Problem)
			}
		}
	}
	return errors.Join(out...)
}
