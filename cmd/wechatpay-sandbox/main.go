// Command wechatpay-sandbox runs the local WeChat Pay APIv3 sandbox of
// package wechatpaytest as a process, for clients written in any language.
//
//	wechatpay-sandbox -dir DIR [-addr 127.0.0.1:0] [-contract SERVICE_ID:CODE ...] [-no-example-contract]
//
// It keeps its keys in DIR, creating them on the first run and reusing them
// after: merchant_key.pem (the merchant API private key, PKCS#8),
// wechatpay_public_key.pem (the WeChat Pay public key clients verify with)
// and wechatpay_private_key.pem (the sandbox's signing key). On every start it
// writes DIR/config.json in the format of wechatpay.ConfigFile, its base_url
// pointing at the sandbox, so that wechatpay.LoadConfig or
// scripts/curl-client.sh can use it. Its first line on stdout is
//
//	listening on http://HOST:PORT
//
// The official example contract (service_id 12535, out_contract_code
// wxwtdk20200910100000) is active unless -no-example-contract is given;
// -contract adds more. Contracts live in memory only. Each answer is logged
// on stderr. SIGINT or SIGTERM shuts the sandbox down; it then exits 0.
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
