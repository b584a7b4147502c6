package wechatpay

import (
	"errors"
	"net/http"
	"testing"
)

func TestResponseAPIError(t *testing.T) {
	r := &Response{StatusCode: http.StatusAccepted, Header: http.Header{"Content-Type": {"application/json"}},
		Body: []byte(`{"code":"USER_PAYING","message":"用户支付中,需要输入密码"}`), RequestID: testRequestID}
	var err error = r.APIError("closeOrder")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 202 || apiErr.Code != "USER_PAYING" || apiErr.RequestID != testRequestID ||
		apiErr.Operation != "closeOrder" || apiErr.Message != "用户支付中,需要输入密码" {
		t.Fatalf("%#v", apiErr)
	}
	r.Body = []byte("<html>")
	if e := r.APIError("closeOrder"); e.Code != "" || e.Message == "" {
		t.Fatalf("a body that is not an error body: %#v", e)
	}
}
