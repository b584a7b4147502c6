package wechatpaytest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"slices"
	"strings"
	"testing"
	"time"
)

// uploadSeed builds an image upload body: meta, then the file.
func uploadSeed(f *testing.F, meta string, file []byte) (string, []byte) {
	f.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.SetBoundary("sandbox-fuzz-boundary")
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="meta"`)
	h.Set("Content-Type", "application/json")
	p, _ := w.CreatePart(h)
	_, _ = p.Write([]byte(meta))
	h = textproto.MIMEHeader{}
	h.Set("Content-Disposition", multipart.FileContentDisposition("file", "a.png"))
	h.Set("Content-Type", "image/png")
	p, _ = w.CreatePart(h)
	_, _ = p.Write(file)
	_ = w.Close()
	return w.FormDataContentType(), b.Bytes()
}

// FuzzImageUpload checks the sandbox's reading of an image upload's
// multipart body (parseImageUpload, and signedPartOf, which finds the
// signed meta part): never a panic; a refusal is a 400 INVALID_REQUEST or
// PARAM_ERROR with a message; an accepted upload holds a non-empty JPEG,
// BMP or PNG of at most 2M whose SHA-256 is the meta's sha256, a file name
// ending in .jpg, .bmp or .png, and its signed meta part is bytes of the
// body that decode to that name. Seeds are in
// testdata/fuzz/FuzzImageUpload.
func FuzzImageUpload(f *testing.F) {
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 1, 1))); err != nil {
		f.Fatal(err)
	}
	sum := sha256.Sum256(img.Bytes())
	meta := `{"filename":"a.png","sha256":"` + hex.EncodeToString(sum[:]) + `"}`
	for _, seed := range []struct {
		meta string
		file []byte
	}{
		{meta, img.Bytes()},
		{`{"filename":"a.png","sha256":"00"}`, img.Bytes()},
		{meta, []byte("GIF89a")},
		{`{"filename":"a.gif"}`, nil},
	} {
		ct, body := uploadSeed(f, seed.meta, seed.file)
		f.Add(ct, body)
	}
	f.Add("multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"meta\"\r\n\r\n{}\r\n--x--\r\n"))
	f.Add("text/plain", []byte("hello"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		u, e := parseImageUpload(contentType, body)
		if e != nil {
			if u != nil || e.Status != http.StatusBadRequest || (e.Code != "INVALID_REQUEST" && e.Code != "PARAM_ERROR") || e.Message == "" {
				t.Fatalf("refusal: upload %v, answer %d %s %q", u, e.Status, e.Code, e.Message)
			}
			return
		}
		sum := sha256.Sum256(u.file)
		kind, _, _ := strings.Cut(http.DetectContentType(u.file), ";")
		switch {
		case len(u.file) == 0 || len(u.file) > maxImageBytes:
			t.Fatalf("accepted a file of %d bytes", len(u.file))
		case u.sha256 != hex.EncodeToString(sum[:]):
			t.Fatalf("accepted sha256 %s for a file whose SHA-256 is %x", u.sha256, sum)
		case !slices.Contains(imageTypes, kind):
			t.Fatalf("accepted a file of type %s", kind)
		case !slices.Contains(imageSuffixes, strings.ToLower(path.Ext(u.fileName))):
			t.Fatalf("accepted the file name %q", u.fileName)
		case !bytes.Contains(body, u.file):
			t.Fatal("the file is not bytes of the body")
		}
		signed, e := signedPartOf(contentType, body, "meta")
		if e != nil {
			t.Fatalf("accepted upload, but its signed part: %v", e)
		}
		var m struct {
			FileName string `json:"filename"`
		}
		if !bytes.Contains(body, signed) || json.Unmarshal(signed, &m) != nil || m.FileName != u.fileName {
			t.Fatalf("signed part %q does not hold the file name %q", signed, u.fileName)
		}
	})
}

// FuzzBillQuery checks the sandbox's reading of a bill application's query
// (parseBillQuery) and of download_url tokens (decodeBillToken): never a
// panic; a refusal is a 400 PARAM_ERROR or STATEMENT_CREATING naming a
// query parameter; an accepted query names a real date of the last three
// months whose bill is ready, and a type of the bill's list; its token
// decodes back to the same query until it expires and not after, and no
// change of one byte of the token is accepted. Seeds are in
// testdata/fuzz/FuzzBillQuery.
func FuzzBillQuery(f *testing.F) {
	f.Add("bill_date=2030-01-01", false, int64(0))
	f.Add("bill_date=2030-01-01&bill_type=REFUND&tar_type=GZIP", false, int64(3600))
	f.Add("bill_date=2029-12-31&account_type=FEES", true, int64(-86400))
	f.Add("bill_date=2030-01-02", false, int64(0))
	f.Add("bill_date=2030-02-30&bill_date=2030-01-01", true, int64(0))
	f.Add("bill_date=%zz", false, int64(0))
	key := bytes.Repeat([]byte{7}, 32)
	base := time.Date(2030, 1, 2, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, rawQuery string, fundFlow bool, offset int64) {
		bill := tradeBill
		typeParam, types := "bill_type", tradeBillTypes
		if fundFlow {
			bill, typeParam, types = fundFlowBill, "account_type", fundAccountTypes
		}
		now := base.Add(time.Duration(offset%(400*86400)) * time.Second)
		q, _ := url.ParseQuery(rawQuery) // what net/http gives a handler, errors and all
		query, gz, e := parseBillQuery(bill, q, now)
		if e != nil {
			if e.Status != http.StatusBadRequest || (e.Code != "PARAM_ERROR" && e.Code != "STATEMENT_CREATING") ||
				e.Detail == nil || !slices.Contains([]string{"bill_date", typeParam, "tar_type"}, e.Detail.Field) {
				t.Fatalf("refusal of %q: %d %s %+v", rawQuery, e.Status, e.Code, e.Detail)
			}
			return
		}
		day, err := time.ParseInLocation(time.DateOnly, query.Date, chinaTime)
		local := now.In(chinaTime)
		switch {
		case err != nil || query.Bill != bill || !slices.Contains(types, query.Type):
			t.Fatalf("accepted %q as %+v", rawQuery, query)
		case local.Before(day.AddDate(0, 0, 1).Add(9 * time.Hour)):
			t.Fatalf("accepted %q at %v, before its bill is ready", rawQuery, local)
		case day.Before(local.AddDate(0, -billMonths, -1)):
			t.Fatalf("accepted %q at %v, more than three months back", rawQuery, local)
		case gz != (q.Get("tar_type") == "GZIP"):
			t.Fatalf("accepted %q with gzip %v", rawQuery, gz)
		}
		exp := now.Add(billURLLifetime).Unix()
		token := encodeBillToken(key, billToken{Query: query, Gzip: gz, Expires: exp})
		got, e := decodeBillToken(key, token, exp)
		if e != nil || got.Query != query || got.Gzip != gz {
			t.Fatalf("token of %+v decodes to %+v, %v", query, got, e)
		}
		if _, e := decodeBillToken(key, token, exp+1); e == nil {
			t.Fatal("an expired token is accepted")
		}
		i := int(uint64(offset) % uint64(len(token)))
		for _, c := range []byte{'A', '_', '.', 'z'} {
			if c == token[i] {
				continue
			}
			changed := token[:i] + string(c) + token[i+1:]
			if _, e := decodeBillToken(key, changed, exp); e == nil {
				t.Fatalf("token with byte %d changed to %q is accepted", i, c)
			}
		}
	})
}
