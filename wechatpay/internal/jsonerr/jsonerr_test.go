package jsonerr

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

type kept struct{}

func (kept) Error() string { return "kept" }

// TestRedact decodes documents whose errors quote a value and checks that
// what Redact leaves of them quotes none, yet still names what went wrong.
func TestRedact(t *testing.T) {
	var out struct {
		Amount  int64     `json:"amount"`
		Created time.Time `json:"created"`
	}
	for _, tc := range []struct {
		name, doc, secret, want string
	}{
		{"overflowing number", `{"amount":123456789012345678901234567890}`, "123456789012345678901234567890", "cannot unmarshal number into Go struct field .amount of type int64"},
		{"negative overflow", `{"amount":-98765432109876543210987}`, "98765432109876543210987", "field .amount of type int64"},
		{"syntax error", `{"amount":7Q}`, "Q", "invalid JSON at offset 12"},
		{"UnmarshalJSON error", `{"created":"2020-13-45T99:00:00+08:00 secret"}`, "secret", "*time.ParseError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := json.Unmarshal([]byte(tc.doc), &out)
			if raw == nil || !strings.Contains(raw.Error(), tc.secret) {
				t.Fatalf("the test needs an error that quotes %q, got %v", tc.secret, raw)
			}
			err := Redact(raw, nil)
			if err == nil || strings.Contains(err.Error(), tc.secret) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Redact = %v, want a message with %q and without %q", err, tc.want, tc.secret)
			}
		})
	}

	raw := json.Unmarshal([]byte(`{"amount":123456789012345678901234567890}`), &out)
	var typeErr *json.UnmarshalTypeError
	if err := Redact(raw, nil); !errors.As(err, &typeErr) || typeErr.Field != "amount" || typeErr.Type != reflect.TypeFor[int64]() || typeErr.Value != "number" {
		t.Errorf("Redact of a type error = %#v, want a *json.UnmarshalTypeError of field amount, type int64, value number", err)
	}
	if err := Redact(kept{}, func(err error) bool { _, ok := err.(kept); return ok }); err != (kept{}) {
		t.Errorf("Redact dropped an error keep accepts: %v", err)
	}
	var nilTarget *struct{}
	invalid := json.Unmarshal([]byte(`{}`), nilTarget)
	if err := Redact(invalid, nil); err != invalid {
		t.Errorf("Redact of %v = %v, want it as is", invalid, err)
	}
	if Redact(nil, nil) != nil {
		t.Error("Redact(nil) is not nil")
	}
}
