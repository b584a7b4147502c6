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
// The sandbox serves the operations of the specs embedded in
// github.com/payforge/wechatpay/spec and keeps its state (contracts) in
// memory. It also plays the user, who signs a pre-signed contract
// (Server.SignContract), and WeChat Pay's notifier, which then tells the
// merchant's notify_url.
//
// # Checks and the answers they give
//
// Each request goes through these checks in order; the first that fails
// decides the answer. Every answer carries a Request-ID header. Error answers
// have the body {"code":…,"message":…} with an optional "detail" and are not
// signed, as WeChat Pay may leave them unsigned; 2xx answers are signed
// (Wechatpay-Timestamp, -Nonce, -Signature and -Serial).
//
//  1. Body: at most 1 MiB. Larger: 400 INVALID_REQUEST.
//  2. Authorization: present once, scheme WECHATPAY2-SHA256-RSA2048 followed
//     by one space, the fields mchid, nonce_str, signature, timestamp and
//     serial_no each exactly once (any order, no spaces after commas, nothing
//     else), mchid and serial_no naming the sandbox's merchant and merchant
//     serial, the signature (RSASSA-PKCS1-v1_5, SHA-256, standard Base64)
//     valid over METHOD\nRequestURI\nTIMESTAMP\nNONCE\nBODY\n with the request
//     target exactly as sent and the exact body bytes, the timestamp within
//     300 s of the sandbox clock and the nonce not seen before in that window.
//     Any failure: 401 SIGN_ERROR.
//  3. Wechatpay-Serial: present and naming the sandbox's WeChat Pay public
//     key ID. Missing or wrong: 400 INVALID_REQUEST.
//  4. Route: the method and path name an operation of the spec. Otherwise:
//     404 INVALID_REQUEST. The status and code are the sandbox's own choice:
//     WeChat Pay documents no answer for an unknown path. The path is matched
//     as sent: the escaped path is split at each "/" and each segment is
//     matched against one segment of a path template, then decoded; a value
//     holding an escaped slash (%2F) is one segment and one value, so it can
//     reach no other operation, and its slash breaks the value's pattern
//     (400 PARAM_ERROR, step 5). A template segment that is not a parameter
//     matches the decoded segment; of two templates that fit, the one with a
//     literal segment where the other has a parameter wins, then the method
//     decides.
//  5. Spec: the path parameters and body satisfy the operation's schema
//     (kin-openapi openapi3filter.ValidateRequest). Otherwise: 400 PARAM_ERROR
//     with detail {field, value, issue, location}, where field is the
//     parameter name (location "path" or "query") or a JSON pointer such as
//     /contract_termination_remark (location "body").
//  6. The operation, by operationId. An operation of the spec the sandbox does
//     not implement: 501 SYSTEM_ERROR (the sandbox's own choice).
//
// Nonces are remembered until their request's timestamp leaves the 300 s
// window, after which a replay fails the timestamp check anyway; memory is
// therefore bounded by the request rate.
//
// # Contracts
//
// A contract is named by its service_id and out_contract_code and is in one
// of the states of ContractState: pending (pre-signed, not signed by the user
// yet), active (signed, in effect) or terminated. The sandbox keeps what the
// pre-sign request carried: the operation's mode (normal, service-provider,
// ecommerce, qs) and scene (mini-program, pay-redirect-sign), appid, sp_appid,
// sub_appid, sub_mchid, openid, sp_openid, sub_openid,
// contract_display_account and notify_url. Every contract belongs to the
// sandbox's merchant (Options.MchID).
//
// The official example contract (service_id 12535, out_contract_code
// wxwtdk20200910100000) is active when the server starts unless
// Options.NoExampleContract is set; AddContract adds more active ones.
// Neither was pre-signed, so their appid is AddedContractAppID and their
// openid a sandbox value. Server.ContractState reads a state.
//
// # Operations
//
// The official pages list no error codes for pre-sign and query, and list
// terminate's codes without saying which answers which case; the sandbox
// picks each error below from the codes documented for the family (400
// PARAM_ERROR, 400 INVALID_REQUEST, 401 SIGN_ERROR, 403 NO_AUTH, 500
// SYSTEM_ERROR) by one rule: PARAM_ERROR names a value that is wrong in
// itself (badly formed, or naming nothing), INVALID_REQUEST a well-formed
// request that the contract's state or history forbids.
//
// The eight pre-sign operations
// (POST …/contracts/{mode}/pre-entrust-sign/{scene}) create a pending
// contract and answer 200:
//
//   - mini-program: {"pre_entrustweb_id","mchid","service_id",
//     "out_contract_code","sign_mp_appid","sign_mp_path"}, with "sub_mchid"
//     after "mchid" for the service-provider mode;
//     pre_entrustweb_id is "sandbox-pre-entrustweb-" and 32 hex digits
//     (WeChat Pay's format is not documented), sign_mp_appid and sign_mp_path
//     are the sandbox values SignMpAppID and SignMpPath;
//   - pay-redirect-sign: {"mchid","service_id","out_contract_code"}, with
//     "sub_mchid" for the service-provider mode; prepay_id is checked
//     against the spec only (the sandbox has no orders).
//
// Their errors:
//
//   - a body the spec refuses (step 5 above; the qs rule that openid or
//     sub_openid is present included, with detail field /openid and an issue
//     naming both; a notify_url that is not HTTPS or has a query): 400
//     PARAM_ERROR; a qs body whose openid and sub_openid are both present
//     but empty gets the same answer;
//   - an out_contract_code this merchant used before, under any service_id
//     and in any state (pending, active or terminated): 400 INVALID_REQUEST,
//     message "a contract code is unique per merchant and never reusable",
//     detail field /out_contract_code. The documentation says a code is
//     unique per merchant and never reusable; the request is well formed,
//     the code's history forbids it, hence INVALID_REQUEST.
//
// queryByCode
// (GET …/service-id/{service_id}/out-contract-code/{out_contract_code})
// answers 200 with the Contract schema: mchid, contract_id, appid, openid,
// sub_appid and sub_openid when the pre-sign carried them, service_id,
// out_contract_code, contract_display_account, contract_state,
// contract_signed_time and, as said below, contract_terminate_info. Times are
// RFC 3339 in +08:00, as in WeChat Pay's examples, read from the sandbox
// clock. contract_id is "sandbox" and 24 hex digits (31 characters).
//
//   - appid and openid: the pre-sign's appid and openid; for the
//     service-provider mode, which has no appid or openid, its sp_appid and
//     sp_openid, since the Contract schema describes openid as the user's
//     OpenID under appid. When the pre-sign named no such OpenID (a service
//     provider without sp_openid, a qs request with sub_openid only) the
//     sandbox makes one up when the user signs, "sandbox-openid-" and 16 hex
//     digits: the user who signs has one, the merchant just did not know it.
//     Pre-sign allows 128 characters of openid where the Contract schema says
//     64; the sandbox answers what it was given.
//   - contract_state: SIGNED, the only value seen in the official examples,
//     for an active contract. The field is required, and the official value
//     for a terminated contract was not found: the sandbox answers
//     TerminatedContractState ("SANDBOX_TERMINATED"), as SIGNED would say the
//     contract is in effect; a labelled unknown value also shows clients one
//     they must accept anyway.
//   - contract_terminate_info: present only for a contract its user ended
//     (Server.TerminateByUser), with contract_termination_mode
//     USER_TERMINATE, the only mode seen in the official examples, and
//     contract_terminated_time. A contract the merchant ended with
//     terminateByCode has none: the object is optional, the mode it requires
//     is not documented for a merchant termination, and the sandbox neither
//     invents one nor reports USER_TERMINATE for what the user did not do.
//   - no contract with this service_id and code: 400 PARAM_ERROR, detail
//     field out_contract_code, location path;
//   - a pending contract: 400 INVALID_REQUEST ("the user has not signed it
//     yet"); it has no contract_id or signed time to answer with.
//
// terminateByCode
// (POST …/service-id/{service_id}/out-contract-code/{out_contract_code}/terminate)
// terminates an active contract, keeping the remark and the time, and
// answers 200 with {"mchid","service_id","out_contract_code"}. Errors:
//
//   - no contract with this service_id and out_contract_code: 400 PARAM_ERROR,
//     detail field out_contract_code, location path;
//   - a pending contract: 400 INVALID_REQUEST (the documentation requires a
//     contract in effect, 已生效);
//   - a contract already terminated: 400 INVALID_REQUEST (a terminated code
//     can never be used again).
//
// # Notifications
//
// Server.SignContract signs a pending contract as its user would: it becomes
// active with a contract_id and the sandbox clock's time, and the sandbox
// POSTs a notification to its notify_url. Options.AutoSign does the same by
// itself a while after each pre-sign, for clients outside Go.
// Server.SendNotification sends an active contract's notification again, as
// WeChat Pay retries. The notification is built as the documentation
// describes callbacks:
//
//   - headers Wechatpay-Timestamp, -Nonce, -Signature and -Serial, the
//     signature made with the sandbox's WeChat Pay key over
//     TIMESTAMP\nNONCE\nBODY\n, as for its answers; Content-Type
//     application/json;
//   - body {"id","create_time","event_type","resource_type","summary",
//     "resource"}, resource {"algorithm":"AEAD_AES_256_GCM","ciphertext",
//     "nonce","associated_data","original_type"} encrypted with wechatpay.EncryptNotificationResource under the APIv3
//     key (Options.APIv3Key, by default 32 random characters of [0-9A-Za-z];
//     Server.APIv3Key returns it).
//
// resource_type is "encrypt-resource" (NotificationResourceType), the value
// every official callback page gives. The documentation found gives neither
// this family's event type nor its decrypted fields, nor its summary,
// associated_data and original_type (official pages set those per product);
// the sandbox uses labelled placeholders: event_type NotificationEventType
// ("SANDBOX.CONTRACT_SIGNED"), summary NotificationSummary, associated_data
// NotificationAssociatedData and original_type NotificationOriginalType; id
// is "sandbox-" and 32 hex digits, create_time the sandbox clock in RFC 3339
// (+08:00). The plaintext is the contract as
// queryByCode answers it, whose fields are documented. Merchants should
// handle the notification generically, as the runtime's NotifyHandler does,
// until the official values are known.
//
// The sandbox delivers with Options.NotifyClient (a test merchant behind
// httptest.NewTLSServer passes its Client(), so notify_url stays HTTPS as the
// spec requires), follows no redirect and makes one attempt: SignContract
// and SendNotification return nil for a 2xx answer and a *DeliveryError
// otherwise; the contract stays signed either way. Options.NoNotifications
// turns delivery off. Server.InjectNotificationFault spoils the next
// notifications: a tampered ciphertext or a wrong APIv3 key (signed, so only
// the decryption fails), a stale timestamp, a bad signature, a tampered
// body, an unknown serial or missing signature headers.
//
// # Faults
//
// Server.InjectFault makes the next calls of one operation misbehave: an error
// answer of your choosing, a delay, an HTML 5xx page, a dropped connection, a
// truncated body, or a 2xx answer whose signature does not verify (bad
// signature, tampered body, stale timestamp, unknown serial, missing
// headers). Faults apply only to requests that pass every check above; see
// FaultKind for which of them run the operation first.
package wechatpaytest
