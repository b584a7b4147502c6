// Command bigspec writes an OpenAPI document with a given number of
// operations, made by cloning the operations of a smaller one (see package
// bigspec), for timing generators against the size of their input:
//
//	go run ./cmd/bigspec -spec ../spec/password-exempt-contract.yaml -ops 200 -o out/spec/ops200.yaml
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/payforge/wechatpay/bench/internal/bigspec"
)

func main() {
	spec := flag.String("spec", "../spec/password-exempt-contract.yaml", "the document whose operations are cloned")
	ops := flag.Int("ops", 200, "the number of operations of the output")
	out := flag.String("o", "", "the output file (default: standard output)")
	flag.Parse()
	if err := run(*spec, *ops, *out); err != nil {
		fmt.Fprintln(os.Stderr, "bigspec:", err)
		os.Exit(1)
	}
}

func run(spec string, ops int, out string) error {
	src, err := os.ReadFile(spec)
	if err != nil {
		return err
	}
	big, err := bigspec.Make(src, ops)
	if err != nil {
		return err
	}
	if out == "" {
		_, err = os.Stdout.Write(big)
		return err
	}
	return os.WriteFile(out, big, 0o644)
}
