package wechatpay

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Uploads (图片上传 and the other multipart endpoints). From the official
// image upload page (https://pay.weixin.qq.com/doc/v3/partner/4012760509,
// also https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter2_1_1.shtml):
//
//   - POST /v3/merchant/media/upload, Content-Type multipart/form-data, with a
//     part "meta", the JSON {"filename":…,"sha256":…} (filename string(128),
//     sha256 the lower-case hex SHA-256 of the file), and a part "file", the
//     image's bytes;
//   - the signature's BODY is the meta JSON, not the multipart body;
//   - "媒体图片只支持JPG、BMP、PNG格式，文件大小不能超过2M", and the file name
//     "必须以JPG、BMP、PNG为后缀"; the page does not say whether 2M is 2×10⁶
//     or 2×2²⁰ bytes: MaxImageBytes takes the larger;
//   - the answer is {"media_id": …}, signed like any other.

// ImageUploadPath is the path of the image upload.
const ImageUploadPath = "/v3/merchant/media/upload"

// MaxImageBytes is the largest image UploadImage sends: 2 MiB.
const MaxImageBytes = 2 << 20

// maxImageFileName is the image page's filename string(128).
const maxImageFileName = 128

// The image upload's file name suffixes and content types (as
// http.DetectContentType names them). The page asks for one of each; it does
// not ask the two to agree.
var (
	imageSuffixes = []string{".jpg", ".bmp", ".png"}
	imageTypes    = []string{"image/jpeg", "image/bmp", "image/png"}
)

// Upload is one multipart/form-data call: a JSON "meta" part, which the
// signature covers, and one "file" part. Generated multipart operations fill
// it; UploadImage is the image upload.
type Upload struct {
	Operation    string // operationId, for logs and errors
	PathTemplate string // the spec's path template (logs and errors)
	Path         string // the escaped path sent, starting with "/"

	// FileName names the file in meta and in the file part. Required, a
	// base name without control characters, quotes, slashes or
	// backslashes (it is quoted in a header, and a multipart parser keeps
	// only what follows a slash); an endpoint's own length limit is its
	// generated code's to check (UploadImage checks the image page's 128).
	FileName string
	// File is read once, up to MaxBytes + 1 bytes, before anything is sent.
	File io.Reader
	// Meta is the meta JSON object. Nil sends {"filename": FileName,
	// "sha256": hex SHA-256 of the file}, what the upload endpoints take.
	Meta any
	// MaxBytes caps the file's size. Required.
	MaxBytes int64
	// Types, when set, lists the content types the file may have, as
	// http.DetectContentType tells them from its first bytes; the file part
	// is sent with that type. Empty sends application/octet-stream and
	// checks nothing.
	Types []string
}

// Upload checks u, reads the file, and sends it as multipart/form-data,
// signed over the meta JSON; the answer is verified like any other. A bad
// file name, an empty or oversized file, a file of another type, or a Meta
// that is not a JSON object is a *ValidationError (Field "filename", "file"
// or "meta") and nothing is sent. Otherwise the errors are those of Do.
func (c *Client) Upload(ctx context.Context, u *Upload) (*Response, error) {
	r, err := buildUpload(u)
	if err != nil {
		return nil, err
	}
	return c.Do(ctx, r)
}

// buildUpload checks u and returns the request: Body the multipart body,
// signBody the meta JSON.
func buildUpload(u *Upload) (*Request, error) {
	if u == nil {
		return nil, &ValidationError{Field: "upload", Rule: "required", Message: "is nil"}
	}
	if err := checkFileName(u.FileName, 0); err != nil {
		return nil, err
	}
	if u.MaxBytes <= 0 {
		return nil, &ValidationError{Field: "file", Rule: "maxBytes", Message: "has no size limit (Upload.MaxBytes)"}
	}
	if u.File == nil {
		return nil, &ValidationError{Field: "file", Rule: "required", Message: "is missing"}
	}
	data, over, err := readLimited(u.File, u.MaxBytes)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: %s: read file: %w", u.Operation, err)
	}
	switch {
	case over:
		return nil, &ValidationError{Field: "file", Rule: "maxBytes", Message: "has more than " + strconv.FormatInt(u.MaxBytes, 10) + " bytes"}
	case len(data) == 0:
		return nil, &ValidationError{Field: "file", Rule: "required", Message: "is empty"}
	}
	fileType := "application/octet-stream"
	if len(u.Types) > 0 {
		fileType, _, _ = strings.Cut(http.DetectContentType(data), ";")
		if !slices.Contains(u.Types, fileType) {
			return nil, &ValidationError{Field: "file", Rule: "fileType", Message: "is " + fileType + ", want one of " + strings.Join(u.Types, ", ")}
		}
	}
	meta := u.Meta
	if meta == nil {
		sum := sha256.Sum256(data)
		meta = struct {
			FileName string `json:"filename"`
			SHA256   string `json:"sha256"`
		}{u.FileName, hex.EncodeToString(sum[:])}
	}
	metaJSON, err := json.Marshal(meta)
	if err != nil || len(metaJSON) == 0 || metaJSON[0] != '{' {
		return nil, &ValidationError{Field: "meta", Rule: "json", Message: "is not a JSON object"}
	}
	body, contentType, err := multipartBody(metaJSON, u.FileName, fileType, data)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: %s: build multipart body: %w", u.Operation, err)
	}
	return &Request{Operation: u.Operation, Method: http.MethodPost, PathTemplate: u.PathTemplate, Path: u.Path,
		Body: body, signBody: metaJSON, contentType: contentType}, nil
}

// checkFileName keeps the name safe in a quoted header parameter and, with
// maxChars above 0, applies a page's string(maxChars). A name is a file's
// base name: a slash would be read as a path by the server's multipart
// parser (Go's Part.FileName keeps what follows the last one), so the name
// it read would not be the one sent in meta and signed.
func checkFileName(name string, maxChars int) error {
	bad := func(rule, msg string) error { return &ValidationError{Field: "filename", Rule: rule, Message: msg} }
	switch n := utf8.RuneCountInString(name); {
	case name == "":
		return bad("required", "is empty")
	case !utf8.ValidString(name):
		return bad("utf8", "is not valid UTF-8")
	case maxChars > 0 && n > maxChars:
		return bad("maxLength", "has "+strconv.Itoa(n)+" characters, at most "+strconv.Itoa(maxChars)+" are allowed")
	case strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || r == '"' || r == '\\' || r == '/' }):
		return bad("pattern", "must not contain control characters, quotes, slashes or backslashes")
	}
	return nil
}

// multipartBody writes the meta part and the file part.
func multipartBody(meta []byte, fileName, fileType string, data []byte) ([]byte, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="meta"`)
	h.Set("Content-Type", "application/json")
	part, err := w.CreatePart(h)
	if err == nil {
		_, err = part.Write(meta)
	}
	if err == nil {
		h = textproto.MIMEHeader{}
		h.Set("Content-Disposition", multipart.FileContentDisposition("file", fileName))
		h.Set("Content-Type", fileType)
		part, err = w.CreatePart(h)
	}
	if err == nil {
		_, err = part.Write(data)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

// UploadImage uploads an image (POST /v3/merchant/media/upload) and returns
// its media_id. The official limits are checked first, each a
// *ValidationError: the name must end in .jpg, .bmp or .png (any case), the
// content must be a JPEG, BMP or PNG image, and at most MaxImageBytes long.
// An answer without media_id is a *DecodeError.
func (c *Client) UploadImage(ctx context.Context, fileName string, image io.Reader) (string, error) {
	const op = "uploadImage"
	if err := checkFileName(fileName, maxImageFileName); err != nil {
		return "", err
	}
	if !slices.Contains(imageSuffixes, strings.ToLower(path.Ext(fileName))) {
		return "", &ValidationError{Field: "filename", Rule: "pattern", Message: "must end in .jpg, .bmp or .png"}
	}
	resp, err := c.Upload(ctx, &Upload{Operation: op, PathTemplate: ImageUploadPath, Path: ImageUploadPath,
		FileName: fileName, File: image, MaxBytes: MaxImageBytes, Types: imageTypes})
	if err != nil {
		return "", err
	}
	var answer struct {
		MediaID string `json:"media_id"`
	}
	if err := json.Unmarshal(resp.Body, &answer); err != nil {
		return "", &DecodeError{Operation: op, RequestID: resp.RequestID, Err: decodeCause(err)}
	}
	if answer.MediaID == "" {
		return "", &DecodeError{Operation: op, RequestID: resp.RequestID, Err: fmt.Errorf("answer has no media_id")}
	}
	return answer.MediaID, nil
}
