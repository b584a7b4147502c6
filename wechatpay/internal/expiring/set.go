// Package expiring holds a set whose members each leave at their own expiry
// time. The notification replay guard of package wechatpay and the nonce
// cache of its sandbox both use it: each remembers what it saw until the
// signed timestamp that came with it stops verifying.
//
// Times are plain int64 values on a clock the caller chooses (Unix seconds in
// both users) and passed in on every call, so tests control time and the set
// never reads a clock. A member whose expiry is before now is gone; at now ==
// expiry it is still there. Expired members are dropped on the next Add, so
// memory follows the members of the last expiry window, not all time.
package expiring

import (
	"container/heap"
	"sync"
)

// Set is a set of keys, each held until its expiry. The zero value is an
// empty set ready for use; a Set is safe for concurrent use and must not be
// copied after first use.
type Set[K comparable] struct {
	mu      sync.Mutex
	expires map[K]int64 // each member's expiry
	queue   queue[K]    // the same members, soonest expiry first
}

// Add records key until expiry and reports whether it was new: absent, or
// present with an expiry before now. A present key keeps its expiry. Members
// that expired before now are forgotten first.
func (s *Set[K]) Add(key K, expiry, now int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purge(now)
	if _, ok := s.expires[key]; ok {
		return false
	}
	if s.expires == nil {
		s.expires = make(map[K]int64)
	}
	s.expires[key] = expiry
	heap.Push(&s.queue, entry[K]{key, expiry})
	return true
}

// Contains reports whether key is a member at now.
func (s *Set[K]) Contains(key K, now int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.expires[key]
	return ok && exp >= now
}

// Len returns the number of members held, counting those that expired since
// the last Add.
func (s *Set[K]) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.expires)
}

// purge drops every member whose expiry is before now. Add never changes a
// member's expiry, so the heap holds exactly one entry per member.
func (s *Set[K]) purge(now int64) {
	for len(s.queue) > 0 && s.queue[0].expiry < now {
		e := heap.Pop(&s.queue).(entry[K])
		delete(s.expires, e.key)
	}
}

type entry[K comparable] struct {
	key    K
	expiry int64
}

// queue is a min-heap of entries by expiry (container/heap).
type queue[K comparable] []entry[K]

func (q queue[K]) Len() int           { return len(q) }
func (q queue[K]) Less(i, j int) bool { return q[i].expiry < q[j].expiry }
func (q queue[K]) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *queue[K]) Push(x any)        { *q = append(*q, x.(entry[K])) }
func (q *queue[K]) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}
