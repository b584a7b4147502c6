package scenariotest

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/payforge/wechatpay/wechatpay"

	files "github.com/payforge/wechatpay/generator/testdata/scenarios/files/golden"
)

// png is the start of a PNG file, enough for http.DetectContentType.
var png = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")

// TestScenarioUpload: a multipart body is sent by the runtime's Upload, the
// signature over the meta part (the stand-in checks it over the meta part it
// received); the meta's filename rules apply to FileName.
func TestScenarioUpload(t *testing.T) {
	r := &files.UploadImageRequest{FileName: "notes.txt"}
	got := violations(t, r.Validate())
	if want := []string{"file required", "filename pattern"}; !slices.Equal(got, want) {
		t.Fatalf("violations %v, want %v", got, want)
	}
	s := newStandIn(t, jsonAnswer(`{"media_id":"m-42"}`))
	client := files.NewClient(s.client())
	resp, err := client.UploadImage(context.Background(), &files.UploadImageRequest{File: bytes.NewReader(png), FileName: "a.png"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.MediaID != "m-42" {
		t.Fatalf("answer %+v", resp)
	}
	last := s.last()
	sum := sha256.Sum256(png)
	var meta struct{ Filename, Sha256 string }
	if err := json.Unmarshal(last.Parts["meta"], &meta); err != nil || meta.Filename != "a.png" || meta.Sha256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("meta %s (%v)", last.Parts["meta"], err)
	}
	if !bytes.Equal(last.Parts["file"], png) || last.PartTypes["file"] != "image/png" || last.FileName != "a.png" {
		t.Fatalf("file part: %q %q %q", last.Parts["file"], last.PartTypes["file"], last.FileName)
	}
	// A meta of the caller's own is sent as it is, and checked first.
	_, err = client.UploadImage(context.Background(), &files.UploadImageRequest{File: bytes.NewReader(png), FileName: "a.png",
		Meta: &files.MediaMeta{Filename: "a.png", SHA256: "short"}})
	var ve *wechatpay.ValidationError
	if !errors.As(err, &ve) || ve.Field != "meta.sha256" || ve.Rule != "minLength" {
		t.Fatalf("error %v", err)
	}
	// A file of another type than the encoding lists is refused before sending.
	n := s.count()
	_, err = client.UploadImage(context.Background(), &files.UploadImageRequest{File: strings.NewReader("GIF89a...."), FileName: "a.png"})
	if !errors.As(err, &ve) || ve.Field != "file" || s.count() != n {
		t.Fatalf("error %v, %d requests", err, s.count()-n)
	}
}

// TestScenarioSignedDownload: an answer that is not JSON reaches w only
// once verified.
func TestScenarioSignedDownload(t *testing.T) {
	const text = "2024-01-01 统计\n"
	s := newStandIn(t, func(received) answer {
		return answer{Body: []byte(text), ContentType: "text/plain"}
	})
	client := files.NewClient(s.client())
	var w bytes.Buffer
	n, err := client.GetStatement(context.Background(), &files.GetStatementRequest{Day: "2024-01-01"}, &w)
	if err != nil || n != int64(len(text)) || w.String() != text {
		t.Fatalf("%d %q %v", n, w.String(), err)
	}
	if got := s.last().RequestURI; got != "/v3/statements/2024-01-01" || s.last().Header.Get("Accept") != "*/*" {
		t.Fatalf("request %s %v", got, s.last().Header)
	}
	if got := violations(t, (&files.GetStatementRequest{Day: "01/01/2024"}).Validate()); !slices.Equal(got, []string{"day format"}) {
		t.Fatalf("violations %v", got)
	}
	// An answer whose signature does not verify writes nothing.
	s = newStandIn(t, func(received) answer { return answer{Body: []byte(text), ContentType: "text/plain", Unsigned: true} })
	w.Reset()
	_, err = files.NewClient(s.client()).GetStatement(context.Background(), &files.GetStatementRequest{Day: "2024-01-01"}, &w)
	var verr *wechatpay.VerificationError
	if !errors.As(err, &verr) || w.Len() != 0 {
		t.Fatalf("unsigned answer: %v, %d bytes written", err, w.Len())
	}
}

// TestScenarioBillDownload: the bill download calls the runtime's
// DownloadBill, which checks the unsigned file by its digest.
func TestScenarioBillDownload(t *testing.T) {
	const bill = "交易时间,公众账号ID\n`2024-01-01 10:00:00,`wx1\n"
	s := newStandIn(t, func(received) answer {
		return answer{Body: []byte(bill), ContentType: "application/octet-stream", Unsigned: true}
	})
	client := files.NewClient(s.client())
	sum := sha1.Sum([]byte(bill))
	req := &files.GetV3BilldownloadFileRequest{BillDownload: wechatpay.BillDownload{Bill: wechatpay.Bill{
		HashType: "SHA1", HashValue: hex.EncodeToString(sum[:]), DownloadURL: s.srv.URL + "/v3/billdownload/file?token=t1",
	}}}
	var w bytes.Buffer
	n, err := client.GetV3BilldownloadFile(context.Background(), req, &w)
	if err != nil || n != int64(len(bill)) || w.String() != bill {
		t.Fatalf("%d %q %v", n, w.String(), err)
	}
	if got := s.last().RequestURI; got != "/v3/billdownload/file?token=t1" {
		t.Fatalf("target %s", got)
	}
	req.HashValue = strings.Repeat("0", 40)
	w.Reset()
	_, err = client.GetV3BilldownloadFile(context.Background(), req, &w)
	var integrity *wechatpay.BillIntegrityError
	if !errors.As(err, &integrity) {
		t.Fatalf("a file that is not the bill: %v", err)
	}
	if got := violations(t, (&files.GetV3BilldownloadFileRequest{}).Validate()); !slices.Equal(got, []string{"download_url required"}) {
		t.Fatalf("violations %v", got)
	}
	// The Call of the command line says to use the typed method.
	_, err = files.Operations[2].Call(context.Background(), s.client(), nil, nil)
	var ve *wechatpay.ValidationError
	if !errors.As(err, &ve) || ve.Field != "download_url" {
		t.Fatalf("Call: %v", err)
	}
}
