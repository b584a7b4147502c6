package wechatpay_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
)

// The examples below run against standIn, a few lines of WeChat Pay written
// from the protocol with the test keys of testdata (the sandbox does not
// serve these endpoints yet). Their clock lies within the test platform
// certificate's validity.
var exampleNow = time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)

const exampleAPIv3Key = "payforge-test-apiv3-key-32-bytes"

// standIn answers each request with handle's status and body, signed as
// WeChat Pay signs (unless unsigned), and keeps what the requests carried.
type standIn struct {
	*httptest.Server
	signKey *rsa.PrivateKey
	serial  string
}

func newStandIn(signKeyFile, serial string, handle func(r *http.Request, body []byte) (status int, answer []byte, unsigned bool)) *standIn {
	key, err := wechatpay.LoadPrivateKeyFile(filepath.Join("testdata", signKeyFile))
	if err != nil {
		panic(err)
	}
	s := &standIn{signKey: key, serial: serial}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		status, answer, unsigned := handle(r, body)
		if !unsigned {
			ts, nonce := strconv.FormatInt(exampleNow.Unix(), 10), "standInNonce"
			sig, _ := wechatpay.Sign(s.signKey, wechatpay.ResponseMessage(ts, nonce, answer))
			w.Header().Set(wechatpay.HeaderTimestamp, ts)
			w.Header().Set(wechatpay.HeaderNonce, nonce)
			w.Header().Set(wechatpay.HeaderSignature, sig)
			w.Header().Set(wechatpay.HeaderSerial, s.serial)
		}
		w.WriteHeader(status)
		_, _ = w.Write(answer)
	}))
	return s
}

// exampleConfig is a merchant's config for url: the test merchant key, the
// given WeChat Pay keys, the examples' clock.
func exampleConfig(url string, keys ...wechatpay.VerificationKey) wechatpay.Config {
	key, err := wechatpay.LoadPrivateKeyFile("testdata/merchant_key.pem")
	if err != nil {
		panic(err)
	}
	return wechatpay.Config{
		MchID:            "1900000109",
		MerchantSerialNo: "3775B6A45ACD588826D15E583A95F5DD00000001",
		MerchantKey:      key,
		VerificationKeys: keys,
		BaseURL:          url,
		Clock:            func() time.Time { return exampleNow },
	}
}

func examplePublicKey() wechatpay.VerificationKey {
	pub, err := wechatpay.LoadPublicKeyFile("testdata/wechatpay_public_key.pem")
	if err != nil {
		panic(err)
	}
	vk, err := wechatpay.PublicKeyModeKey("PUB_KEY_ID_0114232134912410000000000000", pub)
	if err != nil {
		panic(err)
	}
	return vk
}

// A request with a sensitive field: encrypted with the key the client
// verifies with, and naming that key in Wechatpay-Serial. WeChat Pay (here
// the stand-in) decrypts it with the private key of that serial.
func ExampleClient_Encrypter() {
	wechatpayKey, _ := wechatpay.LoadPrivateKeyFile("testdata/wechatpay_key.pem")
	srv := newStandIn("wechatpay_key.pem", "PUB_KEY_ID_0114232134912410000000000000", func(r *http.Request, body []byte) (int, []byte, bool) {
		var req struct {
			UserName string `json:"user_name"`
		}
		_ = json.Unmarshal(body, &req)
		ct, _ := base64.StdEncoding.DecodeString(req.UserName)
		plain, err := rsa.DecryptOAEP(sha1.New(), nil, wechatpayKey, ct, nil)
		fmt.Printf("WeChat Pay got %s under %s (%v)\n", plain, r.Header.Get("Wechatpay-Serial"), err)
		return 204, nil, false
	})
	defer srv.Close()
	rt, err := wechatpay.NewClient(exampleConfig(srv.URL, examplePublicKey()))
	if err != nil {
		fmt.Println(err)
		return
	}

	enc, err := rt.Encrypter()
	if err != nil {
		fmt.Println(err)
		return
	}
	name, err := enc.Encrypt("user_name", "张三")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := json.Marshal(map[string]string{"user_name": name})
	_, err = rt.Do(context.Background(), &wechatpay.Request{
		Operation: "example", Method: http.MethodPost, PathTemplate: "/v3/example", Path: "/v3/example",
		Body: body, WechatpaySerial: enc.Serial(),
	})
	fmt.Println("error:", err)

	_, err = enc.Encrypt("user_name", string(make([]byte, 215)))
	fmt.Println(err)
	// Output:
	// WeChat Pay got 张三 under PUB_KEY_ID_0114232134912410000000000000 (<nil>)
	// error: <nil>
	// wechatpay: invalid user_name: has 215 bytes, at most 214 can be encrypted (RSAES-OAEP, 2048-bit key)
}

// certificatesStandIn serves GET /v3/certificates as the official page
// describes it: the test platform certificate, AES-256-GCM under the APIv3
// key with associated data "certificate", signed with the certificate's key.
func certificatesStandIn() *standIn {
	pemText, _ := os.ReadFile("testdata/platform_cert.pem")
	cert, _ := wechatpay.ParseCertificate(pemText)
	block, _ := aes.NewCipher([]byte(exampleAPIv3Key))
	gcm, _ := cipher.NewGCM(block)
	nonce := "61f9c719728a"
	answer, _ := json.Marshal(map[string]any{"data": []any{map[string]any{
		"serial_no":      wechatpay.CertificateSerial(cert),
		"effective_time": cert.NotBefore.Format(time.RFC3339),
		"expire_time":    cert.NotAfter.Format(time.RFC3339),
		"encrypt_certificate": map[string]string{
			"algorithm":       "AEAD_AES_256_GCM",
			"nonce":           nonce,
			"associated_data": "certificate",
			"ciphertext":      base64.StdEncoding.EncodeToString(gcm.Seal(nil, []byte(nonce), pemText, []byte("certificate"))),
		},
	}}})
	return newStandIn("platform_key.pem", wechatpay.CertificateSerial(cert), func(r *http.Request, _ []byte) (int, []byte, bool) {
		return 200, answer, false
	})
}

// A merchant in certificate mode with no certificate yet: bootstrap, save
// the certificates, build the client, and keep its keys current.
func ExampleBootstrapCertificates() {
	srv := certificatesStandIn()
	defer srv.Close()
	cfg := exampleConfig(srv.URL) // no VerificationKeys yet
	apiV3Key := []byte(exampleAPIv3Key)

	certs, err := wechatpay.BootstrapCertificates(context.Background(), cfg, apiV3Key)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range certs {
		fmt.Println("certificate", c.Serial, "until", c.ExpireTime.UTC().Format("2006"))
	}
	dir, _ := os.MkdirTemp("", "certs")
	defer os.RemoveAll(dir)
	paths, err := wechatpay.WriteCertificates(dir, certs)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("wrote", filepath.Base(paths[0]))

	cfg.VerificationKeys = wechatpay.CertificateKeys(certs)
	rt, err := wechatpay.NewClient(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	refresher, err := wechatpay.NewCertificateRefresher(rt, wechatpay.CertificateRefresherConfig{APIv3Key: apiV3Key})
	if err != nil {
		fmt.Println(err)
		return
	}
	// In a server: go refresher.Run(ctx). Here one refresh, by hand.
	if _, err := refresher.Refresh(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	enc, _ := rt.Encrypter()
	fmt.Println("encrypting with", enc.Serial())
	// Output:
	// certificate 5157F09EFDC096DE15EBE81A47057A7232F1B8E1 until 2126
	// wrote wechatpay_5157F09EFDC096DE15EBE81A47057A7232F1B8E1.pem
	// encrypting with 5157F09EFDC096DE15EBE81A47057A7232F1B8E1
}

// An image upload: multipart/form-data, signed over the meta JSON.
func ExampleClient_UploadImage() {
	srv := newStandIn("wechatpay_key.pem", "PUB_KEY_ID_0114232134912410000000000000", func(r *http.Request, _ []byte) (int, []byte, bool) {
		mr, _ := r.MultipartReader()
		meta, _ := mr.NextPart()
		m, _ := io.ReadAll(meta)
		fmt.Printf("WeChat Pay got %s %s\n", meta.FormName(), m)
		return 200, []byte(`{"media_id":"6uqyGjGrCf2GtyXP8bxrbuH9-aAoTjH-rKeSl3Lf4_So6kdkQu4w8BYVP3bzLtvR38lxt4PjtCDXsQpzqge_hQEovHzOhsLleGFQVRF-U_0"}`), false
	})
	defer srv.Close()
	rt, err := wechatpay.NewClient(exampleConfig(srv.URL, examplePublicKey()))
	if err != nil {
		fmt.Println(err)
		return
	}
	png := []byte("\x89PNG\r\n\x1a\n" + "image bytes")
	mediaID, err := rt.UploadImage(context.Background(), "logo.png", bytes.NewReader(png))
	fmt.Println(mediaID, err)

	_, err = rt.UploadImage(context.Background(), "logo.gif", bytes.NewReader(png))
	fmt.Println(err)
	// Output:
	// WeChat Pay got meta {"filename":"logo.png","sha256":"19ec8d97e6ff45a672159b20af424b3103ae54cf75324fdf3a7f2364ab670f41"}
	// 6uqyGjGrCf2GtyXP8bxrbuH9-aAoTjH-rKeSl3Lf4_So6kdkQu4w8BYVP3bzLtvR38lxt4PjtCDXsQpzqge_hQEovHzOhsLleGFQVRF-U_0 <nil>
	// wechatpay: invalid filename: must end in .jpg, .bmp or .png
}

// A bill download: apply (an ordinary verified call, here simulated), then
// stream download_url to a file, checked by hash_value.
func ExampleClient_DownloadBill() {
	bill := []byte("交易时间,公众账号ID,商户号\n`2019-06-10 12:00:00,`wx8888888888888888,`1900000109\n")
	srv := newStandIn("wechatpay_key.pem", "PUB_KEY_ID_0114232134912410000000000000", func(r *http.Request, _ []byte) (int, []byte, bool) {
		return 200, bill, true // the file is not signed
	})
	defer srv.Close()
	rt, err := wechatpay.NewClient(exampleConfig(srv.URL, examplePublicKey()))
	if err != nil {
		fmt.Println(err)
		return
	}
	sum := sha1.Sum(bill)
	applied := wechatpay.Bill{ // what GET /v3/bill/tradebill answered
		HashType:    "SHA1",
		HashValue:   hex.EncodeToString(sum[:]),
		DownloadURL: srv.URL + "/v3/billdownload/file?token=example",
	}

	f, err := os.CreateTemp("", "bill-*.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.Remove(f.Name())
	defer f.Close()
	n, err := rt.DownloadBill(context.Background(), &wechatpay.BillDownload{Bill: applied}, f)
	fmt.Println(n, "bytes,", err)

	applied.HashValue = hex.EncodeToString(make([]byte, 20)) // as if the file were corrupted
	_, err = rt.DownloadBill(context.Background(), &wechatpay.BillDownload{Bill: applied}, io.Discard)
	fmt.Println(err != nil)
	// Output:
	// 91 bytes, <nil>
	// true
}
