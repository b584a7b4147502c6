package main

import (
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// loggingTransport logs each exchange for -v: method, URL, status and the
// headers both ways, never bodies, and never the request signature.
type loggingTransport struct {
	next http.RoundTripper
	log  *slog.Logger
}

func (t *loggingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	t.log.DebugContext(ctx, "http request",
		slog.String("method", req.Method),
		slog.String("url", req.URL.Redacted()),
		headerAttr(req.Header))
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		t.log.DebugContext(ctx, "http request failed", slog.String("error", err.Error()))
		return nil, err
	}
	t.log.DebugContext(ctx, "http response",
		slog.String("status", resp.Status),
		headerAttr(resp.Header))
	return resp, nil
}

// headerAttr groups the headers under "header", sorted by name, with the
// Authorization signature redacted.
func headerAttr(h http.Header) slog.Attr {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	attrs := make([]any, 0, len(names))
	for _, name := range names {
		v := strings.Join(h[name], ", ")
		if http.CanonicalHeaderKey(name) == "Authorization" {
			v = redactSignature(v)
		}
		attrs = append(attrs, slog.String(name, v))
	}
	return slog.Group("header", attrs...)
}

// signatureParam matches the signature field of an Authorization value
// (WECHATPAY2-SHA256-RSA2048 mchid="…",signature="…",…), quoted or not.
var signatureParam = regexp.MustCompile(`(?i)((?:^|[\s,])signature=)(?:"[^"]*"|[^,\s]*)`)

// redactSignature replaces the signature in an Authorization value, so a log
// never holds a signature someone could replay within its five minutes.
func redactSignature(v string) string {
	return signatureParam.ReplaceAllString(v, `${1}"REDACTED"`)
}
