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
// the merchant acknowledges it with a 2xx; the handler records a delivery
// only once the function succeeded, so a delivery whose handling failed (an
// error, a panic, a crash) is handled again when it comes back. The very
// same signed request after it was handled (its 204 was lost, so WeChat Pay
// sends it again) is verified and answered 204 without calling the function
// again, as WeChat Pay's guidance asks for a notification already processed;
// the same headers over another body fail verification, and the same request
// once its timestamp left the verification window is stale (400 both). What
// the handler refuses besides failed checks: any delivery of a notification
// id while another delivery of that id is being handled (409; WeChat Pay
// sends it again later), so the function never runs twice at once for one
// id, and never twice for one delivery. It may still run more than
// once for one id, one after the other (a resend signed anew, a restart, a
// second instance behind a load balancer): make it idempotent by
// Notification.ID, for example by storing the id with the effect in one
// transaction.
//
// Callers who route and answer themselves use Parse, which checks and
// decrypts but records nothing, and call MarkHandled after handling
// succeeded; they keep deliveries of one id apart themselves.
//
// # Sensitive fields
//
// Fields the official pages mark sensitive (names, ID numbers, bank
// accounts) travel encrypted with RSAES-OAEP (SHA-1, MGF1-SHA-1), Base64
// (https://pay.weixin.qq.com/docs/merchant/development/interface-rules/sensitive-data-encryption.html).
// Generated code does it for the caller; by hand, take one Encrypter per
// request, encrypt each field with it, and name its key in the request:
//
//	enc, err := rt.Encrypter() // the WeChat Pay public key, or the newest valid platform certificate
//	name, err := enc.Encrypt("user_name", "张三") // a *ValidationError over 214 bytes (RSA-2048)
//	resp, err := rt.Do(ctx, &wechatpay.Request{…, Body: body, WechatpaySerial: enc.Serial()})
//
// Answer fields encrypted under the merchant certificate's key are opened
// with DecryptField, which uses Config.MerchantDecrypter or MerchantKey (any
// crypto.Decrypter, so a KMS or HSM key works).
//
// # Platform certificates
//
// Merchants in certificate mode verify with platform certificates that
// WeChat Pay rotates (GET /v3/certificates, encrypted under the APIv3 key;
// https://pay.weixin.qq.com/wiki/doc/api/wxpay/ch/fusion_wallet_ch/MiniProgramPay/chapter8_7.shtml).
// BootstrapCertificates makes the first download, which vouches for itself
// through the APIv3 key, as the official SDKs do; a CertificateRefresher
// then keeps the client's KeySet current, verifying each download with the
// keys already trusted; WriteCertificates saves them as PEM files:
//
//	certs, err := wechatpay.BootstrapCertificates(ctx, cfg, apiV3Key)
//	cfg.VerificationKeys = wechatpay.CertificateKeys(certs)
//	rt, err := wechatpay.NewClient(cfg)
//	refresher, err := wechatpay.NewCertificateRefresher(rt, wechatpay.CertificateRefresherConfig{APIv3Key: apiV3Key})
//	go refresher.Run(ctx) // every 6 hours until ctx ends; failures keep the old keys
//
// # Uploads and bill downloads
//
// UploadImage sends an image as multipart/form-data, signed over its meta
// JSON, after checking the official limits (JPG, BMP or PNG, at most 2 MiB);
// Upload is the same for any multipart endpoint. DownloadBill streams the
// file of a bill apply call's download_url to an io.Writer: the one answer
// WeChat Pay does not sign, checked instead by the SHA-1 of the original
// bill; a mismatch is a *BillIntegrityError and what was written must be
// discarded.
//
// # OpenSSL
//
// Package opensslsigner (build tag openssl) signs with the merchant key held
// in OpenSSL and, as Config.SignatureVerifier, checks answers with OpenSSL.
//
// The package imports only the standard library (and its own internal
// packages).
package wechatpay
