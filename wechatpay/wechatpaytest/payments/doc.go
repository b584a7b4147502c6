// Package payments is the sandbox's behaviour for the merchant's journey
// after the password-exempt contract: orders (JSAPI, APP, H5, Native),
// orders under a contract, their queries and close, refunds, and the bills
// that list them. It keeps everything in memory and serves the operations
// on a wechatpaytest engine, which checks every request's signature and
// spec before and signs every answer after.
//
//	family := contracts.New(contracts.Options{})
//	journey := payments.New(payments.Options{Contracts: family})
//	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{
//		Behaviours: []wechatpaytest.Behaviour{family, journey},
//	})
//	if err != nil { … }
//	defer srv.Close()
//	// … place an order through wechatpay.NewClient(srv.ClientConfig()), then
//	journey.Pay(ctx, "1217752501201407033233368018") // the user pays; the merchant is notified
//
// The family plays the user, who pays (Family.Pay, or Options.AutoPay) or
// starts paying (Family.BeginPayment), and WeChat Pay, which ends refunds
// (Family.SettleRefund, or Options.AutoSettleRefunds) and notifies the
// merchant through the engine (wechatpaytest.Server.Notify). It is the
// engine's wechatpaytest.BillSource: the bills the engine's bill operations
// serve list the family's orders and refunds.
//
// # Specs
//
// The family serves the operations of payments.yaml, contract-payments.yaml
// and refunds.yaml (DefaultSpecFiles()), read from Options.SpecFS (default
// spec.FS, the specs embedded in github.com/payforge/wechatpay/spec) with
// their shared parts common.yaml and notifications.yaml, through
// wechatpaytest.SpecProvider: a spec of wechatpaytest.Options.Specs that
// describes the same operation wins. The engine's default specs are those
// of spec.FS, which hold these files: a SpecFS of your own takes effect only
// when wechatpaytest.Options.Specs leaves them out (as the command
// wechatpay-sandbox does for -journey-specs). Their operationIds are the
// names the family serves; the clients generated from the same files are
// the packages gen/payments, gen/contractpayments and gen/refunds. Each
// answer below fits its spec (the tests check every one).
//
// Where a value or an error code comes from: "official" below means a
// page of pay.weixin.qq.com cited in the specs; "quoted" an answer of WeChat
// Pay that merchants quote on WeChat's developer community
// (developers.weixin.qq.com), which no official page read shows; "the
// sandbox's choice" what neither gives, picked as the contract family
// picks its codes: PARAM_ERROR for a value wrong in itself or naming
// nothing, INVALID_REQUEST for a well-formed request that the state of
// what it names forbids. Values the sandbox makes up say "sandbox".
//
// # Orders
//
// jsapiPrepay, appPrepay, h5Prepay and nativePrepay (POST
// /v3/pay/transactions/{jsapi,app,h5,native}) place an order of the direct
// merchant in state NOTPAY and answer 200 with the one field the kind
// needs (official names): prepay_id (JSAPI, APP), h5_url (H5) or code_url
// (Native). prepay_id is PrepayIDPrefix and 32 hex digits; h5_url and
// code_url are links under PaymentURLBase, a host of the reserved .invalid
// domain, carrying the prepay_id: sandbox values. Refusals, after the
// engine's spec check:
//
//   - mchid (sp_mchid for a service provider) not the merchant that signs
//     the request: 400 PARAM_ERROR, field /mchid; an amount.total of 0:
//     400 PARAM_ERROR, field /amount/total (the sandbox's choices);
//   - an out_trade_no used before: the same request again (the same JSON
//     content, to the same operation) while the order is NOTPAY is answered
//     as the first time, so that a retried order does no harm; any other
//     use of the number is 403 OUT_TRADE_NO_USED "商户订单号重复", detail
//     field /out_trade_no. The code and status are official (the close page's
//     table of business codes); that a prepay answers it is the sandbox's
//     reading, the prepay pages' tables having not been read. A number is
//     unique per merchant ID (the spec's reading of the pages), so the
//     direct merchant and each sub-merchant (sub_mchid) of a service
//     provider have their own; the helpers (Pay, TradeState, BeginPayment)
//     name the direct merchant's order with a number first, else the one
//     sub-merchant's order with it, and refuse a number several
//     sub-merchants used.
//
// An order can be paid until its time_expire, or for 7 days without one;
// a time_expire earlier than a minute after ordering counts as a minute
// after (official rules of the order pages). The later limits of
// time_expire (90 or 15 days) are not modelled.
//
// queryByOutTradeNo and queryByTransactionID (GET
// /v3/pay/transactions/{out-trade-no,id}/…?mchid=…) answer the order as the
// Transaction schema describes it: appid, mchid, out_trade_no, trade_type
// (JSAPI, APP, MWEB for H5, NATIVE: the official SDKs' values),
// trade_state, trade_state_desc (TradeStateDesc, sandbox texts), attach,
// payer.openid (the order's; for an APP, H5 or Native order, an OpenID
// under OpenIDPrefix that the sandbox makes up when the user pays), amount
// {total, currency}; once paid also transaction_id (TransactionIDPrefix and
// 25 digits), bank_type (BankType), success_time (RFC 3339, +08:00, the
// sandbox clock) and amount.payer_total and payer_currency. trade_state is
// NOTPAY, USERPAYING, SUCCESS, REFUND (from a refund's request until all
// its refunds are closed) or CLOSED, values of the official SDKs' list.
// Refusals: a mchid query parameter naming another merchant, 400
// PARAM_ERROR (the sandbox's choice); an order the merchant does not have
// (an unpaid order has no transaction_id), 404 ORDER_NOT_EXIST "订单不存在"
// (quoted: https://developers.weixin.qq.com/community/pay/doc/0008ca8f5807d0f1c43e5ac9656400).
//
// closeOrder (POST …/out-trade-no/{out_trade_no}/close) closes a NOTPAY
// order: 204 without a body (official), and the order is CLOSED. The other
// answers:
//
//   - a USERPAYING order: 202 with the body {"code":"USER_PAYING",
//     "message":"用户支付中,需要输入密码"} (official, both the status and the
//     code), signed as every 2xx answer is;
//   - a CLOSED order: 400 ORDER_CLOSED "订单已关闭" (official);
//   - a paid order: 400 INVALID_REQUEST "无效请求", detail field out_trade_no
//     (an official code of the page, whose cases the page does not tie to
//     codes: the sandbox's choice; v2's closeorder answered ORDERPAID,
//     which no v3 page read lists);
//   - an unknown order: 404 ORDER_NOT_EXIST, as the queries (the sandbox's
//     choice; merchants report that WeChat Pay answers 204 to a close of a
//     number it does not know, which would hide a wrong number in tests);
//   - a mchid of another merchant: 400 PARAM_ERROR (the sandbox's choice).
//
// # Orders under a contract
//
// jsapiWithContractPrepay, appWithContractPrepay and
// partnerJsapiWithContractPrepay place a JSAPI or APP order as above and
// answer prepay_id. contract_info.password_free_contract_id names the
// contract by its contract_id (what the contract query answers); the
// family asks Options.Contracts (the contract family, by
// contracts.Family.StateByID) for its state:
//
//   - the JSAPI forms require it: absent, 400 PARAM_ERROR, field
//     /contract_info/password_free_contract_id (the sandbox's choice: the
//     pages' table of contract_info was not read, and the pre-sign token
//     some sites list is not modelled);
//   - APP下单并签约 leads the user to sign while paying (official: "后续调起
//     支付会引导用户签约"), so it may name none; its contract_info's fields
//     are not known and the sandbox models no signing; when it names a
//     contract, the rules below apply;
//   - no contract with that contract_id (or no Options.Contracts): 400
//     PARAM_ERROR; a pending or terminated contract: 400 INVALID_REQUEST
//     "the contract is not in effect" (the contract family's rule; the
//     sandbox's choice).
//
// A service provider's order (partnerJsapiWithContractPrepay) keeps
// sp_appid, sp_mchid, sub_appid, sub_mchid and payer.sp_openid; the
// direct merchant's queries, close and refunds do not reach it (their
// service-provider forms are not in the specs served), and paying it sends
// no notification: the service provider's transaction is not described by
// any spec served, and the sandbox does not guess it.
//
// # Payment
//
// Family.Pay makes the user pay a NOTPAY or USERPAYING order: it becomes
// SUCCESS, and the sandbox POSTs TRANSACTION.SUCCESS to the order's
// notify_url (official event type), resource_type encrypt-resource,
// original_type "transaction", summary "支付成功" and associated_data ""
// (the official page's example), the plaintext the transaction exactly as
// the queries then answer it. Delivery is the engine's: one attempt, nil
// for a 2xx answer and a *wechatpaytest.DeliveryError otherwise;
// Family.SendPaymentNotification sends it again.
//
// # Refunds
//
// createRefund (POST /v3/refund/domestic/refunds) accepts a refund of a
// paid order named by transaction_id or out_trade_no and answers 200 with
// the refund in state PROCESSING: refund_id (RefundIDPrefix and 25 digits;
// WeChat Pay's are digits starting 50 or 52), out_refund_no,
// transaction_id, out_trade_no, channel ORIGINAL and user_received_account
// 支付用户零钱 (values of the query page's lists), create_time, status,
// funds_account (the request's, or UNSETTLED, which pays when none is
// named: the refund page) and amount {total, refund, from as requested,
// payer_total, payer_refund, settlement_refund, settlement_total,
// discount_refund 0, currency, refund_fee 0}: the sandbox has no coupons
// and no fees. Refusals:
//
//   - no order of the merchant with that number (an unpaid order has no
//     transaction_id): 404 RESOURCE_NOT_EXISTS "订单不存在" (code and message quoted:
//     https://developers.weixin.qq.com/community/develop/doc/0002cc91f60120266c050ea3265c00;
//     the status is the sandbox's choice), field /transaction_id or
//     /out_trade_no;
//   - transaction_id and out_trade_no naming two orders: 400 PARAM_ERROR;
//   - an order not paid: 400 INVALID_REQUEST; paid more than 365 days ago
//     (the refund page's limit): 400 INVALID_REQUEST;
//   - amount.total not the order's total: 400 PARAM_ERROR, /amount/total;
//     amount.refund of 0, or more than the total less the refunds not
//     closed ("不能超过原订单支付金额"): 400 PARAM_ERROR, /amount/refund;
//   - an out_refund_no used before: a request for the same order and amount
//     is answered with that refund as it is now, since "同一商户退款单号多次
//     请求只退一笔" (official); any other, 400 INVALID_REQUEST, field
//     /out_refund_no. The codes and statuses of these refusals are the
//     sandbox's choices: the refund page's error table was not read.
//
// queryRefund (GET /v3/refund/domestic/refunds/{out_refund_no}) answers
// the refund as createRefund does, with success_time once SUCCESS; an
// unknown number is 404 RESOURCE_NOT_EXISTS "退款单不存在" (quoted:
// https://developers.weixin.qq.com/community/pay/doc/0002c252e18508fd4a71a4c666bc00).
//
// Family.SettleRefund ends a refund, as WeChat Pay does, with SUCCESS,
// ABNORMAL (the merchant must act; it may then end SUCCESS or CLOSED) or
// CLOSED (its amount can be refunded again), and notifies REFUND.SUCCESS,
// REFUND.ABNORMAL or REFUND.CLOSED (official event types) to the refund's
// notify_url, or Options.RefundNotifyURL, the address a merchant sets on
// the merchant platform, when the request named none. original_type
// "refund" and associated_data "" are the pages' examples; summary
// RefundSummary is a sandbox value (string(16) on the refund page); the
// plaintext is the refund as queryRefund answers it, its state named
// refund_status (notifications.yaml, from the official Java SDK).
//
// applyAbnormalRefund (POST …/refunds/{refund_id}/apply-abnormal-refund)
// sends an ABNORMAL refund to the user's debit card (USER_BANK_CARD:
// bank_account and real_name decrypted with wechatpaytest.Call.DecryptField,
// whose refusals are WeChat Pay's) or to the merchant's bank account
// (MERCHANT_BANK_CARD), and answers the refund, PROCESSING again, with
// user_received_account 商户结算银行账户 (a case of the query page's list) or
// the page's form {银行名称}{卡类型}{卡尾号} filled with the bank_type code as
// sent, 借记卡 and the card's last four digits (the sandbox has no bank
// names). Then it ends as any refund; AutoSettleRefunds ends it SUCCESS.
// Refusals: an unknown refund_id, 404 RESOURCE_NOT_EXISTS "退款单不存在"; an
// out_refund_no that is not the refund's, 400 PARAM_ERROR; a refund that is
// not ABNORMAL, 400 INVALID_REQUEST (the sandbox's choices: the page's error
// table was not read).
//
// # Bills
//
// The trade bill of a day (bill_type ALL, SUCCESS, REFUND) lists the
// payments made that day and the refunds requested that day, in the
// columns of the official format page
// (https://pay.weixin.qq.com/docs/merchant/products/bill-download/format-trade.html,
// BillColumns): a detail header, the lines in time
// order, a summary header and the summary line; every value prefixed with
// a backquote (official); 交易时间 the payment's time or the refund's
// request, yyyy-MM-dd HH:mm:ss (+08:00); 特约商户号 0 for the direct
// merchant (official) and sub_mchid for a service provider's order; amounts
// in yuan with two decimals. The sandbox's choices: a refund line carries
// 0.00 in 应结订单金额 and 订单金额, so that each column adds up to its
// summary; 退款类型 is the refund's channel; 手续费 0.00 and 费率 FeeRate
// (no fees); 退款状态 is the refund's status at 9:00 the next day, when the
// bill is made ("出账后退款状态不更新", official), so that the file is the
// same whenever it is downloaded and its hash holds. In both bills a
// carriage return or line feed inside a value is written \r or \n (the
// fund-flow format page's escaping; the trade page's part read says
// nothing), and a value holding a comma or a quote is quoted as CSV (RFC
// 4180), which neither page addresses.
//
// The fund-flow bill of the basic account (account_type BASIC) lists the
// day's money in and out, in the official columns (BillColumns): a
// payment as 收入 at its payment (业务名称 and 业务类型 交易), a refund as
// 支出 when it succeeds (退款; when the real account is debited is not
// documented), 账户结余 the balance since the sandbox started (at 0),
// 资金流水单号 FlowNoPrefix and a count, 业务凭证号 the merchant's order or
// refund number, 资金变更提交申请人 and 备注 empty: the sandbox's choices.
//
// A day with nothing to bill, a bill type the sandbox has nothing for
// (RECHARGE_REFUND, the *_SPECIAL personalised bills) and the OPERATION and
// FEES accounts are wechatpaytest.ErrNoStatement, answered 400
// NO_STATEMENT_EXIST. The hash, the download URL and the download are the
// engine's.
package payments
