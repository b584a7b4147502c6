package wechatpay

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

type fullDisk struct{}

func (fullDisk) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestDownload: a verified answer that is not JSON is written to w as it
// came; one that fails verification writes nothing.
func TestDownload(t *testing.T) {
	const file = "交易时间,公众账号ID\n`2024-01-01 10:00:00,`wx1\n"
	tamper := false
	var accept string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		accept = r.Header.Get("Accept")
		h := okHeader(t, file)
		body := file
		if tamper {
			body = file + "x"
		}
		for k, v := range h {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(body))
	}))
	defer srv.Close()
	c := newTestClient(t, testConfig(t, srv.URL))
	req := &Request{Operation: "getFile", Method: http.MethodGet, PathTemplate: "/v3/file", Path: "/v3/file"}
	var buf bytes.Buffer
	n, err := c.Download(context.Background(), req, &buf)
	if err != nil || n != int64(len(file)) || buf.String() != file {
		t.Fatalf("%d, %q, %v", n, buf.String(), err)
	}
	if accept != "*/*" {
		t.Fatalf("Accept %q", accept)
	}
	tamper = true
	buf.Reset()
	_, err = c.Download(context.Background(), req, &buf)
	var verr *VerificationError
	if !errors.As(err, &verr) || buf.Len() != 0 {
		t.Fatalf("tampered answer: %v, %d bytes written", err, buf.Len())
	}
	tamper = false
	if _, err := c.Download(context.Background(), req, fullDisk{}); err == nil || !bytes.Contains([]byte(err.Error()), []byte("disk full")) {
		t.Fatalf("write error %v", err)
	}
}
