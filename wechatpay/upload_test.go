package wechatpay

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// testImages returns small images of the three accepted types.
func testImages(t testing.TB) map[string][]byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	var p, j bytes.Buffer
	if err := png.Encode(&p, img); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&j, img, nil); err != nil {
		t.Fatal(err)
	}
	// A BMP is "BM" and a header; DetectContentType reads the signature.
	bmp := append([]byte("BM"), make([]byte, 64)...)
	return map[string][]byte{"png": p.Bytes(), "jpg": j.Bytes(), "bmp": bmp}
}

// uploadSeen is what the upload stand-in received.
type uploadSeen struct {
	contentType string
	auth        string
	meta        []byte
	metaType    string
	fileName    string
	fileType    string
	file        []byte
	problem     string
}

// uploadServer is a stand-in written from the protocol: it reads the
// multipart body with mime/multipart, checks the meta's sha256 against the
// file, and answers {"media_id":…} signed by openssl with the WeChat Pay key.
func uploadServer(t *testing.T, answer string) (*httptest.Server, func() []uploadSeen) {
	t.Helper()
	header := okHeader(t, answer)
	var mu sync.Mutex
	var seen []uploadSeen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := uploadSeen{contentType: r.Header.Get("Content-Type"), auth: r.Header.Get("Authorization")}
		defer func() {
			mu.Lock()
			seen = append(seen, s)
			mu.Unlock()
		}()
		mr, err := r.MultipartReader()
		if err != nil {
			s.problem = "not multipart: " + err.Error()
			w.WriteHeader(400)
			return
		}
		for i := 0; ; i++ {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				s.problem = err.Error()
				w.WriteHeader(400)
				return
			}
			b, _ := io.ReadAll(part)
			switch part.FormName() {
			case "meta":
				s.meta, s.metaType = b, part.Header.Get("Content-Type")
			case "file":
				s.file, s.fileName, s.fileType = b, part.FileName(), part.Header.Get("Content-Type")
			}
		}
		var meta struct {
			FileName string `json:"filename"`
			SHA256   string `json:"sha256"`
		}
		sum := sha256.Sum256(s.file)
		if err := json.Unmarshal(s.meta, &meta); err != nil || meta.SHA256 != hex.EncodeToString(sum[:]) || meta.FileName != s.fileName {
			s.problem = "meta does not describe the file"
		}
		writeAnswer(w, header, 200, answer)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []uploadSeen {
		mu.Lock()
		defer mu.Unlock()
		return append([]uploadSeen(nil), seen...)
	}
}

func TestUploadImage(t *testing.T) {
	requireOpenSSL(t)
	const answer = `{"media_id":"H1ihR9JUtVj-J7CJqBUY5ZOrG_Je75H-rKhBdk7T9M-xfjNNGh28Ex9S2fqSm0_l5sI3f1kFRLnPCwFZQ5tKy2ukQSX5XyJdxSzhxd1_J1yxvqQ9g4"}`
	images := testImages(t)
	for _, tc := range []struct{ name, kind string }{
		{"hellokitty.png", "png"}, {"ilea.JPG", "jpg"}, {"scan.bmp", "bmp"}, {"招牌.png", "png"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, seen := uploadServer(t, answer)
			c := newTestClient(t, testConfig(t, srv.URL))
			id, err := c.UploadImage(context.Background(), tc.name, bytes.NewReader(images[tc.kind]))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(id, "H1ihR9JUtVj") {
				t.Errorf("media_id = %q", id)
			}
			got := seen()
			if len(got) != 1 || got[0].problem != "" {
				t.Fatalf("server saw %+v", got)
			}
			s := got[0]
			if mt, _, _ := mime.ParseMediaType(s.contentType); mt != "multipart/form-data" || s.metaType != "application/json" {
				t.Errorf("Content-Type %q, meta part %q", s.contentType, s.metaType)
			}
			if !bytes.Equal(s.file, images[tc.kind]) || s.fileName != tc.name || !strings.HasPrefix(s.fileType, "image/") {
				t.Errorf("file part: %q, %q, %d bytes", s.fileName, s.fileType, len(s.file))
			}
			// The signature covers the meta JSON as sent (openssl is the oracle;
			// PKCS#1 v1.5 signatures are deterministic).
			f := parseAuthorization(t, s.auth)
			msg := "POST\n" + ImageUploadPath + "\n" + f.timestamp + "\n" + f.nonce + "\n" + string(s.meta) + "\n"
			if want := opensslSign(t, td("merchant_key.pem"), []byte(msg)); f.signature != want {
				t.Errorf("the signature does not cover the meta JSON %s", s.meta)
			}
		})
	}
}

func TestUploadImageRefused(t *testing.T) {
	images := testImages(t)
	atLimit := append(append([]byte{}, images["png"]...), make([]byte, MaxImageBytes-len(images["png"]))...)
	gif := []byte("GIF89a" + strings.Repeat("\x00", 32))
	for _, tc := range []struct {
		name, file string
		data       []byte
		field      string
		rule       string
	}{
		{"one byte over 2 MiB", "big.png", append(atLimit, 0), "file", "maxBytes"},
		{"empty file", "empty.png", nil, "file", "required"},
		{"GIF content", "fake.png", gif, "file", "fileType"},
		{"text content", "notes.jpg", []byte("just text"), "file", "fileType"},
		{".jpeg suffix", "photo.jpeg", images["jpg"], "filename", "pattern"},
		{".gif suffix", "anim.gif", gif, "filename", "pattern"},
		{"no name", "", images["png"], "filename", "required"},
		{"129 characters", strings.Repeat("图", 125) + ".png", images["png"], "filename", "maxLength"},
		{"a quote", `a"b.png`, images["png"], "filename", "pattern"},
		{"a slash", "dir/a.png", images["png"], "filename", "pattern"},
		{"a line break", "a\r\nX-Evil: 1.png", images["png"], "filename", "pattern"},
		{"not UTF-8", "a\xff.png", images["png"], "filename", "utf8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, seen := uploadServer(t, `{"media_id":"x"}`)
			c := newTestClient(t, testConfig(t, srv.URL))
			_, err := c.UploadImage(context.Background(), tc.file, bytes.NewReader(tc.data))
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field || ve.Rule != tc.rule {
				t.Fatalf("UploadImage = %v, want *ValidationError %s/%s", err, tc.field, tc.rule)
			}
			if n := len(seen()); n != 0 {
				t.Errorf("the server received %d requests", n)
			}
		})
	}
	t.Run("exactly 2 MiB is sent", func(t *testing.T) {
		requireOpenSSL(t)
		srv, seen := uploadServer(t, `{"media_id":"x"}`)
		c := newTestClient(t, testConfig(t, srv.URL))
		if _, err := c.UploadImage(context.Background(), "big.png", bytes.NewReader(atLimit)); err != nil {
			t.Fatal(err)
		}
		if got := seen(); len(got) != 1 || len(got[0].file) != MaxImageBytes || got[0].problem != "" {
			t.Fatalf("server saw %d uploads", len(got))
		}
	})
}

func TestUploadAnswers(t *testing.T) {
	requireOpenSSL(t)
	png := testImages(t)["png"]
	t.Run("no media_id", func(t *testing.T) {
		srv, _ := uploadServer(t, `{}`)
		c := newTestClient(t, testConfig(t, srv.URL))
		var de *DecodeError
		if _, err := c.UploadImage(context.Background(), "a.png", bytes.NewReader(png)); !errors.As(err, &de) {
			t.Fatalf("err = %v, want *DecodeError", err)
		}
	})
	t.Run("unsigned answer", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"media_id":"forged"}`))
		}))
		defer srv.Close()
		c := newTestClient(t, testConfig(t, srv.URL))
		var verr *VerificationError
		if id, err := c.UploadImage(context.Background(), "a.png", bytes.NewReader(png)); !errors.As(err, &verr) || id != "" {
			t.Fatalf("UploadImage = %q, %v; want *VerificationError", id, err)
		}
	})
	t.Run("generic upload with its own meta", func(t *testing.T) {
		var gotMeta []byte
		var gotAuth string
		answer := `{"media_id":"v"}`
		h := okHeader(t, answer)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			gotAuth = r.Header.Get("Authorization")
			_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			mr := multipart.NewReader(r.Body, params["boundary"])
			part, err := mr.NextPart()
			if err == nil {
				gotMeta, _ = io.ReadAll(part)
			}
			writeAnswer(w, h, 200, answer)
		}))
		defer srv.Close()
		c := newTestClient(t, testConfig(t, srv.URL))
		resp, err := c.Upload(context.Background(), &Upload{Operation: "uploadVideo", PathTemplate: "/v3/merchant/media/video_upload",
			Path: "/v3/merchant/media/video_upload", FileName: "clip.mp4", File: strings.NewReader("video bytes"),
			Meta: map[string]string{"filename": "clip.mp4", "sha256": "00"}, MaxBytes: 100})
		if err != nil || string(resp.Body) != answer {
			t.Fatalf("Upload = %v, %v", resp, err)
		}
		if string(gotMeta) != `{"filename":"clip.mp4","sha256":"00"}` {
			t.Errorf("meta = %s", gotMeta)
		}
		f := parseAuthorization(t, gotAuth)
		msg := "POST\n/v3/merchant/media/video_upload\n" + f.timestamp + "\n" + f.nonce + "\n" + string(gotMeta) + "\n"
		if f.signature != opensslSign(t, td("merchant_key.pem"), []byte(msg)) {
			t.Error("the signature does not cover the meta JSON")
		}
	})
	t.Run("generic upload leaves name length to the endpoint", func(t *testing.T) {
		if _, err := buildUpload(&Upload{FileName: strings.Repeat("n", 300), File: strings.NewReader("x"), MaxBytes: 1}); err != nil {
			t.Fatalf("a 300-character name: %v", err)
		}
	})
	t.Run("generic upload refusals", func(t *testing.T) {
		c := newTestClient(t, testConfig(t, "https://api.mch.weixin.qq.com"))
		for _, u := range []*Upload{
			nil,
			{FileName: "a", File: strings.NewReader("x")},                                          // no MaxBytes
			{FileName: "a", MaxBytes: 1},                                                           // no File
			{FileName: "a", File: strings.NewReader("x"), MaxBytes: 1, Meta: []int{1}},             // meta not an object
			{FileName: "a", File: strings.NewReader("x"), MaxBytes: 1, Meta: make(chan int)},       // meta does not encode
			{FileName: "a", File: strings.NewReader("xy"), MaxBytes: 1},                            // too large
			{FileName: "a", File: strings.NewReader("x"), MaxBytes: 1, Types: []string{"a/b"}},     // wrong type
			{FileName: "a\x00", File: strings.NewReader("x"), MaxBytes: 1, Types: []string{"a/b"}}, // bad name
		} {
			var ve *ValidationError
			if _, err := c.Upload(context.Background(), u); !errors.As(err, &ve) {
				t.Errorf("Upload(%+v) = %v, want *ValidationError", u, err)
			}
		}
	})
}
