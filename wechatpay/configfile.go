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
//	 "apiv3_key_file": "apiv3_key",
//	 "base_url": "https://api.mch.weixin.qq.com"}
//
// Relative file names resolve against the config file's folder. A public key,
// platform certificates, or both (during a migration) must be given.
// apiv3_key_file, which only LoadNotifyConfig reads, names the file holding
// the merchant's APIv3 key: its 32 bytes, then at most a final newline.
type ConfigFile struct {
	MchID                    string   `json:"mchid"`
	MerchantSerialNo         string   `json:"merchant_serial_no"`
	MerchantPrivateKeyFile   string   `json:"merchant_private_key_file"`
	WechatpayPublicKeyID     string   `json:"wechatpay_public_key_id,omitempty"`
	WechatpayPublicKeyFile   string   `json:"wechatpay_public_key_file,omitempty"`
	PlatformCertificateFiles []string `json:"platform_certificate_files,omitempty"`
	APIv3KeyFile             string   `json:"apiv3_key_file,omitempty"`
	BaseURL                  string   `json:"base_url,omitempty"`
}

// LoadConfig reads a config file (see ConfigFile) and the key files it names,
// and returns the Config they describe. Unknown keys, missing required keys and
// unreadable key files are errors that name the file and the key.
func LoadConfig(path string) (Config, error) {
	f, err := readConfigFile(path)
	if err != nil {
		return Config{}, err
	}
	cfg, err := f.Config(filepath.Dir(path))
	if err != nil {
		return Config{}, fmt.Errorf("wechatpay: config %s: %w", path, err)
	}
	return cfg, nil
}

// LoadNotifyConfig reads a config file (see ConfigFile) and returns the
// NotifyConfig for NewNotifyHandler that its WeChat Pay keys and
// apiv3_key_file describe; the merchant's private key is not read. Set its
// Clock and Logger as needed. Errors name the file and the key, never a
// key's bytes.
func LoadNotifyConfig(path string) (NotifyConfig, error) {
	f, err := readConfigFile(path)
	if err != nil {
		return NotifyConfig{}, err
	}
	cfg, err := f.NotifyConfig(filepath.Dir(path))
	if err != nil {
		return NotifyConfig{}, fmt.Errorf("wechatpay: config %s: %w", path, err)
	}
	return cfg, nil
}

// readConfigFile decodes a config file strictly: no unknown key, nothing
// after the object.
func readConfigFile(path string) (*ConfigFile, error) {
	data, err := readSmallFile(path)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: config: %w", err)
	}
	var f ConfigFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("wechatpay: config %s: %w", path, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("wechatpay: config %s: unexpected data after the JSON object", path)
	}
	return &f, nil
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
	if err := errors.Join(append(missing, f.checkVerificationKeys()...)...); err != nil {
		return Config{}, err
	}
	key, err := LoadPrivateKeyFile(resolveIn(dir, f.MerchantPrivateKeyFile))
	if err != nil {
		return Config{}, fmt.Errorf("merchant_private_key_file: %w", err)
	}
	cfg := Config{MchID: f.MchID, MerchantSerialNo: f.MerchantSerialNo, MerchantKey: key, BaseURL: f.BaseURL}
	if cfg.VerificationKeys, err = f.verificationKeys(dir); err != nil {
		return Config{}, err
	}
	if cfg.BaseURL != "" {
		if err := checkBaseURL(cfg.BaseURL); err != nil {
			return Config{}, fmt.Errorf("base_url: %w", err)
		}
	}
	// Whatever NewClient would refuse is refused here, named by its key.
	if err := cfg.check(true); err != nil {
		return Config{}, byFileKey(err)
	}
	if _, err := NewKeySet(cfg.VerificationKeys...); err != nil {
		return Config{}, fmt.Errorf("wechatpay_public_key_id and platform_certificate_files: %w", err)
	}
	return cfg, nil
}

// NotifyConfig checks f's WeChat Pay keys and apiv3_key_file, loads them
// (relative names resolve against dir) and returns the NotifyConfig for
// NewNotifyHandler.
func (f *ConfigFile) NotifyConfig(dir string) (NotifyConfig, error) {
	problems := f.checkVerificationKeys()
	if f.APIv3KeyFile == "" {
		problems = append(problems, errors.New(`"apiv3_key_file" is required to decrypt notifications`))
	}
	if err := errors.Join(problems...); err != nil {
		return NotifyConfig{}, err
	}
	vks, err := f.verificationKeys(dir)
	if err != nil {
		return NotifyConfig{}, err
	}
	keys, err := NewKeySet(vks...)
	if err != nil {
		return NotifyConfig{}, err
	}
	apiV3Key, err := LoadAPIv3KeyFile(resolveIn(dir, f.APIv3KeyFile))
	if err != nil {
		return NotifyConfig{}, fmt.Errorf("apiv3_key_file: %w", err)
	}
	return NotifyConfig{Keys: keys, APIv3Key: apiV3Key}, nil
}

// checkVerificationKeys says what is missing for f to name WeChat Pay's keys.
func (f *ConfigFile) checkVerificationKeys() []error {
	var problems []error
	if (f.WechatpayPublicKeyID == "") != (f.WechatpayPublicKeyFile == "") {
		problems = append(problems, errors.New(`"wechatpay_public_key_id" and "wechatpay_public_key_file" go together`))
	}
	if f.WechatpayPublicKeyID == "" && len(f.PlatformCertificateFiles) == 0 {
		problems = append(problems, errors.New(`"wechatpay_public_key_id" with "wechatpay_public_key_file", or "platform_certificate_files", is required`))
	}
	return problems
}

// verificationKeys loads the WeChat Pay public key and platform certificates
// f names.
func (f *ConfigFile) verificationKeys(dir string) ([]VerificationKey, error) {
	var vks []VerificationKey
	if f.WechatpayPublicKeyID != "" {
		pub, err := LoadPublicKeyFile(resolveIn(dir, f.WechatpayPublicKeyFile))
		if err != nil {
			return nil, fmt.Errorf("wechatpay_public_key_file: %w", err)
		}
		vk, err := PublicKeyModeKey(f.WechatpayPublicKeyID, pub)
		if err != nil {
			return nil, fmt.Errorf("wechatpay_public_key_id: %w", err)
		}
		vks = append(vks, vk)
	}
	for i, name := range f.PlatformCertificateFiles {
		cert, err := LoadCertificateFile(resolveIn(dir, name))
		if err != nil {
			return nil, fmt.Errorf("platform_certificate_files[%d]: %w", i, err)
		}
		vk, err := PlatformCertificateKey(cert)
		if err != nil {
			return nil, fmt.Errorf("platform_certificate_files[%d]: %w", i, err)
		}
		vks = append(vks, vk)
	}
	return vks, nil
}

// resolveIn resolves a file name of a config file against its folder.
func resolveIn(dir, name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(dir, name)
}

// LoadAPIv3KeyFile reads an APIv3 key file: exactly APIv3KeySize bytes, then
// at most a final "\n" or "\r\n". It reads no more than that, and its errors
// never quote the file.
func LoadAPIv3KeyFile(path string) ([]byte, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: APIv3 key: %w", err)
	}
	defer file.Close()
	const most = APIv3KeySize + len("\r\n")
	data, over, err := readLimited(file, int64(most))
	if err != nil {
		return nil, fmt.Errorf("wechatpay: APIv3 key %s: %w", path, err)
	}
	key := data
	if k, ok := bytes.CutSuffix(data, []byte("\n")); ok {
		key, _ = bytes.CutSuffix(k, []byte("\r"))
	}
	switch {
	case over:
		return nil, fmt.Errorf("wechatpay: APIv3 key %s: the file holds more than %d bytes, want %d and at most a final newline", path, most, APIv3KeySize)
	case len(key) != APIv3KeySize:
		return nil, fmt.Errorf("wechatpay: APIv3 key %s: the key has %d bytes, want %d", path, len(key), APIv3KeySize)
	}
	return key, nil
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
				out[i] = &fileKeyError{key: key, err: ce}
			}
		}
	}
	return errors.Join(out...)
}

// fileKeyError is a *ConfigError told by the config file's key: its text
// names the key, and errors.As still finds the *ConfigError.
type fileKeyError struct {
	key string
	err *ConfigError
}

func (e *fileKeyError) Error() string { return fmt.Sprintf("%q %s", e.key, e.err.Problem) }
func (e *fileKeyError) Unwrap() error { return e.err }
