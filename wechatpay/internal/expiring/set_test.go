package expiring

import (
	"crypto/sha256"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// TestSetLifetime follows one key through time: a member until its expiry
// (inclusive), new again after it.
func TestSetLifetime(t *testing.T) {
	var s Set[string]
	steps := []struct {
		op       string // add or contains
		key      string
		expiry   int64
		now      int64
		want     bool
		wantSize int
	}{
		{"contains", "a", 0, 0, false, 0},
		{"add", "a", 10, 0, true, 1},
		{"add", "a", 99, 1, false, 1}, // a present key keeps its expiry
		{"contains", "a", 0, 10, true, 1},
		{"add", "a", 20, 10, false, 1}, // still a member at its expiry
		{"contains", "a", 0, 11, false, 1},
		{"add", "b", 30, 11, true, 1}, // the Add drops a
		{"add", "a", 40, 11, true, 2},
		{"contains", "a", 0, 40, true, 2},
		{"contains", "b", 0, 31, false, 2},
	}
	for i, st := range steps {
		var got bool
		if st.op == "add" {
			got = s.Add(st.key, st.expiry, st.now)
		} else {
			got = s.Contains(st.key, st.now)
		}
		if got != st.want || s.Len() != st.wantSize {
			t.Fatalf("step %d %s(%q, now %d) = %v with %d members; want %v with %d",
				i, st.op, st.key, st.now, got, s.Len(), st.want, st.wantSize)
		}
	}
}

// TestSetBounded adds three keys a second for 2,000 seconds, each held 300 s:
// the set never holds more than the last window, and the map and the heap
// agree.
func TestSetBounded(t *testing.T) {
	var s Set[[sha256.Size]byte]
	const window = 300
	key := func(now int64, j int) [sha256.Size]byte {
		return sha256.Sum256([]byte(strconv.FormatInt(now, 10) + "/" + strconv.Itoa(j)))
	}
	for now := int64(0); now < 2000; now++ {
		for j := range 3 {
			if !s.Add(key(now, j), now+window, now) {
				t.Fatalf("at %d: a new key counted as present", now)
			}
		}
		if s.Add(key(now, 0), now+window, now) {
			t.Fatalf("at %d: a repeat counted as new", now)
		}
		if now >= window && !s.Contains(key(now-window, 1), now) {
			t.Fatalf("at %d: a key left before its expiry", now)
		}
		if n := s.Len(); n > 3*(window+1) {
			t.Fatalf("at %d: %d members, want at most %d", now, n, 3*(window+1))
		}
	}
	if n, q := s.Len(), len(s.queue); n != 3*(window+1) || q != n {
		t.Errorf("map %d, heap %d entries; want %d", n, q, 3*(window+1))
	}
}

// TestSetConcurrent adds the same 100 keys from 8 goroutines (run with -race):
// each key is new exactly once.
func TestSetConcurrent(t *testing.T) {
	var s Set[int]
	var firsts atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for k := range 100 {
				if s.Add(k, 1000, 0) {
					firsts.Add(1)
				}
				s.Contains(k, 0)
			}
		})
	}
	wg.Wait()
	if n := firsts.Load(); n != 100 || s.Len() != 100 {
		t.Errorf("%d adds reported new, %d members; want 100 and 100", n, s.Len())
	}
}
