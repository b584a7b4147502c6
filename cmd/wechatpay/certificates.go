package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
)

// certificatesName is the command that downloads the platform certificates;
// the seed's Node SDK calls its own `wxpay crt`.
const certificatesName = "certificates"

const certificatesUsage = "usage: wechatpay [-config FILE] [-v] certificates -out DIR"

// certificates is "wechatpay certificates -out DIR": it downloads the
// platform certificates (GET /v3/certificates), decrypts them with the
// APIv3 key the config's apiv3_key_file names, checks them, and writes each
// as DIR/wechatpay_SERIAL.pem (wechatpay.WriteCertificates), printing one
// line per certificate: the file, the serial, effective_time and
// expire_time. The download is verified with the WeChat Pay keys the
// config names; a config that names none (a merchant's first download)
// bootstraps: the download is verified with a certificate of its own,
// which the APIv3 key vouches for (wechatpay.BootstrapCertificates).
func certificates(ctx context.Context, args []string, configPath string, verbose bool, stdout, stderr io.Writer, getenv func(string) string) int {
	flags := flag.NewFlagSet("wechatpay certificates", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	out := flags.String("out", "", "")
	usage := func(w io.Writer) {
		fmt.Fprintln(w, certificatesUsage)
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Downloads the WeChat Pay platform certificates, decrypts them with the APIv3 key")
		fmt.Fprintln(w, "of the config's apiv3_key_file, and writes each as DIR/wechatpay_SERIAL.pem.")
		fmt.Fprintln(w, "The download is verified with the config's WeChat Pay keys; without any (a first")
		fmt.Fprintln(w, "download) with a certificate of the download itself, as the official SDKs do.")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "  -out DIR  folder to write the certificates to (created if missing)")
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return exitOK
		}
		fmt.Fprintf(stderr, "wechatpay: certificates: %v\n", err)
		usage(stderr)
		return exitUsage
	}
	if *out == "" || flags.NArg() > 0 {
		fmt.Fprintln(stderr, "wechatpay: certificates: -out DIR is required, and nothing else")
		usage(stderr)
		return exitUsage
	}
	if configPath == "" {
		configPath = getenv(configEnv)
	}
	if configPath == "" {
		fmt.Fprintf(stderr, "wechatpay: certificates: no config file: give -config FILE or set %s\n", configEnv)
		return exitUsage
	}
	cfg, apiV3Key, bootstrap, err := certificatesConfig(configPath)
	if err != nil {
		fmt.Fprintf(stderr, "wechatpay: certificates: config %s:\n%s\n", configPath, indent(err.Error()))
		return exitUsage
	}
	hc, closeIdle := httpClient(cfg.HTTPClient)
	defer closeIdle()
	if verbose {
		log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		cfg.Logger = log
		hc.Transport = &loggingTransport{next: hc.Transport, log: log}
	}
	cfg.HTTPClient = hc

	var certs []wechatpay.PlatformCertificate
	if bootstrap {
		certs, err = wechatpay.BootstrapCertificates(ctx, cfg, apiV3Key)
	} else {
		var rt *wechatpay.Client
		if rt, err = wechatpay.NewClient(cfg); err != nil {
			fmt.Fprintf(stderr, "wechatpay: certificates: config %s:\n%s\n", configPath, indent(err.Error()))
			return exitUsage
		}
		certs, err = rt.DownloadCertificates(ctx, apiV3Key)
	}
	if err != nil {
		var cfgErr *wechatpay.ConfigError
		if errors.As(err, &cfgErr) {
			fmt.Fprintf(stderr, "wechatpay: certificates: config %s:\n%s\n", configPath, indent(err.Error()))
			return exitUsage
		}
		op := &wechatpay.Operation{ID: "downloadCertificates", Name: certificatesName}
		code := report(stderr, op, err)
		var certErr *wechatpay.CertificateError
		if errors.As(err, &certErr) {
			fmt.Fprintln(stderr, "The download was not used; nothing was written.")
		}
		return code
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintf(stderr, "wechatpay: certificates: %v\n", err)
		return exitFailure
	}
	paths, err := wechatpay.WriteCertificates(*out, certs)
	if err != nil {
		fmt.Fprintf(stderr, "wechatpay: certificates: %v\n", err)
		return exitFailure
	}
	var b bytes.Buffer
	for i, c := range certs {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", paths[i], c.Serial, c.EffectiveTime.Format(time.RFC3339), c.ExpireTime.Format(time.RFC3339))
	}
	if _, err := stdout.Write(b.Bytes()); err != nil {
		fmt.Fprintf(stderr, "wechatpay: certificates: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// certificatesConfig reads the config file for the certificates command:
// the runtime Config, the APIv3 key, and whether the download bootstraps
// (the file names no WeChat Pay key; the Config then has none).
func certificatesConfig(path string) (cfg wechatpay.Config, apiV3Key []byte, bootstrap bool, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return cfg, nil, false, err
	}
	var f wechatpay.ConfigFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return cfg, nil, false, err
	}
	if f.APIv3KeyFile == "" {
		return cfg, nil, false, errors.New(`"apiv3_key_file" is required: the certificates are encrypted under the APIv3 key`)
	}
	dir := filepath.Dir(path)
	if apiV3Key, err = wechatpay.LoadAPIv3KeyFile(resolve(dir, f.APIv3KeyFile)); err != nil {
		return cfg, nil, false, fmt.Errorf("apiv3_key_file: %w", err)
	}
	bootstrap = f.WechatpayPublicKeyID == "" && f.WechatpayPublicKeyFile == "" && len(f.PlatformCertificateFiles) == 0
	if !bootstrap {
		cfg, err = wechatpay.LoadConfig(path)
		return cfg, apiV3Key, false, err
	}
	// The runtime's loader wants a WeChat Pay key; a first download has none.
	var missing []error
	for _, kv := range [][2]string{{"mchid", f.MchID}, {"merchant_serial_no", f.MerchantSerialNo}, {"merchant_private_key_file", f.MerchantPrivateKeyFile}} {
		if kv[1] == "" {
			missing = append(missing, fmt.Errorf("%q is required", kv[0]))
		}
	}
	if err := errors.Join(missing...); err != nil {
		return cfg, nil, false, err
	}
	key, err := wechatpay.LoadPrivateKeyFile(resolve(dir, f.MerchantPrivateKeyFile))
	if err != nil {
		return cfg, nil, false, fmt.Errorf("merchant_private_key_file: %w", err)
	}
	return wechatpay.Config{MchID: f.MchID, MerchantSerialNo: f.MerchantSerialNo, MerchantKey: key, BaseURL: f.BaseURL}, apiV3Key, true, nil
}

// resolve resolves a file name of a config file against its folder.
func resolve(dir, name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(dir, name)
}
