package wechatpay

import (
	"bytes"
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReadLimited(t *testing.T) {
	for _, tc := range []struct {
		data  string
		limit int64
		want  string
		over  bool
	}{
		{"", 0, "", false},
		{"x", 0, "", true},
		{"abc", 3, "abc", false},
		{"abcd", 3, "abc", true},
		{"abc", math.MaxInt64, "abc", false},
		{"abc", math.MaxInt64 - 1, "abc", false},
	} {
		got, over, err := readLimited(strings.NewReader(tc.data), tc.limit)
		if err != nil || string(got) != tc.want || over != tc.over {
			t.Errorf("readLimited(%q, %d) = %q, %v, %v; want %q, %v", tc.data, tc.limit, got, over, err, tc.want, tc.over)
		}
	}
}

// TestReadLimitAtMaxInt64: a limit of math.MaxInt64 means no limit, in each
// place that reads one byte past its limit; +1 wrapped negative in Upload
// and read nothing ("file: is empty").
func TestReadLimitAtMaxInt64(t *testing.T) {
	t.Run("upload", func(t *testing.T) {
		r, err := buildUpload(&Upload{Operation: "upload", Path: "/v3/merchant/media/upload", FileName: "a.bin",
			File: strings.NewReader("some bytes"), MaxBytes: math.MaxInt64})
		if err != nil {
			t.Fatalf("buildUpload with MaxBytes math.MaxInt64: %v", err)
		}
		if !bytes.Contains(r.Body, []byte("some bytes")) {
			t.Errorf("the file is not in the body")
		}
	})
	t.Run("answer", func(t *testing.T) {
		const okBody = `{"mchid":"1900000109"}`
		h := okHeader(t, okBody)
		srv := newScriptedServer(t, func(w http.ResponseWriter) { writeAnswer(w, h, 200, okBody) })
		cfg := testConfig(t, srv.URL)
		cfg.MaxResponseBytes = math.MaxInt64
		c := newTestClient(t, cfg)
		get := terminateRequest()
		get.Method, get.Body = http.MethodGet, nil
		resp, err := c.Do(context.Background(), get)
		if err != nil || string(resp.Body) != okBody {
			t.Fatalf("Do with MaxResponseBytes math.MaxInt64: %v", err)
		}
	})
	t.Run("notification", func(t *testing.T) {
		v := loadNotifyVector(t)
		body := notifyEnvelope(t, testNotifyID, v.resource())
		cfg := testNotifyConfig(t, v.APIv3Key)
		cfg.MaxBodyBytes = math.MaxInt64
		h := mustNotifyHandler(t, cfg, func(context.Context, *Notification) error { return nil })
		req := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(body))
		req.Header = goSignedHeader(t, body, testNotifyNonce)
		if _, err := h.Parse(req); err != nil {
			t.Fatalf("Parse with MaxBodyBytes math.MaxInt64: %v", err)
		}
	})
}
