package wechatpaytest_test

import (
	"testing"

	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/internal/sandboxtest"
)

// extensionsSpec is a made-up API, not WeChat Pay's, whose operations carry
// the two extensions the engine reads, answered with their examples.
const extensionsSpec = `openapi: 3.0.3
info: {title: Extensions, version: "1"}
paths:
  /v3/sandbox-ext/file:
    get:
      operationId: getFile
      x-wechatpay-unsigned-response: true
      responses:
        "200":
          description: A file.
          content:
            text/csv:
              schema: {type: string}
              example: "a,b\n1,2\n"
  /v3/sandbox-ext/upload:
    post:
      operationId: uploadDoc
      x-wechatpay-signed-part: meta
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [meta, file]
              properties:
                meta: {type: string}
                file: {type: string, format: binary}
      responses:
        "200":
          description: Stored.
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: string, example: doc-1}
`

// TestOperationExtensions: in a spec of Options.Specs, an operation marked
// x-wechatpay-unsigned-response answers its example unsigned, and one with
// x-wechatpay-signed-part is signed over that part, not the body.
func TestOperationExtensions(t *testing.T) {
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{Specs: []wechatpaytest.Spec{{Name: "ext.yaml", Data: []byte(extensionsSpec)}}})

	a := sandboxtest.Get(srv, "/v3/sandbox-ext/file").Send(t, srv)
	if a.Status != 200 || string(a.Body) != "a,b\n1,2\n" || a.Header.Get("Wechatpay-Signature") != "" || a.Header.Get("Wechatpay-Serial") != "" {
		t.Errorf("unsigned operation: %d %s %q", a.Status, a.Header, a.Body)
	}

	meta := `{"title":"x"}`
	q := uploadRequest(t, srv, meta, part{name: "meta", data: []byte(meta)}, part{name: "file", fileName: "x.txt", data: []byte("hello")})
	q.URI = "/v3/sandbox-ext/upload"
	if a := q.Send(t, srv); a.Status != 200 || a.Header.Get("Wechatpay-Signature") == "" {
		t.Errorf("signed over meta: %d %s", a.Status, a.Body)
	}
	q = uploadRequest(t, srv, meta, part{name: "meta", data: []byte(meta)}, part{name: "file", fileName: "x.txt", data: []byte("hello")})
	q.URI, q.SignBody = "/v3/sandbox-ext/upload", nil
	if a := q.Send(t, srv); a.Status != 401 || a.Error.Code != "SIGN_ERROR" {
		t.Errorf("signed over the whole body: %d %s, want 401 SIGN_ERROR", a.Status, a.Body)
	}
}
