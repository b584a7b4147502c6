package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"slices"

	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/internal/jsonerr"
)

// Answer is a verified answer to one operation, which a generated method
// decodes and checks before it returns it:
//
//	answer := validate.Answer{Operation: "terminateByCode", Response: resp}
//	var out TerminateByCodeResponse
//	if err := answer.Decode(&out, out.checkAnswer); err != nil {
//		return nil, err
//	}
//	if err := answer.Echo(validate.Same("service_id", out.ServiceID, req.ServiceID)); err != nil {
//		return nil, err
//	}
//
// Every error is a *wechatpay.DecodeError naming the operation, the
// Request-ID and the field, never a value of the answer. Fields the spec does
// not know, and values of an enum it does not list, are accepted.
type Answer struct {
	Operation string
	Response  *wechatpay.Response
}

// fail is the DecodeError of the answer about field.
func (a Answer) fail(field string, err error) *wechatpay.DecodeError {
	return &wechatpay.DecodeError{Operation: a.Operation, RequestID: a.Response.RequestID, Field: field, Err: err}
}

// Decode decodes the body into out, then checks with check, when not nil,
// that it holds every field the spec requires (see Object); without check,
// that it is a JSON object.
func (a Answer) Decode(out any, check func(data []byte, field string) error) error {
	if field, err := decodeChecked(a.Response.Body, out, check); err != nil {
		return a.fail(field, err)
	}
	return nil
}

// decodeChecked decodes data into out, then checks it with check (without
// one, that data is a JSON object): the decoding of an answer and of a
// notification's plaintext alike. It returns the field an error is about
// ("" for the whole) and the error's cause, for the caller to wrap with what
// it knows (operation, Request-ID, notification ID).
func decodeChecked(data []byte, out any, check func(data []byte, field string) error) (string, error) {
	if err := json.Unmarshal(data, out); err != nil {
		return "", redact(err)
	}
	if check == nil {
		check = func(data []byte, field string) error {
			_, err := Object(data, field)
			return err
		}
	}
	if err := check(data, ""); err != nil {
		var de *wechatpay.DecodeError
		if errors.As(err, &de) {
			return de.Field, de.Err
		}
		return "", err
	}
	return "", nil
}

// Err returns err, a failure of a later check of the answer (a sensitive
// field that does not decrypt, say), as the answer's *wechatpay.DecodeError
// naming the field err names; nil stays nil.
func (a Answer) Err(err error) error {
	if err == nil {
		return nil
	}
	var de *wechatpay.DecodeError
	if errors.As(err, &de) {
		return a.fail(de.Field, de.Err)
	}
	return a.fail("", err)
}

// Echoed is the outcome of comparing a field of an answer with what the
// request sent; see Same.
type Echoed struct {
	field string
	ok    bool
}

// Same compares a field the answer echoes with what was sent.
func Same[T comparable](field string, got, sent T) Echoed {
	return Echoed{field, got == sent}
}

// SameIfSent is Same for a field the request may leave out: when it was not
// sent (its zero value), any answer is accepted.
func SameIfSent[T comparable](field string, got, sent T) Echoed {
	var zero T
	return Echoed{field, sent == zero || got == sent}
}

// Echo returns an error naming the first field that differs from what was
// sent (wechatpay.ErrNotEchoed), or nil.
func (a Answer) Echo(fields ...Echoed) error {
	for _, f := range fields {
		if !f.ok {
			return a.fail(f.field, wechatpay.ErrNotEchoed)
		}
	}
	return nil
}

// redact is the cause of a DecodeError for err, an error of encoding/json
// decoding an answer or a plaintext: err rebuilt without the values it may
// quote (see jsonerr.Redact), a *wechatpay.DecodeError (a generated
// UnmarshalJSON method's) as it is.
func redact(err error) error {
	return jsonerr.Redact(err, func(err error) bool {
		_, ok := err.(*wechatpay.DecodeError)
		return ok
	})
}

// Path names the property name of the object at field ("" for the body
// itself): "contract_terminate_info.contract_termination_mode".
func Path(field, name string) string {
	if field == "" {
		return name
	}
	return field + "." + name
}

// Elements reads data, a JSON array, as its elements, for the checks of the
// objects it holds.
func Elements(data []byte, field string) ([]json.RawMessage, error) {
	var elems []json.RawMessage
	if err := json.Unmarshal(data, &elems); err != nil {
		return nil, &wechatpay.DecodeError{Field: field, Err: redact(err)}
	}
	return elems, nil
}

// Elems returns the check of an answer that is a JSON array of objects,
// decoded into out: check, a method expression such as
// (*Receiver).checkAnswer, checks each element against the JSON it was
// decoded from, named field[i].
func Elems[T any](out *[]T, check func(*T, []byte, string) error) func([]byte, string) error {
	each := Each(check)
	return func(data []byte, field string) error { return each(out, data, field) }
}

// Each returns the check of a JSON array decoded into a slice: check, a
// method expression such as (*Receiver).checkAnswer or another Each or
// Values, checks each element against the JSON it was decoded from, named
// field[i] (see Index).
func Each[T any](check func(*T, []byte, string) error) func(*[]T, []byte, string) error {
	return func(out *[]T, data []byte, field string) error {
		elems, err := Elements(data, field)
		if err != nil {
			return err
		}
		if len(elems) != len(*out) {
			return &wechatpay.DecodeError{Field: field, Err: errors.New("the array changed between two reads")}
		}
		for i := range *out {
			if err := check(&(*out)[i], elems[i], Index(field, i)); err != nil {
				return err
			}
		}
		return nil
	}
}

// Values returns the check of a JSON object decoded into a map
// (additionalProperties): check, a method expression such as
// (*Receiver).checkAnswer or another Values or Each, checks the value of
// each key, in key order, against the JSON it was decoded from, named
// field.key (see Path). A null value is not checked, as Member does not
// give one. Keys are matched exactly, as encoding/json decodes a map's
// (not without regard to case, as Member matches a struct's fields), the
// last of several equal keys winning.
func Values[T any](check func(*T, []byte, string) error) func(*map[string]T, []byte, string) error {
	return func(out *map[string]T, data []byte, field string) error {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(data, &raw); err != nil {
			return &wechatpay.DecodeError{Field: field, Err: redact(err)}
		}
		if len(raw) != len(*out) {
			return &wechatpay.DecodeError{Field: field, Err: errors.New("the object changed between two reads")}
		}
		for _, k := range slices.Sorted(maps.Keys(*out)) {
			v, ok := raw[k]
			if !ok {
				return &wechatpay.DecodeError{Field: field, Err: errors.New("the object changed between two reads")}
			}
			if isNull(v) {
				continue
			}
			value := (*out)[k]
			if err := check(&value, v, Path(field, k)); err != nil {
				return err
			}
		}
		return nil
	}
}

// AnyJSON is the check of an answer that need not be an object (an array,
// a string, any JSON): Decode has decoded it, which is all there is to
// check.
func AnyJSON([]byte, string) error { return nil }

func isNull(v json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(v), []byte("null"))
}
