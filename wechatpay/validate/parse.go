package validate

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
)

// The Call function of a generated wechatpay.Operation reads its parameters
// from text and its body from JSON with these; each failure is a
// *wechatpay.ValidationError with rule "type" (a parameter) or "json" (the
// body), so nothing is sent.

// NotFromText is the error of the Call of an operation whose request text
// parameters and a JSON body cannot hold: a file to upload (field "file"),
// or a bill to download and check ("download_url"). Its typed method takes
// an io.Reader, or a wechatpay.BillDownload and an io.Writer.
func NotFromText(field string) error {
	return &wechatpay.ValidationError{Field: field, Rule: "call", Message: "cannot be given as text: call the operation's typed method"}
}

// DecodeBody decodes body, the JSON body given to an operation, into req,
// refusing fields req does not have and anything after the first JSON value
// (as wechatpay.LoadConfig does), so that nothing but what was decoded is
// sent.
func DecodeBody(body []byte, req any) error {
	switch err := UnmarshalStrict(body, req); {
	case errors.Is(err, errTrailingData):
		return &wechatpay.ValidationError{Field: "body", Rule: "json", Message: "has data after the JSON value"}
	case err != nil:
		return &wechatpay.ValidationError{Field: "body", Rule: "json", Message: "does not decode: " + err.Error()}
	}
	return nil
}

// Present checks that body, the JSON body given to an operation's Call
// (DecodeBody decoded it), holds each member paths name with a value other
// than null: the required numbers, booleans and objects, which decoding
// leaves at 0, false or an empty struct when they are missing, so that
// Validate cannot see they are. A path is member names joined with dots,
// "[]" after one that is an array of objects ("goods_detail[].quantity");
// a member inside one that is absent is not looked for (the outer one's
// own path reports it when it is required). Each missing member is a
// *wechatpay.ValidationError with rule "required", named as Validate names
// fields ("amount.total", "goods_detail[1].quantity"), all joined.
func Present(body []byte, paths ...string) error {
	var errs Errors
	for _, p := range paths {
		present(body, "", strings.Split(p, "."), &errs)
	}
	return errs.Err()
}

// present checks the member path names below field in data.
func present(data []byte, field string, path []string, errs *Errors) {
	obj, err := Object(data, field)
	if err != nil {
		return // not an object: DecodeBody refused the type already
	}
	name, array := strings.CutSuffix(path[0], "[]")
	value, ok := Member(obj, name)
	at := Path(field, name)
	switch {
	case len(path) == 1:
		if !ok {
			errs.Add(at, "required", "is required")
		}
	case !ok:
	case array:
		elems, err := Elements(value, at)
		if err != nil {
			return
		}
		for i, e := range elems {
			present(e, Index(at, i), path[1:], errs)
		}
	default:
		present(value, at, path[1:], errs)
	}
}

// UnmarshalStrict decodes data, one JSON value, into v as json.Unmarshal
// does but refuses a member v has no field for: the UnmarshalJSON method of
// a type only requests carry, such as a union's variant, calls it, because
// the json.Decoder of DecodeBody does not carry its DisallowUnknownFields
// into a type's own UnmarshalJSON.
func UnmarshalStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errTrailingData
	}
	return nil
}

// errTrailingData is UnmarshalStrict's error for data after the JSON value.
var errTrailingData = errors.New("data after the JSON value")

// EmptyParam is the error of the Call of an operation given an optional
// text parameter with an empty value: its request field's empty value
// means "not sent", so the parameter would silently be left out. Rule
// "empty".
func EmptyParam(field string) error {
	return &wechatpay.ValidationError{Field: field, Rule: "empty", Message: "is given empty: leave it out to send none"}
}

// NoBody refuses a body given to an operation that sends none.
func NoBody(body []byte) error {
	if len(body) > 0 {
		return &wechatpay.ValidationError{Field: "body", Rule: "json", Message: "must be empty: the operation sends no body"}
	}
	return nil
}

// ParseInt reads the text value of an integer parameter that fits in bits
// (32 or 64) bits. A value beyond them is "out of range", not "not an
// integer".
func ParseInt(field, text string, bits int) (int64, error) {
	n, err := strconv.ParseInt(text, 10, bits)
	switch {
	case errors.Is(err, strconv.ErrRange) && n > 0:
		return 0, &wechatpay.ValidationError{Field: field, Rule: "type",
			Message: fmt.Sprintf("is out of range: a %d-bit integer is at most %d", bits, n)}
	case errors.Is(err, strconv.ErrRange):
		return 0, &wechatpay.ValidationError{Field: field, Rule: "type",
			Message: fmt.Sprintf("is out of range: a %d-bit integer is at least %d", bits, n)}
	case err != nil:
		msg := "must be an integer"
		if bits == 32 {
			msg = "must be a 32-bit integer"
		}
		return 0, &wechatpay.ValidationError{Field: field, Rule: "type", Message: msg}
	}
	return n, nil
}

// ParseUint reads the text value of an unsigned integer parameter that
// fits in bits (32 or 64) bits.
func ParseUint(field, text string, bits int) (uint64, error) {
	n, err := strconv.ParseUint(text, 10, bits)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return 0, &wechatpay.ValidationError{Field: field, Rule: "type",
			Message: fmt.Sprintf("is out of range: an unsigned %d-bit integer is at most %d", bits, n)}
	case err != nil:
		return 0, &wechatpay.ValidationError{Field: field, Rule: "type", Message: "must be an unsigned integer"}
	}
	return n, nil
}

// ParseBase64 reads the text value of a parameter of format byte: standard
// Base64.
func ParseBase64(field, text string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return nil, &wechatpay.ValidationError{Field: field, Rule: "type", Message: "must be standard Base64"}
	}
	return b, nil
}

// ParseFloat reads the text value of a number parameter.
func ParseFloat(field, text string) (float64, error) {
	x, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return 0, &wechatpay.ValidationError{Field: field, Rule: "type", Message: "must be a number"}
	}
	return x, nil
}

// ParseBool reads the text value of a boolean parameter.
func ParseBool(field, text string) (bool, error) {
	b, err := strconv.ParseBool(text)
	if err != nil {
		return false, &wechatpay.ValidationError{Field: field, Rule: "type", Message: "must be true or false"}
	}
	return b, nil
}

// ParseTime reads the text value of a date-time parameter, in RFC 3339
// format.
func ParseTime(field, text string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, text)
	if err != nil {
		return time.Time{}, &wechatpay.ValidationError{Field: field, Rule: "type", Message: "must be a date-time in RFC 3339 format"}
	}
	return t, nil
}
