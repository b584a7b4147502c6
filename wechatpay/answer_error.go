package wechatpay

import "net/http"

// APIError returns the answer as an *APIError: for a 2xx answer that the
// operation's spec documents as an error rather than a result, such as 202
// USER_PAYING when closing an order
// (https://pay.weixin.qq.com/doc/v3/merchant/4012556398). Its code, message
// and detail come from the body, which was verified with the answer; a body
// that is not WeChat Pay's error body leaves Code empty and says so in
// Message. Generated methods call it for the statuses their spec lists as
// errors.
func (r *Response) APIError(operation string) *APIError {
	return newAPIError(operation, &http.Response{StatusCode: r.StatusCode, Header: r.Header}, r.Body, r.RequestID)
}
