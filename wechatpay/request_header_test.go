package wechatpay

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestRequestHeader: the header parameters of Request.Header reach WeChat
// Pay as they are; a header the runtime writes itself, or a value that
// cannot travel in a header, is refused before anything is sent.
func TestRequestHeader(t *testing.T) {
	calls := 0
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		got = r.Header.Clone()
		writeAnswer(w, okHeader(t, terminateResp), http.StatusOK, terminateResp)
	}))
	defer srv.Close()
	c := newTestClient(t, testConfig(t, srv.URL))
	req := func(h http.Header) *Request {
		return &Request{Operation: "terminateByCode", Method: http.MethodPost, PathTemplate: "/x", Path: terminateURI,
			Body: []byte(terminateBody), Header: h}
	}
	if _, err := c.Do(context.Background(), req(http.Header{"x-merchant-tag": {"a", "b"}, "Idempotency-Key": {"k1"}})); err != nil {
		t.Fatal(err)
	}
	if v := got.Values("X-Merchant-Tag"); len(v) != 2 || v[0] != "a" || v[1] != "b" || got.Get("Idempotency-Key") != "k1" {
		t.Fatalf("headers received: %v", got)
	}
	if got.Get(HeaderSerial) != testPubKeyID || got.Get("Content-Type") != "application/json" {
		t.Fatalf("the runtime's own headers changed: %v", got)
	}
	for _, h := range []http.Header{
		{"Wechatpay-Serial": {"PUB_KEY_ID_1"}},
		{"authorization": {"x"}},
		{"Content-Type": {"text/plain"}},
		{"X-Tag": {"a\r\nInjected: 1"}},
		{"Bad Name": {"x"}},
	} {
		_, err := c.Do(context.Background(), req(h))
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Rule != "header" {
			t.Errorf("%v: error %v, want a *ValidationError with rule header", h, err)
		}
	}
	if calls != 1 {
		t.Fatalf("%d calls reached the server, want 1", calls)
	}
}

// TestRequestContentType: a body that is not JSON goes with the media type
// the request names, signed as sent; a media type that is not one is
// refused before sending.
func TestRequestContentType(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Content-Type")
		writeAnswer(w, okHeader(t, terminateResp), http.StatusOK, terminateResp)
	}))
	defer srv.Close()
	c := newTestClient(t, testConfig(t, srv.URL))
	r := &Request{Operation: "put", Method: http.MethodPut, PathTemplate: "/x", Path: "/x", Body: []byte{0, 1, 2}, ContentType: "application/octet-stream"}
	if _, err := c.Do(context.Background(), r); err != nil || got != "application/octet-stream" {
		t.Fatalf("%q, %v", got, err)
	}
	r.ContentType = "not a type\r\n"
	_, err := c.Do(context.Background(), r)
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Field != "Content-Type" {
		t.Fatalf("error %v", err)
	}
}
