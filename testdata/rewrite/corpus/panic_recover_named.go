package main

import (
	"github.com/asyncgo/asyncgo/runtime/coro"
)

// recoverNamed is a named function that recovers: deferred directly, its
// recover stops the panic (Go spec, Handling panics).
func recoverNamed(t *trace) {
	if r := recover(); r != nil {
		t.log("recoverNamed: %v", r)
	}
}

// RecoverNamed defers a named function that recovers.
//
//asyncgo:generator
func RecoverNamed(t *trace) *coro.Generator[int, struct{}, string] {
	return coro.New(func(co *coro.Co[int, struct{}]) string {
		defer recoverNamed(t)
		co.Yield(1)
		panic("stopped by a named function")
	})
}

var _ = register("panics/recover-named", func(t *trace) { all(t, RecoverNamed(t)) })
