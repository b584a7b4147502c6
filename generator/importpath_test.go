package generator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestModulePath(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/shop\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]string{
		root:                                     "example.com/shop",
		filepath.Join(root, "gen"):               "example.com/shop/gen",
		filepath.Join(root, "internal", "wxpay"): "example.com/shop/internal/wxpay", // not there yet
	} {
		if got, err := modulePath(dir); err != nil || got != want {
			t.Errorf("modulePath(%s) = %q, %v; want %q", dir, got, err, want)
		}
	}
	// This module's own package.
	if got, err := modulePath(committedDir); err != nil || got != committedImport {
		t.Errorf("modulePath(%s) = %q, %v; want %q", committedDir, got, err, committedImport)
	}
}

// TestImportPathRequired: outside any module, the generator cannot tell the
// import path its examples need, and says so before writing anything.
func TestImportPathRequired(t *testing.T) {
	if _, err := os.Stat("/go.mod"); err == nil {
		t.Skip("a go.mod at the file system root")
	}
	out := filepath.Join(os.TempDir(), "wechatpay-gen-no-module", t.Name())
	if _, err := modulePath(out); err == nil {
		t.Skip("the temporary folder is inside a module")
	}
	code, _, stderr := runGen(t, "-spec", specPath, "-out", out)
	if code != 1 || !strings.Contains(stderr, "pass -import") {
		t.Fatalf("exit %d, stderr %q; want 1 asking for -import", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("%s was created", out)
	}
}
