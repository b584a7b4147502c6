// Package contracts is the sandbox's behaviour for the password-exempt
// contract family (免密支付): it keeps contracts in memory and serves the
// family's ten operations of the embedded spec
// (password-exempt-contract.yaml) on a wechatpaytest engine, which checks
// every request's signature and spec before and signs every answer after.
//
//	family := contracts.New(contracts.Options{})
//	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{
//		Behaviours: []wechatpaytest.Behaviour{family},
//	})
//	if err != nil { … }
//	defer srv.Close()
//	// … calls through wechatpay.NewClient(srv.ClientConfig())
//	family.State(contracts.ExampleServiceID, contracts.ExampleOutContractCode) // contracts.Terminated
//
// The family also plays the user, who signs a pre-signed contract
// (Family.SignContract) or ends it (Family.TerminateByUser), and WeChat
// Pay's notifier, which then tells the merchant's notify_url through the
// engine (wechatpaytest.Server.Notify).
//
// # Contracts
//
// A contract is named by its service_id and out_contract_code and is in one
// of the states of State: Pending (pre-signed, not signed by the user yet),
// Active (signed, in effect) or Terminated. The family keeps what the
// pre-sign request carried: the operation's mode (normal, service-provider,
// ecommerce, qs) and scene (mini-program, pay-redirect-sign), appid,
// sp_appid, sub_appid, sub_mchid, openid, sp_openid, sub_openid,
// contract_display_account and notify_url. Every contract belongs to the
// sandbox's merchant (wechatpaytest.Options.MchID).
//
// The official example contract (service_id 12535, out_contract_code
// wxwtdk20200910100000) is active when the family attaches unless
// Options.NoExampleContract is set; AddContract adds more active ones.
// Neither was pre-signed, so their appid is AddedContractAppID and their
// openid a sandbox value. Family.State reads a state; Family.StateByID reads
// it by contract_id, the ID an order under a contract names (package
// github.com/payforge/wechatpay/wechatpay/wechatpaytest/payments asks it that way).
//
// # Operations
//
// The official pages list no error codes for pre-sign and query, and list
// terminate's codes without saying which answers which case; the family
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
//   - a body the spec refuses (the engine's check; the qs rule that openid
//     or sub_openid is present included, with detail field /openid and an
//     issue naming both; an empty string, which the spec's minLength 1
//     refuses; a notify_url that is not HTTPS or has a query): 400
//     PARAM_ERROR;
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
//     family makes one up when the user signs, "sandbox-openid-" and 16 hex
//     digits: the user who signs has one, the merchant just did not know it.
//     Pre-sign allows 128 characters of openid where the Contract schema says
//     64; the family answers what it was given.
//   - contract_state: SIGNED, the only value seen in the official examples,
//     for an active contract. The field is required, and the official value
//     for a terminated contract was not found: the family answers
//     TerminatedContractState ("SANDBOX_TERMINATED"), as SIGNED would say the
//     contract is in effect; a labelled unknown value also shows clients one
//     they must accept anyway.
//   - contract_terminate_info: present only for a contract its user ended
//     (Family.TerminateByUser), with contract_termination_mode
//     USER_TERMINATE, the only mode seen in the official examples, and
//     contract_terminated_time. A contract the merchant ended with
//     terminateByCode has none: the object is optional, the mode it requires
//     is not documented for a merchant termination, and the family neither
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
// Family.SignContract signs a pending contract as its user would: it becomes
// active with a contract_id and the sandbox clock's time, and the family
// asks the engine to POST a notification to its notify_url
// (wechatpaytest.Server.Notify, which signs and encrypts it).
// Options.AutoSign does the same by itself a while after each pre-sign, for
// clients outside Go. Family.SendNotification sends an active contract's
// notification again, as WeChat Pay retries.
//
// resource_type is the official "encrypt-resource". The documentation found
// gives neither this family's event type nor its decrypted fields, nor its
// summary, associated_data and original_type (official pages set those per
// product, such as "transaction" for payments); the family uses labelled
// placeholders: event_type NotificationEventType
// ("SANDBOX.CONTRACT_SIGNED"), summary NotificationSummary, associated_data
// NotificationAssociatedData and original_type NotificationOriginalType.
// The plaintext is the contract as queryByCode answers it, whose fields are
// documented. Merchants should handle the notification generically, as the
// runtime's NotifyHandler does, until the official values are known.
//
// Delivery is the engine's: one attempt, nil for a 2xx answer and a
// *wechatpaytest.DeliveryError otherwise; the contract stays signed either
// way. With wechatpaytest.Options.NoNotifications, SignContract signs
// without notifying.
package contracts
