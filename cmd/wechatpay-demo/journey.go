package main

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/payforge/wechatpay/gen/bills"
	"github.com/payforge/wechatpay/gen/contractpayments"
	"github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/gen/refunds"
	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/payments"
)

// chinaTime is the zone WeChat Pay writes its times in.
var chinaTime = time.FixedZone("CST", 8*60*60)

// journey is the merchant's whole journey against a sandbox of its own: a
// contract pre-signed and signed, an order under it, the mini program's
// payment parameters, the payment and its notification, a refund and its
// notification, the next day's trade bill, and the contract's end. It is
// the story of the e2e package's Example_merchantJourney.
func journey(ctx context.Context, out io.Writer) error {
	// The sandbox's clock, which the demo moves: the sandbox, the runtime and
	// the notification handler share it, so the day's bill can be fetched the
	// next morning without waiting.
	clock := wechatpaytest.NewClock(time.Date(2026, 3, 10, 10, 0, 0, 0, chinaTime))
	notified := make(chan *wechatpay.Notification, 4)
	var notify atomic.Pointer[wechatpay.NotifyHandler]
	merchant := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		notify.Load().ServeHTTP(w, r)
	}))
	defer merchant.Close()
	notifyURL := merchant.URL + "/wechatpay/notify"

	family := contracts.New(contracts.Options{})
	sandboxPayments := payments.New(payments.Options{Contracts: family})
	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{
		Clock:        clock.Now,
		NotifyClient: merchant.Client(),
		Behaviours:   []wechatpaytest.Behaviour{family, sandboxPayments},
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	cfg := srv.ClientConfig()
	rt, err := wechatpay.NewClient(cfg)
	if err != nil {
		return err
	}
	keys, err := wechatpay.NewKeySet(cfg.VerificationKeys...)
	if err != nil {
		return err
	}
	handler, err := wechatpay.NewNotifyHandler(wechatpay.NotifyConfig{Keys: keys, APIv3Key: srv.APIv3Key(), Clock: clock.Now},
		func(_ context.Context, n *wechatpay.Notification) error {
			notified <- n
			return nil
		})
	if err != nil {
		return err
	}
	notify.Store(handler)
	next := func() (*wechatpay.Notification, error) {
		select {
		case n := <-notified:
			return n, nil
		case <-time.After(10 * time.Second):
			return nil, fmt.Errorf("no notification reached %s", notifyURL)
		}
	}
	contractsClient, orders := passwordexemptcontract.NewClient(rt), contractpayments.NewClient(rt)
	refundsClient, billsClient := refunds.NewClient(rt), bills.NewClient(rt)
	const appID, openID, serviceID, code = "wxd678efh567hg6787", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", 12535, "journey20260310"
	fmt.Fprintf(out, "sandbox on %s, clock at %s; the merchant's notify_url is %s\n", srv.URL, clock.Now().Format(time.RFC3339), notifyURL)

	fmt.Fprintln(out, "\n1. PreSignNormalMiniProgram, then the user signs in WeChat: the signing notification")
	pre, err := contractsClient.PreSignNormalMiniProgram(ctx, &passwordexemptcontract.PreSignNormalMiniProgramRequest{AppID: appID,
		ServiceID: serviceID, OutContractCode: code, NotifyURL: notifyURL, ContractDisplayAccount: "张三", OpenID: openID})
	if err != nil {
		return fmt.Errorf("pre-sign: %w", err)
	}
	fmt.Fprintf(out, "   pre-signed: the user signs in mini program %s at %s\n", pre.SignMpAppID, pre.SignMpPath)
	if err := family.SignContract(ctx, serviceID, code); err != nil {
		return err
	}
	n, err := next()
	if err != nil {
		return err
	}
	contract, err := wechatpay.DecodeNotification[passwordexemptcontract.QueryByCodeResponse](n)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   notified (%s, verified and decrypted): contract %s %s, contract_id %s\n", n.EventType, contract.OutContractCode, contract.ContractState, contract.ContractID)

	fmt.Fprintln(out, "\n2. JsapiWithContractPrepay, then JSAPIPayParams for wx.requestPayment")
	prepay, err := orders.JsapiWithContractPrepay(ctx, &contractpayments.JsapiWithContractPrepayRequest{
		AppID: appID, MchID: rt.MchID(), Description: "Image形象店-深圳腾大-QQ公仔", OutTradeNo: "journey-order-1",
		NotifyURL: notifyURL, Amount: contractpayments.OrderAmount{Total: 100}, Payer: contractpayments.Payer{OpenID: openID},
		ContractInfo: &contractpayments.ContractInfo{PasswordFreeContractID: contract.ContractID},
	})
	if err != nil {
		return fmt.Errorf("order under the contract: %w", err)
	}
	params, err := rt.JSAPIPayParams(appID, prepay.PrepayID)
	if err != nil {
		return err
	}
	digest := sha256.Sum256([]byte(params.AppID + "\n" + params.TimeStamp + "\n" + params.NonceStr + "\n" + params.Package + "\n"))
	sig, err := base64.StdEncoding.DecodeString(params.PaySign)
	if err != nil {
		return err
	}
	verified := rsa.VerifyPKCS1v15(cfg.MerchantKey.Public().(*rsa.PublicKey), crypto.SHA256, digest[:], sig) == nil
	fmt.Fprintf(out, "   package=%s signType=%s timeStamp=%s; paySign verifies with the merchant's public key: %v\n",
		params.Package, params.SignType, params.TimeStamp, verified)

	fmt.Fprintln(out, "\n3. The user pays: TRANSACTION.SUCCESS, decoded into contractpayments.Transaction")
	clock.Add(time.Minute)
	if err := sandboxPayments.Pay(ctx, "journey-order-1"); err != nil {
		return err
	}
	if n, err = next(); err != nil {
		return err
	}
	paid, err := contractpayments.DecodeTransactionSuccess(n)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   notified: %s %s %s, %d fen, paid at %s\n", n.EventType, paid.OutTradeNo, paid.TradeState,
		*paid.Amount.PayerTotal, paid.SuccessTime.Format(time.RFC3339))

	fmt.Fprintln(out, "\n4. CreateRefund of 30 fen: REFUND.SUCCESS, decoded into refunds.RefundNotificationPlaintext")
	clock.Add(time.Hour)
	refund, err := refundsClient.CreateRefund(ctx, &refunds.CreateRefundRequest{TransactionID: paid.TransactionID,
		OutRefundNo: "journey-refund-1", NotifyURL: notifyURL, Reason: "商品已售完",
		Amount: refunds.CreateRefundAmount{Refund: 30, Total: 100, Currency: refunds.CreateRefundAmountCurrencyCny}})
	if err != nil {
		return fmt.Errorf("refund: %w", err)
	}
	fmt.Fprintf(out, "   refund %s: %s\n", refund.OutRefundNo, refund.Status)
	if err := sandboxPayments.SettleRefund(ctx, "journey-refund-1", payments.RefundSuccess); err != nil {
		return err
	}
	if n, err = next(); err != nil {
		return err
	}
	refunded, err := refunds.DecodeRefundResult(n)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   notified: %s %s %s, %d fen\n", n.EventType, refunded.OutRefundNo, refunded.RefundStatus, *refunded.Amount.Refund)

	fmt.Fprintln(out, "\n5. The next morning: ApplyTradeBill, then DownloadBill (checked by its SHA-1)")
	clock.Set(time.Date(2026, 3, 11, 10, 0, 0, 0, chinaTime))
	info, err := billsClient.ApplyTradeBill(ctx, &bills.ApplyTradeBillRequest{BillDate: "2026-03-10"})
	if err != nil {
		return fmt.Errorf("trade bill: %w", err)
	}
	var bill strings.Builder
	if _, err := rt.DownloadBill(ctx, &wechatpay.BillDownload{Bill: wechatpay.Bill{HashType: string(info.HashType),
		HashValue: info.HashValue, DownloadURL: info.DownloadURL}}, &bill); err != nil {
		return fmt.Errorf("download: %w", err)
	}
	cr := csv.NewReader(strings.NewReader(bill.String()))
	cr.FieldsPerRecord = -1
	records, err := cr.ReadAll()
	if err != nil {
		return err
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
			fmt.Fprintf(out, "   bill line: %s %s order %s, refund %q %s\n", line["交易时间"], line["交易状态"], line["订单金额"],
				line["商户退款单号"], line["退款金额"])
		}
	}

	fmt.Fprintln(out, "\n6. TerminateByCode: the contract ends")
	ended, err := contractsClient.TerminateByCode(ctx, &passwordexemptcontract.TerminateByCodeRequest{ServiceID: serviceID,
		OutContractCode: code, ContractTerminationRemark: "用户解约"})
	if err != nil {
		return fmt.Errorf("termination: %w", err)
	}
	fmt.Fprintf(out, "   terminated %s; the sandbox says it is %s\n", ended.OutContractCode, family.State(serviceID, code))
	return nil
}
