package main

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/wechatpay"
)

// catalog returns every operation the command offers. Adding a generated
// package is one more family line.
func catalog() []operation {
	return slices.Concat(
		family("password-exempt-contract", passwordexemptcontract.Operations, passwordexemptcontract.NewClient),
	)
}

// operation is one entry of a generated package's Operations table, its Call
// bound to that package's client.
type operation struct {
	family       string // the spec the operation comes from, such as password-exempt-contract
	name         string // the command-line name: the operationId in kebab case
	id           string // the spec's operationId
	method       string
	pathTemplate string
	summary      string
	params       []param
	hasBody      bool
	call         func(ctx context.Context, rt *wechatpay.Client, params map[string]string, body []byte) (any, error)
}

// param has the shape of the Param type every generated package declares.
type param = struct {
	Name        string
	In          string
	Type        string
	Required    bool
	Description string
}

// generatedOperation has the shape of the Operation type every generated
// package declares, with P its Param type and C its Client type. Converting
// to it instead of using reflection makes a change of that shape a compile
// error here.
type generatedOperation[P ~param, C any] = struct {
	ID           string
	Method       string
	PathTemplate string
	Summary      string
	Params       []P
	HasBody      bool
	Call         func(ctx context.Context, c *C, params map[string]string, body []byte) (any, error)
}

// family adapts the Operations table of one generated package; newClient is
// that package's NewClient.
func family[O ~generatedOperation[P, C], P ~param, C any](spec string, ops []O, newClient func(*wechatpay.Client) *C) []operation {
	out := make([]operation, 0, len(ops))
	for _, o := range ops {
		g := generatedOperation[P, C](o)
		params := make([]param, len(g.Params))
		for i, p := range g.Params {
			params[i] = param(p)
		}
		out = append(out, operation{
			family:       spec,
			name:         kebab(g.ID),
			id:           g.ID,
			method:       g.Method,
			pathTemplate: g.PathTemplate,
			summary:      g.Summary,
			params:       params,
			hasBody:      g.HasBody,
			call: func(ctx context.Context, rt *wechatpay.Client, params map[string]string, body []byte) (any, error) {
				return g.Call(ctx, newClient(rt), params, body)
			},
		})
	}
	return out
}

// kebab writes an operationId in kebab case: terminateByCode becomes
// terminate-by-code, getHTTPStatus get-http-status.
func kebab(id string) string {
	runes := []rune(id)
	var b strings.Builder
	for i, r := range runes {
		if r == '_' || r == ' ' {
			r = '-'
		}
		if unicode.IsUpper(r) && i > 0 {
			prev := runes[i-1]
			nextLower := i+1 < len(runes) && unicode.IsLower(runes[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('-')
			}
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
