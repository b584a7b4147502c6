// Command wechatpay-gen generates a typed Go client package for the WeChat
// Pay APIv3 operations an OpenAPI 3 document describes.
//
// Install it as a tool of your module and run it from a //go:generate line:
//
//	go get -tool github.com/payforge/wechatpay/cmd/wechatpay-gen@latest
//
//	//go:generate go tool wechatpay-gen -spec ../spec/password-exempt-contract.yaml -out passwordexemptcontract
//
// Usage:
//
//	wechatpay-gen -spec FILE -out DIR [-package NAME] [-check]
//
// It loads and validates FILE, converts it to a model, emits the package
// with jennifer and writes it to DIR: every file atomically, none over a file
// that it did not generate, removing generated files no longer produced.
// Nothing in DIR changes when any step fails. With -check it writes nothing
// and exits 1, listing the differences, when DIR is not what it would write.
// -h prints the usage.
//
// Exit status: 0 on success, 1 on an error or a difference found by -check,
// 2 on bad usage.
//
// The work is done by package github.com/payforge/wechatpay/generator.
package main

import (
	"os"

	"github.com/payforge/wechatpay/generator"
)

func main() {
	os.Exit(generator.Run(os.Args[1:], os.Stdout, os.Stderr))
}
