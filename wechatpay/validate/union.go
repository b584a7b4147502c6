package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/payforge/wechatpay/wechatpay"
)

// A union (a oneOf or an anyOf of schemas) is a struct with one pointer per
// variant: a request sets one of them. These check it, and read the
// discriminator of an answer.

// Variants records the violations of how many variants of a union are set
// (set holds one flag per variant, and one for the JSON of an answer): none,
// when the union is required or an element (rule "required"); more than
// one (rule "oneOf").
func (v *Errors) Variants(field string, p Presence, set ...bool) {
	n := 0
	for _, s := range set {
		if s {
			n++
		}
	}
	switch {
	case n == 0 && p != Optional:
		v.Add(field, "required", "is required: set one of its variants")
	case n > 1:
		v.Add(field, "oneOf", fmt.Sprintf("has %d variants set, exactly one is allowed", n))
	}
}

// NoVariant records the violation of a union of a request that holds only
// the JSON it was decoded from (raw), which none of its variants holds:
// with a discriminator, rule "required" when raw has none, else rule
// "discriminator" naming the values that select a variant (selects); without
// one, rule "oneOf". Such JSON would go out unchecked and unencrypted.
func (v *Errors) NoVariant(field string, raw []byte, discriminator string, selects ...string) {
	if discriminator == "" {
		v.Add(field, "oneOf", "holds JSON that is none of its variants as decoded: set one of them (its As methods decode the JSON as one)")
		return
	}
	field += "." + discriminator
	tag, err := DiscriminatorValue(raw, discriminator)
	switch {
	case err != nil:
		v.Add(field, "discriminator", "cannot be read: "+err.Error())
	case tag == "":
		v.Add(field, "required", "is required: it selects the variant, one of "+strings.Join(selects, ", "))
	default:
		v.Add(field, "discriminator", fmt.Sprintf("is %q, which selects no variant: one of %s", tag, strings.Join(selects, ", ")))
	}
}

// Discriminator records a violation of rule "discriminator" when value, the
// discriminator of the variant set, is not one of those that select it.
func (v *Errors) Discriminator(field, value string, selects ...string) {
	if !slices.Contains(selects, value) {
		v.Add(field, "discriminator", fmt.Sprintf("is %q, but the variant set is selected by %s", value, strings.Join(selects, ", ")))
	}
}

// DiscriminatorValue reads the discriminator of data, a JSON object: the
// string value of its member property, or "" when it has none (a variant
// the UnmarshalJSON method then keeps as JSON). Data that is not an object,
// or a discriminator that is not a string, is an error.
func DiscriminatorValue(data []byte, property string) (string, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return "", &wechatpay.DecodeError{Err: fmt.Errorf("a value of a oneOf with a discriminator: %w", redact(err))}
	}
	raw, ok := obj[property]
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return "", nil
	}
	var tag string
	if err := json.Unmarshal(raw, &tag); err != nil {
		return "", &wechatpay.DecodeError{Field: property, Err: fmt.Errorf("the discriminator is not a string: %w", redact(err))}
	}
	return tag, nil
}
