// Package validate holds the checks the Validate methods of generated
// packages make, so that each rule of the spec is one call in generated code
// and every package words its violations the same way. Each violation is a
// *wechatpay.ValidationError naming the spec's field, the rule and what is
// wrong; Errors joins them with errors.Join.
//
// A Validate method reads like the spec:
//
//	var errs validate.Errors
//	errs.String("out_contract_code", r.OutContractCode, validate.Required).MaxLength(32).Pattern(outContractCodePattern)
//	errs.Int("service_id", r.ServiceID).Minimum(1)
//	return errs.Err()
//
// It also holds what the Call functions of generated Operations tables use
// to read text parameters and JSON bodies (see parse.go), the checks a
// verified answer goes through before a generated method returns it (see
// answer.go), and the same checks of a notification's plaintext that a
// generated decoder makes (see notification.go).
//
// The package is part of the runtime: it imports only package wechatpay and
// the standard library. Its API serves generated code; applications rarely
// call it themselves.
package validate

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/payforge/wechatpay/wechatpay"
)

// Presence says what an empty value (an empty string, a nil slice) means,
// which decides whether the other rules apply to it.
type Presence int

const (
	// Optional: an empty value is an absent one; no rule applies to it.
	Optional Presence = iota
	// Required: an empty value breaks rule "required" and no other rule is
	// checked.
	Required
	// Element: an element of an array, there whatever it holds; every rule
	// applies, also to an empty value.
	Element
)

// Errors collects the violations of one Validate call. The zero value is
// ready to use.
type Errors struct {
	errs []error
}

// Add records a violation of rule by field.
func (v *Errors) Add(field, rule, message string) {
	v.errs = append(v.errs, &wechatpay.ValidationError{Field: field, Rule: rule, Message: message})
}

// Err returns every violation recorded, joined with errors.Join in the
// order they were found, or nil when there is none.
func (v *Errors) Err() error {
	return errors.Join(v.errs...)
}

// NilRequest is the error of Validate on a nil request.
func NilRequest() error {
	return &wechatpay.ValidationError{Field: "request", Rule: "required", Message: "is nil"}
}

// Index names the element i of the array field names: "detail[2]".
func Index(field string, i int) string {
	return field + "[" + strconv.Itoa(i) + "]"
}

// Required records a violation of rule "required" when a required value of
// a kind with no other rule (a date-time, raw JSON, an array without limits)
// is not present.
func (v *Errors) Required(field string, present bool) {
	if !present {
		v.Add(field, "required", "is required")
	}
}

// AnyOf records a violation of rule "anyOf" when none of several sets of
// fields is present: ok tells whether one is, field names every field of
// the rule joined with "|", message says what is required.
func (v *Errors) AnyOf(field string, ok bool, message string) {
	if !ok {
		v.Add(field, "anyOf", message)
	}
}

// String starts the checks of a string value: one that is not valid UTF-8
// breaks rule "utf8", an empty one rule "required" when p is Required. The
// rules called on the result apply only when the value passed these and is
// present.
func (v *Errors) String(field, value string, p Presence) String {
	s := String{errs: v, field: field, value: value}
	switch {
	case value == "" && p == Required:
		v.Add(field, "required", "is required")
	case value == "" && p == Optional:
	case !utf8.ValidString(value):
		v.Add(field, "utf8", "is not valid UTF-8")
	default:
		s.check = true
	}
	return s
}

// String checks the rules of one string value; see Errors.String.
type String struct {
	errs         *Errors
	field, value string
	check        bool
}

// MinLength records a violation of rule "minLength" when the value has fewer
// than n characters (Unicode code points, not bytes).
func (s String) MinLength(n int) String {
	if s.check {
		if c := utf8.RuneCountInString(s.value); c < n {
			s.errs.Add(s.field, "minLength", fmt.Sprintf("has %d characters, at least %d %s required", c, n, plural(n, "is", "are")))
		}
	}
	return s
}

// MaxLength records a violation of rule "maxLength" when the value has more
// than n characters (Unicode code points, not bytes).
func (s String) MaxLength(n int) String {
	if s.check {
		if c := utf8.RuneCountInString(s.value); c > n {
			s.errs.Add(s.field, "maxLength", fmt.Sprintf("has %d characters, at most %d %s allowed", c, n, plural(n, "is", "are")))
		}
	}
	return s
}

// Pattern records a violation of rule "pattern" when re does not match the
// value; the message quotes re as the spec writes it.
func (s String) Pattern(re *regexp.Regexp) String {
	if s.check && !re.MatchString(s.value) {
		s.errs.Add(s.field, "pattern", "does not match the pattern "+re.String())
	}
	return s
}

// Date records a violation of rule "format" when the value is not a date
// of format date, YYYY-MM-DD (RFC 3339's full-date).
func (s String) Date() String {
	if s.check {
		if _, err := time.Parse(time.DateOnly, s.value); err != nil {
			s.errs.Add(s.field, "format", "is not a date in the form YYYY-MM-DD")
		}
	}
	return s
}

// PathSegment records a violation of rule "pattern" when the value, a path
// parameter, is "." or "..", which would change the URL's path once sent.
func (s String) PathSegment() String {
	if s.check && (s.value == "." || s.value == "..") {
		s.errs.Add(s.field, "pattern", "is . or .., which would change the URL path")
	}
	return s
}

// Enum checks a value of a closed enum: one that is not known (one of
// values, the spec's list as text) breaks rule "enum"; an empty one rule
// "required" when p is Required, and no rule when p is Optional.
func (v *Errors) Enum(field, value string, p Presence, known bool, values string) {
	switch {
	case value == "" && p == Required:
		v.Add(field, "required", "is required")
	case value == "" && p == Optional:
	case !known:
		v.Add(field, "enum", fmt.Sprintf("is %q, which is not one of %s", value, values))
	}
}

// Int starts the checks of an integer value.
func (v *Errors) Int(field string, value int64) Integer[int64] {
	return Integer[int64]{errs: v, field: field, value: value}
}

// Uint starts the checks of an unsigned integer value.
func (v *Errors) Uint(field string, value uint64) Integer[uint64] {
	return Integer[uint64]{errs: v, field: field, value: value}
}

// Integer checks the bounds of one integer value; see Errors.Int and
// Errors.Uint.
type Integer[T int64 | uint64] struct {
	errs  *Errors
	field string
	value T
}

// Minimum records a violation of rule "minimum" when the value is less than
// m.
func (i Integer[T]) Minimum(m T) Integer[T] {
	if i.value < m {
		i.errs.Add(i.field, "minimum", fmt.Sprintf("is %d, at least %d is allowed", i.value, m))
	}
	return i
}

// ExclusiveMinimum records a violation of rule "minimum" when the value is
// not greater than m.
func (i Integer[T]) ExclusiveMinimum(m T) Integer[T] {
	if i.value <= m {
		i.errs.Add(i.field, "minimum", fmt.Sprintf("is %d, it must be greater than %d", i.value, m))
	}
	return i
}

// Maximum records a violation of rule "maximum" when the value is greater
// than m.
func (i Integer[T]) Maximum(m T) Integer[T] {
	if i.value > m {
		i.errs.Add(i.field, "maximum", fmt.Sprintf("is %d, at most %d is allowed", i.value, m))
	}
	return i
}

// ExclusiveMaximum records a violation of rule "maximum" when the value is
// not less than m.
func (i Integer[T]) ExclusiveMaximum(m T) Integer[T] {
	if i.value >= m {
		i.errs.Add(i.field, "maximum", fmt.Sprintf("is %d, it must be less than %d", i.value, m))
	}
	return i
}

// IntEnum records a violation of rule "enum" when value, of an enum on
// integers, is not known (one of values, the spec's list as text).
func (v *Errors) IntEnum(field string, value int64, known bool, values string) {
	if !known {
		v.Add(field, "enum", fmt.Sprintf("is %d, which is not one of %s", value, values))
	}
}

// NumberEnum records a violation of rule "enum" when value, of an enum on
// numbers, is not known (one of values, the spec's list as text).
func (v *Errors) NumberEnum(field string, value float64, known bool, values string) {
	if !known {
		v.Add(field, "enum", fmt.Sprintf("is %g, which is not one of %s", value, values))
	}
}

// ReadOnly records a violation of rule "readOnly" when a field WeChat Pay
// sets, which a request must not send, is present.
func (v *Errors) ReadOnly(field string, present bool) {
	if present {
		v.Add(field, "readOnly", "is set by WeChat Pay; a request must leave it empty")
	}
}

// Base64 starts the checks of a value of format byte: its rules (lengths,
// pattern) apply to its standard Base64 text, which is what JSON carries.
func (v *Errors) Base64(field string, value []byte, p Presence) String {
	return v.String(field, base64.StdEncoding.EncodeToString(value), p)
}

// Properties starts the checks of a map (an object of
// additionalProperties) of n members: a required one that is not present
// (nil) breaks rule "required" and no other rule is checked.
func (v *Errors) Properties(field string, n int, present bool, p Presence) Properties {
	pr := Properties{errs: v, field: field, n: n, check: true}
	if !present && p == Required {
		v.Add(field, "required", "is required")
		pr.check = false
	}
	return pr
}

// Properties checks the rules of one map; see Errors.Properties.
type Properties struct {
	errs  *Errors
	field string
	n     int
	check bool
}

// MinProperties records a violation of rule "minProperties" when the map
// has fewer than m members.
func (pr Properties) MinProperties(m int) Properties {
	if pr.check && pr.n < m {
		pr.errs.Add(pr.field, "minProperties", fmt.Sprintf("has %d members, at least %d %s required", pr.n, m, plural(m, "is", "are")))
	}
	return pr
}

// MaxProperties records a violation of rule "maxProperties" when the map
// has more than m members.
func (pr Properties) MaxProperties(m int) Properties {
	if pr.check && pr.n > m {
		pr.errs.Add(pr.field, "maxProperties", fmt.Sprintf("has %d members, at most %d %s allowed", pr.n, m, plural(m, "is", "are")))
	}
	return pr
}

// Number starts the checks of a number (float64) value: NaN and the
// infinities break rule "finite", since JSON cannot carry them, and no other
// rule is checked on them.
func (v *Errors) Number(field string, value float64) Number {
	n := Number{errs: v, field: field, value: value, check: true}
	if math.IsNaN(value) || math.IsInf(value, 0) {
		v.Add(field, "finite", fmt.Sprintf("is %v, which JSON cannot carry", value))
		n.check = false
	}
	return n
}

// Number checks the rules of one number value; see Errors.Number.
type Number struct {
	errs  *Errors
	field string
	value float64
	check bool
}

// Minimum records a violation of rule "minimum" when the value is less than
// m.
func (n Number) Minimum(m float64) Number {
	if n.check && n.value < m {
		n.errs.Add(n.field, "minimum", fmt.Sprintf("is %g, at least %s is allowed", n.value, formatFloat(m)))
	}
	return n
}

// ExclusiveMinimum records a violation of rule "minimum" when the value is
// not greater than m.
func (n Number) ExclusiveMinimum(m float64) Number {
	if n.check && n.value <= m {
		n.errs.Add(n.field, "minimum", fmt.Sprintf("is %g, it must be greater than %s", n.value, formatFloat(m)))
	}
	return n
}

// Maximum records a violation of rule "maximum" when the value is greater
// than m.
func (n Number) Maximum(m float64) Number {
	if n.check && n.value > m {
		n.errs.Add(n.field, "maximum", fmt.Sprintf("is %g, at most %s is allowed", n.value, formatFloat(m)))
	}
	return n
}

// ExclusiveMaximum records a violation of rule "maximum" when the value is
// not less than m.
func (n Number) ExclusiveMaximum(m float64) Number {
	if n.check && n.value >= m {
		n.errs.Add(n.field, "maximum", fmt.Sprintf("is %g, it must be less than %s", n.value, formatFloat(m)))
	}
	return n
}

// Items starts the checks of an array of n items. One that is not present
// (nil) is not checked further: a required one breaks rule "required", an
// optional one is absent, and is not sent, so its minItems does not apply.
// An empty array that is present is sent, and checked.
func (v *Errors) Items(field string, n int, present bool, p Presence) Items {
	it := Items{errs: v, field: field, n: n, check: true}
	if !present {
		if p == Required {
			v.Add(field, "required", "is required")
		}
		it.check = false
	}
	return it
}

// Items checks the rules of one array; see Errors.Items.
type Items struct {
	errs  *Errors
	field string
	n     int
	check bool
}

// MinItems records a violation of rule "minItems" when the array has fewer
// than m items.
func (it Items) MinItems(m int) Items {
	if it.check && it.n < m {
		it.errs.Add(it.field, "minItems", fmt.Sprintf("has %d items, at least %d %s required", it.n, m, plural(m, "is", "are")))
	}
	return it
}

// MaxItems records a violation of rule "maxItems" when the array has more
// than m items.
func (it Items) MaxItems(m int) Items {
	if it.check && it.n > m {
		it.errs.Add(it.field, "maxItems", fmt.Sprintf("has %d items, at most %d %s allowed", it.n, m, plural(m, "is", "are")))
	}
	return it
}

// UniqueItems records a violation of rule "uniqueItems" when dup, the index
// of an item equal to an earlier one (see Duplicate), is not negative.
func (it Items) UniqueItems(dup int) Items {
	if it.check && dup >= 0 {
		it.errs.Add(it.field, "uniqueItems", fmt.Sprintf("has item %d equal to an earlier one; items must differ", dup))
	}
	return it
}

// Duplicate returns the index of the first of items equal to an earlier
// one, or -1 when they all differ.
func Duplicate[T comparable](items []T) int {
	seen := make(map[T]bool, len(items))
	for i, v := range items {
		if seen[v] {
			return i
		}
		seen[v] = true
	}
	return -1
}

// DuplicateJSON is Duplicate for items that Go cannot compare as JSON does
// (objects, arrays, pointers): two items are equal when their JSON
// encodings are. An item that does not encode counts as different.
func DuplicateJSON[T any](items []T) int {
	seen := make(map[string]bool, len(items))
	for i, v := range items {
		data, err := json.Marshal(v)
		if err != nil {
			continue
		}
		if seen[string(data)] {
			return i
		}
		seen[string(data)] = true
	}
	return -1
}

// Header records a violation of rule "header" when the value, a header
// parameter, holds a character a header value cannot carry (a control
// character but the tab), which would be refused on sending.
func (s String) Header() String {
	if s.check && !wechatpay.ValidHeaderValue(s.value) {
		s.errs.Add(s.field, "header", "holds a control character, which a header value cannot carry")
	}
	return s
}

// Cookie records a violation of rule "cookie" when the value, a cookie
// parameter, holds a character a cookie value cannot carry (RFC 6265's
// cookie-octet: no control character, space, '"', ',', ';', '\' or
// non-ASCII). Such a value would end its cookie early or add another
// ("a; admin=1"); net/http would drop the characters silently.
func (s String) Cookie() String {
	if !s.check {
		return s
	}
	for i := 0; i < len(s.value); i++ {
		if c := s.value[i]; c <= ' ' || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\' {
			s.errs.Add(s.field, "cookie", "holds a character a cookie value cannot carry (a space, control character, '\"', ',', ';', '\\' or non-ASCII)")
			return s
		}
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// formatFloat writes a bound the shortest way: 1, 0.5, 1e+21.
func formatFloat(f float64) string {
	return strconv.FormatFloat(f, 'g', -1, 64)
}
