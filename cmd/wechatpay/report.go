package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/payforge/wechatpay/wechatpay"
)

// report writes err for a person on w and returns its exit code.
func report(w io.Writer, op *wechatpay.Operation, err error) int {
	code := exitCode(err)
	var apiErr *wechatpay.APIError
	switch {
	case errors.As(err, &apiErr):
		writeAPIError(w, op, apiErr)
	case code == exitUsage:
		fmt.Fprintf(w, "wechatpay: %s: invalid request, nothing was sent:\n", op.Name)
		for _, v := range wechatpay.ValidationErrors(err) {
			fmt.Fprintf(w, "  %s: %s (rule %s)\n", v.Field, v.Message, v.Rule)
		}
	default:
		fmt.Fprintln(w, message(op, err))
		var verr *wechatpay.VerificationError
		if errors.As(err, &verr) {
			fmt.Fprintln(w, "The answer failed verification and was discarded.")
		}
	}
	return code
}

// message is err's text, naming the operation as the user typed it, like
// every other message of the command: the runtime's errors start with
// "wechatpay: " and the operationId, which becomes the command-line name.
func message(op *wechatpay.Operation, err error) string {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "wechatpay: "+op.ID+": "); ok {
		return "wechatpay: " + op.Name + ": " + rest
	}
	if !strings.HasPrefix(msg, "wechatpay: ") {
		return "wechatpay: " + op.Name + ": " + msg
	}
	return msg
}

// exitCode classifies an error of an operation's Call; see the package doc.
func exitCode(err error) int {
	var apiErr *wechatpay.APIError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &apiErr):
		return exitAPIError
	case len(wechatpay.ValidationErrors(err)) > 0:
		return exitUsage
	}
	// Transport, verification and decode errors, and anything unforeseen:
	// there is no usable answer.
	return exitFailure
}

// writeAPIError writes every field of e a support ticket may need.
func writeAPIError(w io.Writer, op *wechatpay.Operation, e *wechatpay.APIError) {
	fmt.Fprintf(w, "wechatpay: %s: WeChat Pay answered with an error\n", op.Name)
	fmt.Fprintf(w, "  status:     %d %s\n", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Code != "" {
		fmt.Fprintf(w, "  code:       %s\n", e.Code)
	}
	fmt.Fprintf(w, "  message:    %s\n", e.Message)
	if d := e.Detail; d != nil {
		var parts []string
		add := func(k, v string) {
			if v != "" {
				parts = append(parts, k+" "+v)
			}
		}
		add("field", d.Field)
		add("value", string(d.Value))
		add("issue", d.Issue)
		add("location", d.Location)
		fmt.Fprintf(w, "  detail:     %s\n", strings.Join(parts, ", "))
	}
	requestID := e.RequestID
	if requestID == "" {
		requestID = "(none)"
	}
	fmt.Fprintf(w, "  Request-ID: %s\n", requestID)
}
