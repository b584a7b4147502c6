package wechatpay

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// formattings is v printed every way a caller might log it: each fmt verb,
// as a value, a pointer and a field, and through slog's JSON and text
// handlers.
func formattings(v, ptr any) map[string]string {
	out := map[string]string{}
	nested := struct{ Config any }{v}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out[verb] = fmt.Sprintf(verb, v)
		out[verb+" pointer"] = fmt.Sprintf(verb, ptr)
		out[verb+" field"] = fmt.Sprintf(verb, nested)
	}
	out["Sprint"] = fmt.Sprint(v)
	for name, h := range map[string]func(*bytes.Buffer) slog.Handler{
		"slog JSON": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		"slog text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	} {
		var buf bytes.Buffer
		log := slog.New(h(&buf))
		log.Info("config", "value", v, "pointer", ptr)
		log.Info("config", slog.Any("value", v), slog.Any("pointer", ptr))
		out[name] = buf.String()
	}
	return out
}

// secretForms is secret as the formattings could spell it.
func secretForms(secret []byte) map[string]string {
	return map[string]string{
		"raw":     string(secret),
		"hex":     hex.EncodeToString(secret),
		"base64":  base64.StdEncoding.EncodeToString(secret),
		"decimal": strings.Trim(fmt.Sprint(secret), "[]"),
		"quoted":  strings.Trim(fmt.Sprintf("%q", secret), `"`),
	}
}

func TestCertificateRefresherConfigRedactsKey(t *testing.T) {
	key := []byte("0123456789abcdefABCDEF0123456789")
	cfg := CertificateRefresherConfig{APIv3Key: key, Interval: time.Hour, Logger: slog.Default()}
	for how, text := range formattings(cfg, &cfg) {
		for form, secret := range secretForms(key) {
			if strings.Contains(text, secret) {
				t.Errorf("%s shows the APIv3 key (%s): %s", how, form, text)
			}
		}
		if !strings.Contains(text, "redacted 32 bytes") {
			t.Errorf("%s does not say the key is redacted: %s", how, text)
		}
	}
}

func TestBillDownloadRedactsToken(t *testing.T) {
	const token = "6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzp4QtiozLO"
	bill := Bill{HashType: "SHA1", HashValue: strings.Repeat("ab", 20), DownloadURL: "https://api.mch.weixin.qq.com/v3/billdownload/file?token=" + token}
	download := BillDownload{Bill: bill, Gzipped: true, MaxBytes: 1 << 20}
	for name, v := range map[string]map[string]string{
		"Bill":         formattings(bill, &bill),
		"BillDownload": formattings(download, &download),
	} {
		for how, text := range v {
			for form, secret := range secretForms([]byte(token)) {
				if strings.Contains(text, secret) {
					t.Errorf("%s, %s, shows the token (%s): %s", name, how, form, text)
				}
			}
			if how != "%x" && how != "%x pointer" && how != "%x field" && !strings.Contains(text, "/v3/billdownload/file?[redacted]") {
				t.Errorf("%s, %s, does not show the redacted URL: %s", name, how, text)
			}
		}
	}
	for _, u := range []string{"", "%zz", "https://user:pw@h/p#frag"} {
		if s := fmt.Sprint(Bill{DownloadURL: u}); strings.Contains(s, "pw") || strings.Contains(s, "frag") || strings.Contains(s, "zz") {
			t.Errorf("Bill with download_url %q prints %s", u, s)
		}
	}
}
