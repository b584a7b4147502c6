package wechatpaytest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The image upload (图片上传, POST /v3/merchant/media/upload), from the
// official page https://pay.weixin.qq.com/docs/partner/apis/contracted-merchant-application/upload.html:
// a part "meta", the JSON {"filename","sha256"}, and a part "file", the
// image; "媒体图片只支持JPG、BMP、PNG格式，文件大小不能超过2M"; the file name
// "必须以JPG、BMP、PNG为后缀"; sha256 is the SHA-256 of the file's bytes; the
// signature covers the meta JSON. The answer is {"media_id": string(512)}.
// filename is string(128) on the sibling page
// https://pay.weixin.qq.com/docs/partner/apis/consumer-complaint/images/create-images.html.
//
// The pages give no error codes. The messages below are those WeChat Pay
// answered, with 400 PARAM_ERROR, as merchants quote them on WeChat's
// developer community (https://developers.weixin.qq.com/community/pay);
// which check answers which, and the detail objects, are the sandbox's
// choice.
const (
	maxImageBytes    = 2 << 20 // "2M": the larger reading, as the runtime's MaxImageBytes
	maxImageFileName = 128
	msgBadSHA256     = "图片sha256值有误,请检查后重新提交"
	msgNotImage      = "文件二进制内容不是图片,请检查后重新提交"
)

// imageSuffixes and imageTypes are the official formats: the file name's
// suffixes (any case) and the types http.DetectContentType gives them.
var (
	imageSuffixes = []string{".jpg", ".bmp", ".png"}
	imageTypes    = []string{"image/jpeg", "image/bmp", "image/png"}
)

// imageUpload is a checked image upload.
type imageUpload struct {
	fileName string
	sha256   string // lower-case hex
	file     []byte
}

// mediaID returns the media_id the sandbox answers for an image: a sandbox
// value derived from its SHA-256, so that the same image gets the same ID
// (official IDs are opaque strings of up to 512 characters).
func (u *imageUpload) mediaID() string { return "sandbox-media-" + u.sha256 }

// parseImageUpload checks an image upload's multipart body: exactly the
// parts meta and file, once each; meta a JSON object with exactly the
// strings filename (at most 128 characters, ending in .jpg, .bmp or .png in
// any case) and sha256 (64 hexadecimal digits, any case, equal to the
// SHA-256 of the file); the file a JPEG, BMP or PNG image (by its content)
// of at most 2M.
func parseImageUpload(contentType string, body []byte) (*imageUpload, *Error) {
	parts, e := parseForm(contentType, body)
	if e != nil {
		return nil, e
	}
	for _, p := range parts {
		if p.name != "meta" && p.name != "file" {
			return nil, bodyParamError("参数错误", "/"+p.name, "the upload takes the parts meta and file only")
		}
	}
	metaPart, e := onlyPart(parts, "meta")
	if e != nil {
		return nil, e
	}
	filePart, e := onlyPart(parts, "file")
	if e != nil {
		return nil, e
	}
	var meta struct {
		FileName *string `json:"filename"`
		SHA256   *string `json:"sha256"`
	}
	dec := json.NewDecoder(bytes.NewReader(metaPart.data))
	dec.DisallowUnknownFields()
	// One JSON object and nothing after it: a second Decode must meet the
	// end (dec.More alone lets a stray "}" or "]" through).
	if err := dec.Decode(&meta); err != nil || dec.Decode(&struct{}{}) != io.EOF || !bytes.HasPrefix(bytes.TrimSpace(metaPart.data), []byte("{")) {
		return nil, bodyParamError("参数错误", "/meta", `meta must be the JSON object {"filename","sha256"} and nothing else`)
	}
	switch name := meta.FileName; {
	case name == nil || *name == "":
		return nil, bodyParamError("参数错误", "/meta/filename", "filename is required")
	case utf8.RuneCountInString(*name) > maxImageFileName:
		return nil, bodyParamError("参数错误", "/meta/filename", "filename has more than "+strconv.Itoa(maxImageFileName)+" characters")
	case !slices.Contains(imageSuffixes, strings.ToLower(path.Ext(*name))):
		return nil, bodyParamError("参数错误", "/meta/filename", "filename must end in JPG, BMP or PNG")
	}
	if meta.SHA256 == nil || *meta.SHA256 == "" {
		return nil, bodyParamError("参数错误", "/meta/sha256", "sha256 is required")
	}
	file := filePart.data
	switch {
	case len(file) > maxImageBytes:
		return nil, bodyParamError("参数错误", "/file", "the image has "+strconv.Itoa(len(file))+" bytes, at most "+strconv.Itoa(maxImageBytes)+" (2M)")
	case len(file) == 0:
		return nil, bodyParamError(msgNotImage, "/file", "the file part is empty")
	}
	sum := sha256.Sum256(file)
	got := hex.EncodeToString(sum[:])
	if !strings.EqualFold(*meta.SHA256, got) {
		return nil, bodyParamError(msgBadSHA256, "/meta/sha256", "sha256 is not the SHA-256 of the file part")
	}
	if kind, _, _ := strings.Cut(http.DetectContentType(file), ";"); !slices.Contains(imageTypes, kind) {
		return nil, bodyParamError(msgNotImage, "/file", "the file is "+kind+", not a JPG, BMP or PNG image")
	}
	return &imageUpload{fileName: *meta.FileName, sha256: got, file: file}, nil
}

// uploadImage answers the image upload.
func (s *Server) uploadImage(c *Call) (*Response, error) {
	u, e := parseImageUpload(c.Request.Header.Get("Content-Type"), c.Body)
	if e != nil {
		return nil, e
	}
	return JSON(map[string]string{"media_id": u.mediaID()})
}
