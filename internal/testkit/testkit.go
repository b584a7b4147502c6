// Package testkit holds what the tests of this module share: the fixed
// merchant identity of their fixtures, a buffer many goroutines may log into,
// building a command, and running the sandbox command as a process. It
// imports only the standard library, so the tests of any package of the
// module, the runtime's own included, can use it.
package testkit

import (
	"bufio"
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// The merchant of the tests' fixtures: the merchant ID and API certificate
// serial of WeChat Pay's documentation examples.
const (
	MchID          = "1900000109"
	MerchantSerial = "3775B6A45ACD588826D15E583A95F5DD00000001"
)

// LockedBuffer is a bytes.Buffer that goroutines may write to at once, for
// logs written by a server's goroutines and read by the test.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what was written so far.
func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Build builds the main packages pkgs (as go build takes them, relative to
// the test's package) into a temporary folder and returns the path of each
// command, in order.
func Build(tb testing.TB, pkgs ...string) []string {
	tb.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	dir := tb.TempDir()
	args := append([]string{"build", "-o", dir + string(filepath.Separator)}, pkgs...)
	if out, err := exec.Command(goTool, args...).CombinedOutput(); err != nil {
		tb.Fatalf("go build %s: %v\n%s", strings.Join(pkgs, " "), err, out)
	}
	bins := make([]string, len(pkgs))
	for i, p := range pkgs {
		bins[i] = filepath.Join(dir, filepath.Base(p))
		if p == "." {
			wd, err := os.Getwd()
			if err != nil {
				tb.Fatal(err)
			}
			bins[i] = filepath.Join(dir, filepath.Base(wd))
		}
	}
	return bins
}

// Sandbox is the sandbox command running as a process.
type Sandbox struct {
	// URL is where it listens, as its first line of output says.
	URL string

	cmd     *exec.Cmd
	logs    LockedBuffer // its stderr
	stopped bool
}

// StartSandbox runs the sandbox command bin with args and waits until its
// first line says where it listens. The process is killed when the test
// ends, unless Stop ended it first.
func StartSandbox(tb testing.TB, bin string, args ...string) *Sandbox {
	tb.Helper()
	s := &Sandbox{cmd: exec.Command(bin, args...)}
	s.cmd.Stderr = &s.logs
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if !s.stopped {
			_ = s.cmd.Process.Kill()
			_ = s.cmd.Wait()
		}
	})
	r := bufio.NewReader(stdout)
	line, err := r.ReadString('\n')
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if err != nil || !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
		tb.Fatalf("the sandbox's first line is %q (%v), want listening on http://127.0.0.1:PORT\n%s", line, err, s.logs.String())
	}
	s.URL = url
	go func() { _, _ = io.Copy(io.Discard, r) }() // never block the sandbox on its stdout
	return s
}

// Logs returns what the sandbox wrote on stderr so far.
func (s *Sandbox) Logs() string { return s.logs.String() }

// Stop ends the sandbox with SIGTERM, as a person would, and returns how it
// exited: nil for exit status 0.
func (s *Sandbox) Stop() error {
	if s.stopped {
		return nil
	}
	s.stopped = true
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	return s.cmd.Wait()
}

// RSAPrivateKey reads an RSA private key from a PEM file (PKCS#8 or
// PKCS#1) with crypto/x509 alone, so that tests holding the runtime to an
// independent stand-in do not load keys through the runtime's own code.
func RSAPrivateKey(tb testing.TB, path string) *rsa.PrivateKey {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		tb.Fatalf("%s: no PEM block", path)
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		tb.Fatalf("%s: a %T, want an RSA key", path, k)
	}
	return rk
}
