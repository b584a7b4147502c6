package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/payforge/wechatpay/spec"
	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/payments"
)

// The files the sandbox keeps in its folder.
const (
	configFile          = "config.json"
	merchantKeyFile     = "merchant_key.pem"
	wechatpayPublicFile = "wechatpay_public_key.pem"
	wechatpayKeyFile    = "wechatpay_private_key.pem"
	apiV3KeyFile        = "apiv3_key"
	platformKeyFile     = "platform_key.pem"  // -platform-certificate: the certificate's key
	platformCertFile    = "platform_cert.pem" // -platform-certificate: the certificate
)

// platformCertValidity is how long a platform certificate the sandbox makes
// is valid (WeChat Pay's last five years).
const platformCertValidity = 5 * 365 * 24 * time.Hour

// maxSpecBytes caps a -spec file.
const maxSpecBytes = 16 << 20

// usageLine is the synopsis -h and usage errors print.
const usageLine = "usage: wechatpay-sandbox -dir DIR [-addr 127.0.0.1:0] [-platform-certificate] [-spec FILE ...] [-contract SERVICE_ID:CODE ...] [-no-example-contract] [-auto-sign DELAY]" +
	" [-journey-specs DIR] [-auto-pay DELAY] [-auto-settle-refunds DELAY] [-refund-outcome SUCCESS|ABNORMAL|CLOSED] [-refund-notify-url URL] [-notify-ca FILE]"

// familyFlags are the flags that set up the behaviours of the embedded
// specs, which do not run with -spec.
var familyFlags = []string{"contract", "no-example-contract", "auto-sign", "journey-specs", "auto-pay", "auto-settle-refunds", "refund-outcome", "refund-notify-url"}

// run is the whole program: it returns 0 after a clean shutdown when ctx
// ends, 1 on a failure and 2 on a usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("wechatpay-sandbox", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", wechatpaytest.DefaultAddr, "TCP `address` to listen on")
	dir := flags.String("dir", "", "`folder` for the keys and config.json (required)")
	noExample := flags.Bool("no-example-contract", false, "leave out the official example contract 12535:wxwtdk20200910100000")
	autoSign := flags.Duration("auto-sign", 0, "sign each pre-signed contract after this `delay`, as its user would, and notify its notify_url (0: never)")
	notifyCA := flags.String("notify-ca", "", "PEM `file` of certificates to trust, besides the system's, when notifying")
	platformMode := flags.Bool("platform-certificate", false, "run in platform certificate mode: sign with the certificate in DIR/"+platformCertFile+
		" (made on the first run) and serve it at GET /v3/certificates, instead of the WeChat Pay public key")
	journeyDir := flags.String("journey-specs", "", "serve the journey's orders, refunds and bills with the specs of this `folder` "+
		"(payments.yaml, contract-payments.yaml, refunds.yaml and their shared common.yaml and notifications.yaml) instead of the embedded ones")
	autoPay := flags.Duration("auto-pay", 0, "make the user pay each order after this `delay` and notify its notify_url (0: never)")
	autoSettle := flags.Duration("auto-settle-refunds", 0, "end each refund after this `delay` as -refund-outcome says and notify (0: never)")
	refundOutcome := flags.String("refund-outcome", payments.RefundSuccess, "how -auto-settle-refunds ends refunds: `SUCCESS`, ABNORMAL or CLOSED")
	refundNotifyURL := flags.String("refund-notify-url", "", "notify the results of refunds that name no notify_url at this `URL` (the merchant platform's setting)")
	var added contractList
	flags.Var(&added, "contract", "add an active contract `SERVICE_ID:CODE` (repeatable)")
	var specFiles stringList
	flags.Var(&specFiles, "spec", "serve the OpenAPI 3 document in `FILE` instead of the embedded specs, answering each operation with its example (repeatable)")
	flags.Usage = func() {
		fmt.Fprintln(stderr, usageLine)
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *dir == "" || flags.NArg() > 0 || *autoSign < 0 || *autoPay < 0 || *autoSettle < 0 {
		flags.Usage()
		return 2
	}
	switch *refundOutcome {
	case payments.RefundSuccess, payments.RefundAbnormal, payments.RefundClosed:
	default:
		fmt.Fprintf(stderr, "wechatpay-sandbox: -refund-outcome %q: want SUCCESS, ABNORMAL or CLOSED\n%s\n", *refundOutcome, usageLine)
		return 2
	}
	given := func(names []string) []string {
		var set []string
		flags.Visit(func(f *flag.Flag) {
			if slices.Contains(names, f.Name) {
				set = append(set, "-"+f.Name)
			}
		})
		return set
	}
	if set := given(familyFlags); len(specFiles) > 0 && len(set) > 0 {
		fmt.Fprintf(stderr, "wechatpay-sandbox: %s set up the behaviours of the embedded specs, which do not run with -spec\n%s\n",
			strings.Join(set, ", "), usageLine)
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "wechatpay-sandbox:", err)
		return 1
	}

	specs, err := readSpecs(specFiles)
	if err != nil {
		return fail(err)
	}
	merchantKey, wechatpayKey, err := loadOrCreateKeys(*dir)
	if err != nil {
		return fail(err)
	}
	apiV3Key, err := loadOrCreateAPIv3Key(filepath.Join(*dir, apiV3KeyFile))
	if err != nil {
		return fail(err)
	}
	var platform []wechatpaytest.PlatformCertificate
	if *platformMode {
		c, err := loadOrCreatePlatformCertificate(*dir, time.Now())
		if err != nil {
			return fail(err)
		}
		platform = append(platform, c)
	}
	notifyTransport, err := newNotifyTransport(*notifyCA)
	if err != nil {
		return fail(err)
	}
	defer notifyTransport.CloseIdleConnections()
	// The embedded specs run with the contract family's behaviour and the
	// payments behaviour; specs of -spec with none, answered with their
	// examples.
	var family *contracts.Family
	var behaviours []wechatpaytest.Behaviour
	if specs == nil {
		journeyFS := journeySpecs(*journeyDir)
		if journeyFS != nil {
			// The folder's specs of the journey take the places of the
			// embedded ones, which would win over a behaviour's own.
			if specs, err = embeddedSpecsBut(payments.DefaultSpecFiles()); err != nil {
				return fail(err)
			}
		}
		family = contracts.New(contracts.Options{NoExampleContract: *noExample, AutoSign: *autoSign})
		behaviours = append(behaviours, family, payments.New(payments.Options{
			SpecFS:            journeyFS,
			Contracts:         family,
			AutoPay:           *autoPay,
			AutoSettleRefunds: *autoSettle,
			RefundOutcome:     *refundOutcome,
			RefundNotifyURL:   *refundNotifyURL,
		}))
	}
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{
		Addr:         *addr,
		MerchantKey:  merchantKey,
		WechatpayKey: wechatpayKey,
		Logger:       slog.New(slog.NewTextHandler(stderr, nil)),
		APIv3Key:     apiV3Key,
		NotifyClient: &http.Client{Transport: notifyTransport, Timeout: wechatpaytest.DefaultNotifyTimeout},
		Specs:        specs,
		Behaviours:   behaviours,

		PlatformCertificates: platform,
	})
	if err != nil {
		return fail(err)
	}
	defer srv.Close()
	for _, c := range added {
		if err := family.AddContract(c.serviceID, c.code); err != nil {
			return fail(err)
		}
	}
	cfg := srv.ClientConfig()
	if err := writeConfig(*dir, cfg, *platformMode); err != nil {
		return fail(err)
	}
	files, err := written(*dir, cfg.WechatpaySerial, platform)
	if err != nil {
		return fail(err)
	}
	var banner strings.Builder
	fmt.Fprintln(&banner, "listening on", srv.URL)
	for _, f := range files {
		fmt.Fprintf(&banner, "%-*s %s\n", labelWidth, f.label+":", f.path)
	}
	if _, err := io.WriteString(stdout, banner.String()); err != nil {
		return fail(err)
	}
	if f, ok := stdout.(interface{ Flush() error }); ok {
		if err := f.Flush(); err != nil {
			return fail(err)
		}
	}
	<-ctx.Done()
	srv.Close()
	return 0
}

// journeySpecs returns where the journey's specs are: the folder dir when
// given, else nil, which is the embedded specs (payments.Options.SpecFS).
func journeySpecs(dir string) fs.FS {
	if dir != "" {
		return os.DirFS(dir)
	}
	return nil
}

// embeddedSpecsBut returns the specs embedded in package spec but the files
// named, read from spec.FS so that their references to siblings resolve.
func embeddedSpecsBut(names []string) ([]wechatpaytest.Spec, error) {
	all, err := fs.Glob(spec.FS, "*.yaml")
	if err != nil {
		return nil, err
	}
	var specs []wechatpaytest.Spec
	for _, name := range all {
		if !slices.Contains(names, name) {
			specs = append(specs, wechatpaytest.Spec{Name: name, FS: spec.FS})
		}
	}
	return specs, nil
}

// labelWidth aligns the paths run prints.
const labelWidth = 23

// file is a file of the sandbox's folder, as run prints it.
type file struct{ label, path string }

// written lists the files a merchant needs from the sandbox's folder, by
// absolute path: run prints them after its first line, in this order. In
// certificate mode (platform holds the certificate) the certificate and its
// key take the places of the WeChat Pay public key and the signing key.
func written(dir, wechatpayKeyID string, platform []wechatpaytest.PlatformCertificate) ([]file, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if len(platform) > 0 {
		return []file{
			{"config file", filepath.Join(abs, configFile)},
			{"merchant private key", filepath.Join(abs, merchantKeyFile)},
			{"platform certificate", filepath.Join(abs, platformCertFile) + " (" + platform[0].Serial() + ")"},
			{"APIv3 key", filepath.Join(abs, apiV3KeyFile)},
			{"sandbox's signing key", filepath.Join(abs, platformKeyFile)},
		}, nil
	}
	return []file{
		{"config file", filepath.Join(abs, configFile)},
		{"merchant private key", filepath.Join(abs, merchantKeyFile)},
		{"WeChat Pay public key", filepath.Join(abs, wechatpayPublicFile) + " (" + wechatpayKeyID + ")"},
		{"APIv3 key", filepath.Join(abs, apiV3KeyFile)},
		{"sandbox's signing key", filepath.Join(abs, wechatpayKeyFile)},
	}, nil
}

// contract is a -contract value.
type contract struct {
	serviceID int64
	code      string
}

type contractList []contract

func (l *contractList) String() string {
	parts := make([]string, len(*l))
	for i, c := range *l {
		parts[i] = strconv.FormatInt(c.serviceID, 10) + ":" + c.code
	}
	return strings.Join(parts, ",")
}

func (l *contractList) Set(v string) error {
	id, code, ok := strings.Cut(v, ":")
	serviceID, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil || code == "" {
		return errors.New("want SERVICE_ID:CODE, such as 12535:wxwtdk20200910100000")
	}
	*l = append(*l, contract{serviceID, code})
	return nil
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	if v == "" {
		return errors.New("want a file name")
	}
	*l = append(*l, v)
	return nil
}

// readSpecs reads the -spec files, each at most maxSpecBytes; nil when none
// is given.
func readSpecs(paths []string) ([]wechatpaytest.Spec, error) {
	var specs []wechatpaytest.Spec
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("-spec: %w", err)
		}
		data, err := io.ReadAll(io.LimitReader(f, maxSpecBytes+1))
		_ = f.Close()
		switch {
		case err != nil:
			return nil, fmt.Errorf("-spec %s: %w", path, err)
		case len(data) > maxSpecBytes:
			return nil, fmt.Errorf("-spec %s: larger than %d MiB", path, maxSpecBytes>>20)
		}
		specs = append(specs, wechatpaytest.Spec{Name: path, Data: data})
	}
	return specs, nil
}

// loadOrCreateKeys reads the merchant and WeChat Pay private keys from dir,
// creating the missing ones, and writes the WeChat Pay public key next to them.
func loadOrCreateKeys(dir string) (merchant, wechatpayKey *rsa.PrivateKey, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	if merchant, err = loadOrCreateKey(filepath.Join(dir, merchantKeyFile)); err != nil {
		return nil, nil, err
	}
	if wechatpayKey, err = loadOrCreateKey(filepath.Join(dir, wechatpayKeyFile)); err != nil {
		return nil, nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(&wechatpayKey.PublicKey)
	if err != nil {
		return nil, nil, fmt.Errorf("encode WeChat Pay public key: %w", err)
	}
	public := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	path := filepath.Join(dir, wechatpayPublicFile)
	if old, err := os.ReadFile(path); err == nil && string(old) == string(public) {
		return merchant, wechatpayKey, nil
	}
	if err := writeFileAtomic(path, public, 0o600); err != nil {
		return nil, nil, err
	}
	return merchant, wechatpayKey, nil
}

// loadOrCreateAPIv3Key reads the APIv3 key as wechatpay.LoadAPIv3KeyFile
// does (the runtime's own reader, so the sandbox and a merchant's program
// agree on the file), or creates one of 32 characters of [0-9A-Za-z], the
// shape of the key a merchant sets on the merchant platform.
func loadOrCreateAPIv3Key(path string) ([]byte, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		key, err := wechatpay.NewNonce(rand.Reader) // 32 characters of [0-9A-Za-z]
		if err != nil {
			return nil, err
		}
		return []byte(key), writeFileAtomic(path, []byte(key), 0o600)
	}
	return wechatpay.LoadAPIv3KeyFile(path)
}

// newNotifyTransport returns the transport notifications go out with:
// the system's roots, plus the certificates of caFile when it is given.
func newNotifyTransport(caFile string) (*http.Transport, error) {
	t := &http.Transport{Proxy: http.ProxyFromEnvironment, IdleConnTimeout: 30 * time.Second}
	if caFile == "" {
		return t, nil
	}
	certs, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("-notify-ca: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(certs) {
		return nil, fmt.Errorf("-notify-ca %s: no PEM certificate in it", caFile)
	}
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return t, nil
}

// loadOrCreatePlatformCertificate reads the platform certificate and its key
// from dir, or makes them: a fresh key, and a self-signed certificate valid
// from an hour before now for five years. A certificate that does not
// certify the key or is not valid at now is made anew.
func loadOrCreatePlatformCertificate(dir string, now time.Time) (wechatpaytest.PlatformCertificate, error) {
	key, err := loadOrCreateKey(filepath.Join(dir, platformKeyFile))
	if err != nil {
		return wechatpaytest.PlatformCertificate{}, err
	}
	path := filepath.Join(dir, platformCertFile)
	if cert, err := wechatpay.LoadCertificateFile(path); err == nil {
		pub, ok := cert.PublicKey.(*rsa.PublicKey)
		if ok && pub.Equal(&key.PublicKey) && !now.Before(cert.NotBefore) && !now.After(cert.NotAfter) {
			return wechatpaytest.PlatformCertificate{Key: key, Certificate: cert}, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return wechatpaytest.PlatformCertificate{}, err
	}
	c, err := wechatpaytest.NewPlatformCertificate(key, now.Add(-time.Hour), now.Add(platformCertValidity))
	if err != nil {
		return wechatpaytest.PlatformCertificate{}, err
	}
	if err := writeFileAtomic(path, c.PEM(), 0o644); err != nil {
		return wechatpaytest.PlatformCertificate{}, err
	}
	return c, nil
}

// loadOrCreateKey reads an RSA private key, or creates one in PKCS#8 PEM.
func loadOrCreateKey(path string) (*rsa.PrivateKey, error) {
	key, err := wechatpay.LoadPrivateKeyFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return nil, fmt.Errorf("generate %s: %w", path, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", path, err)
	}
	if err := writeFileAtomic(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	return key, nil
}

// writeConfig writes dir/config.json describing cfg, with key file names
// relative to dir: the WeChat Pay public key, or in certificate mode the
// platform certificate.
func writeConfig(dir string, cfg wechatpay.Config, platformMode bool) error {
	f := wechatpay.ConfigFile{
		MchID:                  cfg.MchID,
		MerchantSerialNo:       cfg.MerchantSerialNo,
		MerchantPrivateKeyFile: merchantKeyFile,
		WechatpayPublicKeyID:   cfg.WechatpaySerial,
		WechatpayPublicKeyFile: wechatpayPublicFile,
		APIv3KeyFile:           apiV3KeyFile,
		BaseURL:                cfg.BaseURL,
	}
	if platformMode {
		f.WechatpayPublicKeyID, f.WechatpayPublicKeyFile = "", ""
		f.PlatformCertificateFiles = []string{platformCertFile}
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, configFile), append(data, '\n'), 0o644)
}

// writeFileAtomic writes data to a temporary file in path's folder and
// renames it over path, so readers never see a partial file.
func writeFileAtomic(path string, data []byte, perm fs.FileMode) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
