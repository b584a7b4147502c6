package main

import (
	"slices"

	"github.com/payforge/wechatpay/gen/bills"
	"github.com/payforge/wechatpay/gen/contractpayments"
	"github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/gen/payments"
	"github.com/payforge/wechatpay/gen/refunds"
	"github.com/payforge/wechatpay/wechatpay"
)

// catalog returns every operation the command offers: the Operations tables
// of the generated packages, one after the other. Adding a generated package
// is one more table here.
func catalog() []wechatpay.Operation {
	return slices.Concat(
		passwordexemptcontract.Operations,
		payments.Operations,
		contractpayments.Operations,
		refunds.Operations,
		bills.Operations,
	)
}
