// Package jsonerr rewrites the errors of decoding a JSON document so that
// they hold no value of the document: package wechatpay promises that of
// every *DecodeError, whose document is a verified answer or a decrypted
// notification (amounts, names, account numbers).
//
// encoding/json is not so careful: a number that overflows its field is
// quoted in full ("json: cannot unmarshal number 123456789012345678901 into
// Go struct field .amount of type int64"), a syntax error quotes the
// character it stopped at, and the error of an UnmarshalJSON method, such
// as time.Time's, quotes what it read.
package jsonerr

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Redact returns err, an error of decoding a JSON document, rebuilt without
// a value of the document:
//
//   - a *json.UnmarshalTypeError keeps its Field, Struct and Type (names from
//     the program) and, of its Value, only the kind of JSON value ("number",
//     not "number 123456789012345678901"); it is still a
//     *json.UnmarshalTypeError for errors.As;
//   - a *json.SyntaxError becomes an error naming its Offset alone;
//   - a *json.InvalidUnmarshalError names a Go type only and stays;
//   - an error keep accepts stays (the caller's own errors that never hold a
//     value, keep may be nil);
//   - any other error, such as that of an UnmarshalJSON method, is replaced by
//     one naming its type only.
//
// A nil err is nil.
func Redact(err error, keep func(error) bool) error {
	if err == nil {
		return nil
	}
	if keep != nil && keep(err) {
		return err
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		kind, _, _ := strings.Cut(typeErr.Value, " ")
		return &json.UnmarshalTypeError{Value: kind, Type: typeErr.Type, Offset: typeErr.Offset, Struct: typeErr.Struct, Field: typeErr.Field}
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return fmt.Errorf("json: invalid JSON at offset %d", syntaxErr.Offset)
	}
	if invalid, ok := err.(*json.InvalidUnmarshalError); ok {
		return invalid
	}
	return fmt.Errorf("json: a value does not decode (%T; its message is left out, as it may quote the value)", err)
}
