// Package wechatpaytest runs a local WeChat Pay APIv3 sandbox, in the manner
// of net/http/httptest: NewServer starts it on a loopback port with throwaway
// keys, Server.ClientConfig returns a runtime config that talks to it, and
// Server.Close stops it.
//
//	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{})
//	if err != nil { … }
//	defer srv.Close()
//	rt, err := wechatpay.NewClient(srv.ClientConfig())
//
// The package is an engine that knows no product family. It serves the
// operations of any OpenAPI 3 spec (Options.Specs; by default the specs
// embedded in github.com/payforge/wechatpay/spec): it checks every request's
// signature, timestamp, nonce and Wechatpay-Serial as WeChat Pay does,
// checks the request against its spec, and signs every answer. What an
// operation does is a Behaviour's business, registered by operationId
// (Options.Behaviours): package contracts
// (github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts) is the
// password-exempt contract family's, with state; package payments
// (github.com/payforge/wechatpay/wechatpay/wechatpaytest/payments) the
// journey's orders, orders under a contract, refunds and bill content,
// which asks the contract family whether a contract is in effect. An
// operation no behaviour
// serves is answered with its spec's example, so a client generated for any
// spec can be tested offline; the command wechatpay-sandbox -spec FILE does
// the same for clients in any language.
//
// A spec may share parts with sibling files ($ref: common.yaml#/…): given
// with an fs.FS (Spec.FS), its references are read from that FS, relative
// to the spec's path, and never from outside it (no absolute path, no path
// above the FS's root, no URL); a file of it without paths is a shared
// part and serves nothing. The documents of the embedded specs are loaded
// and validated once per process and shared by every server, which only
// reads them. Every operation needs an operationId, the name
// behaviours serve it by, except where the engine's own protocol
// operations (below) describe the same method and path: the bill download,
// to which the official pages give none, is then the engine's downloadBill.
//
// # Checks and the answers they give
//
// Each request goes through these checks in order; the first that fails
// decides the answer. Every answer carries a Request-ID header. Error answers
// have the body {"code":…,"message":…} with an optional "detail" and are not
// signed, as WeChat Pay may leave them unsigned; 2xx answers are signed
// (Wechatpay-Timestamp, -Nonce, -Signature and -Serial) unless a behaviour
// says otherwise (Response.Unsigned).
//
//  1. Body: at most 1 MiB; 8 MiB for an operation that signs one part of a
//     multipart body (an upload, below). Larger: 400 INVALID_REQUEST. For
//     such an operation the part its spec names (x-wechatpay-signed-part)
//     must be found once in a multipart/form-data body; otherwise 400
//     INVALID_REQUEST (the sandbox's choice: the pages document no answer
//     for a malformed body).
//  2. Authorization: present once, scheme WECHATPAY2-SHA256-RSA2048 followed
//     by one space, the fields mchid, nonce_str, signature, timestamp and
//     serial_no each exactly once (any order, no spaces after commas, nothing
//     else), mchid and serial_no naming the sandbox's merchant and merchant
//     serial, the signature (RSASSA-PKCS1-v1_5, SHA-256, standard Base64)
//     valid over METHOD\nRequestURI\nTIMESTAMP\nNONCE\nBODY\n with the request
//     target exactly as sent and the exact body bytes (or the signed part's
//     bytes, exactly as sent), the timestamp within
//     300 s of the sandbox clock and the nonce not seen before in that window.
//     Any failure: 401 SIGN_ERROR.
//  3. Wechatpay-Serial, in public-key mode: present and naming the
//     sandbox's WeChat Pay public key ID. Missing or wrong: 400
//     INVALID_REQUEST. In certificate mode it is not checked here: it
//     matters to encrypted fields only (Call.DecryptField).
//  4. Route: the method and path name an operation of a spec served.
//     Otherwise: 404 INVALID_REQUEST. The status and code are the sandbox's
//     own choice: WeChat Pay documents no answer for an unknown path. The
//     path is matched as sent: the escaped path is split at each "/" and each
//     segment is matched against one segment of a path template, then
//     decoded; a value holding an escaped slash (%2F) is one segment and one
//     value, so it can reach no other operation, and its slash breaks the
//     value's pattern (400 PARAM_ERROR, step 5). A template segment that is
//     not a parameter matches the decoded segment; of two templates that fit,
//     the one with a literal segment where the other has a parameter wins,
//     then the method decides. A template segment may hold one parameter
//     between literals ({name}.json), not two.
//  5. Spec: the path and query parameters and the body satisfy the
//     operation's spec (kin-openapi openapi3filter.ValidateRequest).
//     Otherwise: 400 PARAM_ERROR with detail {field, value, issue, location},
//     where field is the parameter name (location "path" or "query") or a
//     JSON pointer such as /contract_termination_remark (location "body"),
//     inside a body composed with allOf the field that broke the rule.
//     Query parameters the spec does not name are not refused.
//  6. The operation: its behaviour's Handler, or its example.
//
// Nonces are remembered until their request's timestamp leaves the 300 s
// window, after which a replay fails the timestamp check anyway; memory is
// therefore bounded by the request rate.
//
// # Examples
//
// An operation no behaviour serves is answered with an example the sandbox
// builds once, when it starts: the operation's success answer (the lowest
// 2xx status it lists) with the first found of the media type's example, its
// first named example, or a value built from the schema, the schema's own
// example, enum, x-wechatpay-known-values or default first, then by type (a
// date-time is 2020-09-10T13:29:35+08:00, a string matching its pattern, a
// number within its bounds, an object with every property it can fill,
// arrays of one item). Required response headers get a value the same way.
// The answer is the same on every run and is checked against the spec with
// openapi3filter.ValidateResponse; an operation whose example cannot be
// built, or breaks its own spec, stops NewServer with an error naming the
// spec, the operation and the value, so that the spec can be given an
// example. Examples hold no state: a second termination succeeds too.
//
// An answer echoes its request, as WeChat Pay's do and as generated clients
// check: a top-level property of the example named like a path or query
// parameter, or like a top-level string or number of the JSON request body,
// answers the request's value, and "mchid" the sandbox's merchant ID when
// the request names none. An echo that would break the spec's answer schema
// is left out, and the plain example answered.
//
// # Behaviours
//
// A Behaviour attaches to the server in NewServer, before any request is
// served, and returns a Handler per operationId it implements. A handler
// gets the request once it passed the checks above (Call: the decoded path
// parameters, the body, and the request, whose body a multipart reader can
// read) and returns a Response (status, headers, a body that may be a file,
// signed unless Unsigned) or an error: a *Error is answered as it says
// (ParamError builds WeChat Pay's PARAM_ERROR), anything else is 500
// SYSTEM_ERROR naming the operation. A behaviour keeps its own state,
// uses the server's clock (Server.Now) and merchant (Server.MchID), schedules
// later work that Close cancels (Server.AfterFunc), and sends notifications
// through Server.Notify. The engine sends a behaviour's answer as it is; a
// behaviour's tests check it against the spec.
//
// A behaviour whose family no embedded spec describes yet brings its own
// (SpecProvider); a spec of Options.Specs describing the same operation
// wins. A behaviour that is a BillSource supplies the bill files.
//
// Two extensions of an operation in any spec are read by the engine:
// x-wechatpay-signed-part names the multipart part the signature covers
// instead of the body (the upload's "meta"), and
// x-wechatpay-unsigned-response: true sends the success answer unsigned (the
// bill file).
//
// # Sensitive fields
//
// A handler of an operation with encrypted request fields decrypts each with
// Call.DecryptField: RSAES-OAEP (SHA-1, MGF1-SHA-1), Base64, with the
// sandbox's private key that the request's Wechatpay-Serial names (the
// public key's, or a platform certificate's that is listed and not
// expired). Its refusals are WeChat Pay's, each 400 PARAM_ERROR: no
// Wechatpay-Serial ("HTTP header缺少微信支付平台证书序列号(Wechatpay-Serial)"), a serial
// naming no key in use ("平台证书序列号Wechatpay-Serial错误",
// https://pay.weixin.qq.com/doc/v3/partner/4013059161), a value that does not
// decrypt ("平台私钥解密失败", https://pay.weixin.qq.com/doc/v3/partner/4016913182).
// An encrypted answer field is made with Server.EncryptForMerchant, under
// the merchant's public key, for wechatpay.Client.DecryptField.
//
// # Platform certificate mode
//
// Options.PlatformCertificates puts the sandbox in the mode of merchants who
// verify with platform certificates rather than the WeChat Pay public key
// (NewPlatformCertificate makes one). Each certificate has the times the
// download announces, effective_time and expire_time (by default its own
// validity). Answers and notifications are signed with the certificate in
// effect now (effective_time to expire_time) that took effect last, or the
// first listed when none is, and Wechatpay-Serial names it. GET
// /v3/certificates lists the certificates not expired, each
// AEAD_AES_256_GCM-encrypted under the APIv3 key with associated data
// "certificate" and a 12-character nonce, times in RFC 3339 at +08:00
// (https://pay.weixin.qq.com/wiki/doc/apiv3_partner/wechatpay/wechatpay5_1.shtml);
// with none left it answers 404 RESOURCE_NOT_EXISTS. ClientConfig trusts the
// certificates listed.
//
// Server.SetPlatformCertificates rotates them as WeChat Pay does: list the
// new certificate with its effective_time at the switch, beside the old one
// with its expire_time moved to the switch. Until the switch answers stay
// signed with the old one, so that a wechatpay.CertificateRefresher verifies
// the download that brings the new one; after it the new one signs and the
// old one, expired, is no longer listed, so that the refresher drops it.
//
// In public-key mode (the default) the download answers 404
// RESOURCE_NOT_EXISTS "无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥", as
// WeChat Pay answers a merchant without platform certificates (quoted by
// merchants on WeChat's developer community).
//
// # Protocol operations
//
// The engine routes and checks these with a small spec of its own
// (protocol.yaml) and answers them itself, unless a behaviour serves the
// operationId or a spec of Options.Specs describes the same method and path:
//
//   - downloadCertificates, GET /v3/certificates: above.
//   - uploadImage, POST /v3/merchant/media/upload
//     (https://pay.weixin.qq.com/docs/partner/apis/contracted-merchant-application/upload.html):
//     multipart/form-data with exactly the parts meta and file; the
//     signature over meta exactly as sent; meta the JSON object
//     {"filename","sha256"} and nothing else, filename at most 128
//     characters ending in JPG, BMP or PNG (any case), sha256 the hex
//     SHA-256 of the file (any case); the file a JPEG, BMP or PNG by its
//     content, at most 2M (2 MiB). Refusals are 400 PARAM_ERROR with the
//     field in detail, with the messages WeChat Pay answers as merchants
//     quote them where known ("图片sha256值有误,请检查后重新提交",
//     "文件二进制内容不是图片,请检查后重新提交"). The answer is {"media_id"}, a sandbox
//     value derived from the image's SHA-256.
//   - applyTradeBill, GET /v3/bill/tradebill, and applyFundFlowBill, GET
//     /v3/bill/fundflowbill (https://pay.weixin.qq.com/doc/v3/merchant/4012556654):
//     bill_date a date (+08:00) in the last three months, bill_type or
//     account_type from the page's list (ALL or BASIC when absent), tar_type
//     GZIP or absent; each once. A bill is ready from 9:00 the next day,
//     before which the answer is 400 STATEMENT_CREATING "账单生成中"; a day a
//     BillSource has nothing for is 400 NO_STATEMENT_EXIST "请求的账单文件不存在"
//     (https://pay.weixin.qq.com/doc/v3/merchant/4013071254). The answer is
//     {"hash_type":"SHA1","hash_value","download_url"}: the SHA-1 of the bill
//     before compression, and a URL on the sandbox's own host,
//     /v3/billdownload/file?token=…, valid for 5 minutes.
//   - downloadBill, GET /v3/billdownload/file: the bill, unsigned,
//     application/octet-stream, gzip-compressed when applied for with
//     tar_type GZIP (deterministic bytes). A token that is not the
//     sandbox's, or expired: 400 INVALID_REQUEST.
//
// The token of download_url states the application, authenticated with
// HMAC-SHA256 under a key the server makes when it starts, so the sandbox
// keeps no state per application and builds the file again for the
// download. Without a BillSource the bill is DefaultBill, a placeholder
// that names the query and is not WeChat Pay's layout.
//
// # Notifications
//
// Server.Notify delivers a notification a behaviour describes (its URL,
// event_type, summary, the resource's original_type and associated_data,
// and the plaintext) as the documentation describes callbacks:
//
//   - headers Wechatpay-Timestamp, -Nonce, -Signature and -Serial, the
//     signature made with the sandbox's WeChat Pay key over
//     TIMESTAMP\nNONCE\nBODY\n, as for its answers; Content-Type
//     application/json;
//   - body {"id","create_time","event_type","resource_type","summary",
//     "resource"}, resource {"algorithm":"AEAD_AES_256_GCM","ciphertext",
//     "nonce","associated_data","original_type"} encrypted with
//     wechatpay.EncryptNotificationResource under the APIv3 key
//     (Options.APIv3Key, by default 32 random characters of [0-9A-Za-z];
//     Server.APIv3Key returns it);
//   - resource_type "encrypt-resource" (NotificationResourceType), the value
//     every official callback page gives, such as
//     https://pay.weixin.qq.com/doc/v3/partner/4016790583; create_time the
//     sandbox clock in RFC 3339 (+08:00); id "sandbox-" and 28 hex digits (36 characters),
//     a sandbox value (official ids are opaque strings of up to 36
//     characters).
//
// The sandbox delivers with Options.NotifyClient (a test merchant behind
// httptest.NewTLSServer passes its Client(), so notify_url stays HTTPS),
// follows no redirect and makes one attempt: Notify returns nil for a 2xx
// answer and a *DeliveryError otherwise; resending is the behaviour's (or
// the test's) choice, as WeChat Pay retries. Options.NoNotifications turns
// delivery off (ErrNotificationsOff). Server.InjectNotificationFault spoils
// the next notifications: a tampered ciphertext or a wrong APIv3 key
// (signed, so only the decryption fails), a stale timestamp, a bad
// signature, a tampered body, an unknown serial or missing signature
// headers.
//
// # Faults
//
// Server.InjectFault makes the next calls of one operation misbehave: an error
// answer of your choosing, a delay, an HTML 5xx page, a dropped connection, a
// truncated body, or a 2xx answer whose signature does not verify (bad
// signature, tampered body, stale timestamp, unknown serial, missing
// headers). Faults apply only to requests that pass every check above; see
// FaultKind for which of them run the operation first. On the bill download,
// whose answer is not signed, FaultTamperedBody corrupts the file: one byte
// of the bill changes before compression, so a gzip file still decompresses
// and only hash_value tells (wechatpay.BillIntegrityError). The other
// signature faults leave an unsigned answer as it is.
package wechatpaytest
