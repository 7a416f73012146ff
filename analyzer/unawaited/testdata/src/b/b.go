// Package b holds async functions and constructors for package a.
package b

import (
	"github.com/asyncgo/asyncgo/runtime/aio"
	"github.com/asyncgo/asyncgo/runtime/coro"
)

// Fetch is an async function.
func Fetch(url string) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) { return len(url), nil })
}

// Spawn creates a task and returns its handle.
func Spawn(t *aio.Task) *aio.Handle[int] {
	h := aio.CreateTask(t, Fetch("x"))
	return h
}

// Registry keeps coroutines and tasks.
type Registry struct {
	c *aio.Coroutine[int]
	h *aio.Handle[int]
}

// Coroutine returns the stored coroutine.
func (r *Registry) Coroutine() *aio.Coroutine[int] { // want Coroutine:"reuses"
	return r.c
}

// Handle returns the stored handle, or creates one.
func (r *Registry) Handle(t *aio.Task) *aio.Handle[int] { // want Handle:"reuses"
	if r.h == nil {
		r.h = aio.CreateTask(t, r.c)
	}
	return r.h
}

var shared = coro.New(func(co *coro.Co[int, int]) int { return 0 })

// Shared returns a package generator.
func Shared() *coro.Generator[int, int, int] { // want Shared:"reuses"
	return shared
}

// Counter is a generator function.
//
//asyncgo:generator
func Counter(n int) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		for i := 0; i < n; i++ {
			co.Yield(i)
		}
		return n
	})
}
