package e2e_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/payforge/wechatpay/gen/bills"
	"github.com/payforge/wechatpay/gen/contractpayments"
	pec "github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/gen/refunds"
	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
	sbx "github.com/payforge/wechatpay/wechatpay/wechatpaytest/payments"
)

// The merchant's whole journey, offline, with the generated clients: a
// password-exempt contract is pre-signed and signed, an order is placed
// under it, the mini program gets its signed payment parameters, the user
// pays, the payment notification is verified, decrypted and decoded into
// the generated type, a refund follows with its notification, the next
// day's trade bill is downloaded (checked by its hash) and lists both, and
// the contract is terminated. The sandbox plays WeChat Pay and the user, on
// a clock the example moves.
func Example_merchantJourney() {
	ctx := context.Background()
	clock := wechatpaytest.NewClock(time.Date(2026, 3, 10, 10, 0, 0, 0, time.FixedZone("CST", 8*60*60)))

	// The merchant's notify_url: the runtime's handler verifies and
	// decrypts each notification before handing it over.
	notified := make(chan *wechatpay.Notification, 4)
	var notify atomic.Pointer[wechatpay.NotifyHandler] // set once the sandbox's keys are known
	merchant := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		notify.Load().ServeHTTP(w, r)
	}))
	defer merchant.Close()
	notifyURL := merchant.URL + "/wechatpay/notify"

	family := contracts.New(contracts.Options{})       // WeChat Pay's contracts
	journey := sbx.New(sbx.Options{Contracts: family}) // its orders, refunds and bills
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{
		Clock:        clock.Now,
		NotifyClient: merchant.Client(), // trusts the merchant's test certificate
		Behaviours:   []wechatpaytest.Behaviour{family, journey},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	cfg := srv.ClientConfig() // in production: wechatpay.LoadConfig
	rt, err := wechatpay.NewClient(cfg)
	if err != nil {
		log.Fatal(err)
	}
	keys, err := wechatpay.NewKeySet(cfg.VerificationKeys...)
	if err != nil {
		log.Fatal(err)
	}
	handler, err := wechatpay.NewNotifyHandler(wechatpay.NotifyConfig{Keys: keys, APIv3Key: srv.APIv3Key(), Clock: clock.Now},
		func(_ context.Context, n *wechatpay.Notification) error {
			notified <- n
			return nil
		})
	if err != nil {
		log.Fatal(err)
	}
	notify.Store(handler)
	contractsClient, orders := pec.NewClient(rt), contractpayments.NewClient(rt)
	refundsClient, billsClient := refunds.NewClient(rt), bills.NewClient(rt)
	const appID, openID = "wxd678efh567hg6787", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"

	// 1. The contract: pre-signed, then signed by the user in WeChat.
	if _, err := contractsClient.PreSignNormalMiniProgram(ctx, &pec.PreSignNormalMiniProgramRequest{AppID: appID, ServiceID: 12535,
		OutContractCode: "journey20260310", NotifyURL: notifyURL, ContractDisplayAccount: "张三", OpenID: openID}); err != nil {
		log.Fatal(err)
	}
	if err := family.SignContract(ctx, 12535, "journey20260310"); err != nil {
		log.Fatal(err)
	}
	signed, err := wechatpay.DecodeNotification[pec.QueryByCodeResponse](<-notified)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("contract:", signed.OutContractCode, signed.ContractState)

	// 2. An order under the contract, and the mini program's parameters.
	prepay, err := orders.JsapiWithContractPrepay(ctx, &contractpayments.JsapiWithContractPrepayRequest{
		AppID: appID, MchID: rt.MchID(), Description: "Image形象店-深圳腾大-QQ公仔", OutTradeNo: "journey-order-1",
		NotifyURL: notifyURL, Amount: contractpayments.OrderAmount{Total: 100}, Payer: contractpayments.Payer{OpenID: openID},
		ContractInfo: &contractpayments.ContractInfo{PasswordFreeContractID: signed.ContractID},
	})
	if err != nil {
		log.Fatal(err)
	}
	params, err := rt.JSAPIPayParams(appID, prepay.PrepayID) // for wx.requestPayment
	if err != nil {
		log.Fatal(err)
	}
	signedLines := params.AppID + "\n" + params.TimeStamp + "\n" + params.NonceStr + "\n" + params.Package + "\n"
	digest := sha256.Sum256([]byte(signedLines))
	paySign, _ := base64.StdEncoding.DecodeString(params.PaySign)
	merchantKey := cfg.MerchantKey.Public().(*rsa.PublicKey)
	fmt.Println("wx.requestPayment:", params.Package == "prepay_id="+prepay.PrepayID, params.SignType,
		"paySign verifies:", rsa.VerifyPKCS1v15(merchantKey, crypto.SHA256, digest[:], paySign) == nil)

	// 3. The user pays a minute later; WeChat Pay notifies.
	clock.Set(clock.Now().Add(time.Minute))
	if err := journey.Pay(ctx, "journey-order-1"); err != nil {
		log.Fatal(err)
	}
	n := <-notified
	paid, err := contractpayments.DecodeTransactionSuccess(n)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("notified:", n.EventType, paid.OutTradeNo, paid.TradeState, *paid.Amount.PayerTotal, paid.SuccessTime.Format(time.RFC3339))

	// 4. A partial refund, then its result.
	clock.Set(clock.Now().Add(time.Hour))
	refund, err := refundsClient.CreateRefund(ctx, &refunds.CreateRefundRequest{TransactionID: paid.TransactionID,
		OutRefundNo: "journey-refund-1", NotifyURL: notifyURL, Reason: "商品已售完",
		Amount: refunds.CreateRefundAmount{Refund: 30, Total: 100, Currency: refunds.CreateRefundAmountCurrencyCny}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("refund:", refund.OutRefundNo, refund.Status)
	if err := journey.SettleRefund(ctx, "journey-refund-1", sbx.RefundSuccess); err != nil {
		log.Fatal(err)
	}
	n = <-notified
	refunded, err := refunds.DecodeRefundResult(n)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("notified:", n.EventType, refunded.OutRefundNo, refunded.RefundStatus, *refunded.Amount.Refund)

	// 5. The next day, after 10:00: the day's trade bill lists both.
	clock.Set(time.Date(2026, 3, 11, 10, 0, 0, 0, time.FixedZone("CST", 8*60*60)))
	info, err := billsClient.ApplyTradeBill(ctx, &bills.ApplyTradeBillRequest{BillDate: "2026-03-10"})
	if err != nil {
		log.Fatal(err)
	}
	var bill strings.Builder
	if _, err := rt.DownloadBill(ctx, &wechatpay.BillDownload{Bill: wechatpay.Bill{HashType: string(info.HashType),
		HashValue: info.HashValue, DownloadURL: info.DownloadURL}}, &bill); err != nil {
		log.Fatal(err) // a *wechatpay.BillIntegrityError when the file is not the one hash_value describes
	}
	cr := csv.NewReader(strings.NewReader(bill.String()))
	cr.FieldsPerRecord = -1 // the detail lines, then the summary's header and line
	records, err := cr.ReadAll()
	if err != nil {
		log.Fatal(err)
	}
	header := records[0]
	for _, rec := range records[1:] {
		line := map[string]string{}
		for i, v := range rec {
			if i < len(header) {
				line[header[i]] = strings.TrimPrefix(v, "`")
			}
		}
		if line["商户订单号"] == "journey-order-1" {
			fmt.Println("bill:", line["交易时间"], line["交易状态"], line["订单金额"], line["商户退款单号"], line["退款金额"])
		}
	}

	// 6. The contract ends.
	ended, err := contractsClient.TerminateByCode(ctx, &pec.TerminateByCodeRequest{ServiceID: 12535,
		OutContractCode: "journey20260310", ContractTerminationRemark: "用户解约"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("terminated:", ended.OutContractCode, family.State(12535, "journey20260310"))

	// Output:
	// contract: journey20260310 SIGNED
	// wx.requestPayment: true RSA paySign verifies: true
	// notified: TRANSACTION.SUCCESS journey-order-1 SUCCESS 100 2026-03-10T10:01:00+08:00
	// refund: journey-refund-1 PROCESSING
	// notified: REFUND.SUCCESS journey-refund-1 SUCCESS 30
	// bill: 2026-03-10 10:01:00 SUCCESS 1.00  0.00
	// bill: 2026-03-10 11:01:00 REFUND 0.00 journey-refund-1 0.30
	// terminated: journey20260310 terminated
}
