package wechatpaytest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/payforge/wechatpay/spec"
)

// api holds the operations of the embedded specs.
type api struct {
	router       router
	operationIDs map[string]bool
}

// loadAPI loads every spec of spec.FS and builds a router for each.
func loadAPI() (*api, error) {
	names, err := fs.Glob(spec.FS, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("wechatpaytest: spec: %w", err)
	}
	a := &api{operationIDs: make(map[string]bool)}
	for _, name := range names {
		data, err := fs.ReadFile(spec.FS, name)
		if err != nil {
			return nil, fmt.Errorf("wechatpaytest: spec %s: %w", name, err)
		}
		doc, err := openapi3.NewLoader().LoadFromData(data)
		if err != nil {
			return nil, fmt.Errorf("wechatpaytest: spec %s: %w", name, err)
		}
		if err := doc.Validate(context.Background()); err != nil {
			return nil, fmt.Errorf("wechatpaytest: spec %s: %w", name, err)
		}
		if err := a.router.add(doc); err != nil {
			return nil, fmt.Errorf("wechatpaytest: spec %s: %w", name, err)
		}
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				if a.operationIDs[op.OperationID] {
					return nil, fmt.Errorf("wechatpaytest: spec %s: operationId %s is used twice", name, op.OperationID)
				}
				a.operationIDs[op.OperationID] = true
			}
		}
	}
	return a, nil
}

// validate checks the request against its operation in the spec and describes
// the first violation as WeChat Pay does.
func (a *api) validate(r *http.Request, route *routers.Route, params map[string]string, body []byte) *apiError {
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.GetBody = nil
	err := openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
			SkipSettingDefaults: true,
		},
	})
	if err == nil {
		return nil
	}
	return paramError(describe(err, req, params))
}

// paramError is the 400 PARAM_ERROR answer for d.
func paramError(d *detail) *apiError {
	return &apiError{status: http.StatusBadRequest, Code: "PARAM_ERROR", Message: "参数错误", Detail: d}
}

// describe turns a validation error into WeChat Pay's detail object.
func describe(err error, req *http.Request, params map[string]string) *detail {
	var reqErr *openapi3filter.RequestError
	if !errors.As(err, &reqErr) {
		return &detail{Issue: err.Error()}
	}
	var schemaErr *openapi3.SchemaError
	isSchemaErr := errors.As(reqErr.Err, &schemaErr)
	switch {
	case reqErr.Parameter != nil:
		p := reqErr.Parameter
		d := &detail{Field: p.Name, Location: p.In}
		switch p.In {
		case openapi3.ParameterInPath:
			if v, ok := params[p.Name]; ok {
				d.Value = v
			}
		case openapi3.ParameterInQuery:
			if vs, ok := req.URL.Query()[p.Name]; ok && len(vs) > 0 {
				d.Value = vs[0]
			}
		}
		if isSchemaErr {
			d.Issue = schemaIssue(schemaErr)
		} else {
			d.Issue = issueOf(reqErr)
		}
		return d
	case reqErr.RequestBody != nil:
		d := &detail{Location: "body"}
		if isSchemaErr {
			d.Field = jsonPointer(schemaErr.JSONPointer())
			d.Value = schemaErr.Value
			d.Issue = schemaIssue(schemaErr)
			if schemaErr.SchemaField == "required" {
				// The pointer names the object; the issue names the property.
				d.Value = nil
			}
			if names := anyOfRequired(schemaErr.Schema); schemaErr.SchemaField == "anyOf" && names != nil {
				// kin-openapi says only that no alternative matched, and
				// quotes the whole object: name the properties instead.
				d.Field += "/" + names[0]
				d.Value = nil
				d.Issue = "one of " + strings.Join(names, " and ") + " is required"
			}
		} else {
			d.Issue = issueOf(reqErr)
		}
		return d
	}
	return &detail{Issue: issueOf(reqErr)}
}

// anyOfRequired returns the properties of an anyOf whose alternatives each
// only require properties, such as the qs rule that openid or sub_openid is
// present; nil for any other anyOf.
func anyOfRequired(schema *openapi3.Schema) []string {
	if schema == nil || len(schema.AnyOf) == 0 {
		return nil
	}
	var names []string
	for _, alt := range schema.AnyOf {
		if alt.Value == nil || len(alt.Value.Required) == 0 {
			return nil
		}
		names = append(names, alt.Value.Required...)
	}
	return names
}

// schemaIssue is the reason of a schema violation without kin-openapi's dump
// of the schema and value.
func schemaIssue(e *openapi3.SchemaError) string {
	if e.Reason != "" {
		return e.Reason
	}
	return "does not match the schema rule " + e.SchemaField
}

func issueOf(e *openapi3filter.RequestError) string {
	switch {
	case errors.Is(e.Err, openapi3filter.ErrInvalidRequired) && e.RequestBody != nil:
		return "request body is required"
	case e.Reason != "" && e.Err != nil:
		return e.Reason + ": " + e.Err.Error()
	case e.Reason != "":
		return e.Reason
	case e.Err != nil:
		return e.Err.Error()
	}
	return "invalid"
}

// jsonPointer joins path segments as an RFC 6901 pointer, such as
// /contract_termination_remark.
func jsonPointer(path []string) string {
	var b strings.Builder
	for _, seg := range path {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(seg))
	}
	return b.String()
}
