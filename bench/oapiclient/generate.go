// Package oapiclient is the client oapi-codegen v2.8.2 generates from the
// same spec as gen/passwordexemptcontract, for comparing calls: the
// benchmarks sign its requests and check its answers with package handsign.
// Only generate.go is written by hand; run `go generate` here to refresh
// client.gen.go after the spec changes.
package oapiclient

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2 -generate types,client -package oapiclient -o client.gen.go ../../spec/password-exempt-contract.yaml
