// Package wechatpay is the runtime every generated WeChat Pay APIv3 client
// package imports. It signs each request with the merchant's API key
// (WECHATPAY2-SHA256-RSA2048), verifies each 2xx answer against the configured
// WeChat Pay keys before any byte of it reaches the caller, and turns non-2xx
// answers into *APIError.
//
// A Client is built once from a Config and shared: it is safe for concurrent
// use. Generated packages wrap it with typed methods:
//
//	rt, err := wechatpay.NewClient(wechatpay.Config{
//		MchID:            "1900000109",
//		MerchantSerialNo: "…",
//		MerchantKey:      key, // any crypto.Signer holding an RSA-2048 key
//		VerificationKeys: []wechatpay.VerificationKey{pub},
//	})
//	contracts := passwordexemptcontract.NewClient(rt)
//
// Errors a caller branches on are typed: *ValidationError (nothing was sent),
// *APIError (WeChat Pay answered non-2xx), *VerificationError (an answer that
// did not verify; its body is discarded), *TransportError (no answer) and
// *DecodeError (a verified answer that does not fit the response type).
//
// Client.Call reaches endpoints no generated package covers yet, with the
// same signing, verification and errors.
//
// # Notifications
//
// NewNotifyHandler serves the merchant's notify_url: it verifies each
// notification like an answer, decrypts the resource with the APIv3 key and
// hands the JSON to the merchant's function, answering 204 when the function
// returns nil.
//
// Delivery is at least once. WeChat Pay sends a notification again until
// the merchant acknowledges it, and each resend is signed anew; the handler
// records a delivery only once the function succeeded, so a delivery whose
// handling failed (an error, a panic, a crash) is handled again when it comes
// back. What the handler refuses: the very same signed request after it was
// handled (400, a replay), and any delivery of a notification id while
// another delivery of that id is being handled (409; WeChat Pay sends it
// again later), so the function never runs twice at once for one id. It may
// still run more than once for one id, one after the other (a resend signed
// anew, a restart, a second instance behind a load balancer): make it
// idempotent by Notification.ID, for example by storing the id with the
// effect in one transaction.
//
// Callers who route and answer themselves use Parse, which checks and
// decrypts but records nothing, and call MarkHandled after handling
// succeeded; they keep deliveries of one id apart themselves.
//
// The package imports only the standard library.
package wechatpay
