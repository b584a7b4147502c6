package scripts_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// What go test prints when Go 1.26's fuzzing coordinator fails a run at its
// -fuzztime deadline without a finding (go.dev/issue/75804), as seen here.
const coordinatorRaceLog = `fuzz: elapsed: 0s, gathering baseline coverage: 0/17 completed
fuzz: elapsed: 0s, gathering baseline coverage: 17/17 completed, now fuzzing with 2 workers
fuzz: elapsed: 1s, execs: 31392 (56528/sec)
--- FAIL: FuzzX (0.56s)
    context deadline exceeded
FAIL
exit status 1
FAIL	example.com/p	0.612s
`

// What go test prints when the target failed on an input it generated.
const findingLog = `fuzz: elapsed: 0s, gathering baseline coverage: 0/3 completed
fuzz: elapsed: 1s, execs: 1200 (1200/sec), new interesting: 2 (total: 5)
--- FAIL: FuzzX (1.20s)
    --- FAIL: FuzzX (0.00s)
        x_test.go:12: context deadline exceeded

    Failing input written to testdata/fuzz/FuzzX/771e938e4458e983
    To re-run:
    go test -run=FuzzX/771e938e4458e983
FAIL
exit status 1
FAIL	example.com/p	1.300s
`

// What go test prints when an entry of the committed corpus fails.
const seedFailureLog = `fuzz: elapsed: 0s, gathering baseline coverage: 0/3 completed
failure while testing seed corpus entry: FuzzX/seed#1
--- FAIL: FuzzX (0.01s)
    context deadline exceeded
FAIL
exit status 1
FAIL	example.com/p	0.100s
`

const passLog = `fuzz: elapsed: 0s, gathering baseline coverage: 3/3 completed, now fuzzing with 2 workers
fuzz: elapsed: 1s, execs: 250 (250/sec), new interesting: 0 (total: 3)
PASS
ok  	example.com/p	1.100s
`

// TestFuzzScript runs fuzz.sh with a stand-in go command that prints a log
// and exits as go test did in each case. Only the coordinator's deadline
// failure under a duration budget passes; a count budget excuses nothing,
// and a run that wrote a failing input always fails.
func TestFuzzScript(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal("bash is not on PATH; fuzz.sh and the Makefile need it")
	}
	script, err := filepath.Abs("fuzz.sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		args       []string // after the script
		log        string   // what go test prints
		status     int      // and its exit status
		writes     bool     // whether it writes a failing input
		wantStatus int
		wantOut    string // printed by fuzz.sh
		wantBudget string // the -fuzztime go test received
	}{
		{"a count passes", []string{"./p:FuzzX:250"}, passLog, 0, false, 0, "execs: 250", "250x"},
		{"a duration passes", []string{"-budget", "2m", "./p:FuzzX:250"}, passLog, 0, false, 0, "execs: 250", "2m"},
		{"the coordinator's deadline failure under a duration", []string{"-budget", "3s", "./p:FuzzX:250"}, coordinatorRaceLog, 1, false, 0, "not a finding", "3s"},
		{"the same under a count", []string{"./p:FuzzX:250"}, coordinatorRaceLog, 1, false, 1, "FuzzX (./p) failed", "250x"},
		{"a finding", []string{"-budget", "3s", "./p:FuzzX"}, findingLog, 1, true, 1, "Failing input written", "3s"},
		{"the deadline text, and an input written", []string{"-budget", "3s", "./p:FuzzX"}, coordinatorRaceLog, 1, true, 1, "FuzzX (./p) failed", "3s"},
		{"a seed corpus entry fails", []string{"-budget", "3s", "./p:FuzzX"}, seedFailureLog, 1, false, 1, "failure while testing seed corpus", "3s"},
		{"no budget", []string{"./p:FuzzX"}, passLog, 0, false, 2, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, tmp := t.TempDir(), t.TempDir()
			corpus := filepath.Join(dir, "p", "testdata", "fuzz", "FuzzX")
			if err := os.MkdirAll(corpus, 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(corpus, "seed1"), "go test fuzz v1\nstring(\"a\")\n")
			logFile, argsFile := filepath.Join(dir, "log"), filepath.Join(dir, "args")
			writeFile(t, logFile, tc.log)
			input := ""
			if tc.writes {
				input = filepath.Join(corpus, "771e938e4458e983")
			}
			fakeGo := filepath.Join(dir, "go")
			writeFile(t, fakeGo, `#!/bin/sh
printf '%s\n' "$@" >"$FAKE_ARGS"
cat "$FAKE_LOG"
if [ -n "$FAKE_INPUT" ]; then echo 'go test fuzz v1' >"$FAKE_INPUT"; fi
exit "$FAKE_STATUS"
`)
			if err := os.Chmod(fakeGo, 0o755); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bash, append([]string{script}, tc.args...)...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GO="+fakeGo, "TMPDIR="+tmp, "FAKE_ARGS="+argsFile,
				"FAKE_LOG="+logFile, "FAKE_INPUT="+input, "FAKE_STATUS="+strconv.Itoa(tc.status))
			out, err := cmd.CombinedOutput()
			status := 0
			if ee, ok := err.(*exec.ExitError); ok {
				status = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if status != tc.wantStatus || !strings.Contains(string(out), tc.wantOut) {
				t.Errorf("exit status %d, want %d; output:\n%s\nwant it to contain %q", status, tc.wantStatus, out, tc.wantOut)
			}
			if tc.wantBudget != "" {
				args, err := os.ReadFile(argsFile)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(args), "\n-fuzztime\n"+tc.wantBudget+"\n") {
					t.Errorf("go test ran with %q, want -fuzztime %s", args, tc.wantBudget)
				}
			}
			// The log folder is removed after a pass and kept, in TMPDIR,
			// after a failure.
			left, err := filepath.Glob(filepath.Join(tmp, "wechatpay-fuzz.*", "FuzzX.log"))
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.wantStatus == 1 && len(left) != 1:
				t.Errorf("%d logs kept after a failure, want 1", len(left))
			case tc.wantStatus == 0 && len(left) != 0:
				t.Errorf("logs left after a pass: %v", left)
			}
		})
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestEveryFuzzTargetIsSmoked checks that the Makefile's FUZZ_TARGETS lists
// every fuzz target of the module, each with a count, so that make test
// fuzzes each one beyond its seed corpus.
func TestEveryFuzzTargetIsSmoked(t *testing.T) {
	makefile, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	_, rest, ok := strings.Cut(string(makefile), "\nFUZZ_TARGETS := \\\n")
	if !ok {
		t.Fatal("no FUZZ_TARGETS := \\ in the Makefile")
	}
	for line := range strings.Lines(rest) {
		for _, entry := range strings.Fields(strings.TrimSuffix(strings.TrimSpace(line), "\\")) {
			pkg, name, count, ok := cut3(entry)
			if n, err := strconv.Atoi(count); !ok || err != nil || n <= 0 {
				t.Errorf("FUZZ_TARGETS entry %q: want ./package:FuzzTarget:executions", entry)
				continue
			}
			listed[pkg+":"+name] = true
		}
		if !strings.HasSuffix(strings.TrimSpace(line), "\\") {
			break
		}
	}

	fuzzFunc := regexp.MustCompile(`(?m)^func (Fuzz\w*)\(f \*testing\.F\)`)
	found := map[string]bool{}
	err = filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != ".." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "bench") {
			return filepath.SkipDir // bench/ is a module of its own, without fuzz targets
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range fuzzFunc.FindAllStringSubmatch(string(src), -1) {
			found["./"+filepath.ToSlash(filepath.Dir(strings.TrimPrefix(path, "../")))+":"+m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) == 0 {
		t.Fatal("found no fuzz target")
	}
	for target := range found {
		if !listed[target] {
			t.Errorf("fuzz target %s is not in the Makefile's FUZZ_TARGETS", target)
		}
	}
	for target := range listed {
		if !found[target] {
			t.Errorf("FUZZ_TARGETS lists %s, which does not exist", target)
		}
	}
}

// cut3 splits "a:b:c" into its three parts.
func cut3(s string) (a, b, c string, ok bool) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}
