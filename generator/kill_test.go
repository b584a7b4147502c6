package generator

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/payforge/wechatpay/generator/internal/header"
)

// TestKilledRunsLeaveNoHalfFile kills the generator binary at staggered
// moments while it generates the family package. Whatever moment it dies
// at, every .go file in the output folder is either absent or complete.
func TestKilledRunsLeaveNoHalfFile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the generator")
	}
	bin := filepath.Join(t.TempDir(), "wechatpay-gen")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/wechatpay-gen").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	want := map[string][]byte{}
	committed, _ := filepath.Glob("../gen/passwordexemptcontract/*.go")
	for _, path := range committed {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if header.IsGenerated(data) {
			want[filepath.Base(path)] = data
		}
	}
	// Time one full run, then kill runs at fractions of it.
	start := time.Now()
	if out, err := exec.Command(bin, "-spec", specPath, "-import", committedImport, "-out", t.TempDir()).CombinedOutput(); err != nil {
		t.Fatalf("a full run failed: %v\n%s", err, out)
	}
	full := time.Since(start)
	killed := 0
	for i := range 20 {
		out := t.TempDir()
		cmd := exec.Command(bin, "-spec", specPath, "-import", committedImport, "-out", out)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(full * time.Duration(i+5) / 25)
		if cmd.Process.Kill() == nil {
			killed++
		}
		cmd.Wait()
		entries, err := os.ReadDir(out)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".go") {
				continue // a temporary file the next run clears
			}
			got, err := os.ReadFile(filepath.Join(out, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want[e.Name()]) {
				t.Errorf("run %d: %s is not a complete generated file (%d bytes)", i, e.Name(), len(got))
			}
		}
	}
	fmt.Printf("killed generator runs: %d of 20 killed mid-run, no half-written file\n", killed)
}
