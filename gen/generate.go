// Package gen holds the client packages generated from the specs in spec/,
// one subdirectory each. Nothing in them is written by hand: edit the spec or
// the generator, then run `go generate ./gen/...` (or `make generate`).
package gen

//go:generate go tool wechatpay-gen -spec ../spec/password-exempt-contract.yaml -out passwordexemptcontract
