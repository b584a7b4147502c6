package wechatpay

import (
	"context"
	"fmt"
	"io"
)

// Downloads of answers that are not JSON (a file, text), other than bills.
// WeChat Pay signs such an answer like any other, over its bytes; so the
// whole answer is read (within Config.MaxResponseBytes) and verified before
// a byte of it reaches w. Bill files, which WeChat Pay does not sign, are
// DownloadBill's, which checks them by their digest instead.

// Download sends r like Do, asking for any media type, and writes the
// verified answer's body to w; it returns the bytes written. Nothing is
// written unless the answer verified. A failure to write is an error
// wrapping w's; the other errors are those of Do.
func (c *Client) Download(ctx context.Context, r *Request, w io.Writer) (int64, error) {
	if r == nil {
		return 0, &TransportError{Err: fmt.Errorf("nil request")}
	}
	rr := *r
	rr.accept = "*/*"
	resp, err := c.Do(ctx, &rr)
	if err != nil {
		return 0, err
	}
	n, err := w.Write(resp.Body)
	if err != nil {
		return int64(n), fmt.Errorf("wechatpay: %s: write: %w", r.Operation, err)
	}
	return int64(n), nil
}

// DefaultMaxUploadBytes caps the file of an upload whose spec gives no
// limit (a maxLength on its file part): this package's guard against
// reading an unbounded reader, not a WeChat Pay limit; an endpoint's own
// limit is on its page.
const DefaultMaxUploadBytes = 10 << 20
