package main

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// TestGoTool runs the command the way //go:generate lines do, through the
// tool line of go.mod: -h prints the usage on stdout and exits 0, bad usage
// exits 2 with the usage on stderr.
func TestGoTool(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	cmd := exec.Command("go", "tool", "wechatpay-gen", "-h")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || !strings.HasPrefix(string(out), "usage: wechatpay-gen -spec FILE -out DIR") {
		t.Fatalf("go tool wechatpay-gen -h: %v, stdout %q, stderr %q", err, out, stderr.String())
	}
	cmd = exec.Command("go", "tool", "wechatpay-gen", "-spec")
	stderr.Reset()
	cmd.Stderr = &stderr
	out, err = cmd.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || len(out) != 0 || !strings.Contains(stderr.String(), "usage: wechatpay-gen") {
		t.Fatalf("go tool wechatpay-gen -spec: %v, stdout %q, stderr %q; want exit 2 and the usage on stderr", err, out, stderr.String())
	}
}
