//go:build tools

// Package tools pins the versions of the command-line tools the Makefile runs,
// so that `go run` resolves them from go.mod instead of whatever is installed.
package tools

import (
	_ "honnef.co/go/tools/cmd/staticcheck"
)
