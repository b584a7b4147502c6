package wechatpay

import (
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// genFiles makes throwaway keys and certificates with openssl in a temp dir.
type genFiles struct {
	t   *testing.T
	dir string
}

func newGenFiles(t *testing.T) genFiles {
	requireOpenSSL(t)
	return genFiles{t, t.TempDir()}
}

// run runs openssl with args, where "$OUT" names the output file, and
// returns that file's contents.
func (g genFiles) run(name string, args ...string) []byte {
	g.t.Helper()
	out := filepath.Join(g.dir, name)
	for i, a := range args {
		if a == "$OUT" {
			args[i] = out
		}
		if strings.HasPrefix(a, "$DIR/") {
			args[i] = filepath.Join(g.dir, strings.TrimPrefix(a, "$DIR/"))
		}
	}
	openssl(g.t, nil, args...)
	return readFile(g.t, out)
}

// assertNoPEMLine fails when msg quotes any line of pemText.
func assertNoPEMLine(t testing.TB, msg string, pemText []byte) {
	t.Helper()
	for _, l := range pemLines(pemText) {
		if strings.Contains(msg, l) {
			t.Errorf("error %q quotes the PEM line %q", msg, l)
		}
	}
}

func TestParsePrivateKey(t *testing.T) {
	g := newGenFiles(t)
	ecPKCS8 := g.run("ec.pem", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "$OUT")
	ecSEC1 := g.run("ec_sec1.pem", "pkey", "-in", "$DIR/ec.pem", "-traditional", "-out", "$OUT")
	rsa1024 := g.run("rsa1024.pem", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "$OUT")
	rsa1024PKCS1 := g.run("rsa1024_pkcs1.pem", "rsa", "-in", "$DIR/rsa1024.pem", "-traditional", "-out", "$OUT")
	encrypted := g.run("enc.pem", "pkcs8", "-topk8", "-in", td("merchant_key.pem"), "-v2", "aes-256-cbc", "-passout", "pass:secret", "-out", "$OUT")

	pkcs8 := readFile(t, td("merchant_key.pem"))
	pkcs1 := readFile(t, td("merchant_key_pkcs1.pem"))
	pkcs8Block, _ := pem.Decode(pkcs8)
	truncated := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8Block.Bytes[:len(pkcs8Block.Bytes)/2]})
	pkcs1Block, _ := pem.Decode(pkcs1)
	mislabelled := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs1Block.Bytes})
	wantPub := mustPublicKey(t, "merchant_public_key.pem")

	tests := []struct {
		name    string
		in      []byte
		wantErr string // "" means success
	}{
		{"PKCS#8", pkcs8, ""},
		{"PKCS#1", pkcs1, ""},
		{"PKCS#8 after leading text", append([]byte("Bag Attributes\n    localKeyID: 01\n"), pkcs8...), ""},
		{"garbage", []byte("this is not a key\nat all\n"), "no PEM block"},
		{"empty", nil, "no PEM block"},
		{"public key PEM", readFile(t, td("merchant_public_key.pem")), `"PUBLIC KEY"`},
		{"certificate PEM", readFile(t, td("platform_cert.pem")), `"CERTIFICATE"`},
		{"encrypted PKCS#8", encrypted, `"ENCRYPTED PRIVATE KEY"`},
		{"EC key, PKCS#8", ecPKCS8, "want an RSA key"},
		{"EC key, SEC 1", ecSEC1, `"EC PRIVATE KEY"`},
		{"1024-bit RSA, PKCS#8", rsa1024, "1024 bits"},
		{"1024-bit RSA, PKCS#1", rsa1024PKCS1, "1024 bits"},
		{"truncated DER", truncated, "wechatpay: private key:"},
		{"PKCS#1 DER labelled PRIVATE KEY", mislabelled, "wechatpay: private key:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := ParsePrivateKey(tt.in)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ParsePrivateKey: %v", err)
				}
				if !key.PublicKey.Equal(wantPub) {
					t.Errorf("parsed key does not match merchant_public_key.pem")
				}
				return
			}
			if err == nil || key != nil {
				t.Fatalf("ParsePrivateKey = %v, %v; want an error", key != nil, err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "wechatpay: private key") {
				t.Errorf("error %q, want it to contain %q", err, tt.wantErr)
			}
			assertNoPEMLine(t, err.Error(), tt.in)
			assertNoPEMLine(t, fmt.Sprintf("%+v %#v", err, err), tt.in)
		})
	}
}

func TestLoadPrivateKeyFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(bad, readFile(t, td("merchant_public_key.pem")), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPrivateKeyFile(td("merchant_key.pem")); err != nil {
		t.Errorf("LoadPrivateKeyFile: %v", err)
	}
	for _, path := range []string{filepath.Join(dir, "missing.pem"), bad} {
		_, err := LoadPrivateKeyFile(path)
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("LoadPrivateKeyFile(%s) error = %v, want one naming the file", path, err)
		}
	}
	_, err := LoadPrivateKeyFile(filepath.Join(dir, "missing.pem"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file error %v does not wrap os.ErrNotExist", err)
	}
}

func TestParsePublicKey(t *testing.T) {
	g := newGenFiles(t)
	pkcs1Pub := g.run("pub_pkcs1.pem", "rsa", "-pubin", "-in", td("merchant_public_key.pem"), "-RSAPublicKey_out", "-out", "$OUT")
	g.run("ec.pem", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "$OUT")
	ecPub := g.run("ec_pub.pem", "pkey", "-in", "$DIR/ec.pem", "-pubout", "-out", "$OUT")
	g.run("rsa1024.pem", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "$OUT")
	pub1024 := g.run("rsa1024_pub.pem", "pkey", "-in", "$DIR/rsa1024.pem", "-pubout", "-out", "$OUT")
	want := mustPrivateKey(t, "merchant_key.pem").Public()

	tests := []struct {
		name    string
		in      []byte
		wantErr string
	}{
		{"PUBLIC KEY", readFile(t, td("merchant_public_key.pem")), ""},
		{"RSA PUBLIC KEY", pkcs1Pub, ""},
		{"garbage", []byte("nope"), "no PEM block"},
		{"private key PEM", readFile(t, td("merchant_key.pem")), `"PRIVATE KEY"`},
		{"EC public key", ecPub, "want an RSA key"},
		{"1024-bit RSA", pub1024, "1024 bits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub, err := ParsePublicKey(tt.in)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ParsePublicKey: %v", err)
				}
				if !pub.Equal(want) {
					t.Errorf("parsed key differs from the merchant key")
				}
				return
			}
			if err == nil || pub != nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ParsePublicKey = %v, %v; want an error containing %q", pub != nil, err, tt.wantErr)
			}
			assertNoPEMLine(t, err.Error(), tt.in)
		})
	}
}

func TestParseCertificate(t *testing.T) {
	if _, err := ParseCertificate(readFile(t, td("platform_cert.pem"))); err != nil {
		t.Fatalf("ParseCertificate: %v", err)
	}
	block, _ := pem.Decode(readFile(t, td("platform_cert.pem")))
	corrupt := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: block.Bytes[:100]})
	for name, in := range map[string][]byte{
		"public key PEM": readFile(t, td("wechatpay_public_key.pem")),
		"garbage":        []byte("garbage"),
		"truncated DER":  corrupt,
	} {
		if c, err := ParseCertificate(in); err == nil || c != nil {
			t.Errorf("%s: ParseCertificate accepted it", name)
		}
	}
	if _, err := LoadCertificateFile(filepath.Join(t.TempDir(), "none.pem")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadCertificateFile of a missing file: %v", err)
	}
}

func TestPublicKeyModeKey(t *testing.T) {
	pub := mustPublicKey(t, "wechatpay_public_key.pem")
	// A 1024-bit modulus (not a valid key, but the size check comes first).
	small := &rsa.PublicKey{N: new(big.Int).Rsh(pub.N, 1024), E: 65537}
	tests := []struct {
		id   string
		pub  *rsa.PublicKey
		ok   bool
		want string
	}{
		{testPubKeyID, pub, true, ""},
		{"PUB_KEY_ID_1", pub, true, ""},
		{"PUB_KEY_ID_", pub, false, "PUB_KEY_ID_ followed by digits"},
		{"", pub, false, "PUB_KEY_ID_ followed by digits"},
		{"0114232134912410000000000000", pub, false, "PUB_KEY_ID_ followed by digits"},
		{"pub_key_id_0114232134912410000000000000", pub, false, "PUB_KEY_ID_ followed by digits"},
		{"PUB_KEY_ID_01142321349124100000000000AB", pub, false, "PUB_KEY_ID_ followed by digits"},
		{"PUB_KEY_ID_ 123", pub, false, "PUB_KEY_ID_ followed by digits"},
		{"PUB_KEY_ID_123 ", pub, false, "PUB_KEY_ID_ followed by digits"},
		{"PUB_KEY_ID_-123", pub, false, "PUB_KEY_ID_ followed by digits"},
		{"PUB_KEY_ID_١٢٣", pub, false, "PUB_KEY_ID_ followed by digits"},
		{"X" + testPubKeyID, pub, false, "PUB_KEY_ID_ followed by digits"},
		{testPlatformSerial, pub, false, "PUB_KEY_ID_ followed by digits"},
		{testPubKeyID, nil, false, "nil"},
		{testPubKeyID, small, false, "want at least 2048"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			k, err := PublicKeyModeKey(tt.id, tt.pub)
			if tt.ok {
				if err != nil {
					t.Fatalf("PublicKeyModeKey: %v", err)
				}
				if k.Serial != tt.id || k.PublicKey != tt.pub {
					t.Errorf("key = %+v", k)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("PublicKeyModeKey error = %v, want one containing %q", err, tt.want)
			}
			if k != (VerificationKey{}) {
				t.Errorf("returned %+v with an error", k)
			}
		})
	}
}

// opensslSerial returns `openssl x509 -noout -serial` without "serial=".
func opensslSerial(t testing.TB, certFile string) string {
	t.Helper()
	out := strings.TrimSpace(string(openssl(t, nil, "x509", "-in", certFile, "-noout", "-serial")))
	s, ok := strings.CutPrefix(out, "serial=")
	if !ok || s == "" {
		t.Fatalf("openssl -serial printed %q", out)
	}
	return s
}

func TestPlatformCertificateKey(t *testing.T) {
	g := newGenFiles(t)
	certs := map[string]string{"testdata": td("platform_cert.pem")}
	// Serials whose first byte is below 0x10 keep their leading zero in
	// openssl's output (and in WeChat Pay's); 0xC0 needs a DER pad byte.
	for _, serial := range []string{"0x0A57F09EFDC096DE15EBE81A47057A7232F1B8E1", "0x05", "0xC0", "0x00FF01", "4096"} {
		name := "cert_" + serial + ".pem"
		g.run(name, "req", "-new", "-x509", "-key", td("platform_key.pem"), "-days", "1",
			"-subj", "/CN=Test", "-set_serial", serial, "-out", "$OUT")
		certs[serial] = filepath.Join(g.dir, name)
	}
	platformPub := mustPrivateKey(t, "platform_key.pem").Public()
	for name, file := range certs {
		t.Run(name, func(t *testing.T) {
			cert, err := LoadCertificateFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want := opensslSerial(t, file)
			if got := CertificateSerial(cert); got != want {
				t.Errorf("CertificateSerial = %s, openssl says %s", got, want)
			}
			k, err := PlatformCertificateKey(cert)
			if err != nil {
				t.Fatalf("PlatformCertificateKey: %v", err)
			}
			if k.Serial != want {
				t.Errorf("Serial = %s, openssl says %s", k.Serial, want)
			}
			if !k.PublicKey.Equal(platformPub) {
				t.Errorf("public key is not the platform key")
			}
		})
	}
	if want := opensslSerial(t, td("platform_cert.pem")); want != testPlatformSerial {
		t.Errorf("testdata certificate serial %s, want %s", want, testPlatformSerial)
	}

	t.Run("rejected", func(t *testing.T) {
		g.run("ec.pem", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "$OUT")
		g.run("ec_cert.pem", "req", "-new", "-x509", "-key", "$DIR/ec.pem", "-days", "1", "-subj", "/CN=EC", "-out", "$OUT")
		g.run("rsa1024.pem", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "$OUT")
		g.run("rsa1024_cert.pem", "req", "-new", "-x509", "-key", "$DIR/rsa1024.pem", "-days", "1", "-subj", "/CN=Small", "-out", "$OUT")
		for name, want := range map[string]string{"ec_cert.pem": "want RSA", "rsa1024_cert.pem": "1024 bits"} {
			cert, err := LoadCertificateFile(filepath.Join(g.dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := PlatformCertificateKey(cert); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: PlatformCertificateKey error = %v, want one containing %q", name, err, want)
			}
		}
		if _, err := PlatformCertificateKey(nil); err == nil {
			t.Errorf("PlatformCertificateKey(nil) accepted")
		}
	})
}

func TestKeySet(t *testing.T) {
	pubMode, platform := testKeys(t)
	other := VerificationKey{Serial: "PUB_KEY_ID_9", PublicKey: mustPrivateKey(t, "other_key.pem").Public().(*rsa.PublicKey)}

	if _, err := NewKeySet(pubMode, platform, pubMode); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Errorf("NewKeySet with a duplicate: %v", err)
	}
	if _, err := NewKeySet(VerificationKey{Serial: "x"}); err == nil {
		t.Errorf("NewKeySet accepted a key without public key")
	}

	s, err := NewKeySet(pubMode, platform)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(s.Serials()); got != "["+testPlatformSerial+" "+testPubKeyID+"]" {
		t.Errorf("Serials = %s", got)
	}
	if k, ok := s.Lookup(testPubKeyID); !ok || k != pubMode.PublicKey {
		t.Errorf("Lookup(%s) = %v, %v", testPubKeyID, k, ok)
	}
	if k, ok := s.Lookup("PUB_KEY_ID_9"); ok || k != nil {
		t.Errorf("Lookup of an absent serial = %v, %v", k, ok)
	}
	for _, bad := range []VerificationKey{{PublicKey: other.PublicKey}, {Serial: "x"}} {
		if err := s.Add(bad); err == nil {
			t.Errorf("Add(%+v) accepted", bad)
		}
	}
	// Add replaces a key with the same serial.
	if err := s.Add(VerificationKey{Serial: testPubKeyID, PublicKey: other.PublicKey}); err != nil {
		t.Fatal(err)
	}
	if k, _ := s.Lookup(testPubKeyID); k != other.PublicKey {
		t.Errorf("Add did not replace the key")
	}
	s.Remove(testPubKeyID)
	s.Remove("never there")
	if _, ok := s.Lookup(testPubKeyID); ok {
		t.Errorf("Remove left the key")
	}
	if got := fmt.Sprint(s.Serials()); got != "["+testPlatformSerial+"]" {
		t.Errorf("Serials after Remove = %s", got)
	}

	var zero KeySet
	if err := zero.Add(other); err != nil {
		t.Fatalf("Add to a zero KeySet: %v", err)
	}
	if k, ok := zero.Lookup(other.Serial); !ok || k != other.PublicKey {
		t.Errorf("zero KeySet Lookup = %v, %v", k, ok)
	}
	var nilSet *KeySet
	if k, ok := nilSet.Lookup(testPubKeyID); ok || k != nil {
		t.Errorf("nil KeySet Lookup = %v, %v", k, ok)
	}
}

// TestKeySetConcurrent exercises Add, Remove, Lookup and Serials from many
// goroutines; run with -race.
func TestKeySetConcurrent(t *testing.T) {
	pubMode, platform := testKeys(t)
	s, err := NewKeySet(pubMode)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for w := 0; w < 4; w++ {
		wg.Add(2)
		go func() { // rotates the platform certificate in and out
			defer wg.Done()
			for i := 0; i < 500; i++ {
				if err := s.Add(platform); err != nil {
					errs <- err.Error()
					return
				}
				s.Remove(platform.Serial)
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				if k, ok := s.Lookup(testPubKeyID); !ok || k != pubMode.PublicKey {
					errs <- "stable key missing during rotation"
					return
				}
				if k, ok := s.Lookup(platform.Serial); ok && k != platform.PublicKey {
					errs <- "rotated serial maps to a wrong key"
					return
				}
				if n := len(s.Serials()); n < 1 || n > 2 {
					errs <- fmt.Sprintf("Serials has %d entries", n)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if got := fmt.Sprint(s.Serials()); got != "["+testPubKeyID+"]" {
		t.Errorf("Serials at the end = %s", got)
	}
}

// TestKeySetValidity: certificate keys carry their validity, RemoveExpired
// drops only certificates past it, and List is sorted.
func TestKeySetValidity(t *testing.T) {
	pubMode, _ := testKeys(t)
	now := testClock()
	cert := testCertificate(t, mustPrivateKey(t, "platform_key.pem"), 0x0A57, now.Add(-time.Hour), now.Add(time.Hour))
	k := mustCertKey(t, cert)
	if !k.NotBefore.Equal(cert.NotBefore) || !k.NotAfter.Equal(cert.NotAfter) || k.Serial != "0A57" {
		t.Fatalf("PlatformCertificateKey = %+v", k)
	}
	if !k.validAt(now) || k.validAt(now.Add(2*time.Hour)) || k.validAt(now.Add(-2*time.Hour)) || !pubMode.validAt(now.Add(1e6*time.Hour)) {
		t.Error("validAt disagrees with the validity period")
	}
	s, err := NewKeySet(k, pubMode)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := s.Key("0A57"); !ok || !got.NotAfter.Equal(k.NotAfter) {
		t.Errorf("Key = %+v, %v", got, ok)
	}
	if l := s.List(); len(l) != 2 || l[0].Serial != "0A57" || l[1].Serial != testPubKeyID {
		t.Errorf("List = %v", l)
	}
	if gone := s.RemoveExpired(now.Add(time.Hour)); len(gone) != 0 {
		t.Errorf("removed %v at the last valid instant", gone)
	}
	if gone := s.RemoveExpired(now.Add(time.Hour + time.Second)); len(gone) != 1 || gone[0] != "0A57" {
		t.Errorf("RemoveExpired = %v", gone)
	}
	if got := s.Serials(); len(got) != 1 || got[0] != testPubKeyID {
		t.Errorf("after RemoveExpired: %v", got)
	}
}
