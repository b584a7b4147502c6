package wechatpay

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testBill is a small trade bill in the documented CSV layout (values are
// test data).
const testBill = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\n" +
	"`2019-06-10 12:00:00,`wx8888888888888888,`1900000109,`0,`,`4200000000000000000000000000,`1217752501201407033233368018,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`SUCCESS,`OTHERS,`CNY,`0.01,`0.00,`0,`0,`0.00,`0.00,`,`,`test,`,`0.00000,`0.60%,`0.01,`0.00,`\n" +
	"总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n" +
	"`1,`0.01,`0.00,`0.00,`0.00000,`0.01,`0.00\n"

// sha1Hex is the oracle: openssl dgst -sha1 over data, in hex.
func sha1Hex(t testing.TB, data []byte) string {
	t.Helper()
	out := string(openssl(t, data, "dgst", "-sha1", "-r"))
	return strings.Fields(out)[0]
}

func gzipOf(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// billServer is a stand-in written from the protocol: it serves body at
// /v3/billdownload/file to a signed GET, without any Wechatpay-* header,
// and records each request's target and Authorization.
type billServer struct {
	*httptest.Server
	mu      sync.Mutex
	targets []string
	auths   []string
}

func newBillServer(t *testing.T, serve func(w http.ResponseWriter)) *billServer {
	s := &billServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.targets = append(s.targets, r.URL.RequestURI())
		s.auths = append(s.auths, r.Header.Get("Authorization"))
		s.mu.Unlock()
		if r.Method != http.MethodGet || r.URL.Path != "/v3/billdownload/file" || r.URL.Query().Get("token") == "" {
			w.WriteHeader(404)
			return
		}
		serve(w)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *billServer) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.targets)
}

func serveBytes(b []byte) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(b)
	}
}

const billToken = "/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzp4QtiozLO"

func TestDownloadBill(t *testing.T) {
	requireOpenSSL(t)
	bill := []byte(testBill)
	gz := gzipOf(t, bill)
	billHash := sha1Hex(t, bill)
	corrupt := bytes.Replace(bill, []byte("0.01"), []byte("9.01"), 1)
	gzCorrupt := append([]byte{}, gz...)
	gzCorrupt[len(gzCorrupt)/2] ^= 0xff
	for _, tc := range []struct {
		name      string
		served    []byte
		gzipped   bool
		gunzip    bool
		hashValue string
		want      []byte // what must be written
		wantBad   bool   // a *BillIntegrityError
		wantGzErr bool   // ... for a stream that does not decompress
	}{
		{"plain bill", bill, false, false, billHash, bill, false, false},
		{"plain bill, upper-case hash_value", bill, false, false, strings.ToUpper(billHash), bill, false, false},
		{"gzip bill kept compressed", gz, true, false, billHash, gz, false, false},
		{"gzip bill decompressed", gz, true, true, billHash, bill, false, false},
		{"a changed byte", corrupt, false, false, billHash, corrupt, true, false},
		{"the hash of the compressed file", gz, true, false, sha1Hex(t, gz), gz, true, false},
		{"a gzip bill that does not decompress", gzCorrupt, true, true, billHash, nil, true, true},
		{"a truncated gzip bill", gz[:len(gz)-9], true, false, billHash, gz[:len(gz)-9], true, true},
		{"gzip trailed by garbage", append(append([]byte{}, gz...), "garbage"...), true, true, billHash, nil, true, true},
		{"a plain file where gzip was asked for", bill, true, true, billHash, nil, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newBillServer(t, serveBytes(tc.served))
			c := newTestClient(t, testConfig(t, srv.URL))
			var out bytes.Buffer
			n, err := c.DownloadBill(context.Background(), &BillDownload{
				Bill:    Bill{HashType: "SHA1", HashValue: tc.hashValue, DownloadURL: srv.URL + billToken},
				Gzipped: tc.gzipped, Gunzip: tc.gunzip,
			}, &out)
			if n != int64(out.Len()) {
				t.Errorf("returned %d, wrote %d", n, out.Len())
			}
			var ie *BillIntegrityError
			switch {
			case tc.wantBad:
				if !errors.As(err, &ie) || (ie.Err != nil) != tc.wantGzErr || ie.Written != n {
					t.Fatalf("err = %v, want *BillIntegrityError (gzip error %v)", err, tc.wantGzErr)
				}
				if !strings.Contains(err.Error(), "discard") {
					t.Errorf("the error does not tell to discard what was written: %v", err)
				}
				if !tc.wantGzErr && (ie.Got == ie.Want || ie.Want != strings.ToLower(tc.hashValue)) {
					t.Errorf("Got %s, Want %s", ie.Got, ie.Want)
				}
			case err != nil:
				t.Fatal(err)
			}
			if tc.want != nil && !bytes.Equal(out.Bytes(), tc.want) {
				t.Errorf("wrote %d bytes, want %d", out.Len(), len(tc.want))
			}
			// Signed like any GET (openssl is the oracle), with the token.
			f := parseAuthorization(t, srv.auths[0])
			msg := "GET\n" + billToken + "\n" + f.timestamp + "\n" + f.nonce + "\n\n"
			if srv.targets[0] != billToken || f.signature != opensslSign(t, td("merchant_key.pem"), []byte(msg)) {
				t.Errorf("request %s is not signed over its target", srv.targets[0])
			}
		})
	}
}

func TestDownloadBillLimits(t *testing.T) {
	requireOpenSSL(t)
	bill := []byte(testBill)
	gz := gzipOf(t, bill)
	billHash := sha1Hex(t, bill)
	bomb := gzipOf(t, bytes.Repeat([]byte("0"), 1<<20))
	bombHash := sha1Hex(t, bytes.Repeat([]byte("0"), 1<<20))
	for _, tc := range []struct {
		name         string
		served       []byte
		max, maxUnzp int64
		gzipped      bool
		gunzip       bool
		hash         string
		tooBig       bool
	}{
		{"plain, exactly at the limit", bill, int64(len(bill)), 0, false, false, billHash, false},
		{"plain, one byte over", bill, int64(len(bill)) - 1, 0, false, false, billHash, true},
		{"gzip kept, exactly at the limit", gz, int64(len(gz)), 0, true, false, billHash, false},
		{"gzip kept, one byte over", gz, int64(len(gz)) - 1, 0, true, false, billHash, true},
		{"gzip decompressed, exactly at the limit", gz, 0, int64(len(bill)), true, true, billHash, false},
		{"gzip decompressed, one byte over", gz, 0, int64(len(bill)) - 1, true, true, billHash, true},
		{"gzip that decompresses past the limit", bomb, 0, 64 << 10, true, true, bombHash, true},
		{"the same kept compressed", bomb, 0, 64 << 10, true, false, bombHash, true},
		{"the same within the limit", bomb, 0, 1 << 20, true, false, bombHash, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newBillServer(t, serveBytes(tc.served))
			c := newTestClient(t, testConfig(t, srv.URL))
			var out bytes.Buffer
			n, err := c.DownloadBill(context.Background(), &BillDownload{
				Bill:    Bill{HashType: "SHA1", HashValue: tc.hash, DownloadURL: srv.URL + billToken},
				Gzipped: tc.gzipped, Gunzip: tc.gunzip, MaxBytes: tc.max, MaxUncompressedBytes: tc.maxUnzp,
			}, &out)
			var te *TransportError
			if tc.tooBig != (errors.As(err, &te) && errors.Is(err, ErrResponseTooLarge)) || (!tc.tooBig && err != nil) {
				t.Fatalf("err = %v, want too large %v", err, tc.tooBig)
			}
			if limit := max(tc.max, tc.maxUnzp); n > limit {
				t.Errorf("wrote %d bytes past the limit of %d", n, limit)
			}
		})
	}
}

// TestDownloadBillStreams downloads 64 MiB while allocating a small part of
// that: the bill goes to the writer, not into memory.
func TestDownloadBillStreams(t *testing.T) {
	const size = 64 << 20
	chunk := bytes.Repeat([]byte("`2019-06-10,`wx8888888888888888,`1900000109,`SUCCESS,`0.01\n"), 512)
	var hashed bytes.Buffer // the hash comes from the data the server sends
	srv := newBillServer(t, func(w http.ResponseWriter) {
		w.Header().Set("Content-Length", strconv.Itoa(size))
		for sent := 0; sent < size; {
			n := min(len(chunk), size-sent)
			if _, err := w.Write(chunk[:n]); err != nil {
				return
			}
			sent += n
		}
	})
	for sent := 0; sent < size; {
		n := min(len(chunk), size-sent)
		hashed.Write(chunk[:n])
		sent += n
	}
	want := sha1Hex(t, hashed.Bytes())
	hashed = bytes.Buffer{}
	c := newTestClient(t, testConfig(t, srv.URL))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	counter := &countingWriter{w: io.Discard}
	_, err := c.DownloadBill(context.Background(), &BillDownload{Bill: Bill{HashType: "SHA1", HashValue: want, DownloadURL: srv.URL + billToken}}, counter)
	runtime.ReadMemStats(&after)
	if err != nil || counter.n != size {
		t.Fatalf("DownloadBill wrote %d bytes: %v", counter.n, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/8 {
		t.Errorf("allocated %d bytes to download %d", alloc, size)
	}
}

func TestDownloadBillRefusals(t *testing.T) {
	ok := func(url string) *BillDownload {
		return &BillDownload{Bill: Bill{HashType: "SHA1", HashValue: strings.Repeat("ab", 20), DownloadURL: url}}
	}
	srv := newBillServer(t, serveBytes([]byte(testBill)))
	other := newBillServer(t, serveBytes([]byte(testBill)))
	c := newTestClient(t, testConfig(t, srv.URL+"/prefix"))
	base := srv.URL + "/prefix"
	for _, tc := range []struct {
		name  string
		b     *BillDownload
		field string
	}{
		{"nil", nil, "download_url"},
		{"another host", ok(other.URL + "/prefix" + billToken), "download_url"},
		{"the same host, another port", ok(strings.Replace(other.URL, "127.0.0.1", "localhost", 1) + "/prefix" + billToken), "download_url"},
		{"https instead of http", ok(strings.Replace(base, "http://", "https://", 1) + billToken), "download_url"},
		{"outside the base path", ok(srv.URL + billToken), "download_url"},
		{"a path that only starts like the base", ok(srv.URL + "/prefixed" + billToken), "download_url"},
		{"user info", ok(strings.Replace(base, "http://", "http://u:p@", 1) + billToken), "download_url"},
		{"a fragment", ok(base + billToken + "#x"), "download_url"},
		{"empty", ok(""), "download_url"},
		{"MD5", &BillDownload{Bill: Bill{HashType: "MD5", HashValue: strings.Repeat("ab", 16), DownloadURL: base + billToken}}, "hash_type"},
		{"hash_value too short", &BillDownload{Bill: Bill{HashType: "SHA1", HashValue: "abc", DownloadURL: base + billToken}}, "hash_value"},
		{"hash_value not hex", &BillDownload{Bill: Bill{HashType: "SHA1", HashValue: strings.Repeat("zz", 20), DownloadURL: base + billToken}}, "hash_value"},
		{"Gunzip without Gzipped", func() *BillDownload { b := ok(base + billToken); b.Gunzip = true; return b }(), "gunzip"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			_, err := c.DownloadBill(context.Background(), tc.b, &out)
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field {
				t.Fatalf("err = %v, want *ValidationError for %s", err, tc.field)
			}
			if strings.Contains(err.Error(), "token=") {
				t.Errorf("the error quotes the download token: %v", err)
			}
			if srv.requests()+other.requests() != 0 || out.Len() != 0 {
				t.Errorf("something was sent or written")
			}
		})
	}
}

func TestDownloadBillFailures(t *testing.T) {
	requireOpenSSL(t)
	bill := []byte(testBill)
	hash := sha1Hex(t, bill)
	download := func(t *testing.T, serve func(w http.ResponseWriter), w io.Writer) error {
		srv := newBillServer(t, serve)
		c := newTestClient(t, testConfig(t, srv.URL))
		_, err := c.DownloadBill(context.Background(), &BillDownload{Bill: Bill{HashType: "SHA1", HashValue: hash, DownloadURL: srv.URL + billToken}}, w)
		return err
	}
	t.Run("an expired URL is an APIError", func(t *testing.T) {
		err := download(t, func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"code":"INVALID_REQUEST","message":"下载地址已过期"}`))
		}, io.Discard)
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Code != "INVALID_REQUEST" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a connection cut mid-body is a TransportError", func(t *testing.T) {
		err := download(t, func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", strconv.Itoa(len(bill)))
			_, _ = w.Write(bill[:len(bill)/2])
			w.(http.Flusher).Flush()
			conn, _, _ := http.NewResponseController(w).Hijack()
			if conn != nil {
				conn.Close()
			}
		}, io.Discard)
		var te *TransportError
		var ie *BillIntegrityError
		if !errors.As(err, &te) || errors.As(err, &ie) {
			t.Fatalf("err = %v, want *TransportError", err)
		}
	})
	t.Run("a failing writer", func(t *testing.T) {
		err := download(t, serveBytes(bill), failingWriter{})
		var te *TransportError
		if err == nil || errors.As(err, &te) || !strings.Contains(err.Error(), "disk full") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("verification stays on for every other call", func(t *testing.T) {
		srv := newBillServer(t, serveBytes(bill))
		c := newTestClient(t, testConfig(t, srv.URL))
		_, err := c.Do(context.Background(), &Request{Operation: "get", Method: "GET", PathTemplate: "/v3/billdownload/file",
			Path: "/v3/billdownload/file", Query: map[string][]string{"token": {"x"}}})
		var verr *VerificationError
		if !errors.As(err, &verr) || !errors.Is(err, ErrMissingHeader) {
			t.Fatalf("Do of the unsigned file = %v, want *VerificationError", err)
		}
	})
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// largeBill is a deterministic trade bill of about size bytes whose rows vary,
// so that its gzip is not much smaller than a tenth of it.
func largeBill(size int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	b.WriteString("交易时间,公众账号ID,商户号,微信订单号,商户订单号,交易状态,应结订单金额\n")
	for b.Len() < size {
		fmt.Fprintf(&b, "`2019-06-10 %02d:%02d:%02d,`wx8888888888888888,`1900000109,`42%026d,`%020d,`SUCCESS,`%d.%02d\n",
			rng.IntN(24), rng.IntN(60), rng.IntN(60), rng.Int64N(1e18), rng.Int64N(1e18), rng.IntN(10000), rng.IntN(100))
	}
	return b.Bytes()
}

// TestDownloadBillCorruptGzipIsNotTooLarge: a gzip bill that does not
// decompress is a *BillIntegrityError whatever its size, as long as the
// download stayed under MaxBytes. The gzip reader stops at the bad data with
// bytes left unread; those are no sign of a download cut at the limit.
func TestDownloadBillCorruptGzipIsNotTooLarge(t *testing.T) {
	requireOpenSSL(t)
	plain := largeBill(200 << 10)
	bill := largeBill(120 << 10)
	gz := gzipOf(t, bill)
	if len(gz) < 20<<10 {
		t.Fatalf("the gzip bill has %d bytes; the test needs more than the gzip reader's buffer", len(gz))
	}
	damaged := append([]byte{}, gz...)
	for i := 12; i <= 40; i++ {
		damaged[i] ^= 0x5a
	}
	billHash := sha1Hex(t, bill)
	for _, tc := range []struct {
		name     string
		served   []byte
		gunzip   bool
		maxBytes int64
		tooBig   bool // a download cut at MaxBytes stays a *TransportError
	}{
		{"a 200 KB plain file sent as a gzip bill, decompressed", plain, true, 0, false},
		{"a 200 KB plain file sent as a gzip bill, kept", plain, false, 0, false},
		{"a gzip bill with bytes 12-40 damaged, decompressed", damaged, true, 0, false},
		{"a gzip bill with bytes 12-40 damaged, kept", damaged, false, 0, false},
		{"the damaged bill with MaxBytes its exact size", damaged, true, int64(len(damaged)), false},
		{"a sound gzip bill cut at MaxBytes, decompressed", gz, true, int64(len(gz)) / 2, true},
		{"a sound gzip bill cut at MaxBytes, kept", gz, false, int64(len(gz)) / 2, true},
		// Seen to be no gzip before the limit was reached: corrupt.
		{"a plain file over MaxBytes sent as a gzip bill", plain, true, 64 << 10, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newBillServer(t, serveBytes(tc.served))
			c := newTestClient(t, testConfig(t, srv.URL))
			var out bytes.Buffer
			_, err := c.DownloadBill(context.Background(), &BillDownload{
				Bill:    Bill{HashType: "SHA1", HashValue: billHash, DownloadURL: srv.URL + billToken},
				Gzipped: true, Gunzip: tc.gunzip, MaxBytes: tc.maxBytes,
			}, &out)
			var ie *BillIntegrityError
			var te *TransportError
			switch {
			case tc.tooBig:
				if !errors.As(err, &te) || !errors.Is(err, ErrResponseTooLarge) {
					t.Fatalf("err = %v, want a *TransportError wrapping ErrResponseTooLarge", err)
				}
			case !errors.As(err, &ie) || ie.Err == nil:
				t.Fatalf("err = %v, want a *BillIntegrityError with the gzip error", err)
			case errors.As(err, &te) || errors.Is(err, ErrResponseTooLarge):
				t.Fatalf("err = %v is also reported as too large", err)
			}
		})
	}
}

// slowBill serves bill in chunks with a pause before each, flushing each, or
// stops sending after the first chunk with stall.
func slowBill(bill []byte, chunks int, pause time.Duration, stall bool) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Length", strconv.Itoa(len(bill)))
		size := (len(bill) + chunks - 1) / chunks
		for sent := 0; sent < len(bill); sent += size {
			time.Sleep(pause)
			if _, err := w.Write(bill[sent:min(sent+size, len(bill))]); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			if stall {
				time.Sleep(5 * pause)
				return
			}
		}
	}
}

// TestDownloadBillTimeout streams a bill for longer than the client's
// Timeout. The client's own http.Client (no Config.HTTPClient) bounds each
// silence with its Timeout, not the whole download; a download that stops
// sending still fails. A caller's http.Client keeps its Timeout for the
// whole download, as documented.
func TestDownloadBillTimeout(t *testing.T) {
	requireOpenSSL(t)
	bill := largeBill(64 << 10)
	hash := sha1Hex(t, bill)
	const timeout = 300 * time.Millisecond
	download := func(t *testing.T, cfg Config, serve func(w http.ResponseWriter)) (int64, error) {
		srv := newBillServer(t, serve)
		cfg.BaseURL = srv.URL
		c := newTestClient(t, cfg)
		if cfg.HTTPClient == nil {
			c.http.Timeout = timeout // the default client, with a shorter DefaultTimeout
		}
		return c.DownloadBill(context.Background(), &BillDownload{Bill: Bill{HashType: "SHA1", HashValue: hash, DownloadURL: srv.URL + billToken}}, io.Discard)
	}
	t.Run("default client, slowly streamed", func(t *testing.T) {
		start := time.Now()
		n, err := download(t, testConfig(t, ""), slowBill(bill, 8, timeout/3, false))
		if err != nil || n != int64(len(bill)) {
			t.Fatalf("wrote %d bytes: %v", n, err)
		}
		if d := time.Since(start); d < 2*timeout {
			t.Fatalf("the download took %v, not longer than the Timeout %v: the test proves nothing", d, timeout)
		}
	})
	t.Run("default client, stalled body", func(t *testing.T) {
		start := time.Now()
		_, err := download(t, testConfig(t, ""), slowBill(bill, 8, timeout, true))
		var te *TransportError
		if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no data received") {
			t.Fatalf("err = %v, want a *TransportError for the stall", err)
		}
		if d := time.Since(start); d > 8*timeout {
			t.Errorf("the stall was noticed after %v", d)
		}
	})
	t.Run("default client, no headers", func(t *testing.T) {
		_, err := download(t, testConfig(t, ""), func(w http.ResponseWriter) { time.Sleep(5 * timeout) })
		var te *TransportError
		if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want a *TransportError for the stall", err)
		}
	})
	t.Run("caller's client: its Timeout bounds the whole download", func(t *testing.T) {
		cfg := testConfig(t, "")
		cfg.HTTPClient = &http.Client{Timeout: timeout}
		_, err := download(t, cfg, slowBill(bill, 8, timeout/3, false))
		var te *TransportError
		if !errors.As(err, &te) {
			t.Fatalf("err = %v, want a *TransportError of the client's Timeout", err)
		}
	})
}
