// Command wechatpay-sandbox runs the local WeChat Pay APIv3 sandbox of
// package wechatpaytest as a process, for clients written in any language.
//
//	wechatpay-sandbox -dir DIR [-addr 127.0.0.1:0] [-platform-certificate] [-contract SERVICE_ID:CODE ...]
//	                  [-no-example-contract] [-auto-sign DELAY] [-journey-specs DIR] [-auto-pay DELAY]
//	                  [-auto-settle-refunds DELAY] [-refund-outcome SUCCESS|ABNORMAL|CLOSED]
//	                  [-refund-notify-url URL] [-notify-ca FILE]
//	wechatpay-sandbox -dir DIR [-addr 127.0.0.1:0] [-platform-certificate] -spec FILE [-spec FILE ...] [-notify-ca FILE]
//
// It keeps its keys in DIR, creating them on the first run and reusing them
// after: merchant_key.pem (the merchant API private key, PKCS#8),
// wechatpay_public_key.pem (the WeChat Pay public key clients verify with),
// wechatpay_private_key.pem (the sandbox's signing key) and apiv3_key (the
// merchant's APIv3 key: 32 characters of [0-9A-Za-z], no newline; write your
// own 32-byte key there before the first run to use it). On every start it
// writes DIR/config.json in the format of wechatpay.ConfigFile, with base_url
// pointing at the sandbox and apiv3_key_file naming apiv3_key, so that
// wechatpay.LoadConfig (calls), wechatpay.LoadNotifyConfig (notifications)
// or scripts/curl-client.sh can use it. It prints, on stdout, where it
// listens, then where those files are:
//
//	listening on http://127.0.0.1:PORT
//	config file:            DIR/config.json
//	merchant private key:   DIR/merchant_key.pem
//	WeChat Pay public key:  DIR/wechatpay_public_key.pem (PUB_KEY_ID_…)
//	APIv3 key:              DIR/apiv3_key
//	sandbox's signing key:  DIR/wechatpay_private_key.pem
//
// with DIR made absolute. The first line stays first, for scripts.
//
// By default it serves the specs embedded in github.com/payforge/wechatpay/spec
// with the password-exempt contract family's behaviour (package
// wechatpaytest/contracts). The official example contract (service_id 12535,
// out_contract_code wxwtdk20200910100000) is active unless
// -no-example-contract is given; -contract adds more. The pre-sign operations
// add pending contracts. Contracts live in memory only.
//
// Next to it runs the behaviour of the merchant's journey after the
// contract (package wechatpaytest/payments): JSAPI, APP, H5 and Native
// orders, orders under a contract (which need an active contract of the
// contract family), their queries and close, refunds, and the trade and
// fund-flow bills that list them, with the embedded specs payments.yaml,
// contract-payments.yaml and refunds.yaml (and common.yaml and
// notifications.yaml that they share). -journey-specs DIR serves those files
// of a folder instead, for a merchant trying edited specs. Nobody
// pays an order unless -auto-pay is given: the user then pays each order
// DELAY after it is placed, and the sandbox notifies its notify_url
// (TRANSACTION.SUCCESS). Refunds stay PROCESSING unless
// -auto-settle-refunds is given: each then ends DELAY after it is accepted
// as -refund-outcome says (SUCCESS by default, ABNORMAL or CLOSED), notified
// to the refund's notify_url, or to -refund-notify-url when it named none
// (the address a merchant sets on the merchant platform). Orders and
// refunds live in memory only.
//
// With -spec it serves the OpenAPI 3 documents given instead, with no
// behaviour: each request is checked (signature, spec) as always and each
// operation answers its spec's example, signed, so that a client generated
// for a spec of your own can be tested offline. The contract and journey
// flags do not go with -spec; a spec the sandbox cannot serve (an operation without
// operationId, or whose example cannot be built or breaks the spec) is
// refused at start with the reason.
//
// Besides the operations of the specs, the sandbox serves those every
// merchant has (package wechatpaytest): GET /v3/certificates, the image
// upload (POST /v3/merchant/media/upload) and the bill applications (GET
// /v3/bill/tradebill, GET /v3/bill/fundflowbill) with their download.
//
// -platform-certificate runs the sandbox in platform certificate mode, for
// merchants who verify with platform certificates rather than the WeChat
// Pay public key: it keeps a self-signed platform certificate and its key
// in DIR (platform_cert.pem, platform_key.pem; made on the first run, and
// again once expired), signs answers and notifications with it, serves it
// encrypted under the APIv3 key at GET /v3/certificates, and writes
// config.json with platform_certificate_files instead of the public key.
// The banner then names the certificate, with its serial, and its key in
// place of the public key and the signing key. Try the CLI's certificate
// download against it:
//
//	wechatpay -config DIR/config.json certificates -out certs
//
// (a config without platform_certificate_files makes that the first
// download, verified with the download's own certificate).
//
// Nobody signs a pre-signed contract unless -auto-sign is given: then the
// sandbox signs each one DELAY after its pre-sign, as its user would, and
// POSTs the signing notification to its notify_url (an HTTPS URL), signed
// with the WeChat Pay key and its resource encrypted with the key in
// apiv3_key, so that a merchant in any language verifies it with
// wechatpay_public_key.pem and decrypts it with apiv3_key (in Go:
// wechatpay.LoadNotifyConfig of config.json). The notification's
// event type and the like are sandbox placeholders; see package wechatpaytest.
// The sandbox trusts the system's certificate roots, and those in the PEM
// file given by -notify-ca, such as a local merchant's self-signed one.
//
// Each answer and each notification is logged on stderr. SIGINT or SIGTERM
// shuts the sandbox down; it then exits 0.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
