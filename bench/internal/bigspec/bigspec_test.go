package bigspec_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/payforge/wechatpay/bench/internal/bigspec"
	"github.com/payforge/wechatpay/generator"
)

func TestMake(t *testing.T) {
	family, err := os.ReadFile("../../../spec/password-exempt-contract.yaml")
	if err != nil {
		t.Fatal(err)
	}
	own, err := bigspec.Count(family)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, own, 2*own + 3} {
		big, err := bigspec.Make(family, n)
		if err != nil {
			t.Fatalf("Make(%d): %v", n, err)
		}
		// A valid document (every $ref resolves) of n operations with
		// distinct operationIds.
		doc, err := openapi3.NewLoader().LoadFromData(big)
		if err != nil {
			t.Fatalf("Make(%d): load: %v", n, err)
		}
		if err := doc.Validate(context.Background()); err != nil {
			t.Fatalf("Make(%d): validate: %v", n, err)
		}
		ids := map[string]bool{}
		for path, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				if ids[op.OperationID] {
					t.Errorf("Make(%d): operationId %s twice", n, op.OperationID)
				}
				ids[op.OperationID] = true
				if strings.HasPrefix(op.OperationID, "copy") != strings.Contains(path, "/copy") {
					t.Errorf("Make(%d): %s at %s: copy naming differs between id and path", n, op.OperationID, path)
				}
			}
		}
		if len(ids) != n {
			t.Errorf("Make(%d): %d operations", n, len(ids))
		}
		if n > own && !ids["copy2TerminateByCode"] {
			t.Errorf("Make(%d): no copy2TerminateByCode", n)
		}
		// The scale benchmarks generate it: this repository's generator must
		// accept it (one x-wechatpay-main, names that stay distinct in Go).
		dir := t.TempDir()
		file := filepath.Join(dir, "big.yaml")
		if err := os.WriteFile(file, big, 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		args := []string{"-spec", file, "-out", filepath.Join(dir, "big"), "-import", "example.com/big"}
		if code := generator.Run(args, &stdout, &stderr); code != 0 {
			t.Errorf("Make(%d): the generator exits %d: %s", n, code, stderr.String())
		}
	}
}
