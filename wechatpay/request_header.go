package wechatpay

import (
	"net/http"
	"strings"
)

// Header parameters. A generated operation with header parameters in its
// spec sends them in Request.Header. The headers the runtime writes itself
// are its own: Authorization (the signature), Accept, Content-Type (from the
// body), User-Agent (Config.UserAgent) and Wechatpay-Serial, which names the
// WeChat Pay key the client verifies with and, for a request with sensitive
// fields, must name the very key they were encrypted with
// (Request.WechatpaySerial, from the Encrypter). The generator makes no
// request field of a spec parameter with one of those names; a Request whose
// Header sets one anyway is refused before anything is sent.

// runtimeHeaders are the request headers the runtime writes itself.
var runtimeHeaders = []string{"Authorization", "Accept", "Content-Type", "User-Agent", HeaderSerial}

// checkRequestHeader refuses a header the runtime writes itself, and a
// name or value net/http would refuse to send, each as a *ValidationError
// naming the header.
func checkRequestHeader(h http.Header) error {
	for name, values := range h {
		for _, own := range runtimeHeaders {
			if strings.EqualFold(name, own) {
				return &ValidationError{Field: name, Rule: "header", Message: "is a header the runtime sends itself"}
			}
		}
		if !validHeaderName(name) {
			return &ValidationError{Field: name, Rule: "header", Message: "is not a valid header name"}
		}
		for _, v := range values {
			if !ValidHeaderValue(v) {
				return &ValidationError{Field: name, Rule: "header", Message: "holds a control character, which a header value cannot carry"}
			}
		}
	}
	return nil
}

// ValidHeaderValue reports whether v can be sent as the value of a header:
// no control character but the tab (RFC 9110, section 5.5).
func ValidHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// validHeaderName reports whether name is a token (RFC 9110, section 5.1).
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
