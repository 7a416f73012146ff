// Package bug is a held-out kernel (issue 14): AppendFrom on the
// thread-safe set write-locks the receiver and then read-locks the
// argument, so set.AppendFrom(set) waits for its own write lock forever.
//
// Upstream: deckarep/golang-set#202 ("Fix AppendFrom deadlock when appending a set to itself")
// Round: 19
//
// Bug: AppendFrom (added in #178) does t.Lock() with a deferred Unlock and
// then o.RLock() on the other set. When a caller passes the set itself,
// o is t and the RLock waits for the write lock the same goroutine holds:
// the call never returns, and every later user of the set blocks behind it
// (the PR: "it takes a write lock and then tries to take a read lock on
// the same mutex"). Reduced from threadsafe.go; the thread-unsafe set is a
// plain map type here and only a few operations are kept.
//
// Fix: AppendFrom returns zero before taking any lock when both operands
// are the same set, as Append(other.ToSlice()...) would add nothing. For
// two distinct sets upstream still takes t's lock before o's, so
// a.AppendFrom(b) against b.AppendFrom(a) could block each other; our
// fixed version takes the two locks in address order, as lockTwo does
// for the read-only operations (our addition).
package bug

import "sync"

// Set is a set of comparable values.
type Set[T comparable] interface {
	Add(v T) bool
	Append(v ...T) int
	AppendFrom(other Set[T]) int
	Contains(v T) bool
	Cardinality() int
	ToSlice() []T
}

type threadUnsafeSet[T comparable] map[T]struct{}

func (s threadUnsafeSet[T]) appendFrom(o threadUnsafeSet[T]) int {
	n := 0
	for v := range o {
		if _, found := s[v]; !found {
			s[v] = struct{}{}
			n++
		}
	}
	return n
}

type threadSafeSet[T comparable] struct {
	sync.RWMutex
	uss threadUnsafeSet[T]
}

// NewSet returns a thread-safe set holding vals.
func NewSet[T comparable](vals ...T) Set[T] {
	s := &threadSafeSet[T]{uss: make(threadUnsafeSet[T])}
	for _, v := range vals {
		s.uss[v] = struct{}{}
	}
	return s
}

func (t *threadSafeSet[T]) Add(v T) bool {
	t.Lock()
	defer t.Unlock()
	_, found := t.uss[v]
	t.uss[v] = struct{}{}
	return !found
}

func (t *threadSafeSet[T]) Append(v ...T) int {
	t.Lock()
	defer t.Unlock()
	n := 0
	for _, x := range v {
		if _, found := t.uss[x]; !found {
			t.uss[x] = struct{}{}
			n++
		}
	}
	return n
}

func (t *threadSafeSet[T]) AppendFrom(other Set[T]) int {
	o := other.(*threadSafeSet[T])

	t.Lock() // Write Lock (this set)
	defer t.Unlock()

	o.RLock() // heldout:site
	defer o.RUnlock()

	return t.uss.appendFrom(o.uss)
}

func (t *threadSafeSet[T]) Contains(v T) bool {
	t.RLock()
	defer t.RUnlock()
	_, ok := t.uss[v]
	return ok
}

func (t *threadSafeSet[T]) Cardinality() int {
	t.RLock()
	defer t.RUnlock()
	return len(t.uss)
}

func (t *threadSafeSet[T]) ToSlice() []T {
	t.RLock()
	keys := make([]T, 0, len(t.uss))
	for elem := range t.uss {
		keys = append(keys, elem)
	}
	t.RUnlock()
	return keys
}
