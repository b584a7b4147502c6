package wechatpay

import (
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"testing"
	"time"
)

// Fuzz targets for the parsers of the protocol's other pieces: the
// certificate bundle, the multipart upload body, and the bill download.

// checkCertificates asserts what ParseCertificates promises of what it
// returns.
func checkCertificates(t *testing.T, certs []PlatformCertificate, now time.Time) {
	t.Helper()
	seen := map[string]bool{}
	for _, c := range certs {
		if c.Certificate == nil || c.Serial != CertificateSerial(c.Certificate) || seen[c.Serial] {
			t.Fatalf("certificate %q: serial not its certificate's, or repeated", c.Serial)
		}
		seen[c.Serial] = true
		if !c.EffectiveTime.Before(c.ExpireTime) || c.EffectiveTime.Before(c.Certificate.NotBefore) ||
			c.ExpireTime.After(c.Certificate.NotAfter) || now.After(c.ExpireTime) {
			t.Fatalf("certificate %s: times %v to %v outside %v to %v, or expired at %v", c.Serial,
				c.EffectiveTime, c.ExpireTime, c.Certificate.NotBefore, c.Certificate.NotAfter, now)
		}
		parsed, err := ParseCertificate(c.PEM)
		if err != nil || !parsed.Equal(c.Certificate) {
			t.Fatalf("certificate %s: PEM is not the certificate: %v", c.Serial, err)
		}
		k := c.Key()
		if k.Serial != c.Serial || !k.NotBefore.Equal(c.EffectiveTime) || !k.NotAfter.Equal(c.ExpireTime) || checkRSAPublicKey(k.PublicKey) != nil {
			t.Fatalf("certificate %s: Key() = %+v", c.Serial, k)
		}
	}
}

// FuzzParseCertificates feeds hostile /v3/certificates bodies: never a
// panic, a *CertificateError for anything refused, and what is accepted
// holds every promise. The seeds are a real bundle and its near misses.
func FuzzParseCertificates(f *testing.F) {
	rot := newRotation(f)
	good := certificatesBody(f, testAPIv3Key, listedCert(rot.oldCert), listedCert(rot.newCert))
	f.Add(good)
	f.Add(certificatesBody(f, testAPIv3Key, listedCert(rot.newCert)))
	f.Add(bytes.Replace(good, []byte(`"certificate"`), []byte(`"certificatf"`), 1))
	f.Add(bytes.Replace(good, []byte(`"0A01"`), []byte(`"0a01"`), 1))
	f.Add([]byte(`{"data":[{"serial_no":"0A01","effective_time":"2019-04-02T20:34:20+08:00","expire_time":"x","encrypt_certificate":{}}]}`))
	f.Add([]byte(`{"data":[]}`))
	f.Add([]byte(`null`))
	now := testClock()
	f.Fuzz(func(t *testing.T, body []byte) {
		certs, err := ParseCertificates(body, []byte(testAPIv3Key), now)
		var ce *CertificateError
		if err != nil {
			if certs != nil || !errors.As(err, &ce) {
				t.Fatalf("ParseCertificates = %d certificates, %T %v", len(certs), err, err)
			}
			return
		}
		checkCertificates(t, certs, now)
	})
}

// FuzzCertificateEntry fuzzes one entry's fields behind a valid encryption,
// so every mutation reaches the checks after decryption: the decrypted
// text, serial_no and the two times. What is accepted holds every promise,
// and a well-formed entry for a certificate valid now is accepted.
func FuzzCertificateEntry(f *testing.F) {
	rot := newRotation(f)
	c := rot.newCert
	rfc := func(t time.Time) string { return t.Format(time.RFC3339) }
	f.Add(certPEM(c), "0B02", rfc(c.NotBefore), rfc(c.NotAfter))
	f.Add(certPEM(c), "0b02", rfc(c.NotBefore), rfc(testClock().Add(time.Hour)))
	f.Add(certPEM(c), "0B02", rfc(c.NotAfter), rfc(c.NotBefore))
	f.Add(certPEM(c), "0A01", rfc(c.NotBefore), rfc(c.NotAfter))
	f.Add(append(certPEM(c), "trailing"...), "0B02", rfc(c.NotBefore), rfc(c.NotAfter))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"), "0B02", rfc(c.NotBefore), rfc(c.NotAfter))
	now := testClock()
	f.Fuzz(func(t *testing.T, pemText []byte, serialNo, effective, expire string) {
		entry := map[string]any{
			"serial_no": serialNo, "effective_time": effective, "expire_time": expire,
			"encrypt_certificate": map[string]string{
				"algorithm": "AEAD_AES_256_GCM", "nonce": "0123456789ab", "associated_data": "certificate",
				"ciphertext": sealGCM(t, []byte(testAPIv3Key), []byte("0123456789ab"), pemText, "certificate"),
			},
		}
		body, err := json.Marshal(map[string]any{"data": []any{entry}})
		if err != nil {
			return
		}
		certs, err := ParseCertificates(body, []byte(testAPIv3Key), now)
		if err != nil {
			var ce *CertificateError
			if !errors.As(err, &ce) {
				t.Fatalf("%T %v", err, err)
			}
			eff, err1 := time.Parse(time.RFC3339, effective)
			exp, err2 := time.Parse(time.RFC3339, expire)
			wellFormed := bytes.Equal(pemText, certPEM(c)) && strings.EqualFold(serialNo, "0B02") && err1 == nil && err2 == nil &&
				eff.Before(exp) && !eff.Before(c.NotBefore) && !exp.After(c.NotAfter) && !now.After(exp)
			if wellFormed {
				t.Fatalf("a well-formed entry was refused: %v", err)
			}
			return
		}
		if len(certs) != 1 || !bytes.Equal(certs[0].PEM, pemText) {
			t.Fatalf("accepted %d certificates from one entry", len(certs))
		}
		checkCertificates(t, certs, now)
	})
}

// FuzzUploadBody builds the multipart body of arbitrary uploads and reads it
// back with mime/multipart: the meta part is exactly the bytes signed, the
// file part carries the file and its name, and the default meta describes
// the file. Refusals are *ValidationError values.
func FuzzUploadBody(f *testing.F) {
	f.Add("hellokitty.png", []byte("\x89PNG\r\n\x1a\nimage"), "", int64(1024))
	f.Add("招牌.jpg", []byte("\xff\xd8\xff\xe0jpeg"), `{"filename":"x.jpg","sha256":"00"}`, int64(1024))
	f.Add("a\"b.png", []byte("x"), "", int64(1))
	f.Add("boundary--.bmp", []byte("--\r\n--boundary\r\n"), "", int64(64))
	f.Add("x.png", []byte("too large"), "", int64(3))
	f.Add("x.png", []byte("x"), `[1]`, int64(3))
	f.Fuzz(func(t *testing.T, fileName string, file []byte, meta string, maxBytes int64) {
		u := &Upload{Operation: "fuzz", PathTemplate: "/v3/x", Path: "/v3/x", FileName: fileName, File: bytes.NewReader(file), MaxBytes: maxBytes}
		if meta != "" {
			u.Meta = json.RawMessage(meta)
		}
		r, err := buildUpload(u)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("buildUpload: %T %v", err, err)
			}
			return
		}
		mt, params, err := mime.ParseMediaType(r.contentType)
		if err != nil || mt != "multipart/form-data" {
			t.Fatalf("Content-Type %q: %v", r.contentType, err)
		}
		mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
		var parts []string
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("the body does not parse: %v", err)
			}
			b, err := io.ReadAll(p)
			if err != nil {
				t.Fatal(err)
			}
			switch p.FormName() {
			case "meta":
				if !bytes.Equal(b, r.signBody) {
					t.Fatalf("meta part %q is not the signed body %q", b, r.signBody)
				}
			case "file":
				if !bytes.Equal(b, file) || p.FileName() != fileName {
					t.Fatalf("file part: name %q, %d bytes; want %q, %d", p.FileName(), len(b), fileName, len(file))
				}
			default:
				t.Fatalf("unexpected part %q", p.FormName())
			}
			parts = append(parts, p.FormName())
		}
		if strings.Join(parts, ",") != "meta,file" {
			t.Fatalf("parts %v", parts)
		}
		if meta == "" {
			var m struct {
				FileName string `json:"filename"`
				SHA256   string `json:"sha256"`
			}
			sum := sha256.Sum256(file)
			if err := json.Unmarshal(r.signBody, &m); err != nil || m.FileName != fileName || m.SHA256 != hex.EncodeToString(sum[:]) {
				t.Fatalf("default meta %s does not describe the file", r.signBody)
			}
		}
	})
}

// FuzzDownloadBill streams arbitrary downloads through the bill check: never
// a panic; success only when the SHA-1 of the original bill (decompressed by
// compress/gzip here, for a gzip bill) is hash_value, with exactly the
// download (or the bill, with Gunzip) written; a refusal is a
// *BillIntegrityError or too large.
func FuzzDownloadBill(f *testing.F) {
	bill := []byte(testBill)
	sum := sha1.Sum(bill)
	hash := hex.EncodeToString(sum[:])
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(bill)
	zw.Close()
	f.Add(bill, false, false, hash)
	f.Add(gz.Bytes(), true, false, hash)
	f.Add(gz.Bytes(), true, true, hash)
	f.Add(gz.Bytes()[:20], true, true, hash)
	f.Add(bill, true, false, hash)
	f.Add([]byte{}, false, false, "da39a3ee5e6b4b0d3255bfef95601890afd80709")
	const maxBytes = 1 << 16
	f.Fuzz(func(t *testing.T, served []byte, gzipped, gunzip bool, hashValue string) {
		b := &BillDownload{Bill: Bill{HashType: "SHA1", HashValue: hashValue}, Gzipped: gzipped, Gunzip: gunzip && gzipped}
		var out bytes.Buffer
		n, err := copyBill(&out, bytes.NewReader(served), b, maxBytes, maxBytes)
		if n != int64(out.Len()) {
			t.Fatalf("returned %d, wrote %d", n, out.Len())
		}
		// The oracle: the original bill as compress/gzip reads it.
		original := served
		if gzipped {
			zr, zerr := gzip.NewReader(bytes.NewReader(served))
			if zerr == nil {
				original, zerr = io.ReadAll(io.LimitReader(zr, maxBytes+1))
			}
			if zerr != nil || len(original) > maxBytes {
				original = nil
			}
		}
		digest := sha1.Sum(original)
		good := original != nil && len(served) <= maxBytes && strings.EqualFold(hex.EncodeToString(digest[:]), hashValue)
		if err == nil {
			if !good {
				t.Fatalf("accepted a download whose original bill does not hash to %q", hashValue)
			}
			want := served
			if b.Gunzip {
				want = original
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Fatalf("wrote %d bytes, want %d", out.Len(), len(want))
			}
			return
		}
		var ie *BillIntegrityError
		if !errors.As(err, &ie) && !errors.Is(err, ErrResponseTooLarge) {
			t.Fatalf("%T %v", err, err)
		}
		if good {
			t.Fatalf("refused a good download: %v", err)
		}
	})
}
