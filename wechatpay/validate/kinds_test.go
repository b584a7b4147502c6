package validate

import (
	"errors"
	"slices"
	"testing"

	"github.com/payforge/wechatpay/wechatpay"
)

func TestKindRules(t *testing.T) {
	var v Errors
	v.Uint("u", 5).Minimum(6).Maximum(4)
	v.Uint("ux", 5).ExclusiveMinimum(5).ExclusiveMaximum(5)
	v.Uint("ok", 5).Minimum(5).Maximum(5)
	v.IntEnum("level", 7, false, "1, 2, 3")
	v.IntEnum("fine", 1, true, "1, 2, 3")
	v.NumberEnum("ratio", 2.5, false, "0.5, 1")
	v.ReadOnly("id", true)
	v.ReadOnly("unset", false)
	v.Base64("pic", []byte("0123456789"), Optional).MaxLength(12)
	v.Base64("req", nil, Required)
	v.Base64("small", []byte("ab"), Optional).MaxLength(4)
	v.Properties("labels", 4, true, Optional).MinProperties(1).MaxProperties(3)
	v.Properties("absent", 0, false, Required).MinProperties(1)
	v.Properties("empty", 0, true, Optional).MinProperties(1)
	v.String("day", "2024-02-30", Required).Date()
	v.String("good_day", "2024-02-29", Required).Date()
	v.String("no_day", "", Optional).Date()
	want := []string{
		"u minimum: is 5, at least 6 is allowed",
		"u maximum: is 5, at most 4 is allowed",
		"ux minimum: is 5, it must be greater than 5",
		"ux maximum: is 5, it must be less than 5",
		"level enum: is 7, which is not one of 1, 2, 3",
		"ratio enum: is 2.5, which is not one of 0.5, 1",
		"id readOnly: is set by WeChat Pay; a request must leave it empty",
		"pic maxLength: has 16 characters, at most 12 are allowed",
		"req required: is required",
		"labels maxProperties: has 4 members, at most 3 are allowed",
		"absent required: is required",
		"empty minProperties: has 0 members, at least 1 is required",
		"day format: is not a date in the form YYYY-MM-DD",
	}
	if g := got(t, v.Err()); !slices.Equal(g, want) {
		t.Fatalf("violations\n got %q\nwant %q", g, want)
	}
}

func TestKeys(t *testing.T) {
	obj, err := Object([]byte(`{"a":null,"b":1}`), "x")
	if err != nil {
		t.Fatal(err)
	}
	if err := Keys(obj, "x", "a", "b"); err != nil {
		t.Fatal(err)
	}
	err = Keys(obj, "x", "a", "c")
	var de *wechatpay.DecodeError
	if !errors.As(err, &de) || de.Field != "x.c" || !errors.Is(err, wechatpay.ErrMissingField) {
		t.Fatalf("error %v", err)
	}
}

func TestParseUint(t *testing.T) {
	if n, err := ParseUint("n", "18446744073709551615", 64); err != nil || n != 1<<64-1 {
		t.Fatalf("%d, %v", n, err)
	}
	for _, c := range []struct {
		text string
		bits int
		msg  string
	}{
		{"-1", 64, "must be an unsigned integer"},
		{"4294967296", 32, "is out of range: an unsigned 32-bit integer is at most 4294967295"},
		{"x", 32, "must be an unsigned integer"},
	} {
		_, err := ParseUint("n", c.text, c.bits)
		var ve *wechatpay.ValidationError
		if !errors.As(err, &ve) || ve.Rule != "type" || ve.Message != c.msg {
			t.Errorf("%s: %v, want %q", c.text, err, c.msg)
		}
	}
}

func TestUnionRules(t *testing.T) {
	var v Errors
	v.Variants("none_required", Required, false, false)
	v.Variants("none_optional", Optional, false, false)
	v.Variants("two", Optional, true, false, true)
	v.Variants("one", Element, false, true)
	v.Discriminator("body.type", "B", "A")
	v.Discriminator("ok.type", "A", "X", "A")
	want := []string{
		"none_required required: is required: set one of its variants",
		"two oneOf: has 2 variants set, exactly one is allowed",
		`body.type discriminator: is "B", but the variant set is selected by A`,
	}
	if g := got(t, v.Err()); !slices.Equal(g, want) {
		t.Fatalf("violations\n got %q\nwant %q", g, want)
	}
	for _, c := range []struct {
		data, want string
		fails      bool
	}{
		{`{"type":"cat","n":1}`, "cat", false},
		{`{"n":1}`, "", false},
		{`{"type":null}`, "", false},
		{`{"type":3}`, "", true},
		{`[1]`, "", true},
	} {
		tag, err := DiscriminatorValue([]byte(c.data), "type")
		if tag != c.want || (err != nil) != c.fails {
			t.Errorf("%s: %q, %v", c.data, tag, err)
		}
	}
}
