// Package fixed is the fixed version of doublelock/golangset_202:
// AppendFrom returns before locking when both operands are the same set.
//
// Upstream: deckarep/golang-set#202 ("Fix AppendFrom deadlock when appending a set to itself")
// Round: 19
package fixed

import (
	"sync"
	"unsafe"
)

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
	if t == o {
		// Appending a set to itself adds nothing.
		return 0
	}

	// Take the two locks in address order (our addition).
	if uintptr(unsafe.Pointer(t)) < uintptr(unsafe.Pointer(o)) {
		t.Lock() // Write Lock (this set)
		o.RLock()
	} else {
		o.RLock()
		t.Lock() // Write Lock (this set)
	}
	defer t.Unlock()
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
