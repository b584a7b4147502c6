package wechatpay

import (
	"compress/gzip"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Bill downloads (下载账单). From the official pages:
//
//   - the apply calls (GET /v3/bill/tradebill, GET /v3/bill/fundflowbill)
//     are ordinary signed and verified calls answering hash_type (only "SHA1"
//     is listed), hash_value and download_url
//     (https://pay.weixin.qq.com/docs/merchant/apis/jsapi-payment/get-trade-bill.html);
//     hash_value is "原始账单（gzip需要解压缩）的摘要值": the digest of the
//     original bill, so a bill applied for with tar_type=GZIP is hashed after
//     decompression;
//   - the download is a GET of download_url signed like any request, whose
//     answer carries no WeChat Pay signature: "该接口响应的信息请求头中不包含微信
//     接口响应的签名值，因此需要跳过验签的流程", and the merchant should compare
//     the file's hash with hash_value
//     (https://pay.weixin.qq.com/doc/v3/merchant/4012810615,
//     https://pay.wechatpay.cn/docs/partner/apis/bill-download/download-sub-merchant-fund-bill.html);
//   - download_url is valid for 5 minutes; bills of a day are ready from 9:00
//     (10:00 advised) the next day. The pages give no size limit.

// DefaultMaxBillBytes is the bill size DownloadBill accepts when
// BillDownload.MaxBytes is zero: this package's guard, not a WeChat Pay
// limit.
const DefaultMaxBillBytes = 1 << 30

// Bill is the answer of a bill apply call. Formatting a Bill or a
// BillDownload (fmt, slog) never shows download_url's query, whose token is a
// credential for 5 minutes.
type Bill struct {
	HashType    string `json:"hash_type"`    // SHA1
	HashValue   string `json:"hash_value"`   // hex digest of the original (uncompressed) bill
	DownloadURL string `json:"download_url"` // signed GET, valid 5 minutes
}

// Format prints b with download_url's query redacted, whatever the verb.
func (b Bill) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "wechatpay.Bill{HashType:%q HashValue:%q DownloadURL:%s}", b.HashType, b.HashValue, redactedURL(b.DownloadURL))
}

// LogValue leaves download_url's query out of logs.
func (b Bill) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("hash_type", b.HashType),
		slog.String("hash_value", b.HashValue),
		slog.String("download_url", redactedURL(b.DownloadURL)),
	)
}

// Format prints d with download_url's query redacted, whatever the verb.
func (d BillDownload) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "wechatpay.BillDownload{Bill:%v Gzipped:%t Gunzip:%t MaxBytes:%d MaxUncompressedBytes:%d}",
		d.Bill, d.Gzipped, d.Gunzip, d.MaxBytes, d.MaxUncompressedBytes)
}

// LogValue leaves download_url's query out of logs.
func (d BillDownload) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Any("bill", d.Bill),
		slog.Bool("gzipped", d.Gzipped),
		slog.Bool("gunzip", d.Gunzip),
		slog.Int64("max_bytes", d.MaxBytes),
		slog.Int64("max_uncompressed_bytes", d.MaxUncompressedBytes),
	)
}

// redactedURL is u without its query, user information and fragment: what
// can be shown of a download_url. A URL that does not parse is not shown.
func redactedURL(u string) string {
	if u == "" {
		return "[none]"
	}
	p, err := url.Parse(u)
	if err != nil {
		return "[redacted]"
	}
	s := (&url.URL{Scheme: p.Scheme, Host: p.Host, Path: p.Path, RawPath: p.RawPath}).String()
	if p.RawQuery != "" || p.ForceQuery || p.User != nil || p.Fragment != "" {
		s += "?[redacted]"
	}
	return strconv.Quote(s)
}

// BillDownload says which bill to download and how.
type BillDownload struct {
	Bill
	// Gzipped says the bill was applied for with tar_type=GZIP, so the
	// download is gzip: it is decompressed to check the hash.
	Gzipped bool
	// Gunzip writes the decompressed bill instead of the gzip download.
	// Only with Gzipped.
	Gunzip bool
	// MaxBytes caps the bytes downloaded. Default DefaultMaxBillBytes.
	MaxBytes int64
	// MaxUncompressedBytes caps what a gzip bill decompresses to, whether
	// written (Gunzip) or only hashed. Default DefaultMaxBillBytes.
	MaxUncompressedBytes int64
}

// BillIntegrityError is a downloaded bill that is not the bill hash_value
// describes: its digest differs, or a gzip bill does not decompress. What
// DownloadBill wrote to w must not be used; apply for a new download_url.
type BillIntegrityError struct {
	HashType string
	Want     string // hash_value, lower case
	Got      string // the digest of what was downloaded; empty when it did not decompress
	Written  int64  // the bytes written to w
	Err      error  // the gzip error, when it did not decompress
}

func (e *BillIntegrityError) Error() string {
	s := "wechatpay: downloaded bill is corrupt, discard the " + strconv.FormatInt(e.Written, 10) + " bytes written: "
	if e.Err != nil {
		return s + "gzip: " + e.Err.Error()
	}
	return s + e.HashType + " " + e.Got + " is not hash_value " + e.Want
}

func (e *BillIntegrityError) Unwrap() error { return e.Err }

// DownloadBill downloads the bill at b.DownloadURL and streams it to w,
// never holding it in memory: the gzip download as is, or decompressed with
// b.Gunzip. The request is signed like any other; the answer is not verified,
// because WeChat Pay does not sign bill files: this entry point alone skips
// verification, and checks the digest instead. It returns the bytes written.
//
// The bill's SHA-1 is taken over the original bill (after decompression for
// a gzip bill, as the official page defines hash_value) and compared with
// b.HashValue at the end. A mismatch, or a gzip stream that does not
// decompress, is a *BillIntegrityError: w then holds bytes that are not the
// bill, which the caller must discard (write to a temporary file and rename
// it only on success).
//
// download_url must lie under the client's BaseURL (same scheme, host and
// port, and path prefix): a signed request never goes to another host. That,
// an unknown hash_type or a hash_value that is not 40 hex digits is a
// *ValidationError (Field "download_url", "hash_type" or "hash_value") and
// nothing is sent. A non-2xx answer is an *APIError; a download over
// MaxBytes, or cut off, is a *TransportError.
//
// Time limits: a bill may be large (up to MaxBytes, 1 GiB by default) and
// take longer to stream than any fixed limit of a whole request. So when the
// client built its own http.Client (Config.HTTPClient nil), DownloadBill
// does not apply its DefaultTimeout to the whole download: it fails instead
// when no byte arrives for that long (waiting for the answer's headers, or
// in the middle of the body), a *TransportError wrapping
// context.DeadlineExceeded; ctx bounds the whole. An http.Client given in
// Config.HTTPClient is used as it is: its Timeout, if any, bounds the whole
// download, body included, so give such a client no Timeout (bound each
// download with ctx, and the transport's ResponseHeaderTimeout) or one long
// enough for the largest bill.
func (c *Client) DownloadBill(ctx context.Context, b *BillDownload, w io.Writer) (int64, error) {
	const op = "downloadBill"
	if err := checkContext(ctx); err != nil {
		return 0, err
	}
	if b == nil {
		return 0, &ValidationError{Field: "download_url", Rule: "required", Message: "is missing"}
	}
	target, err := c.checkDownload(b)
	if err != nil {
		return 0, err
	}
	limits := [2]int64{b.MaxBytes, b.MaxUncompressedBytes}
	for i := range limits {
		if limits[i] == 0 {
			limits[i] = DefaultMaxBillBytes
		}
	}
	r := &Request{Operation: op, Method: http.MethodGet, PathTemplate: "download_url"}
	hc, stall := c.http, (*stallGuard)(nil)
	if c.ownHTTP && c.http.Timeout > 0 {
		// The client's own Timeout bounds a whole request: here it bounds
		// each silence instead.
		copied := *c.http
		copied.Timeout = 0
		hc = &copied
		var cancel context.CancelFunc
		ctx, stall, cancel = newStallGuard(ctx, c.http.Timeout)
		defer cancel()
	}
	transportErr := func(err error) error {
		if stalled := stall.err(); stalled != nil {
			err = stalled
		}
		return newTransportError(r, err)
	}
	req, err := c.signedRequest(ctx, http.MethodGet, target, nil, nil, "", "")
	if err != nil {
		return 0, transportErr(err)
	}
	req.Header.Set("Accept", "*/*") // a file, not JSON
	resp, err := hc.Do(req)
	if err != nil {
		return 0, transportErr(err)
	}
	defer resp.Body.Close()
	if stall != nil {
		resp.Body = stall.body(resp.Body)
	}
	requestID := resp.Header.Get(HeaderRequestID)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, c.maxBody))
		return 0, newAPIError(op, resp, raw, requestID)
	}
	written, err := copyBill(w, resp.Body, b, limits[0], limits[1])
	var integrity *BillIntegrityError
	var we *writeError
	switch {
	case err == nil, errors.As(err, &integrity):
		return written, err
	case errors.As(err, &we):
		return written, fmt.Errorf("wechatpay: %s: write: %w", op, we.err)
	}
	return written, transportErr(err)
}

// stallGuard ends a download when no byte arrived for idle: it cancels the
// download's context, and err then says why.
type stallGuard struct {
	ctx   context.Context
	idle  time.Duration
	timer *time.Timer
}

// errStalled is the cause a stallGuard cancels with.
var errStalled = errors.New("stalled")

func newStallGuard(parent context.Context, idle time.Duration) (context.Context, *stallGuard, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	g := &stallGuard{ctx: ctx, idle: idle, timer: time.AfterFunc(idle, func() { cancel(errStalled) })}
	return ctx, g, func() { g.timer.Stop(); cancel(nil) }
}

// err is the error of a download the guard ended, else nil.
func (g *stallGuard) err() error {
	if g == nil || !errors.Is(context.Cause(g.ctx), errStalled) {
		return nil
	}
	return fmt.Errorf("no data received for %s: %w", g.idle, context.DeadlineExceeded)
}

// body gives each read of rc idle to return: the clock runs only while
// waiting for the network, not while the caller's writer works.
func (g *stallGuard) body(rc io.ReadCloser) io.ReadCloser {
	g.timer.Stop() // the headers came
	return &stallReader{rc, g}
}

type stallReader struct {
	io.ReadCloser
	g *stallGuard
}

func (s *stallReader) Read(p []byte) (int, error) {
	s.g.timer.Reset(s.g.idle)
	n, err := s.ReadCloser.Read(p)
	s.g.timer.Stop()
	return n, err
}

// checkDownload checks b and returns the URL to request.
func (c *Client) checkDownload(b *BillDownload) (string, error) {
	bad := func(field, rule, msg string) error { return &ValidationError{Field: field, Rule: rule, Message: msg} }
	if b.HashType != "SHA1" {
		return "", bad("hash_type", "enum", fmt.Sprintf("is %.16q; the bill pages list only SHA1", b.HashType))
	}
	if v := b.HashValue; len(v) != 2*sha1.Size || strings.Trim(strings.ToLower(v), "0123456789abcdef") != "" {
		return "", bad("hash_value", "pattern", "is not 40 hexadecimal digits")
	}
	if b.Gunzip && !b.Gzipped {
		return "", bad("gunzip", "required", "needs Gzipped: only a GZIP bill is decompressed")
	}
	if b.MaxBytes < 0 || b.MaxUncompressedBytes < 0 {
		return "", bad("max_bytes", "minimum", "MaxBytes and MaxUncompressedBytes must not be negative")
	}
	u, err := url.Parse(b.DownloadURL)
	if err != nil || b.DownloadURL == "" {
		return "", bad("download_url", "required", "is not a URL")
	}
	base, _ := url.Parse(c.base) // checked by NewClient
	prefix := strings.TrimSuffix(base.EscapedPath(), "/") + "/"
	if !strings.EqualFold(u.Scheme, base.Scheme) || !strings.EqualFold(u.Host, base.Host) || u.User != nil || u.Fragment != "" ||
		!strings.HasPrefix(u.EscapedPath(), prefix) {
		// Never quote the URL: its token is a credential for 5 minutes.
		return "", bad("download_url", "host", "is not under the client's BaseURL "+c.base+"; a signed request goes nowhere else")
	}
	return b.DownloadURL, nil
}

// writeError is a failure of the caller's writer, which is no transport
// problem.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }

// copyBill streams body to w under the limit and checks the digest.
func copyBill(w io.Writer, body io.Reader, b *BillDownload, maxBytes, maxUncompressed int64) (int64, error) {
	downloaded := &io.LimitedReader{R: body, N: maxBytes}
	out := &countingWriter{w: w}
	digest := sha1.New()

	var err error
	switch {
	case !b.Gzipped:
		_, err = io.Copy(io.MultiWriter(out, digest), downloaded)
	case b.Gunzip:
		err = gunzipTo(io.MultiWriter(out, digest), downloaded, maxUncompressed)
	default:
		// Write the gzip download as is; hash what it decompresses to.
		tee := io.TeeReader(downloaded, out)
		if err = gunzipTo(digest, tee, maxUncompressed); err == nil {
			_, err = io.Copy(io.Discard, tee) // the rest, if any, is written too
		}
	}
	if out.err != nil {
		return out.n, &writeError{out.err}
	}
	// The download is too large only when the limit was used up and body
	// holds a byte more. A gzip reader that stopped at bad data leaves bytes
	// unread without reaching the limit: that bill is corrupt, not too large.
	cut := func() bool { return downloaded.N <= 0 && tooLarge(body) }
	var gzErr *gunzipError
	switch {
	case errors.As(err, &gzErr) && errors.Is(gzErr.err, ErrResponseTooLarge):
		return out.n, gzErr.err
	case errors.As(err, &gzErr):
		// A download cut at the limit is too large, not corrupt.
		if cut() {
			return out.n, fmt.Errorf("%w of %d bytes", ErrResponseTooLarge, maxBytes)
		}
		return out.n, &BillIntegrityError{HashType: b.HashType, Want: strings.ToLower(b.HashValue), Written: out.n, Err: gzErr.err}
	case err != nil:
		return out.n, err // reading the answer failed
	case cut():
		return out.n, fmt.Errorf("%w of %d bytes", ErrResponseTooLarge, maxBytes)
	}
	got := hex.EncodeToString(digest.Sum(nil))
	if want := strings.ToLower(b.HashValue); got != want {
		return out.n, &BillIntegrityError{HashType: b.HashType, Want: want, Got: got, Written: out.n}
	}
	return out.n, nil
}

// tooLarge reports whether body holds a byte more; call it only once the
// limit was read.
func tooLarge(body io.Reader) bool {
	var one [1]byte
	n, _ := io.ReadFull(body, one[:])
	return n == 1
}

// gunzipError is a failure of the gzip format, not of the reader below it.
type gunzipError struct{ err error }

func (e *gunzipError) Error() string { return e.err.Error() }

// gunzipTo decompresses src into dst, at most maxBytes of output. Errors of
// the gzip format come wrapped in *gunzipError.
func gunzipTo(dst io.Writer, src io.Reader, maxBytes int64) error {
	src = &readErrMarker{r: src}
	zr, err := gzip.NewReader(src)
	if err != nil {
		return classifyGzip(err)
	}
	if _, err := io.Copy(dst, io.LimitReader(zr, maxBytes)); err != nil {
		return classifyGzip(err)
	}
	var one [1]byte
	n, err := io.ReadFull(zr, one[:])
	switch {
	case n == 1:
		return &gunzipError{fmt.Errorf("%w: the bill decompresses to more than %d bytes", ErrResponseTooLarge, maxBytes)}
	case err != nil && err != io.EOF:
		return classifyGzip(err)
	}
	return nil
}

// readErrMarker tags errors of the underlying reader, so classifyGzip can
// tell a broken connection from a broken gzip stream.
type readErrMarker struct{ r io.Reader }

type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

func (m *readErrMarker) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	if err != nil && err != io.EOF {
		err = &sourceError{err}
	}
	return n, err
}

func classifyGzip(err error) error {
	var se *sourceError
	if errors.As(err, &se) {
		return se.err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &gunzipError{fmt.Errorf("truncated gzip stream: %w", err)}
	}
	return &gunzipError{err}
}

// countingWriter counts the bytes written and keeps the first error.
type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}
