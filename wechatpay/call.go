package wechatpay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"
)

// Call is the escape hatch for endpoints no generated package covers yet. It
// fills each {name} of pathTemplate with url.PathEscape(pathValues[name]),
// sends body as JSON (a []byte or json.RawMessage as is; nil for none) with
// query encoded once, and decodes the verified answer into result (a non-nil
// pointer; nil ignores the body, *[]byte takes it as is, and an empty body
// leaves result untouched).
//
// A nil ctx is a *ValidationError (Field "ctx", Rule "required"). A template
// that does not start with "/", a placeholder without a value, an empty
// value, a value "." or "..", a value that is not valid UTF-8, a pathValues
// key the template does not use, an unbalanced brace, a body that does not
// encode, or a result that is neither nil nor a non-nil pointer is a
// *ValidationError (Rule "path", "json" or "pointer", joined). Either way
// nothing is sent, and nothing repeated: a POST is never sent only to fail
// at decoding. Otherwise the errors are those of Do, plus *DecodeError for an
// answer that does not fit result; they name the operation as method + " " +
// pathTemplate.
func (c *Client) Call(ctx context.Context, method, pathTemplate string, pathValues map[string]string, query url.Values, body, result any) error {
	if err := checkContext(ctx); err != nil {
		return err
	}
	op := method + " " + pathTemplate
	var templateErr error
	if !strings.HasPrefix(pathTemplate, "/") {
		templateErr = &ValidationError{Field: "pathTemplate", Rule: "path", Message: "must start with /"}
	}
	path, pathErr := fillPath(pathTemplate, pathValues)
	var raw []byte
	var bodyErr error
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	case json.RawMessage:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(body); err != nil {
			bodyErr = &ValidationError{Field: "body", Rule: "json", Message: "does not encode: " + err.Error()}
		}
	}
	if err := joinFlat(templateErr, pathErr, bodyErr, checkResult(result)); err != nil {
		return err
	}
	resp, err := c.Do(ctx, &Request{Operation: op, Method: method, PathTemplate: pathTemplate, Path: path, Query: query, Body: raw})
	if err != nil {
		return err
	}
	if result == nil || len(resp.Body) == 0 {
		return nil
	}
	if p, ok := result.(*[]byte); ok {
		*p = resp.Body
		return nil
	}
	if err := json.Unmarshal(resp.Body, result); err != nil {
		return &DecodeError{Operation: op, RequestID: resp.RequestID, Err: decodeCause(err)}
	}
	return nil
}

// joinFlat is errors.Join that lifts the members of joined errors, so a
// caller ranging over Unwrap() []error meets each problem once, at one level.
func joinFlat(errs ...error) error {
	var flat []error
	for _, err := range errs {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			flat = append(flat, j.Unwrap()...)
		} else if err != nil {
			flat = append(flat, err)
		}
	}
	return errors.Join(flat...)
}

// checkResult accepts nil and any non-nil pointer: what json.Unmarshal can
// fill. Its error names the type, never a value.
func checkResult(result any) error {
	if result == nil {
		return nil
	}
	v := reflect.ValueOf(result)
	if v.Kind() != reflect.Pointer {
		return &ValidationError{Field: "result", Rule: "pointer", Message: fmt.Sprintf("is a %T, want nil or a non-nil pointer", result)}
	}
	if v.IsNil() {
		return &ValidationError{Field: "result", Rule: "pointer", Message: fmt.Sprintf("is a nil %T, want nil or a non-nil pointer", result)}
	}
	return nil
}

// fillPath replaces each {name} of tmpl with the escaped value of name. Its
// errors are *ValidationError values (Rule "path"), joined; they name
// placeholders, never quote values.
func fillPath(tmpl string, values map[string]string) (string, error) {
	var b strings.Builder
	var errs []error
	bad := func(field, msg string) {
		errs = append(errs, &ValidationError{Field: field, Rule: "path", Message: msg})
	}
	used := make(map[string]bool, len(values))
	for rest := tmpl; rest != ""; {
		i := strings.IndexAny(rest, "{}")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		end := strings.IndexAny(rest[i+1:], "{}")
		if rest[i] == '}' || end < 0 || rest[i+1+end] == '{' || end == 0 {
			return "", &ValidationError{Field: "pathTemplate", Rule: "path", Message: "has an unbalanced brace or an empty placeholder"}
		}
		name := rest[i+1 : i+1+end]
		rest = rest[i+2+end:]
		used[name] = true
		v, ok := values[name]
		switch {
		case !ok:
			bad(name, "has no value in pathValues")
		case v == "":
			bad(name, "is empty")
		case v == "." || v == "..":
			// A dot segment is collapsed on the way; the path signed would not be the path served.
			bad(name, "must not be . or ..")
		case !utf8.ValidString(v):
			bad(name, "is not valid UTF-8")
		default:
			b.WriteString(url.PathEscape(v))
		}
	}
	var unused []string
	for name := range values {
		if !used[name] {
			unused = append(unused, name)
		}
	}
	slices.Sort(unused)
	for _, name := range unused {
		bad(name, "is not a placeholder of the path template")
	}
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	return b.String(), nil
}
