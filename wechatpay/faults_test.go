package wechatpay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestNetworkFaults drives the client through the failures a network or a
// server can cause. Each must surface as a *TransportError wrapping the
// cause, with no answer returned and no goroutine left behind.
func TestNetworkFaults(t *testing.T) {
	const body = `{"mchid":"1900000109"}`
	// hold keeps a handler busy until the client gives up or the subtest
	// releases it. The body is read first: only then does net/http notice a
	// client that went away and end the request's context.
	hold := func(r *http.Request, release <-chan struct{}) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}

	cases := []struct {
		name    string
		handler func(release <-chan struct{}) http.HandlerFunc
		setup   func(cfg *Config)
		timeout time.Duration
		cause   func(error) bool
	}{
		{
			name: "deadline while waiting for headers",
			handler: func(release <-chan struct{}) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { hold(r, release) }
			},
			timeout: 50 * time.Millisecond,
			cause:   func(err error) bool { return errors.Is(err, context.DeadlineExceeded) },
		},
		{
			name: "deadline in the middle of the body",
			handler: func(release <-chan struct{}) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					io.Copy(io.Discard, r.Body)
					w.Header().Set("Content-Length", "1000")
					w.WriteHeader(200)
					w.Write([]byte(body[:5]))
					w.(http.Flusher).Flush()
					hold(r, release)
				}
			},
			timeout: 100 * time.Millisecond,
			cause:   func(err error) bool { return errors.Is(err, context.DeadlineExceeded) },
		},
		{
			name: "slow headers past the HTTP client's timeout",
			handler: func(release <-chan struct{}) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { hold(r, release) }
			},
			setup: func(cfg *Config) { cfg.HTTPClient = &http.Client{Timeout: 50 * time.Millisecond} },
			cause: func(err error) bool {
				var ne net.Error
				return errors.As(err, &ne) && ne.Timeout()
			},
		},
		{
			name: "connection reset",
			handler: func(<-chan struct{}) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					conn, _, err := http.NewResponseController(w).Hijack()
					if err != nil {
						return
					}
					conn.(*net.TCPConn).SetLinger(0) // close with RST
					conn.Close()
				}
			},
			cause: func(err error) bool { return errors.Is(err, syscall.ECONNRESET) },
		},
		{
			name: "DNS failure",
			setup: func(cfg *Config) {
				resolver := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
					return nil, errors.New("no DNS server reachable")
				}}
				cfg.BaseURL = "https://api.mch.weixin.qq.com"
				cfg.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{Resolver: resolver}).DialContext}}
			},
			cause: func(err error) bool {
				var de *net.DNSError
				return errors.As(err, &de)
			},
		},
	}
	defer func() {
		if !t.Failed() {
			fmt.Printf("network faults: %d kinds, each a *TransportError wrapping its cause\n", len(cases))
		}
	}()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url := ""
			if tc.handler != nil {
				release := make(chan struct{})
				srv := httptest.NewServer(tc.handler(release))
				defer srv.Close()
				defer close(release) // runs before Close, which waits for handlers
				url = srv.URL
			}
			cfg := testConfig(t, url)
			if tc.setup != nil {
				tc.setup(&cfg)
			}
			c := newTestClient(t, cfg)
			defer c.http.CloseIdleConnections()
			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			resp, err := c.Do(ctx, terminateRequest())
			if resp != nil {
				t.Fatalf("got an answer: %+v", resp)
			}
			var te *TransportError
			if !errors.As(err, &te) {
				t.Fatalf("error %v (%T) is not a *TransportError", err, err)
			}
			if !tc.cause(err) {
				t.Errorf("error %v does not wrap the expected cause", err)
			}
			if strings.Contains(err.Error(), "wxwtdk20200910100000") {
				t.Errorf("error %q quotes a path value", err)
			}
		})
	}
}
