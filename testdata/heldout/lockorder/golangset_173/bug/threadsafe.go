// Package bug is a held-out kernel (issue 14): the thread-safe set's
// two-set operations read-lock the receiver and then the argument, so
// s1.Union(s2) and s2.Union(s1) take the two RWMutexes in opposite orders
// and, with a writer queued on each set, block each other forever.
//
// Upstream: deckarep/golang-set#173 ("fix: prevent deadlock in threadsafe set operations via consistent lock ordering")
// Round: 19
//
// Bug: Union, Intersect, Difference, IsSubset and Equal do t.RLock() and
// then o.RLock(). Goroutine A runs s1.Union(s2) and holds s1's read lock;
// goroutine B runs s2.Union(s1) and holds s2's; an Add on s1 and an Add on
// s2 queue for the write locks. A's RLock of s2 now waits behind the
// queued writer of s2, which waits for B; B's RLock of s1 waits behind the
// writer of s1, which waits for A (the PR: "When two goroutines
// concurrently call two-set operations on the same pair of sets in
// opposite order, a deadlock occurs"; issue #163 reported it). Reduced
// from threadsafe.go; the thread-unsafe set is a plain map type here and
// only a few operations are kept.
//
// Fix: lockTwo and unlockTwo take the two read locks in the order of the
// sets' addresses. The PR is listed as closed, but the stored threadsafe.go
// carries its lockTwo, so we take it as landed; our fixed version also
// takes the lock once when both operands are the same set, which lockTwo
// does not.
package bug

import "sync"

// Set is a set of comparable values.
type Set[T comparable] interface {
	Add(v T) bool
	Contains(v T) bool
	Cardinality() int
	Union(other Set[T]) Set[T]
	Intersect(other Set[T]) Set[T]
	IsSubset(other Set[T]) bool
	Equal(other Set[T]) bool
}

type threadUnsafeSet[T comparable] map[T]struct{}

func (s threadUnsafeSet[T]) union(o threadUnsafeSet[T]) threadUnsafeSet[T] {
	n := make(threadUnsafeSet[T], len(s)+len(o))
	for v := range s {
		n[v] = struct{}{}
	}
	for v := range o {
		n[v] = struct{}{}
	}
	return n
}

func (s threadUnsafeSet[T]) intersect(o threadUnsafeSet[T]) threadUnsafeSet[T] {
	n := make(threadUnsafeSet[T])
	for v := range s {
		if _, ok := o[v]; ok {
			n[v] = struct{}{}
		}
	}
	return n
}

func (s threadUnsafeSet[T]) isSubset(o threadUnsafeSet[T]) bool {
	if len(s) > len(o) {
		return false
	}
	for v := range s {
		if _, ok := o[v]; !ok {
			return false
		}
	}
	return true
}

type threadSafeSet[T comparable] struct {
	sync.RWMutex
	uss threadUnsafeSet[T]
}

// NewSet returns an empty thread-safe set.
func NewSet[T comparable]() Set[T] {
	return &threadSafeSet[T]{uss: make(threadUnsafeSet[T])}
}

func (t *threadSafeSet[T]) Add(v T) bool {
	t.Lock()
	defer t.Unlock()
	_, found := t.uss[v]
	t.uss[v] = struct{}{}
	return !found
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

func (t *threadSafeSet[T]) Union(other Set[T]) Set[T] {
	o := other.(*threadSafeSet[T])

	t.RLock()
	o.RLock() // heldout:site

	ret := &threadSafeSet[T]{uss: t.uss.union(o.uss)}
	t.RUnlock()
	o.RUnlock()
	return ret
}

func (t *threadSafeSet[T]) Intersect(other Set[T]) Set[T] {
	o := other.(*threadSafeSet[T])

	t.RLock()
	o.RLock() // heldout:site

	ret := &threadSafeSet[T]{uss: t.uss.intersect(o.uss)}
	t.RUnlock()
	o.RUnlock()
	return ret
}

func (t *threadSafeSet[T]) IsSubset(other Set[T]) bool {
	o := other.(*threadSafeSet[T])

	t.RLock()
	o.RLock() // heldout:site

	ret := t.uss.isSubset(o.uss)
	t.RUnlock()
	o.RUnlock()
	return ret
}

func (t *threadSafeSet[T]) Equal(other Set[T]) bool {
	o := other.(*threadSafeSet[T])

	t.RLock()
	o.RLock() // heldout:site

	ret := len(t.uss) == len(o.uss) && t.uss.isSubset(o.uss)
	t.RUnlock()
	o.RUnlock()
	return ret
}
