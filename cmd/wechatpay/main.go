// Command wechatpay calls WeChat Pay APIv3 operations from the command line
// through the generated client packages, so every request is checked against
// the spec, signed, and its answer verified before anything is printed.
//
//	wechatpay [-config FILE] [-v] OPERATION [--PARAM VALUE ...] [-d JSON|@FILE|@-]
//
// OPERATION is the spec's operationId in kebab case; `wechatpay -h` (or
// `wechatpay help`) lists them and `wechatpay OPERATION -h` (or `wechatpay
// help OPERATION`) describes one: its parameters and the fields of its body,
// each with its type, whether it is required and the spec's rules. An
// unknown name is answered with the nearest ones. Every message names the
// operation the way it was typed. Parameters take the spec's
// names, as --service_id 12535 or --service_id=12535. -d gives the JSON body,
// inline, from a file (@FILE) or from stdin (@-). For example, against the
// sandbox of cmd/wechatpay-sandbox:
//
//	wechatpay -config sandbox/config.json terminate-by-code \
//		--service_id 12535 --out_contract_code wxwtdk20200910100000 \
//		-d '{"contract_termination_remark":"用户解约"}'
//
// The config file (see wechatpay.ConfigFile) comes from -config, else from
// $WECHATPAY_CONFIG. A verified answer is printed on stdout as indented JSON;
// an operation whose answer has no body prints nothing. -v logs the HTTP
// exchange on stderr, the request signature redacted.
//
// `wechatpay certificates -out DIR` (the seed's Node SDK has it as `wxpay
// crt`) downloads the platform certificates of a merchant in certificate
// mode, decrypts them with the APIv3 key of the config's apiv3_key_file, and
// writes each as DIR/wechatpay_SERIAL.pem, printing a line per certificate:
// the file, its serial, effective_time and expire_time, tab-separated. It
// verifies the download with the WeChat Pay keys the config names, or, when
// the config names none (the first download), with a certificate of the
// download itself, which the APIv3 key vouches for, as the official SDKs
// do. Add the files to the config's platform_certificate_files afterwards.
// Against the sandbox: wechatpay-sandbox -platform-certificate.
//
// Exit status: 0 success; 1 WeChat Pay answered with an error; 2 usage error,
// bad config, or a request that breaks the spec (nothing was sent); 3 no
// usable answer: transport failure, an answer that failed verification, or
// one that does not decode. Nothing of a failed answer reaches stdout.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
