package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
)

// TestRunPlatformCertificate runs the sandbox in certificate mode: it makes
// a platform certificate, names it (and its key) in the banner, writes a
// config that verifies with it, signs with it, serves it at GET
// /v3/certificates, and keeps it across a restart.
func TestRunPlatformCertificate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sandbox")
	s := start(t, "-dir", dir, "-platform-certificate")
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := wechatpay.LoadCertificateFile(filepath.Join(dir, platformCertFile))
	if err != nil {
		t.Fatal(err)
	}
	serial := wechatpay.CertificateSerial(cert)
	want := []string{
		"config file:            " + filepath.Join(abs, "config.json"),
		"merchant private key:   " + filepath.Join(abs, "merchant_key.pem"),
		"platform certificate:   " + filepath.Join(abs, platformCertFile) + " (" + serial + ")",
		"APIv3 key:              " + filepath.Join(abs, "apiv3_key"),
		"sandbox's signing key:  " + filepath.Join(abs, platformKeyFile),
	}
	if got := strings.Join(s.banner, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("printed\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	if now := time.Now(); now.Before(cert.NotBefore) || now.After(cert.NotAfter) || cert.NotAfter.Sub(now) < 4*365*24*time.Hour {
		t.Errorf("certificate valid %v to %v", cert.NotBefore, cert.NotAfter)
	}

	rt := client(t, dir, s.url)
	if got := rt.Keys().Serials(); len(got) != 1 || got[0] != serial {
		t.Errorf("config.json trusts %v, want the platform certificate %s", got, serial)
	}
	resp, err := rt.Do(context.Background(), terminate("12535", "wxwtdk20200910100000"))
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Header.Get("Wechatpay-Serial"); got != serial {
		t.Errorf("answer signed by %s, want %s", got, serial)
	}
	apiV3Key := []byte(readFiles(t, dir, apiV3KeyFile)[0])
	certs, err := rt.DownloadCertificates(context.Background(), apiV3Key)
	if err != nil || len(certs) != 1 || certs[0].Serial != serial {
		t.Errorf("download: %+v, %v; want %s", certs, err, serial)
	}
	for _, name := range []string{platformKeyFile, platformCertFile} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]os.FileMode{platformKeyFile: 0o600, platformCertFile: 0o644}[name]; fi.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", name, fi.Mode().Perm(), want)
		}
	}
	s.stop(t)

	files := readFiles(t, dir, platformKeyFile, platformCertFile)
	s = start(t, "-dir", dir, "-platform-certificate")
	if got := readFiles(t, dir, platformKeyFile, platformCertFile); !equal(got, files) {
		t.Error("a restart replaced the platform certificate")
	}
	s.stop(t)

	// Without the flag the same folder runs in public-key mode again.
	s = start(t, "-dir", dir)
	if _, err := client(t, dir, s.url).Do(context.Background(), terminate("12535", "wxwtdk20200910100000")); err != nil {
		t.Errorf("public-key mode after certificate mode: %v", err)
	}
	s.stop(t)
}

// TestPlatformCertificateRenewed: an expired certificate in the folder, or
// one of another key, is made anew.
func TestPlatformCertificateRenewed(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	first, err := loadOrCreatePlatformCertificate(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	same, err := loadOrCreatePlatformCertificate(dir, now.Add(time.Hour))
	if err != nil || same.Serial() != first.Serial() {
		t.Fatalf("second load: %v, %v; want %s", same.Serial(), err, first.Serial())
	}
	later, err := loadOrCreatePlatformCertificate(dir, now.Add(6*365*24*time.Hour))
	if err != nil || later.Serial() == first.Serial() || !later.Key.Equal(first.Key) {
		t.Errorf("after expiry: %v, %v; want a new certificate for the same key", later.Serial(), err)
	}
	if err := os.Remove(filepath.Join(dir, platformKeyFile)); err != nil {
		t.Fatal(err)
	}
	renewed, err := loadOrCreatePlatformCertificate(dir, now)
	if err != nil || renewed.Serial() == first.Serial() || renewed.Key.Equal(first.Key) {
		t.Errorf("with a new key: %v, %v; want a new certificate", renewed.Serial(), err)
	}
}
