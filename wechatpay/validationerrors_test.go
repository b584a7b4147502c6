package wechatpay

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestValidationErrors(t *testing.T) {
	a := &ValidationError{Field: "a", Rule: "required"}
	b := &ValidationError{Field: "b", Rule: "maxLength"}
	c := &ValidationError{Field: "c", Rule: "pattern"}
	for _, tt := range []struct {
		name string
		err  error
		want []*ValidationError
	}{
		{"nil", nil, nil},
		{"another error", io.EOF, nil},
		{"one", a, []*ValidationError{a}},
		{"joined", errors.Join(a, b), []*ValidationError{a, b}},
		{"wrapped and joined", fmt.Errorf("call: %w", errors.Join(a, errors.Join(b, io.EOF), fmt.Errorf("x: %w", c))), []*ValidationError{a, b, c}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := ValidationErrors(tt.err)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("[%d] = %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}
