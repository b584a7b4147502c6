package e2e_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/payforge/wechatpay/gen/passwordexemptcontract"
)

// replayServer answers every request with one answer signed in advance, so
// the server's share of a benchmarked call is close to zero.
func replayServer(b *testing.B, k keys) *httptest.Server {
	headers := signAnswer(k.wechatpay, testNow, "a1b2c3d4e5f6", testPubKeyID, []byte(echoBody))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		for name, v := range headers {
			w.Header()[name] = []string{v}
		}
		w.Header()["Content-Type"] = []string{"application/json"}
		w.Header()["Request-Id"] = []string{"08F78BB5AF0610D302A7E1B1D2A8011C"}
		io.WriteString(w, echoBody)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkTerminateByCode is one full call of the generated client: validate,
// marshal, sign, send over loopback, read, verify, decode.
func BenchmarkTerminateByCode(b *testing.B) {
	k := loadKeys(b)
	srv := replayServer(b, k)
	c := passwordexemptcontract.NewClient(newRuntime(b, k, srv.URL, srv.Client()))
	req := exampleRequest()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.TerminateByCode(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHTTPFloor is the baseline for BenchmarkTerminateByCode: the same
// request bytes through a bare http.Client to the same server, the answer read,
// nothing signed, verified or decoded.
func BenchmarkHTTPFloor(b *testing.B) {
	k := loadKeys(b)
	srv := replayServer(b, k)
	hc := srv.Client()
	body := []byte(`{"contract_termination_remark":"用户解约"}`)
	url := srv.URL + terminatePath
	b.ReportAllocs()
	for b.Loop() {
		resp, err := hc.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
}
