// Package fixed is the fixed version of lockorder/golangset_173: the
// two-set operations read-lock both sets in address order through lockTwo
// (and a set given twice only once, which is our addition).
//
// Upstream: deckarep/golang-set#173 ("fix: prevent deadlock in threadsafe set operations via consistent lock ordering")
// Round: 19
package fixed

import (
	"sync"
	"unsafe"
)

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

// lockTwo read-locks two sets in the order of their addresses, so that two
// goroutines locking the same pair in opposite operand order cannot
// deadlock; a set given twice is locked once.
func lockTwo[T comparable](a, b *threadSafeSet[T]) {
	if a == b {
		a.RLock()
		return
	}
	if uintptr(unsafe.Pointer(a)) < uintptr(unsafe.Pointer(b)) {
		a.RLock()
		b.RLock()
	} else {
		b.RLock()
		a.RLock()
	}
}

func unlockTwo[T comparable](a, b *threadSafeSet[T]) {
	a.RUnlock()
	if a != b {
		b.RUnlock()
	}
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

	lockTwo(t, o)

	ret := &threadSafeSet[T]{uss: t.uss.union(o.uss)}
	unlockTwo(t, o)
	return ret
}

func (t *threadSafeSet[T]) Intersect(other Set[T]) Set[T] {
	o := other.(*threadSafeSet[T])

	lockTwo(t, o)

	ret := &threadSafeSet[T]{uss: t.uss.intersect(o.uss)}
	unlockTwo(t, o)
	return ret
}

func (t *threadSafeSet[T]) IsSubset(other Set[T]) bool {
	o := other.(*threadSafeSet[T])

	lockTwo(t, o)

	ret := t.uss.isSubset(o.uss)
	unlockTwo(t, o)
	return ret
}

func (t *threadSafeSet[T]) Equal(other Set[T]) bool {
	o := other.(*threadSafeSet[T])

	lockTwo(t, o)

	ret := len(t.uss) == len(o.uss) && t.uss.isSubset(o.uss)
	unlockTwo(t, o)
	return ret
}
