package generator

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/payforge/wechatpay/generator/internal/header"
)

const (
	// killedRuns is how many runs TestKilledRunsLeaveNoHalfFile kills.
	killedRuns = 20
	// minKilledWhileWriting is how many of them must have been killed by the
	// signal while writing; the others may finish first on a loaded machine.
	minKilledWhileWriting = killedRuns * 3 / 4
)

// TestKilledRunsLeaveNoHalfFile kills the generator binary (SIGKILL, which
// nothing can catch) while it writes the family package, at staggered moments
// of its writing. Whatever moment it dies at, every .go file in the output
// folder is either absent or complete, and the next run completes the folder
// and clears the temporary files the killed one left.
//
// A run counts only when it was still writing: the output folder does not
// exist before the run, and the writer creates it just before its first file
// (write.Write), so its appearance shows that writing began; the wait status
// shows that the process died of the signal rather than exiting first.
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
	if len(want) < 2 {
		t.Fatalf("%d generated files in gen/passwordexemptcontract, want several", len(want))
	}

	// Each run is killed once the folder holds a given number of renamed
	// files, from none (the folder just appeared) to all but the last: the
	// writer is then busy with the next file. Polling the folder cannot stop
	// the writer, so on a loaded machine it may get further, or finish.
	var whileWriting, partial int
	for i := range killedRuns {
		r := startWatched(t, bin)
		files := i * len(want) / killedRuns
		began := r.waitFiles(files)
		r.cmd.Process.Kill() // an error here only means it had exited
		r.wait()
		status, _ := r.cmd.ProcessState.Sys().(syscall.WaitStatus)
		killed := status.Signaled() && status.Signal() == syscall.SIGKILL
		if killed && began {
			whileWriting++
		}
		name := fmt.Sprintf("run %d (killed after %d files)", i, files)
		if complete := checkFolder(t, name, r.out, want, false); killed && began && !complete {
			partial++
		}
		// The next run into the same folder completes it and clears what
		// the killed one left behind.
		if out, err := exec.Command(bin, "-spec", specPath, "-import", committedImport, "-out", r.out).CombinedOutput(); err != nil {
			t.Fatalf("%s: the run after the kill failed: %v\n%s", name, err, out)
		}
		checkFolder(t, name+", then a full run", r.out, want, true)
	}
	if whileWriting < minKilledWhileWriting {
		t.Errorf("%d of %d runs were killed while writing, want at least %d", whileWriting, killedRuns, minKilledWhileWriting)
	}
	if !t.Failed() {
		fmt.Printf("killed generator runs: %d of %d killed by SIGKILL while writing (%d of them with files still to write), no half-written file; the next run completed each folder\n",
			whileWriting, killedRuns, partial)
	}
}

// watchedRun is a generator run into a folder that does not exist yet.
type watchedRun struct {
	cmd    *exec.Cmd
	out    string
	stderr *bytes.Buffer
	done   chan struct{} // closed when the process has exited
	err    error         // cmd.Wait's error, once done is closed
}

func startWatched(t *testing.T, bin string) *watchedRun {
	t.Helper()
	r := &watchedRun{out: filepath.Join(t.TempDir(), "out"), stderr: new(bytes.Buffer), done: make(chan struct{})}
	r.cmd = exec.Command(bin, "-spec", specPath, "-import", committedImport, "-out", r.out)
	r.cmd.Stderr = r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		r.err = r.cmd.Wait()
		close(r.done)
	}()
	return r
}

// waitFiles polls the output folder until it exists and holds at least n
// .go files, and reports whether it did before the process exited.
func (r *watchedRun) waitFiles(n int) bool {
	for {
		exited := false
		select {
		case <-r.done:
			exited = true
		default:
		}
		if entries, err := os.ReadDir(r.out); err == nil {
			count := 0
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".go") {
					count++
				}
			}
			if count >= n {
				return !exited
			}
		}
		if exited {
			return false
		}
		time.Sleep(20 * time.Microsecond)
	}
}

func (r *watchedRun) wait() error {
	<-r.done
	return r.err
}

// checkFolder checks that every .go file in dir is one of want, complete,
// and, when full, that dir holds exactly want and no temporary file. It
// reports whether dir holds every file of want.
func checkFolder(t *testing.T, what, dir string, want map[string][]byte, full bool) bool {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		if !strings.HasSuffix(e.Name(), ".go") {
			if full {
				t.Errorf("%s: %s left in the folder", what, e.Name())
			}
			continue // a temporary file the next run clears
		}
		got, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if w, ok := want[e.Name()]; !ok || !bytes.Equal(got, w) {
			t.Errorf("%s: %s is not a complete generated file (%d bytes)", what, e.Name(), len(got))
		}
	}
	complete := true
	for name := range want {
		if !slices.Contains(names, name) {
			complete = false
			if full {
				t.Errorf("%s: %s is missing", what, name)
			}
		}
	}
	return complete
}
