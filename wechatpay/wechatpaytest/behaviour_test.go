package wechatpaytest_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	st "github.com/payforge/wechatpay/wechatpay/wechatpaytest/internal/sandboxtest"
)

// readSpec reads a spec of testdata.
func readSpec(t *testing.T, name string) wechatpaytest.Spec {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return wechatpaytest.Spec{Name: name, Data: data}
}

// files serves testdata/files.yaml: an upload read as multipart, and a
// download answered with a file, unsigned, and a header of its own.
type files struct {
	content []byte
}

func (f *files) Attach(*wechatpaytest.Server) (map[string]wechatpaytest.Handler, error) {
	return map[string]wechatpaytest.Handler{
		"uploadFile": func(c *wechatpaytest.Call) (*wechatpaytest.Response, error) {
			mr, err := c.Request.MultipartReader()
			if err != nil {
				return nil, err
			}
			var meta, file []byte
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					return nil, err
				}
				b, err := io.ReadAll(p)
				if err != nil {
					return nil, err
				}
				switch p.FormName() {
				case "meta":
					meta = b
				case "file":
					file = b
				}
			}
			if string(meta) != `{"filename":"a.txt"}` {
				return nil, wechatpaytest.ParamError(&wechatpaytest.Detail{Field: "meta", Value: string(meta), Issue: "unexpected", Location: "body"})
			}
			sum := sha256.Sum256(file)
			return wechatpaytest.JSON(map[string]string{"media_id": hex.EncodeToString(sum[:])})
		},
		"downloadFile": func(c *wechatpaytest.Call) (*wechatpaytest.Response, error) {
			sum := sha1.Sum(f.content)
			return &wechatpaytest.Response{
				Header: http.Header{
					"Content-Type":     {"text/plain; charset=utf-8"},
					"X-File-Sha1":      {hex.EncodeToString(sum[:])},
					"X-File-Name":      {c.PathParams["name"]},
					"Wechatpay-Serial": {"forged"}, // the engine's own: not sent
				},
				Body:     f.content,
				Unsigned: true,
			}, nil
		},
	}, nil
}

// TestBehaviourFiles: a behaviour reads a multipart request and answers a
// file with headers of its own, unsigned.
func TestBehaviourFiles(t *testing.T) {
	f := &files{content: []byte("交易时间,金额\n2020-09-10,1\n")}
	srv := st.NewServer(t, wechatpaytest.Options{
		Specs:      []wechatpaytest.Spec{readSpec(t, "files.yaml")},
		Behaviours: []wechatpaytest.Behaviour{f},
	})

	upload := func(withFile bool) *st.Answer {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		if err := w.WriteField("meta", `{"filename":"a.txt"}`); err != nil {
			t.Fatal(err)
		}
		if withFile {
			part, err := w.CreateFormFile("file", "a.txt")
			if err != nil {
				t.Fatal(err)
			}
			_, _ = part.Write(f.content)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		q := st.Valid(srv, 1, "x")
		q.URI, q.Body, q.ContentType = "/v3/sandbox-files/upload", body.String(), w.FormDataContentType()
		return q.Send(t, srv)
	}
	a := upload(true)
	sum := sha256.Sum256(f.content)
	if want := `{"media_id":"` + hex.EncodeToString(sum[:]) + `"}`; a.Status != http.StatusOK || string(a.Body) != want {
		t.Fatalf("upload: %d %s, want 200 %s", a.Status, a.Body, want)
	}
	st.VerifyAnswer(t, a, time.Now())
	if a := upload(false); a.Status != http.StatusBadRequest || a.Error.Code != "PARAM_ERROR" {
		t.Errorf("upload without its file part: %d %s, want 400 PARAM_ERROR", a.Status, a.Body)
	}

	a = st.Get(srv, "/v3/sandbox-files/files/report.txt").Send(t, srv)
	if a.Status != http.StatusOK || !bytes.Equal(a.Body, f.content) {
		t.Fatalf("download: %d %q", a.Status, a.Body)
	}
	sha := sha1.Sum(f.content)
	if a.Header.Get("X-File-Sha1") != hex.EncodeToString(sha[:]) || a.Header.Get("X-File-Name") != "report" ||
		a.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("download headers %v", a.Header)
	}
	for _, h := range []string{"Wechatpay-Signature", "Wechatpay-Serial", "Wechatpay-Timestamp", "Wechatpay-Nonce"} {
		if v := a.Header.Get(h); v != "" {
			t.Errorf("unsigned download carries %s: %q", h, v)
		}
	}
}

// TestExampleAnswers: with no behaviour, an operation is answered with the
// example of its spec, or one built from its schema, signed, and checked
// against the spec.
func TestExampleAnswers(t *testing.T) {
	srv := st.NewServer(t, wechatpaytest.Options{
		Specs: []wechatpaytest.Spec{readSpec(t, "widgets.yaml"), readSpec(t, "files.yaml")},
	})
	for _, tc := range []struct {
		method, uri, body string
		status            int
		want              string
		header            string // a header of the answer, "name: value"
	}{
		{"POST", "/v3/sandbox-widgets/widgets", `{"mchid":"1900000109","name":"小部件","size":3}`, 200,
			`{"color":"blue","created_time":"2020-09-10T13:29:35+08:00","mchid":"1900000109","name":"小部件","size":3,"tags":["new","限量"],"widget_id":"W20200910"}`,
			"Content-Type: application/json"},
		{"GET", "/v3/sandbox-widgets/widgets/W12345678?mchid=1900000109", "", 200,
			`{"color":"red","created_time":"2020-09-10T13:29:35+08:00","mchid":"1900000109","name":"example","size":1,"tags":["example"],"widget_id":"W12345678"}`, ""},
		{"POST", "/v3/sandbox-widgets/widgets/W12345678/close", `{"mchid":"1900000109"}`, 204, "", ""},
		{"GET", "/v3/sandbox-files/files/report.txt", "", 200, "example", "X-File-Sha1: " + strings.Repeat("a", 40)},
	} {
		q := st.Valid(srv, 1, "x")
		q.Method, q.URI, q.Body = tc.method, tc.uri, tc.body
		if tc.body == "" {
			q.ContentType = ""
		}
		a := q.Send(t, srv)
		if a.Status != tc.status || string(a.Body) != tc.want {
			t.Errorf("%s %s: %d %s, want %d %s", tc.method, tc.uri, a.Status, a.Body, tc.status, tc.want)
			continue
		}
		st.VerifyAnswer(t, a, time.Now())
		if name, value, ok := strings.Cut(tc.header, ": "); ok && a.Header.Get(name) != value {
			t.Errorf("%s %s: %s %q, want %q", tc.method, tc.uri, name, a.Header.Get(name), value)
		}
	}
	// The spec is checked before the example is answered.
	for _, tc := range []struct{ method, uri, body, field, location string }{
		{"POST", "/v3/sandbox-widgets/widgets", `{"mchid":"1900000109","name":"小部件","size":11}`, "/size", "body"},
		{"POST", "/v3/sandbox-widgets/widgets", `{"mchid":"1900000109","name":"小部件","size":3,"color":"green"}`, "/color", "body"},
		{"GET", "/v3/sandbox-widgets/widgets/W1234567", "", "widget_id", "path"},
		{"GET", "/v3/sandbox-widgets/widgets/W12345678", "", "mchid", "query"},
	} {
		q := st.Valid(srv, 1, "x")
		q.Method, q.URI, q.Body = tc.method, tc.uri, tc.body
		if tc.body == "" {
			q.ContentType = ""
		}
		a := q.Send(t, srv)
		if d := a.Error.Detail; a.Status != http.StatusBadRequest || a.Error.Code != "PARAM_ERROR" || d == nil ||
			d.Field != tc.field || d.Location != tc.location {
			t.Errorf("%s %s %s: %d %s, want 400 PARAM_ERROR on %s in %s", tc.method, tc.uri, tc.body, a.Status, a.Body, tc.field, tc.location)
		}
	}
}

// broken is a behaviour whose terminateByCode answers in the ways a handler
// must not, chosen by out_contract_code.
type broken struct{}

func (broken) Attach(*wechatpaytest.Server) (map[string]wechatpaytest.Handler, error) {
	return map[string]wechatpaytest.Handler{
		"terminateByCode": func(c *wechatpaytest.Call) (*wechatpaytest.Response, error) {
			switch c.PathParams["out_contract_code"] {
			case "noauth":
				return nil, &wechatpaytest.Error{Status: http.StatusForbidden, Code: "NO_AUTH", Message: "商户暂无权限使用此功能"}
			case "wrapped":
				return nil, fmt.Errorf("lookup: %w", &wechatpaytest.Error{Status: http.StatusBadRequest, Code: "INVALID_REQUEST", Message: "wrapped"})
			case "plain":
				return nil, errors.New("database on fire")
			case "nothing":
				return nil, nil
			case "redirect":
				return &wechatpaytest.Response{Status: http.StatusFound}, nil
			case "panic":
				panic("index out of range")
			case "baddetail":
				return nil, wechatpaytest.ParamError(&wechatpaytest.Detail{Field: "x", Value: make(chan int)})
			case "okerror":
				return nil, &wechatpaytest.Error{Status: http.StatusOK, Code: "X", Message: "not an error"}
			}
			return &wechatpaytest.Response{Status: http.StatusNoContent}, nil
		},
	}, nil
}

// TestHandlerOutcomes: an *Error is answered as it says; anything else a
// handler gets wrong is 500 SYSTEM_ERROR naming the operation.
func TestHandlerOutcomes(t *testing.T) {
	srv := st.NewServer(t, wechatpaytest.Options{Behaviours: []wechatpaytest.Behaviour{broken{}}})
	for _, tc := range []struct {
		code   string
		status int
		answer string
	}{
		{"noauth", 403, "NO_AUTH"},
		{"wrapped", 400, "INVALID_REQUEST"},
		{"plain", 500, "SYSTEM_ERROR"},
		{"nothing", 500, "SYSTEM_ERROR"},
		{"redirect", 500, "SYSTEM_ERROR"},
		{"okerror", 500, "SYSTEM_ERROR"},
		{"baddetail", 400, "PARAM_ERROR"},
		{"panic", 500, "SYSTEM_ERROR"},
		{"fine", 204, ""},
	} {
		a := st.Valid(srv, 1, tc.code).Send(t, srv)
		if a.Status != tc.status || a.Error.Code != tc.answer {
			t.Errorf("%s: %d %s, want %d %s", tc.code, a.Status, a.Body, tc.status, tc.answer)
		}
		if tc.answer == "SYSTEM_ERROR" && !strings.Contains(a.Error.Message, "terminateByCode") {
			t.Errorf("%s: message %q does not name the operation", tc.code, a.Error.Message)
		}
	}
}

// attachFunc is a behaviour made of a function.
type attachFunc func(*wechatpaytest.Server) (map[string]wechatpaytest.Handler, error)

func (f attachFunc) Attach(srv *wechatpaytest.Server) (map[string]wechatpaytest.Handler, error) {
	return f(srv)
}

func handlers(ids ...string) attachFunc {
	return func(*wechatpaytest.Server) (map[string]wechatpaytest.Handler, error) {
		hs := map[string]wechatpaytest.Handler{}
		for _, id := range ids {
			hs[id] = func(*wechatpaytest.Call) (*wechatpaytest.Response, error) {
				return wechatpaytest.JSON(map[string]any{})
			}
		}
		return hs, nil
	}
}

// TestNewServerRefuses: specs and behaviours the sandbox cannot serve stop
// NewServer with an error naming what is wrong.
func TestNewServerRefuses(t *testing.T) {
	widgets := readSpec(t, "widgets.yaml")
	noAnswer := wechatpaytest.Spec{Name: "noanswer.yaml", Data: []byte(`openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /v3/x:
    get:
      operationId: getX
      responses:
        "400": {description: bad}
`)}
	twoParams := wechatpaytest.Spec{Name: "two.yaml", Data: []byte(`openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /v3/{a}-{b}:
    get:
      operationId: getAB
      parameters:
        - {name: a, in: path, required: true, schema: {type: string}}
        - {name: b, in: path, required: true, schema: {type: string}}
      responses:
        "204": {description: ok}
`)}
	impossible := wechatpaytest.Spec{Name: "impossible.yaml", Data: []byte(`openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /v3/y:
    get:
      operationId: getY
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: {type: string, minLength: 3, maxLength: 2}
`)}
	for _, tc := range []struct {
		name string
		opts wechatpaytest.Options
		want []string // parts of the error
	}{
		{"not a spec", wechatpaytest.Options{Specs: []wechatpaytest.Spec{{Name: "junk.yaml", Data: []byte("{")}}}, []string{"junk.yaml"}},
		{"no paths", wechatpaytest.Options{Specs: []wechatpaytest.Spec{{Name: "empty.yaml", Data: []byte("openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths: {}\n")}}}, []string{"empty.yaml", "no paths"}},
		{"operationId twice", wechatpaytest.Options{Specs: []wechatpaytest.Spec{widgets, widgets}}, []string{"createWidget", "twice"}},
		{"two parameters in a segment", wechatpaytest.Options{Specs: []wechatpaytest.Spec{twoParams}}, []string{"two.yaml", "more than one parameter"}},
		{"no 2xx answer", wechatpaytest.Options{Specs: []wechatpaytest.Spec{noAnswer}}, []string{"noanswer.yaml", "getX", "no 2xx"}},
		{"no example fits", wechatpaytest.Options{Specs: []wechatpaytest.Spec{impossible}}, []string{"impossible.yaml", "getY", "/id", "give an example"}},
		{"unknown operation", wechatpaytest.Options{Specs: []wechatpaytest.Spec{widgets}, Behaviours: []wechatpaytest.Behaviour{handlers("terminateByCode")}}, []string{`"terminateByCode"`}},
		{"operation served twice", wechatpaytest.Options{Specs: []wechatpaytest.Spec{widgets},
			Behaviours: []wechatpaytest.Behaviour{handlers("getWidget"), handlers("createWidget", "getWidget")}}, []string{"getWidget", "Behaviours[0]"}},
		{"nil handler", wechatpaytest.Options{Specs: []wechatpaytest.Spec{widgets}, Behaviours: []wechatpaytest.Behaviour{attachFunc(
			func(*wechatpaytest.Server) (map[string]wechatpaytest.Handler, error) {
				return map[string]wechatpaytest.Handler{"getWidget": nil}, nil
			})}}, []string{"getWidget", "nil handler"}},
		{"attach fails", wechatpaytest.Options{Behaviours: []wechatpaytest.Behaviour{attachFunc(
			func(*wechatpaytest.Server) (map[string]wechatpaytest.Handler, error) {
				return nil, errors.New("no database")
			})}}, []string{"no database"}},
		{"nil behaviour", wechatpaytest.Options{Behaviours: []wechatpaytest.Behaviour{nil}}, []string{"Behaviours[0]"}},
	} {
		tc.opts.MerchantKey, tc.opts.WechatpayKey = st.MerchantKey(), st.WechatpayKey()
		srv, err := wechatpaytest.NewServer(tc.opts)
		if err == nil {
			srv.Close()
			t.Errorf("%s: NewServer succeeded", tc.name)
			continue
		}
		for _, part := range tc.want {
			if !strings.Contains(err.Error(), part) {
				t.Errorf("%s: error %q does not say %q", tc.name, err, part)
			}
		}
	}
	// A behaviour serving the operation without an answer makes the spec servable.
	srv := st.NewServer(t, wechatpaytest.Options{Specs: []wechatpaytest.Spec{noAnswer}, Behaviours: []wechatpaytest.Behaviour{handlers("getX")}})
	if a := st.Get(srv, "/v3/x").Send(t, srv); a.Status != http.StatusOK || string(a.Body) != "{}" {
		t.Errorf("getX served by a behaviour: %d %s", a.Status, a.Body)
	}
}

// TestAfterFunc: work a behaviour schedules runs later with the server's
// context; Close cancels what is pending and waits for what runs.
func TestAfterFunc(t *testing.T) {
	srv := st.NewServer(t, wechatpaytest.Options{})
	ran := make(chan error, 1)
	srv.AfterFunc(time.Millisecond, func(ctx context.Context) { ran <- ctx.Err() })
	select {
	case err := <-ran:
		if err != nil {
			t.Errorf("ctx of a running AfterFunc: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("AfterFunc did not run")
	}

	var pending, late atomic.Bool
	srv.AfterFunc(time.Hour, func(context.Context) { pending.Store(true) })
	srv.Close()
	srv.AfterFunc(0, func(context.Context) { late.Store(true) })
	if pending.Load() || late.Load() {
		t.Errorf("after Close: pending ran %v, scheduled after Close ran %v", pending.Load(), late.Load())
	}
}

// TestNotify delivers a notification a behaviour describes, as the engine
// signs and encrypts it, to a merchant running the runtime's NotifyHandler.
func TestNotify(t *testing.T) {
	got := make(chan *wechatpay.Notification, 1)
	var handler atomic.Pointer[wechatpay.NotifyHandler]
	merchant := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.Load().ServeHTTP(w, r) }))
	defer merchant.Close()
	srv := st.NewServer(t, wechatpaytest.Options{NotifyClient: merchant.Client()})
	keys, err := wechatpay.NewKeySet(srv.ClientConfig().VerificationKeys...)
	if err != nil {
		t.Fatal(err)
	}
	h, err := wechatpay.NewNotifyHandler(wechatpay.NotifyConfig{Keys: keys, APIv3Key: srv.APIv3Key()},
		func(_ context.Context, n *wechatpay.Notification) error { got <- n; return nil })
	if err != nil {
		t.Fatal(err)
	}
	handler.Store(h)

	n := wechatpaytest.Notification{
		URL: merchant.URL + "/notify", EventType: "TEST.EVENT", Summary: "测试", OriginalType: "test", AssociatedData: "ad",
		Plaintext: []byte(`{"k":"值"}`),
	}
	if err := srv.Notify(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	select {
	case g := <-got:
		if g.EventType != "TEST.EVENT" || g.Summary != "测试" || g.ResourceType != "encrypt-resource" ||
			g.Resource.Algorithm != "AEAD_AES_256_GCM" || g.Resource.OriginalType != "test" || g.Resource.AssociatedData != "ad" ||
			string(g.Plaintext) != `{"k":"值"}` || !strings.HasPrefix(g.ID, "sandbox-") {
			t.Errorf("notification %+v, plaintext %s", g, g.Plaintext)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no notification")
	}

	// A merchant that refuses, and notifications turned off.
	n.URL = merchant.URL + "/refused"
	if err := srv.InjectNotificationFault(wechatpaytest.Fault{Kind: wechatpaytest.FaultBadSignature}); err != nil {
		t.Fatal(err)
	}
	var de *wechatpaytest.DeliveryError
	if err := srv.Notify(context.Background(), n); !errors.As(err, &de) || de.StatusCode/100 == 2 || de.NotifyURL != n.URL {
		t.Errorf("notification with a bad signature: %v, want a *DeliveryError", err)
	}
	off := st.NewServer(t, wechatpaytest.Options{NoNotifications: true, NotifyClient: merchant.Client()})
	if err := off.Notify(context.Background(), n); !errors.Is(err, wechatpaytest.ErrNotificationsOff) {
		t.Errorf("Notify with NoNotifications: %v", err)
	}

	// After Close nothing is delivered: Close has waited for what it
	// started, and a delivery begun later would outlive it.
	n.URL = merchant.URL + "/notify"
	srv.Close()
	if err := srv.Notify(context.Background(), n); !errors.Is(err, wechatpaytest.ErrServerClosed) {
		t.Errorf("Notify after Close: %v, want ErrServerClosed", err)
	}
	select {
	case g := <-got:
		t.Errorf("delivered after Close: %+v", g)
	case <-time.After(100 * time.Millisecond):
	}
}
