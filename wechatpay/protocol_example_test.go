package wechatpay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/profitsharing"
)

// The examples below run against the local sandbox (package wechatpaytest),
// started with the test keys of testdata so that they start fast and print
// the same serials every run. Their clock lies within the test platform
// certificate's validity.
var exampleNow = time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)

// exampleSandbox starts a sandbox with the test merchant and WeChat Pay keys
// and, unless opts has one, the examples' clock.
func exampleSandbox(opts wechatpaytest.Options) (*wechatpaytest.Server, error) {
	var err error
	if opts.MerchantKey, err = wechatpay.LoadPrivateKeyFile("testdata/merchant_key.pem"); err != nil {
		return nil, err
	}
	if opts.WechatpayKey, err = wechatpay.LoadPrivateKeyFile("testdata/wechatpay_key.pem"); err != nil {
		return nil, err
	}
	if opts.Clock == nil {
		opts.Clock = func() time.Time { return exampleNow }
	}
	return wechatpaytest.NewServer(opts)
}

// examplePlatformCertificate is the test platform certificate and its key.
func examplePlatformCertificate() (wechatpaytest.PlatformCertificate, error) {
	key, err := wechatpay.LoadPrivateKeyFile("testdata/platform_key.pem")
	if err != nil {
		return wechatpaytest.PlatformCertificate{}, err
	}
	cert, err := wechatpay.LoadCertificateFile("testdata/platform_cert.pem")
	if err != nil {
		return wechatpaytest.PlatformCertificate{}, err
	}
	return wechatpaytest.PlatformCertificate{Key: key, Certificate: cert}, nil
}

// A request with a sensitive field (the name of a profit-sharing receiver):
// encrypted with the key the client verifies with, and naming that key in
// Wechatpay-Serial. WeChat Pay (here the sandbox) decrypts it with the
// private key of that serial, and encrypts the name it echoes under the
// merchant's key, which DecryptField opens.
func ExampleClient_Encrypter() {
	receivers := profitsharing.New()
	srv, err := exampleSandbox(wechatpaytest.Options{Behaviours: []wechatpaytest.Behaviour{receivers}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	rt, err := wechatpay.NewClient(srv.ClientConfig())
	if err != nil {
		fmt.Println(err)
		return
	}

	enc, err := rt.Encrypter()
	if err != nil {
		fmt.Println(err)
		return
	}
	name, err := enc.Encrypt("name", "示例商户全称")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := json.Marshal(map[string]string{"sub_mchid": "1900000109", "appid": "wx8888888888888888",
		"type": "MERCHANT_ID", "account": "86693852", "name": name, "relation_type": "PARTNER"})
	resp, err := rt.Do(context.Background(), &wechatpay.Request{
		Operation: "addReceiver", Method: http.MethodPost,
		PathTemplate: "/v3/profitsharing/receivers/add", Path: "/v3/profitsharing/receivers/add",
		Body: body, WechatpaySerial: enc.Serial(),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	got, _ := receivers.Receiver("MERCHANT_ID", "86693852")
	fmt.Printf("WeChat Pay got %s under %s\n", got.Name, enc.Serial())

	var answer struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(resp.Body, &answer)
	echoed, err := rt.DecryptField("name", answer.Name)
	fmt.Println("the answer's name:", echoed, err)

	_, err = enc.Encrypt("name", string(make([]byte, 215)))
	fmt.Println(err)
	// Output:
	// WeChat Pay got 示例商户全称 under PUB_KEY_ID_0114232134912410000000000000
	// the answer's name: 示例商户全称 <nil>
	// wechatpay: invalid name: has 215 bytes, at most 214 can be encrypted (RSAES-OAEP, 2048-bit key)
}

// A merchant in certificate mode with no certificate yet: bootstrap, save
// the certificates, build the client, and keep its keys current.
func ExampleBootstrapCertificates() {
	platform, err := examplePlatformCertificate()
	if err != nil {
		fmt.Println(err)
		return
	}
	srv, err := exampleSandbox(wechatpaytest.Options{PlatformCertificates: []wechatpaytest.PlatformCertificate{platform}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	cfg := srv.ClientConfig()
	cfg.VerificationKeys = nil // the merchant trusts no certificate yet
	apiV3Key := srv.APIv3Key()

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

// A rotation seen by a CertificateRefresher: WeChat Pay lists a new
// certificate before it takes over (a refresh adds it), then stops using the
// old one (a refresh drops it, and sensitive fields go under the new one).
func ExampleCertificateRefresher() {
	old, err := examplePlatformCertificate()
	if err != nil {
		fmt.Println(err)
		return
	}
	clock := exampleNow // the time of both WeChat Pay and the merchant
	srv, err := exampleSandbox(wechatpaytest.Options{Clock: func() time.Time { return clock },
		PlatformCertificates: []wechatpaytest.PlatformCertificate{old}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	rt, err := wechatpay.NewClient(srv.ClientConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	refresher, err := wechatpay.NewCertificateRefresher(rt, wechatpay.CertificateRefresherConfig{APIv3Key: srv.APIv3Key()})
	if err != nil {
		fmt.Println(err)
		return
	}
	newer, err := wechatpaytest.NewPlatformCertificate(nil, exampleNow.Add(-time.Hour), exampleNow.Add(5*365*24*time.Hour))
	if err != nil {
		fmt.Println(err)
		return
	}
	switchAt := exampleNow.Add(24 * time.Hour)
	old.ExpireTime, newer.EffectiveTime = switchAt, switchAt
	if err := srv.SetPlatformCertificates(old, newer); err != nil {
		fmt.Println(err)
		return
	}

	_, err = refresher.Refresh(context.Background())
	fmt.Println("new certificate listed:", len(rt.Keys().Serials()), "trusted,", err)

	clock = switchAt.Add(time.Minute)
	_, err = refresher.Refresh(context.Background())
	enc, _ := rt.Encrypter()
	fmt.Println("after the switch:", len(rt.Keys().Serials()), "trusted, encrypting with the new one:", enc.Serial() == newer.Serial(), err)
	// Output:
	// new certificate listed: 2 trusted, <nil>
	// after the switch: 1 trusted, encrypting with the new one: true <nil>
}

// An image upload: multipart/form-data, signed over the meta JSON.
func ExampleClient_UploadImage() {
	srv, err := exampleSandbox(wechatpaytest.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	rt, err := wechatpay.NewClient(srv.ClientConfig())
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
	// sandbox-media-19ec8d97e6ff45a672159b20af424b3103ae54cf75324fdf3a7f2364ab670f41 <nil>
	// wechatpay: invalid filename: must end in .jpg, .bmp or .png
}

// A bill download: apply (an ordinary verified call), then stream
// download_url to a file, checked by hash_value. A corrupted download is a
// *wechatpay.BillIntegrityError: discard what was written.
func ExampleClient_DownloadBill() {
	srv, err := exampleSandbox(wechatpaytest.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	rt, err := wechatpay.NewClient(srv.ClientConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := rt.Do(context.Background(), &wechatpay.Request{
		Operation: "applyTradeBill", Method: http.MethodGet, PathTemplate: "/v3/bill/tradebill",
		Path: "/v3/bill/tradebill?bill_date=2029-12-31&tar_type=GZIP",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var applied wechatpay.Bill
	if err := json.Unmarshal(resp.Body, &applied); err != nil {
		fmt.Println(err)
		return
	}

	f, err := os.CreateTemp("", "bill-*.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.Remove(f.Name())
	defer f.Close()
	download := &wechatpay.BillDownload{Bill: applied, Gzipped: true, Gunzip: true}
	n, err := rt.DownloadBill(context.Background(), download, f)
	fmt.Println(n, "bytes,", err)
	_, _ = f.Seek(0, io.SeekStart)
	bill, _ := io.ReadAll(f)
	fmt.Print(string(bill))

	_ = srv.InjectFault("downloadBill", wechatpaytest.Fault{Kind: wechatpaytest.FaultTamperedBody}) // one byte changes on the way
	_, err = rt.DownloadBill(context.Background(), download, io.Discard)
	var corrupt *wechatpay.BillIntegrityError
	fmt.Println("corrupted download caught:", errors.As(err, &corrupt))
	// Output:
	// 142 bytes, <nil>
	// # wechatpaytest placeholder bill, not WeChat Pay's layout; a BillSource supplies real content
	// bill,bill_date,type
	// `tradebill,`2029-12-31,`ALL
	// corrupted download caught: true
}
