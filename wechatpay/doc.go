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
// NewNotifyHandler serves the merchant's notify_url: it verifies each
// notification like an answer, refuses replays, decrypts the resource with the
// APIv3 key and hands the JSON to the merchant's function. Client.Call reaches
// endpoints no generated package covers yet, with the same signing,
// verification and errors.
//
// The package imports only the standard library.
package wechatpay
