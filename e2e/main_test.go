package e2e_test

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain runs the tests, scans what they logged and the errors they saw for
// secrets (secrets_test.go), then checks for leaked goroutines as
// goleak.VerifyTestMain would.
func TestMain(m *testing.M) {
	code := m.Run()
	if err := scanForSecrets(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: Errors on successful test run: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}
