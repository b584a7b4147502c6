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
// github.com/payforge/wechatpay/spec and keeps its state (contracts) in memory.
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
//     WeChat Pay documents no answer for an unknown path.
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
// # Operations
//
// terminateByCode (POST …/service-id/{service_id}/out-contract-code/{out_contract_code}/terminate)
// terminates an active contract and answers 200 with
// {"mchid","service_id","out_contract_code"}. The official page lists the
// codes 400 PARAM_ERROR, 400 INVALID_REQUEST, 401 SIGN_ERROR, 403 NO_AUTH and
// 500 SYSTEM_ERROR but not which one answers which case, so the sandbox
// chooses from that list:
//
//   - no contract with this service_id and out_contract_code: 400 PARAM_ERROR,
//     detail field out_contract_code, location path;
//   - a contract already terminated: 400 INVALID_REQUEST (a terminated code
//     can never be used again).
//
// The official example contract (service_id 12535, out_contract_code
// wxwtdk20200910100000) is active when the server starts unless
// Options.NoExampleContract is set. AddContract adds more and
// Server.ContractState reads their state.
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
