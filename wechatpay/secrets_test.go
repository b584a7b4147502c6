package wechatpay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestSecretsStayOut runs a client with a Debug-level JSON logger through a
// success, an API error, a verification failure and a transport failure, and
// checks that neither the log nor any error carries a request signature, a
// line of the private key, or an answer body.
func TestSecretsStayOut(t *testing.T) {
	requireOpenSSL(t)
	const bodyMarker = "wxwtdk20200910100000"
	okBody := terminateResp
	okH := okHeader(t, okBody)
	badH := signedHeader(t, "other_key.pem", testPubKeyID, tsAt(0), testRespNonce, []byte(okBody))
	const apiBody = `{"code":"PARAM_ERROR","message":"参数错误","detail":{"field":"out_contract_code","value":"wxwtdk20200910100000","issue":"bad","location":"path"}}`

	var mu sync.Mutex
	var authorizations []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		mu.Lock()
		authorizations = append(authorizations, r.Header.Get("Authorization"))
		mu.Unlock()
		switch r.URL.Path {
		case "/ok":
			writeAnswer(w, okH, 200, okBody)
		case "/apierr":
			writeAnswer(w, http.Header{"Request-Id": {"REQ-API"}}, 400, apiBody)
		case "/badsig":
			writeAnswer(w, badH, 200, okBody)
		case "/hangup":
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
		}
	}))
	defer srv.Close()

	var logBuf bytes.Buffer
	cfg := testConfig(t, srv.URL)
	cfg.Logger = slog.New(slog.NewJSONHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := NewClient(cfg) // the real nonce source: every signature differs
	if err != nil {
		t.Fatal(err)
	}

	var errs []error
	for _, p := range []string{"/ok", "/apierr", "/badsig", "/hangup"} {
		r := terminateRequest()
		r.Path = p
		_, err := c.Do(context.Background(), r)
		if (p == "/ok") != (err == nil) {
			t.Fatalf("%s: Do error = %v", p, err)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	var apiErr *APIError
	var verr *VerificationError
	var terr *TransportError
	if !errors.As(errs[0], &apiErr) || !errors.As(errs[1], &verr) || !errors.As(errs[2], &terr) {
		t.Fatalf("unexpected error types: %v", errs)
	}

	// The log has one record per call, with the expected levels.
	var levels []string
	for _, line := range strings.Split(strings.TrimSpace(logBuf.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		levels = append(levels, rec["level"].(string))
		if rec["operation"] != "terminateByCode" {
			t.Errorf("log record without operation: %s", line)
		}
	}
	if got := strings.Join(levels, ","); got != "DEBUG,DEBUG,WARN,DEBUG" {
		t.Errorf("log levels = %s, want DEBUG,DEBUG,WARN,DEBUG\n%s", got, logBuf.String())
	}
	log := logBuf.String()
	for _, want := range []string{testRequestID, "REQ-API", "PARAM_ERROR"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}

	// Gather every secret and check the log and the errors against them.
	mu.Lock()
	auths := append([]string(nil), authorizations...)
	mu.Unlock()
	if len(auths) != 4 {
		t.Fatalf("server saw %d requests, want 4", len(auths))
	}
	secrets := map[string]string{}
	for i, a := range auths {
		f := parseAuthorization(t, a)
		secrets["request signature "+string(rune('0'+i))] = f.signature
	}
	for _, file := range []string{"merchant_key.pem", "merchant_key_pkcs1.pem"} {
		for i, l := range pemLines(readFile(t, td(file))) {
			secrets[file+" line "+string(rune('A'+i))] = l
		}
	}
	secrets["response signature"] = okH.Get(HeaderSignature)
	texts := map[string]string{"log": log}
	for i, err := range errs {
		texts["error "+string(rune('0'+i))] = err.Error()
	}
	for where, text := range texts {
		for what, secret := range secrets {
			if strings.Contains(text, secret) {
				t.Errorf("%s contains the %s", where, what)
			}
		}
		if strings.Contains(text, bodyMarker) {
			t.Errorf("%s contains body or path values: %s", where, text)
		}
	}
}
