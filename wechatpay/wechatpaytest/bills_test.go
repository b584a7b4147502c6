package wechatpaytest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/internal/sandboxtest"
)

// applyBill applies for a bill through the runtime (an ordinary verified
// call) and returns its answer.
func applyBill(t testing.TB, rt *wechatpay.Client, path string, query url.Values) (wechatpay.Bill, error) {
	t.Helper()
	resp, err := rt.Do(context.Background(), &wechatpay.Request{
		Operation: "applyBill", Method: http.MethodGet, PathTemplate: path, Path: path + "?" + query.Encode()})
	if err != nil {
		return wechatpay.Bill{}, err
	}
	var b wechatpay.Bill
	if err := json.Unmarshal(resp.Body, &b); err != nil {
		t.Fatalf("apply answer %s: %v", resp.Body, err)
	}
	return b, nil
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	return out
}

// TestBillDownload applies for each bill, plain and gzip, and downloads it
// through the runtime: hash_value is the SHA-1 of the bill before
// compression, download_url is on the sandbox's own host, and the file is
// the bill.
func TestBillDownload(t *testing.T) {
	clock := newTestClock() // 2030-01-02 20:00 +08:00
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{Clock: clock.Now})
	rt := sandboxtest.NewRuntime(t, srv)
	for _, tt := range []struct {
		path  string
		query url.Values
		want  wechatpaytest.BillQuery
	}{
		{"/v3/bill/tradebill", url.Values{"bill_date": {"2030-01-01"}}, wechatpaytest.BillQuery{Bill: "tradebill", Date: "2030-01-01", Type: "ALL"}},
		{"/v3/bill/tradebill", url.Values{"bill_date": {"2029-10-02"}, "bill_type": {"REFUND"}}, wechatpaytest.BillQuery{Bill: "tradebill", Date: "2029-10-02", Type: "REFUND"}},
		{"/v3/bill/fundflowbill", url.Values{"bill_date": {"2029-12-31"}}, wechatpaytest.BillQuery{Bill: "fundflowbill", Date: "2029-12-31", Type: "BASIC"}},
		{"/v3/bill/fundflowbill", url.Values{"bill_date": {"2029-12-31"}, "account_type": {"FEES"}}, wechatpaytest.BillQuery{Bill: "fundflowbill", Date: "2029-12-31", Type: "FEES"}},
	} {
		for _, gz := range []bool{false, true} {
			q := url.Values{}
			for k, v := range tt.query {
				q[k] = v
			}
			if gz {
				q.Set("tar_type", "GZIP")
			}
			t.Run(tt.path+"?"+q.Encode(), func(t *testing.T) {
				bill, err := applyBill(t, rt, tt.path, q)
				if err != nil {
					t.Fatal(err)
				}
				want := wechatpaytest.DefaultBill(tt.want)
				sum := sha1.Sum(want)
				if bill.HashType != "SHA1" || bill.HashValue != hex.EncodeToString(sum[:]) {
					t.Errorf("hash %s %s, want SHA1 %x", bill.HashType, bill.HashValue, sum)
				}
				if !strings.HasPrefix(bill.DownloadURL, srv.URL+"/v3/billdownload/file?token=") {
					t.Errorf("download_url %s is not on the sandbox", bill.DownloadURL)
				}
				var file bytes.Buffer
				n, err := rt.DownloadBill(context.Background(), &wechatpay.BillDownload{Bill: bill, Gzipped: gz}, &file)
				if err != nil {
					t.Fatal(err)
				}
				got := file.Bytes()
				if n != int64(len(got)) {
					t.Errorf("DownloadBill says %d bytes, wrote %d", n, len(got))
				}
				if gz {
					got = gunzip(t, got)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("bill %q, want %q", got, want)
				}
				if gz {
					var plain bytes.Buffer
					if _, err := rt.DownloadBill(context.Background(), &wechatpay.BillDownload{Bill: bill, Gzipped: true, Gunzip: true}, &plain); err != nil || !bytes.Equal(plain.Bytes(), want) {
						t.Errorf("gunzipped download %q, %v; want %q", plain.Bytes(), err, want)
					}
				}
			})
		}
	}
}

// TestBillDownloadCorrupted: a fault on the download changes one byte of
// the bill (before compression, so a gzip file still decompresses), and
// DownloadBill reports a *wechatpay.BillIntegrityError; the next download is
// whole.
func TestBillDownloadCorrupted(t *testing.T) {
	clock := newTestClock()
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{Clock: clock.Now})
	rt := sandboxtest.NewRuntime(t, srv)
	for _, gz := range []bool{false, true} {
		q := url.Values{"bill_date": {"2030-01-01"}}
		if gz {
			q.Set("tar_type", "GZIP")
		}
		bill, err := applyBill(t, rt, "/v3/bill/tradebill", q)
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.InjectFault("downloadBill", wechatpaytest.Fault{Kind: wechatpaytest.FaultTamperedBody}); err != nil {
			t.Fatal(err)
		}
		var file bytes.Buffer
		_, err = rt.DownloadBill(context.Background(), &wechatpay.BillDownload{Bill: bill, Gzipped: gz}, &file)
		var integrity *wechatpay.BillIntegrityError
		if !errors.As(err, &integrity) {
			t.Fatalf("gzip %v: corrupted download: %v, want a *wechatpay.BillIntegrityError", gz, err)
		}
		if integrity.Err != nil || integrity.Got == "" || integrity.Got == integrity.Want || integrity.Want != bill.HashValue {
			t.Errorf("gzip %v: %+v, want a digest mismatch of a file that decompressed", gz, integrity)
		}
		file.Reset()
		if _, err := rt.DownloadBill(context.Background(), &wechatpay.BillDownload{Bill: bill, Gzipped: gz}, &file); err != nil {
			t.Errorf("gzip %v: the download after the fault: %v", gz, err)
		}
	}
}

// TestBillDownloadURL: the file is not signed; a download_url is valid for
// 5 minutes, and only as the sandbox issued it.
func TestBillDownloadURL(t *testing.T) {
	clock := newTestClock()
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{Clock: clock.Now})
	rt := sandboxtest.NewRuntime(t, srv)
	bill, err := applyBill(t, rt, "/v3/bill/tradebill", url.Values{"bill_date": {"2030-01-01"}})
	if err != nil {
		t.Fatal(err)
	}
	uri := strings.TrimPrefix(bill.DownloadURL, srv.URL)
	a := sandboxtest.Get(srv, uri).Send(t, srv)
	if a.Status != 200 || a.Header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("download: %d %s %s", a.Status, a.Header, a.Body)
	}
	for _, h := range []string{"Wechatpay-Signature", "Wechatpay-Serial", "Wechatpay-Timestamp", "Wechatpay-Nonce"} {
		if a.Header.Get(h) != "" {
			t.Errorf("the bill file carries %s", h)
		}
	}

	forged := bill
	forged.DownloadURL = strings.Replace(bill.DownloadURL, "token=", "token=x", 1)
	_, err = rt.DownloadBill(context.Background(), &wechatpay.BillDownload{Bill: forged}, io.Discard)
	var apiErr *wechatpay.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Code != "INVALID_REQUEST" {
		t.Errorf("forged token: %v, want 400 INVALID_REQUEST", err)
	}

	clock.Add(5*time.Minute + time.Second)
	_, err = rt.DownloadBill(context.Background(), &wechatpay.BillDownload{Bill: bill}, io.Discard)
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Code != "INVALID_REQUEST" || !strings.Contains(apiErr.Detail.Issue, "expired") {
		t.Errorf("download after 5 minutes: %v, want 400 INVALID_REQUEST (expired)", err)
	}
}

// TestBillApplyAnswers sends applications by hand, each breaking one rule.
func TestBillApplyAnswers(t *testing.T) {
	clock := newTestClock() // 2030-01-02 20:00 +08:00
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{Clock: clock.Now})
	for _, tt := range []struct {
		uri         string
		status      int
		code, field string
	}{
		{"/v3/bill/tradebill?bill_date=2030-01-01", 200, "", ""},
		{"/v3/bill/tradebill?bill_date=2029-10-02", 200, "", ""},
		{"/v3/bill/tradebill", 400, "PARAM_ERROR", "bill_date"},
		{"/v3/bill/tradebill?bill_date=2030-1-1", 400, "PARAM_ERROR", "bill_date"},
		{"/v3/bill/tradebill?bill_date=2030-02-30", 400, "PARAM_ERROR", "bill_date"},
		{"/v3/bill/tradebill?bill_date=2030-01-03", 400, "PARAM_ERROR", "bill_date"},
		{"/v3/bill/tradebill?bill_date=2030-01-02", 400, "STATEMENT_CREATING", "bill_date"},
		{"/v3/bill/tradebill?bill_date=2029-10-01", 400, "PARAM_ERROR", "bill_date"},
		{"/v3/bill/tradebill?bill_date=2030-01-01&bill_date=2030-01-01", 400, "PARAM_ERROR", "bill_date"},
		{"/v3/bill/tradebill?bill_date=2030-01-01&bill_type=BASIC", 400, "PARAM_ERROR", "bill_type"},
		{"/v3/bill/tradebill?bill_date=2030-01-01&tar_type=gzip", 400, "PARAM_ERROR", "tar_type"},
		{"/v3/bill/fundflowbill?bill_date=2030-01-01&account_type=ALL", 400, "PARAM_ERROR", "account_type"},
		{"/v3/billdownload/file", 400, "PARAM_ERROR", "token"},
		{"/v3/billdownload/file?token=abc", 400, "INVALID_REQUEST", "token"},
	} {
		a := sandboxtest.Get(srv, tt.uri).Send(t, srv)
		if a.Status != tt.status || a.Error.Code != tt.code {
			t.Errorf("%s: %d %s, want %d %s\n%s", tt.uri, a.Status, a.Error.Code, tt.status, tt.code, a.Body)
			continue
		}
		if tt.field != "" && (a.Error.Detail == nil || a.Error.Detail.Field != tt.field) {
			t.Errorf("%s: detail %s, want field %s", tt.uri, a.Body, tt.field)
		}
	}

	// Before 9:00 the next day (+08:00) the bill is being generated.
	early := newTestClock()
	early.now = time.Date(2030, 1, 2, 8, 59, 0, 0, time.FixedZone("", 8*3600))
	srv = sandboxtest.NewServer(t, wechatpaytest.Options{Clock: early.Now})
	if a := sandboxtest.Get(srv, "/v3/bill/tradebill?bill_date=2030-01-01").Send(t, srv); a.Status != 400 || a.Error.Code != "STATEMENT_CREATING" || a.Error.Message != "账单生成中" {
		t.Errorf("at 8:59 the next day: %d %s", a.Status, a.Body)
	}
	early.Add(time.Minute)
	if a := sandboxtest.Get(srv, "/v3/bill/tradebill?bill_date=2030-01-01").Send(t, srv); a.Status != 200 {
		t.Errorf("at 9:00 the next day: %d %s", a.Status, a.Body)
	}
}

// billBehaviour supplies bills: one line per query, none for 2030-01-01's
// fund flow.
type billBehaviour struct{ asked []wechatpaytest.BillQuery }

func (b *billBehaviour) Attach(*wechatpaytest.Server) (map[string]wechatpaytest.Handler, error) {
	return nil, nil
}

func (b *billBehaviour) BillContent(q wechatpaytest.BillQuery) ([]byte, error) {
	b.asked = append(b.asked, q)
	if q.Bill == "fundflowbill" {
		return nil, wechatpaytest.ErrNoStatement
	}
	return []byte("orders of " + q.Date + "\n"), nil
}

// TestBillSource: a behaviour that is a BillSource supplies the bills;
// ErrNoStatement is answered NO_STATEMENT_EXIST; two sources are refused.
func TestBillSource(t *testing.T) {
	clock := newTestClock()
	source := &billBehaviour{}
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{Clock: clock.Now, Behaviours: []wechatpaytest.Behaviour{source}})
	rt := sandboxtest.NewRuntime(t, srv)
	bill, err := applyBill(t, rt, "/v3/bill/tradebill", url.Values{"bill_date": {"2030-01-01"}, "tar_type": {"GZIP"}})
	if err != nil {
		t.Fatal(err)
	}
	var file bytes.Buffer
	if _, err := rt.DownloadBill(context.Background(), &wechatpay.BillDownload{Bill: bill, Gzipped: true, Gunzip: true}, &file); err != nil {
		t.Fatal(err)
	}
	if file.String() != "orders of 2030-01-01\n" {
		t.Errorf("bill %q, want the source's", file.String())
	}
	if len(source.asked) != 2 || source.asked[0] != source.asked[1] || source.asked[0].Type != "ALL" {
		t.Errorf("the source was asked %+v, want the same query at the application and the download", source.asked)
	}
	_, err = applyBill(t, rt, "/v3/bill/fundflowbill", url.Values{"bill_date": {"2030-01-01"}})
	var apiErr *wechatpay.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Code != "NO_STATEMENT_EXIST" || apiErr.Message != "请求的账单文件不存在" {
		t.Errorf("a day without a bill: %v, want 400 NO_STATEMENT_EXIST", err)
	}
	_, err = wechatpaytest.NewServer(wechatpaytest.Options{MerchantKey: sandboxtest.MerchantKey(), WechatpayKey: sandboxtest.WechatpayKey(),
		Behaviours: []wechatpaytest.Behaviour{&billBehaviour{}, &billBehaviour{}}})
	if err == nil || !strings.Contains(err.Error(), "BillSource") {
		t.Errorf("two bill sources: %v, want an error", err)
	}
}
