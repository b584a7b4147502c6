package wechatpaytest

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
)

// maxParts bounds the parts the sandbox reads from a multipart body; WeChat
// Pay's uploads have two.
const maxParts = 8

// formPart is one part of a multipart/form-data body, its bytes as sent.
type formPart struct {
	name        string // the form name of Content-Disposition
	fileName    string // its filename parameter, if any
	contentType string // its Content-Type header, if any
	data        []byte
}

// invalidMultipart is the 400 INVALID_REQUEST answer for a body that is not
// the multipart/form-data an upload operation takes. The status and code are
// the sandbox's choice: the pages document none for a malformed body.
func invalidMultipart(message string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "INVALID_REQUEST", Message: message}
}

// parseForm splits a multipart/form-data body, whose Content-Type header is
// contentType, into its parts, reading each part's bytes exactly as sent (no
// transfer decoding, which WeChat Pay's signature rule does not mention). It
// refuses anything else: another media type, no boundary, a malformed body,
// no part, a part without a form name, or more than maxParts parts. (What
// follows the closing boundary, the epilogue, is ignored, as RFC 2046 says.)
func parseForm(contentType string, body []byte) ([]formPart, *Error) {
	mediaType, params, err := mime.ParseMediaType(contentType)
	switch {
	case err != nil || mediaType != "multipart/form-data":
		return nil, invalidMultipart("Content-Type must be multipart/form-data with a boundary")
	case params["boundary"] == "":
		return nil, invalidMultipart("Content-Type multipart/form-data has no boundary")
	}
	r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var parts []formPart
	for {
		p, err := r.NextRawPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, invalidMultipart("multipart body is malformed")
		}
		if len(parts) == maxParts {
			return nil, invalidMultipart("multipart body has more than " + strconv.Itoa(maxParts) + " parts")
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, invalidMultipart("multipart body is malformed")
		}
		if p.FormName() == "" {
			return nil, invalidMultipart("a part of the multipart body has no form-data name")
		}
		parts = append(parts, formPart{name: p.FormName(), fileName: p.FileName(), contentType: p.Header.Get("Content-Type"), data: data})
	}
	if len(parts) == 0 {
		return nil, invalidMultipart("multipart body has no part")
	}
	return parts, nil
}

// onlyPart returns the one part named name, or why there is not exactly one.
func onlyPart(parts []formPart, name string) (formPart, *Error) {
	var found []formPart
	for _, p := range parts {
		if p.name == name {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 0:
		return formPart{}, invalidMultipart("multipart body has no part " + strconv.Quote(name))
	case 1:
		return found[0], nil
	}
	return formPart{}, invalidMultipart("multipart body has more than one part " + strconv.Quote(name))
}

// signedPartOf returns the bytes of the part the request signature covers
// (x-wechatpay-signed-part), such as an upload's meta JSON, exactly as sent.
func signedPartOf(contentType string, body []byte, name string) ([]byte, *Error) {
	parts, e := parseForm(contentType, body)
	if e != nil {
		return nil, e
	}
	p, e := onlyPart(parts, name)
	if e != nil {
		return nil, e
	}
	return p.data, nil
}
