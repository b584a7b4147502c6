// Package gen holds the client packages generated from the specs in spec/,
// one subdirectory each; the specs that only hold parts the others share
// (common.yaml, notifications.yaml) have none. Nothing in them is written by
// hand: edit the spec or the generator, then run `go generate ./gen/...` (or
// `make generate`).
package gen

//go:generate go tool wechatpay-gen -spec ../spec/password-exempt-contract.yaml -out passwordexemptcontract
//go:generate go tool wechatpay-gen -spec ../spec/payments.yaml -out payments
//go:generate go tool wechatpay-gen -spec ../spec/contract-payments.yaml -out contractpayments
//go:generate go tool wechatpay-gen -spec ../spec/refunds.yaml -out refunds
//go:generate go tool wechatpay-gen -spec ../spec/bills.yaml -out bills
