package wechatpaytest_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/png"
	"mime/multipart"
	"net/textproto"
	"strings"
	"testing"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/internal/sandboxtest"
)

// pngImage returns a small PNG image.
func pngImage(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 3, 2))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// part is one part of a hand-built multipart body.
type part struct {
	name, fileName, contentType string
	data                        []byte
}

// multipartBody writes parts with mime/multipart and returns the body and
// its Content-Type.
func multipartBody(t testing.TB, parts ...part) (string, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		if p.fileName != "" {
			h.Set("Content-Disposition", multipart.FileContentDisposition(p.name, p.fileName))
		} else {
			h.Set("Content-Disposition", `form-data; name="`+p.name+`"`)
		}
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pw.Write(p.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String(), w.FormDataContentType()
}

// uploadRequest returns a hand-signed image upload of meta and file, the
// signature over meta as the page says.
func uploadRequest(t testing.TB, srv *wechatpaytest.Server, meta string, parts ...part) *sandboxtest.Request {
	t.Helper()
	body, contentType := multipartBody(t, parts...)
	q := sandboxtest.Valid(srv, 1, "x")
	q.URI, q.Body, q.ContentType, q.SignBody = "/v3/merchant/media/upload", body, contentType, &meta
	return q
}

// TestUploadImage uploads through the runtime: the sandbox checks the
// signature over the meta JSON, the sha256 against the file and the type,
// and answers a signed media_id that depends on the image alone.
func TestUploadImage(t *testing.T) {
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{})
	rt := sandboxtest.NewRuntime(t, srv)
	img := pngImage(t)
	id, err := rt.UploadImage(context.Background(), "logo.PNG", bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	if want := "sandbox-media-" + sha256Hex(img); id != want {
		t.Errorf("media_id %q, want %q", id, want)
	}
	again, err := rt.UploadImage(context.Background(), "other.png", bytes.NewReader(img))
	if err != nil || again != id {
		t.Errorf("the same image again: %q, %v; want %q", again, err, id)
	}
	other, err := rt.UploadImage(context.Background(), "logo.png", bytes.NewReader(append(bytes.Clone(img), 0)))
	if err != nil || other == id {
		t.Errorf("another image: %q, %v; want an ID other than %q", other, err, id)
	}
}

// TestUploadImageAnswers sends uploads by hand, each breaking one rule.
func TestUploadImageAnswers(t *testing.T) {
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{})
	img := pngImage(t)
	meta := `{"filename":"a.png","sha256":"` + sha256Hex(img) + `"}`
	metaPart := part{name: "meta", contentType: "application/json", data: []byte(meta)}
	filePart := part{name: "file", fileName: "a.png", contentType: "image/png", data: img}
	metaFor := func(name string, file []byte) string {
		return `{"filename":"` + name + `","sha256":"` + sha256Hex(file) + `"}`
	}
	big := append(bytes.Clone(img), make([]byte, 2<<20)...)
	gif := []byte("GIF89a" + strings.Repeat("\x00", 32))

	for _, tt := range []struct {
		name      string
		req       func() *sandboxtest.Request
		status    int
		code, msg string
		field     string
	}{
		{"valid", func() *sandboxtest.Request { return uploadRequest(t, srv, meta, metaPart, filePart) }, 200, "", "", ""},
		{"meta without a content type, as curl -F sends it", func() *sandboxtest.Request {
			return uploadRequest(t, srv, meta, part{name: "meta", data: []byte(meta)}, filePart)
		}, 200, "", "", ""},
		{"upper-case sha256", func() *sandboxtest.Request {
			m := `{"filename":"a.png","sha256":"` + strings.ToUpper(sha256Hex(img)) + `"}`
			return uploadRequest(t, srv, m, part{name: "meta", contentType: "application/json", data: []byte(m)}, filePart)
		}, 200, "", "", ""},
		{"signed over the whole body", func() *sandboxtest.Request {
			q := uploadRequest(t, srv, meta, metaPart, filePart)
			q.SignBody = nil
			return q
		}, 401, "SIGN_ERROR", "", ""},
		{"meta signed, another meta sent", func() *sandboxtest.Request {
			return uploadRequest(t, srv, `{"filename":"b.png","sha256":"`+sha256Hex(img)+`"}`, metaPart, filePart)
		}, 401, "SIGN_ERROR", "", ""},
		{"no meta part", func() *sandboxtest.Request { return uploadRequest(t, srv, meta, filePart) }, 400, "INVALID_REQUEST", "", ""},
		{"two meta parts", func() *sandboxtest.Request { return uploadRequest(t, srv, meta, metaPart, metaPart, filePart) }, 400, "INVALID_REQUEST", "", ""},
		{"not multipart", func() *sandboxtest.Request {
			q := uploadRequest(t, srv, meta, metaPart, filePart)
			q.ContentType = "application/json"
			return q
		}, 400, "INVALID_REQUEST", "", ""},
		{"no file part", func() *sandboxtest.Request { return uploadRequest(t, srv, meta, metaPart) }, 400, "PARAM_ERROR", "", ""},
		{"a third part", func() *sandboxtest.Request {
			return uploadRequest(t, srv, meta, metaPart, filePart, part{name: "extra", data: []byte("x")})
		}, 400, "PARAM_ERROR", "", ""},
		{"sha256 of other bytes", func() *sandboxtest.Request {
			m := metaFor("a.png", []byte("other"))
			return uploadRequest(t, srv, m, part{name: "meta", contentType: "application/json", data: []byte(m)}, filePart)
		}, 400, "PARAM_ERROR", "图片sha256值有误,请检查后重新提交", "/meta/sha256"},
		{"a GIF", func() *sandboxtest.Request {
			m := metaFor("a.png", gif)
			return uploadRequest(t, srv, m, part{name: "meta", contentType: "application/json", data: []byte(m)},
				part{name: "file", fileName: "a.png", data: gif})
		}, 400, "PARAM_ERROR", "文件二进制内容不是图片,请检查后重新提交", "/file"},
		{"a .gif name", func() *sandboxtest.Request {
			m := metaFor("a.gif", img)
			return uploadRequest(t, srv, m, part{name: "meta", contentType: "application/json", data: []byte(m)}, filePart)
		}, 400, "PARAM_ERROR", "", "/meta/filename"},
		{"a name of 129 characters", func() *sandboxtest.Request {
			m := metaFor(strings.Repeat("图", 125)+".png", img)
			return uploadRequest(t, srv, m, part{name: "meta", contentType: "application/json", data: []byte(m)}, filePart)
		}, 400, "PARAM_ERROR", "", "/meta/filename"},
		{"meta with an unknown field", func() *sandboxtest.Request {
			m := `{"filename":"a.png","sha256":"` + sha256Hex(img) + `","size":1}`
			return uploadRequest(t, srv, m, part{name: "meta", contentType: "application/json", data: []byte(m)}, filePart)
		}, 400, "PARAM_ERROR", "", "/meta"},
		{"meta with trailing data", func() *sandboxtest.Request {
			m := `{"filename":"a.png","sha256":"` + sha256Hex(img) + `"}}`
			return uploadRequest(t, srv, m, part{name: "meta", contentType: "application/json", data: []byte(m)}, filePart)
		}, 400, "PARAM_ERROR", "", "/meta"},
		{"meta followed by a second value", func() *sandboxtest.Request {
			m := `{"filename":"a.png","sha256":"` + sha256Hex(img) + `"} ]`
			return uploadRequest(t, srv, m, part{name: "meta", contentType: "application/json", data: []byte(m)}, filePart)
		}, 400, "PARAM_ERROR", "", "/meta"},
		{"an image over 2M", func() *sandboxtest.Request {
			m := metaFor("a.png", big)
			return uploadRequest(t, srv, m, part{name: "meta", contentType: "application/json", data: []byte(m)},
				part{name: "file", fileName: "a.png", data: big})
		}, 400, "PARAM_ERROR", "", "/file"},
		{"a body over 8 MiB", func() *sandboxtest.Request {
			huge := make([]byte, 8<<20)
			return uploadRequest(t, srv, meta, metaPart, part{name: "file", fileName: "a.png", data: huge})
		}, 400, "INVALID_REQUEST", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.req().Send(t, srv)
			if a.Status != tt.status {
				t.Fatalf("status %d %s %q, want %d\n%s", a.Status, a.Error.Code, a.Error.Message, tt.status, a.Body)
			}
			if tt.status == 200 {
				if a.Header.Get("Wechatpay-Signature") == "" || !strings.Contains(string(a.Body), `"media_id":"sandbox-media-`) {
					t.Errorf("answer %s %q", a.Header, a.Body)
				}
				return
			}
			if a.Error.Code != tt.code || (tt.msg != "" && a.Error.Message != tt.msg) {
				t.Errorf("answer %s %q, want %s %q", a.Error.Code, a.Error.Message, tt.code, tt.msg)
			}
			if tt.field != "" && (a.Error.Detail == nil || a.Error.Detail.Field != tt.field) {
				t.Errorf("detail %+v, want field %s\n%s", a.Error.Detail, tt.field, a.Body)
			}
		})
	}
}

// TestUploadImageFaults: a fault of the upload spoils the runtime's answer
// as for any operation.
func TestUploadImageFaults(t *testing.T) {
	srv := sandboxtest.NewServer(t, wechatpaytest.Options{})
	rt := sandboxtest.NewRuntime(t, srv)
	if err := srv.InjectFault("uploadImage", wechatpaytest.Fault{Kind: wechatpaytest.FaultTamperedBody}); err != nil {
		t.Fatal(err)
	}
	_, err := rt.UploadImage(context.Background(), "a.png", bytes.NewReader(pngImage(t)))
	var verr *wechatpay.VerificationError
	if !errors.As(err, &verr) {
		t.Fatalf("tampered answer: %v, want a *wechatpay.VerificationError", err)
	}
	if _, err := rt.UploadImage(context.Background(), "a.png", bytes.NewReader(pngImage(t))); err != nil {
		t.Fatalf("after the fault: %v", err)
	}
}
